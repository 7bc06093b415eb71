"""Options every command spells the same way."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from xlpy.io import clock


def parse_date(text: str) -> dt.date:
    from xlpy.core.values import BadValue, date
    try:
        return date(text, clock.today())
    except BadValue:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use 2026-11-26)") from None


def office_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--office", type=Path, help="the office folder holding xlpy.toml (default: the current folder)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: the office's setting, else zh)")


def date_arg(p: argparse.ArgumentParser, help: str) -> None:
    """The command's day, one name everywhere (``--today`` still accepted)."""
    p.add_argument("--date", "--today", dest="today", type=parse_date, metavar="DATE", help=help)
