"""Options every command spells the same way: one name, one meaning, one help text (docs/cli.md).

The vocabulary: --office (the office folder), --inbox (the folder of reports), --master (the
folder of master workbooks), --reference (the reference workbook), --date (the command's day),
--period (a period), --format (text, json, csv), --lang (zh, en; also before the command).
"""
from __future__ import annotations

import argparse
import datetime as dt
from functools import partial
from pathlib import Path

from xlpy.cli.words import ARGPARSE_ZH, help_text
from xlpy.io import clock

LANGS = ("zh", "en")


def parse_date(text: str) -> dt.date:
    from xlpy.core.values import BadValue, date
    try:
        return date(text, clock.today())
    except BadValue:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use 2026-11-26)") from None


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog, lang: str = "en"):
        super().__init__(prog)
        self.lang = lang

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, _argparse_word("usage: ", self.lang) if prefix is None else prefix)


def _argparse_word(word: str, lang: str) -> str:
    return ARGPARSE_ZH[word] if lang != "en" else word


class Vocabulary:
    """Adds the shared options to a command's parser, their help in ``lang``."""

    def __init__(self, lang: str):
        self.lang = lang

    def h(self, english: str) -> str:
        return help_text(english, self.lang)

    def parser(self, sub, name: str, help: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=self.h(help), description=self.h(description), add_help=False,
                           formatter_class=partial(_Formatter, lang=self.lang))
        self.titles(p)
        return p

    def titles(self, p: argparse.ArgumentParser) -> None:
        p._optionals.title = _argparse_word("options", self.lang)
        p._positionals.title = _argparse_word("positional arguments", self.lang)
        p.add_argument("-h", "--help", action="help", help=self.h("show this help message and exit"))

    def office(self, p, help: str = "the office folder holding xlpy.toml (default: the current folder)") -> None:
        p.add_argument("--office", type=Path, metavar="DIR", help=self.h(help))
        self.lang_arg(p)

    def lang_arg(self, p, dest: str = "lang") -> None:
        p.add_argument("--lang", choices=LANGS, dest=dest,
                       help=self.h("language of messages and help (default: the office's setting, else zh)"))

    def date(self, p) -> None:
        """The command's day, one name everywhere (the old ``--today`` still works, unlisted)."""
        help = self.h("the day the command runs as: judges dates, counts up to it (default: today)")
        p.add_argument("--date", dest="today", type=parse_date, metavar="DATE", help=help)
        p.add_argument("--today", dest="today", type=parse_date, help=argparse.SUPPRESS)

    def workers(self, p) -> None:
        p.add_argument("--workers", type=int, metavar="N", help=self.h(
            "processes that read a large batch (1,000 files or more): 0 one per core, 1 this process only "
            "(default: the office's workers setting, else 0)"))

    def inbox(self, p) -> None:
        p.add_argument("--inbox", type=Path, metavar="DIR", help=self.h("the folder of reports (default: the office inbox)"))

    def master(self, p, help: str = "the folder of master workbooks (default: the office master folder)") -> None:
        p.add_argument("--master", type=Path, metavar="DIR", help=self.h(help))

    def reference(self, p) -> None:
        p.add_argument("--reference", type=Path, metavar="FILE",
                       help=self.h("the reference workbook (default: the office's reference.xlsx)"))

    def format(self, p, choices=("text", "json"), help: str = "output format (default: text)") -> None:
        p.add_argument("--format", choices=choices, default="text", help=self.h(help))
