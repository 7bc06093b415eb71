"""The command reference (docs/cli.md), made from the parser itself so that it cannot drift:
`python -m xlpy.cli.doc > docs/cli.md`; a test compares the two."""
from __future__ import annotations

import argparse
import os

from xlpy.cli.main import build_parser

INTRO = """\
Every command, as `xlpy --lang en COMMAND --help` prints it (without `--lang en`, help and messages
are in the office's language, Chinese by default). Made by `python -m xlpy.cli.doc > docs/cli.md`.

## One vocabulary

The same thing has the same option in every command that takes it:

| option | means |
|---|---|
| `--office DIR` | the office folder holding `xlpy.toml` (default: the current folder) |
| `--inbox DIR` | the folder of reports (default: the office's `inbox/`) |
| `--master DIR` | the folder of master workbooks (default: the office's `master/`) |
| `--reference FILE` | the reference workbook (default: the office's `reference.xlsx`) |
| `--date DATE` | the day the command runs as (default: today; `--today` is still understood) |
| `--period PERIOD` | `2026-11`, `2026/11`, `202611`, `2026年11月`, `2026-Q4`, `2026Q4`, `2026年第4季度`, `2026`, a day, or `all`; `--from`/`--to` for a range of days |
| `--format FORMAT` | `text` for people, `json` for programs (`csv` too for `stats`) |
| `--lang zh\\|en` | language of help and messages, before or after the command |
| `--send` / `--no-send` | mail the briefing or not (`nightly` sends by default, `briefing` does not) |

## What is printed

- Text for people: money with thousands separators (`4,003,808.00`), rates as percentages (`25.0%`),
  dates as dates (`2026-11-27`), blanks as blanks, headers in the office's language.
- JSON for programs: machine names (`net_amount`), ISO dates, `null` for blanks; strict JSON (never
  `NaN` or `Infinity`).
- CSV: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
  (OWASP's advice against CSV injection), so Excel shows it and never runs it. A BOM goes first when the
  CSV goes to a file or a Windows console, so that Chinese Excel reads it as UTF-8.
- Always UTF-8, whatever the console's code page. A reader that goes away (`xlpy stats … | head`) ends
  the command quietly.

## Exit statuses

0 done; 1 something found or rejected, the rest done; 2 nothing could be done (arguments, paths,
settings, reference workbook, master), said in one line; 3 the briefing could not be sent; 4 an internal
error of xlpy: one line, and the traceback in the office's `logs/DAY.log` (outside an office, in the
user's log folder: `%LOCALAPPDATA%\\xlpy\\logs`, `~/Library/Logs/xlpy` or `~/.local/state/xlpy/logs`).
"""


def reference() -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal: fix it for a stable page
    parser = build_parser("en")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parts = ["# Command reference\n", INTRO]
    for name, command in sub.choices.items():
        parts.append(f"## xlpy {name}\n\n```\n{command.format_help().rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
