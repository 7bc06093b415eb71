"""The command reference (docs/cli.md), made from the parser itself so that it cannot drift:
`python -m xlpy.cli.doc > docs/cli.md`; a test compares the two."""
from __future__ import annotations

import argparse
import os

from xlpy.cli.main import build_parser


def reference() -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal: fix it for a stable page
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    parts = ["# Command reference\n", "Every command, as `xlpy COMMAND --help` prints it. "
             "Made by `python -m xlpy.cli.doc > docs/cli.md`.\n"]
    for name, command in sub.choices.items():
        parts.append(f"## xlpy {name}\n\n```\n{command.format_help().rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
