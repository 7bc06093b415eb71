"""Options every command spells the same way: one name, one meaning, one help text (docs/cli.md).

The vocabulary: --office (the office folder), --inbox (the folder of reports), --master (the
folder of master workbooks), --reference (the reference workbook), --date (the command's day),
--period (a period), --format (text, json, csv), --lang (zh, en; also before the command).
"""
from __future__ import annotations

import argparse
import datetime as dt
from contextlib import contextmanager
from pathlib import Path

from xlpy.cli.words import help_text
from xlpy.contract.messages import argparse_texts, say
from xlpy.io import clock

LANGS = ("zh", "en")


def parse_date(text: str, lang: str = "en") -> dt.date:
    from xlpy.core.values import BadValue, date
    try:
        return date(text, clock.today())
    except BadValue:
        raise argparse.ArgumentTypeError(say("cli.not-a-date", lang, text=text)) from None


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks ``lang``: argparse's own words (`usage:`, `error:`, `invalid
    choice`, …) come from the catalogue while it parses and prints, and only then; the process's
    gettext domain is never changed. Its sub-commands' parsers are of this class too."""

    def __init__(self, *args, lang: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.lang = lang

    def parse_args(self, args=None, namespace=None):
        with speaking(self.lang):
            return super().parse_args(args, namespace)

    def parse_known_args(self, args=None, namespace=None):
        with speaking(self.lang):
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with speaking(self.lang):
            return super().format_usage()

    def format_help(self):
        with speaking(self.lang):
            return super().format_help()


@contextmanager
def speaking(lang: str):
    """argparse's texts in ``lang`` for the time of the block (argparse looks them up through its
    module's ``_`` and ``ngettext``)."""
    texts = argparse_texts(lang)
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = texts.gettext, texts.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


class Vocabulary:
    """Adds the shared options to a command's parser, their help in ``lang``."""

    def __init__(self, lang: str):
        self.lang = lang

    def date_type(self, text: str) -> dt.date:
        return parse_date(text, self.lang)

    def h(self, key: str) -> str:
        return help_text(key, self.lang)

    def parser(self, sub, name: str, key: str | None = None) -> argparse.ArgumentParser:
        """A command's parser: its help is `help.<name>` (or ``key``), its description that key's `.about`."""
        key = key or f"help.{name}"
        p = sub.add_parser(name, help=self.h(key), description=self.h(f"{key}.about"), add_help=False)
        p.lang = self.lang  # a Parser's (or, under a plain ArgumentParser, unused)
        self.titles(p)
        return p

    def titles(self, p: argparse.ArgumentParser) -> None:
        """The titles argparse gave the option groups when it made the parser, in ``lang``."""
        words = argparse_texts(self.lang)
        p._optionals.title = words.gettext("options")
        p._positionals.title = words.gettext("positional arguments")
        p.add_argument("-h", "--help", action="help", help=self.h("help.option.help"))

    def office(self, p, help: str = "help.option.office") -> None:
        p.add_argument("--office", type=Path, metavar="DIR", help=self.h(help))
        self.lang_arg(p)

    def lang_arg(self, p, dest: str = "lang") -> None:
        p.add_argument("--lang", choices=LANGS, dest=dest,
                       help=self.h("help.option.lang"))

    def date(self, p) -> None:
        """The command's day, one name everywhere (the old ``--today`` still works, unlisted)."""
        help = self.h("help.option.date")
        p.add_argument("--date", dest="today", type=self.date_type, metavar="DATE", help=help)
        p.add_argument("--today", dest="today", type=self.date_type, help=argparse.SUPPRESS)

    def workers(self, p) -> None:
        p.add_argument("--workers", type=int, metavar="N", help=self.h("help.option.workers"))

    def inbox(self, p) -> None:
        p.add_argument("--inbox", type=Path, metavar="DIR", help=self.h("help.option.inbox"))

    def master(self, p, help: str = "help.option.master") -> None:
        p.add_argument("--master", type=Path, metavar="DIR", help=self.h(help))

    def reference(self, p) -> None:
        p.add_argument("--reference", type=Path, metavar="FILE",
                       help=self.h("help.option.reference"))

    def format(self, p, choices=("text", "json"), help: str = "help.option.format") -> None:
        p.add_argument("--format", choices=choices, default="text", help=self.h(help))
