"""The `xlpy` parser: every command and option, help in the office language (cli/words.py)."""
from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from xlpy.cli.options import Vocabulary, _argparse_word, _Formatter


def build_parser(lang: str = "zh", commands=None) -> argparse.ArgumentParser:
    """``commands``: name → function run for it (cli.main's); None for a parser that only parses."""
    v = Vocabulary(lang)
    parser = argparse.ArgumentParser(prog="xlpy", add_help=False, formatter_class=partial(_Formatter, lang=lang),
                                     description=v.h("Daily sales reports (销售日报表): validate, consolidate, statistics."))
    v.titles(parser)
    v.lang_arg(parser, dest="global_lang")  # `xlpy --lang en validate` as well as `xlpy validate --lang en`
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                title=_argparse_word("commands", lang))
    run = (commands or {}).get

    p = v.parser(sub, "validate", "check daily reports cell by cell", (
        "Check daily-report files (or folders of them) against the input contract and the reference workbook, "
        "and, with --master, against the consolidated record. Exit status: 0 no errors, 1 errors found, "
        "2 unusable arguments or reference workbook, 4 internal error."))
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=v.h("report files or folders (default: the --inbox folder)"))
    v.inbox(p)
    v.master(p, "also check against the record in the master folder: contracts signed before, payments and "
                "cancellations of unknown contracts, stock, money owed")
    v.reference(p)
    v.format(p)
    p.add_argument("--annotate", type=Path, metavar="DIR", help=v.h(
        "write a marked-up copy of each report into DIR: errors red, warnings yellow, a comment on each cell "
        "and a 校验结果 sheet; originals are never changed"))
    v.workers(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("validate"))

    p = v.parser(sub, "consolidate", "merge the inbox into the master workbooks", (
        "Validate every report in the inbox and merge the accepted ones into the monthly master workbooks "
        "(master/YYYY-MM.xlsx). A report with errors is rejected whole (setting accept_valid_rows keeps its "
        "valid rows). Running again changes nothing; a renamed copy is skipped; a changed file replaces its "
        "earlier version. Exit status: 0 all accepted, 1 some rejected (the rest consolidated), 2 nothing done, "
        "4 internal error."))
    v.inbox(p)
    v.master(p, "the folder of master workbooks, created if missing (default: the office master folder)")
    v.reference(p)
    v.format(p)
    _recheck(p, v)
    v.workers(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("consolidate"))

    p = v.parser(sub, "stats", "figures from the master workbooks", (
        "Figures from the consolidated record, one row per group: net sales, net units, leads, orders, "
        "contracts, cancellations, received, outstanding, visits, calls, conversion, target, attainment "
        "(meanings: docs/statistics.md). Without --period: the month of --date (by month, quarter or year: all), and the command says so. "
        "JSON keeps the machine names (net_amount, …) and ISO dates; CSV cells that begin with = + - @ are "
        "prefixed with ' so that Excel never runs them."))
    p.add_argument("--by", required=True, choices=("region", "rep", "product", "day", "month", "quarter", "year"),
                   help=v.h("what to group by"))
    p.add_argument("--period", metavar="PERIOD", help=v.h(
        "only this period: 2026-11, 2026/11, 202611, 2026年11月, 2026-Q4, 2026Q4, 2026年第4季度, 2026, "
        "a day such as 2026-11-26, or all (default: the month of --date; by month, quarter or year: all)"))
    p.add_argument("--from", dest="first", metavar="DAY", help=v.h("from this day or period on (with --to: a range of days)"))
    p.add_argument("--to", dest="last", metavar="DAY", help=v.h("up to this day or period"))
    v.master(p)
    v.reference(p)
    v.format(p, ("text", "csv", "json"), "output format (default: text, a table for people)")
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("stats"))

    p = v.parser(sub, "init", "create an office folder", (
        "Create an office folder: xlpy.toml (settings), an empty reference.xlsx (reps, products, targets, "
        "recipients, each sheet with one example row marked 示例 that is ignored: fill it in Excel), inbox/, "
        "master/, outbox/ and logs/; prints the next three steps."))
    p.add_argument("dir", type=Path, metavar="DIR", help=v.h("the folder to create (may exist, must not hold xlpy.toml)"))
    v.date(p)
    v.lang_arg(p)
    p.set_defaults(func=run("init"))

    p = v.parser(sub, "template", "write a blank daily report for a rep", (
        "Write a blank daily report with the title area filled in and drop-down lists for rep, product and "
        "deal type taken from the reference workbook."))
    p.add_argument("--rep", required=True, help=v.h("the sales rep's name"))
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help=v.h("the file to write (default: inbox/REP_DATE.xlsx in the office)"))
    v.reference(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("template"))

    p = v.parser(sub, "demo", "build a demo office and run everything on it", (
        "Build a demo office with three months of realistic reports up to --date (some with deliberate "
        "mistakes, a few cancellations, exchanges, late payments and corrections), run every step on it and "
        "print a short summary and what to open."))
    p.add_argument("dir", nargs="?", type=Path, default=Path("xlpy-demo"), metavar="DIR", help=v.h("the folder (default: ./xlpy-demo)"))
    p.add_argument("--units", action="store_true",
                   help=v.h("an office that sells units (房源): two buildings, the status board, exchanges"))
    p.add_argument("--verbose", action="store_true", help=v.h("also list every file and every finding"))
    v.date(p)
    v.lang_arg(p)
    p.set_defaults(func=run("demo"))

    p = v.parser(sub, "units", "every unit's status (offices that sell units)", (
        "Every unit of the 房源表 with its status as of --date: available, reserved, signed, withheld or sold, "
        "the contract, customer and rep that hold it, since when, and whether a reservation is overdue "
        "(not signed within sign_within_days). JSON is a list of objects (docs/units.md)."))
    p.add_argument("--building", metavar="BUILDING", help=v.h("only this building"))
    p.add_argument("--status", choices=("available", "reserved", "signed", "withheld", "sold"),
                   help=v.h("only this status"))
    v.master(p)
    v.reference(p)
    v.format(p, ("text", "csv", "json"), "output format (default: text, a table for people)")
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("units"))

    p = v.parser(sub, "pricelist", "write the price list (价格一览表) of the unit list", (
        "Before a launch: the 价格一览表 from the reference workbook's 房源表, a sheet per building, floors "
        "top-down and units left to right with layout, area, list price and price per m², one printed page per "
        "building."))
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help=v.h("the file to write (default: 价格一览表.xlsx in the office)"))
    v.reference(p)
    v.office(p)
    p.set_defaults(func=run("pricelist"))

    p = v.parser(sub, "nightly", "the nightly batch: consolidate, statistics, briefing, mail", (
        "For a scheduler: consolidate the inbox (validating each new report), refresh the statistics, write the "
        "day's briefing (工作日志 sheet in master/总表.xlsx and outbox/DAY.eml) and mail it when xlpy.toml has an "
        "[smtp] section (--no-send: not). Logs to logs/DAY.log. Exit status: 0 all good, 1 some reports rejected "
        "(the rest consolidated), 2 failed (the record unchanged), 3 the briefing could not be sent (it waits in "
        "the outbox), 4 internal error."))
    _send_args(p, v, send=True)
    v.inbox(p)
    v.master(p)
    v.reference(p)
    v.date(p)
    v.office(p)
    _recheck(p, v)
    v.workers(p)
    p.set_defaults(func=run("nightly"))

    p = v.parser(sub, "pending", "the reports not in the record: what to fix", (
        "Every report not in the record, rejected or waiting for another report, newest first: its rep, date, "
        "since when it waits, the cells to fix and the messages, in the office's language. Exit status: "
        "0 nothing pending, 1 some pending, 2 the master could not be read."))
    v.master(p)
    v.format(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("pending"))

    p = v.parser(sub, "briefing", "write the daily briefing (工作日志) alone", (
        "Write the day's briefing from the master workbooks as they are: the 工作日志 sheet in master/总表.xlsx "
        "(statistics refreshed as of the day) and outbox/DAY.eml; --send mails it as `xlpy nightly` does. "
        "Exit status: 0 done, 2 the master could not be written, 3 not sent, 4 internal error."))
    _send_args(p, v, send=False)
    p.add_argument("--preview", action="store_true",
                   help=v.h("also write the mail as DAY.html beside the .eml and open it in the browser"))
    v.master(p)
    v.reference(p)
    v.date(p)
    v.office(p)
    p.set_defaults(func=run("briefing"))

    p = v.parser(sub, "schedule", "schedule the nightly batch (cron or Task Scheduler)", (
        "Print the line that runs `xlpy nightly` for this office, Monday to Friday, with absolute paths, for this "
        "system's scheduler (cron, or Task Scheduler on Windows; --both: both), or --check: run that very command "
        "line now, with the scheduler's bare environment, and say what failed (docs/nightly.md)."))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--print", action="store_true", help=v.h("print the scheduler line (nothing is installed)"))
    what.add_argument("--check", action="store_true", help=v.h("run the scheduled command line now, as the scheduler would, and report"))
    p.add_argument("--both", action="store_true", help=v.h("print the lines of both cron and Task Scheduler"))
    p.add_argument("--time", default="21:30", help=v.h("time of day: 21:30, 9pm, 9:30pm (default: 21:30)"))
    v.office(p)
    p.set_defaults(func=run("schedule"))

    # build-workbook, doctor and the buttons' headless twins
    from xlpy.cli.excel import add_commands
    add_commands(sub, v)
    return parser


def _recheck(p, v: Vocabulary) -> None:
    p.add_argument("--recheck", action="store_true", help=v.h(
        "judge again every report not in the record (rejected or waiting), e.g. after reference.xlsx was changed; "
        "a report waiting for another is judged again in every run anyway"))


def _send_args(p, v: Vocabulary, send: bool) -> None:
    """--send / --no-send on both nightly (default: send) and briefing (default: not)."""
    p.add_argument("--send", action=argparse.BooleanOptionalAction, default=send,
                   help=v.h("mail the briefing (nightly: by default; briefing: only when asked)"))
    p.add_argument("--resend", action="store_true", help=v.h("mail again to recipients who already had this day's briefing"))
