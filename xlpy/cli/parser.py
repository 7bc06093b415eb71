"""The `xlpy` parser: every command and option, help in the office language (the catalogue's help.*)."""
from __future__ import annotations

import argparse
from pathlib import Path

from xlpy.cli.options import Parser, Vocabulary


def build_parser(lang: str = "zh", commands=None) -> argparse.ArgumentParser:
    """``commands``: name → function run for it (cli.main's); None for a parser that only parses."""
    v = Vocabulary(lang)
    parser = Parser(prog="xlpy", add_help=False, lang=lang, description=v.h("help.xlpy.about"))
    v.titles(parser)
    v.lang_arg(parser, dest="global_lang")  # `xlpy --lang en validate` as well as `xlpy validate --lang en`
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title=v.h("help.commands"))
    run = (commands or {}).get

    p = v.parser(sub, "validate")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=v.h("help.validate.paths"))
    v.inbox(p)
    v.master(p, "help.validate.master")
    v.reference(p)
    v.format(p)
    p.add_argument("--annotate", type=Path, metavar="DIR", help=v.h("help.validate.annotate"))
    v.workers(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("validate"))

    p = v.parser(sub, "consolidate")
    v.inbox(p)
    v.master(p, "help.consolidate.master")
    v.reference(p)
    v.format(p)
    _recheck(p, v)
    v.workers(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("consolidate"))

    p = v.parser(sub, "stats")
    p.add_argument("--by", required=True, choices=("region", "rep", "product", "day", "month", "quarter", "year"),
                   help=v.h("help.stats.by"))
    p.add_argument("--period", metavar="PERIOD", help=v.h("help.stats.period"))
    p.add_argument("--from", dest="first", metavar="DAY", help=v.h("help.stats.from"))
    p.add_argument("--to", dest="last", metavar="DAY", help=v.h("help.stats.to"))
    v.master(p)
    v.reference(p)
    v.format(p, ("text", "csv", "json"), "help.stats.format")
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("stats"))

    p = v.parser(sub, "init")
    p.add_argument("dir", type=Path, metavar="DIR", help=v.h("help.init.dir"))
    v.date(p)
    v.lang_arg(p)
    p.set_defaults(func=run("init"))

    p = v.parser(sub, "template")
    p.add_argument("--rep", required=True, help=v.h("help.template.rep"))
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help=v.h("help.template.output"))
    v.reference(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("template"))

    p = v.parser(sub, "demo")
    p.add_argument("dir", nargs="?", type=Path, default=Path("xlpy-demo"), metavar="DIR", help=v.h("help.demo.dir"))
    p.add_argument("--units", action="store_true",
                   help=v.h("help.demo.units"))
    p.add_argument("--verbose", action="store_true", help=v.h("help.demo.verbose"))
    v.date(p)
    v.lang_arg(p)
    p.set_defaults(func=run("demo"))

    p = v.parser(sub, "units")
    p.add_argument("--building", metavar="BUILDING", help=v.h("help.units.building"))
    p.add_argument("--status", choices=("available", "reserved", "signed", "withheld", "sold"),
                   help=v.h("help.units.status"))
    v.master(p)
    v.reference(p)
    v.format(p, ("text", "csv", "json"), "help.stats.format")
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("units"))

    p = v.parser(sub, "pricelist")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help=v.h("help.pricelist.output"))
    v.reference(p)
    v.office(p)
    p.set_defaults(func=run("pricelist"))

    p = v.parser(sub, "nightly")
    _send_args(p, v, send=True)
    v.inbox(p)
    v.master(p)
    v.reference(p)
    v.date(p)
    v.office(p)
    _recheck(p, v)
    v.workers(p)
    p.set_defaults(func=run("nightly"))

    p = v.parser(sub, "pending")
    v.master(p)
    v.format(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("pending"))

    p = v.parser(sub, "briefing")
    _send_args(p, v, send=False)
    p.add_argument("--preview", action="store_true",
                   help=v.h("help.briefing.preview"))
    v.master(p)
    v.reference(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("briefing"))

    p = v.parser(sub, "schedule")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--print", action="store_true", help=v.h("help.schedule.print"))
    what.add_argument("--check", action="store_true", help=v.h("help.schedule.check"))
    p.add_argument("--both", action="store_true", help=v.h("help.schedule.both"))
    p.add_argument("--time", default="21:30", help=v.h("help.schedule.time"))
    v.office(p)
    p.set_defaults(func=run("schedule"))

    # build-workbook, doctor and the buttons' headless twins
    from xlpy.cli.excel import add_commands
    add_commands(sub, v)
    return parser


def _recheck(p, v: Vocabulary) -> None:
    p.add_argument("--recheck", action="store_true", help=v.h("help.option.recheck"))


def _send_args(p, v: Vocabulary, send: bool) -> None:
    """--send / --no-send on both nightly (default: send) and briefing (default: not)."""
    p.add_argument("--send", action=argparse.BooleanOptionalAction, default=send,
                   help=v.h("help.option.send"))
    p.add_argument("--resend", action="store_true", help=v.h("help.option.resend"))
