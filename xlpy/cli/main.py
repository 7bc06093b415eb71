"""`xlpy`: a thin command line over the library; each command is one page of docs."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from xlpy.app import exits
from xlpy.cli.options import date_arg, office_args
from xlpy.contract import config
from xlpy.contract.messages import say
from xlpy.core.rules import Context
from xlpy.io import clock
from xlpy.io.reference import BadReference, Reference, read_reference


def _context(args, reference_required: bool = False) -> Context:
    settings = config.load(args.office)
    lang = args.lang or settings.language
    ref_path = getattr(args, "reference", None) or settings.path("reference")
    if getattr(args, "reference", None) or ref_path.is_file() or reference_required:
        reference = read_reference(ref_path, settings)
    else:
        reference = None
    return Context(reference=reference, settings=settings, today=args.today, lang=lang)


# ---------------------------------------------------------------- commands


def cmd_validate(args) -> int:
    from xlpy.app import validate
    ctx = _context(args)
    paths = args.paths or [ctx.settings.path("inbox")]
    history = None
    if args.master:
        from xlpy.io.store import read_record
        history = read_record(args.master)[0]
    results, seconds = validate.run(paths, ctx, history)
    if not results:
        print(say("no-files", ctx.lang, paths=", ".join(map(str, paths))), file=sys.stderr)
        return exits.UNUSABLE
    if args.format == "json":
        json.dump(validate.to_json(results, ctx.lang, seconds), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(validate.to_text(results, ctx.lang))
    if args.annotate:
        from xlpy.io.annotate import annotate_results
        for path in annotate_results(results, args.annotate, ctx.lang):
            print(path, file=sys.stderr)
    return exits.FOUND if any(r.status in ("invalid", "unreadable") for r in results) else exits.OK


def cmd_consolidate(args) -> int:
    from xlpy.app import consolidate
    from xlpy.io import store
    ctx = _context(args, reference_required=True)
    try:
        outcome = consolidate.run_consolidation(ctx.settings, args.inbox, args.master, ctx=ctx)
    except store.LockTimeout:
        print(say("lock-timeout", ctx.lang, path=args.master or ctx.settings.path("master"),
                  seconds=ctx.settings.lock_timeout), file=sys.stderr)
        return exits.UNUSABLE
    except store.MasterError as e:
        print(say(e.code, ctx.lang, **e.params), file=sys.stderr)
        return exits.UNUSABLE
    if args.format == "json":
        json.dump(consolidate.to_json(outcome, ctx.lang), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(consolidate.to_text(outcome, ctx.lang))
    return outcome.exit_code


def cmd_stats(args) -> int:
    from xlpy.core import stats
    from xlpy.io import store
    ctx = _context(args, reference_required=True)
    ledger, activity = store.read_record(args.master or ctx.settings.path("master"))
    table = stats.group_stats(ledger, activity, ctx.reference, args.by, args.period, as_of=ctx.today)
    table = table.astype(object).where(table.notna(), None)
    if args.format == "json":
        json.dump(table.to_dict("records"), sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    elif args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(table.to_string(index=False) if len(table) else "-")
    return exits.OK


def cmd_init(args) -> int:
    from xlpy.app.office import NEXT_STEPS, init_office
    lang = args.lang or "zh"
    path = init_office(args.dir, args.today, lang=lang, sample=False)
    settings = config.load(path)
    print(NEXT_STEPS[lang == "en"].format(dir=path, reference=settings.path("reference")))
    return exits.OK


def cmd_template(args) -> int:
    from xlpy.io.template import write_template
    ctx = _context(args)
    out = write_template(args.rep, args.today, ctx.reference or Reference.empty(), args.output, ctx.settings)
    print(out)
    return exits.OK


def cmd_nightly(args) -> int:
    from xlpy.app import consolidate, nightly
    settings = _settings(args)
    log = nightly.open_log(settings, args.today)
    try:
        result = nightly.run_nightly(settings, args.today, send=not args.no_send, resend=args.resend,
                                     progress=nightly.Progress(3, sys.stderr))
    finally:
        nightly.close_log()
    if result.outcome is not None:
        print(consolidate.to_text(result.outcome, settings.language))
    for delivery in result.deliveries:
        if delivery.ok:
            print(say("nightly-sent", settings.language, to=delivery.email))
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(nightly.summary(result, settings.language))
    print(log)
    return result.exit_code


def cmd_briefing(args) -> int:
    from xlpy.app import briefing, nightly
    from xlpy.io import store
    settings = _settings(args)
    try:
        written = briefing.make_briefing(settings, args.today)
    except store.MasterError as e:
        print(say(e.code, settings.language, **e.params), file=sys.stderr)
        return exits.UNUSABLE
    print(briefing.to_text(written.briefing, settings.language))
    print(written.workbook)
    print(written.eml)
    if args.preview:
        print(briefing.preview(written))
    if args.send:
        result = nightly.Result(written=written)
        if not nightly.deliver(settings, result, args.resend):
            print("\n".join(result.problems), file=sys.stderr)
            return exits.NOT_SENT
        for d in result.deliveries:
            print(say("nightly-sent", settings.language, to=d.email))
    return exits.OK


def cmd_schedule(args) -> int:
    from xlpy.app.schedule import lines
    settings = _settings(args)
    settings.path("logs").mkdir(parents=True, exist_ok=True)  # cron appends its own output there
    print(lines(settings.office, args.time))
    return exits.OK


def _settings(args) -> config.Settings:
    from dataclasses import replace
    settings = config.load(args.office)
    return replace(settings, language=args.lang) if args.lang else settings


def cmd_demo(args) -> int:
    from xlpy.app.demo_run import run_demo
    return run_demo(args.dir, args.today, lang=args.lang or "zh", verbose=args.verbose)


# ---------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlpy", description="Daily sales reports (销售日报表): validate, consolidate, statistics.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check daily reports cell by cell",
                       description="Check daily-report files (or folders of them) against the input contract "
                                   "and the reference workbook. Exit status: 0 no errors, 1 errors found, "
                                   "2 unusable arguments or reference workbook.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="report files or folders (default: the office inbox)")
    p.add_argument("--reference", type=Path, help="the reference workbook (default: the office's reference.xlsx)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--annotate", type=Path, metavar="DIR",
                   help="write a marked-up copy of each report into DIR: errors red, warnings yellow, "
                        "a comment on each cell and a 校验结果 sheet; originals are never changed")
    p.add_argument("--master", type=Path, metavar="DIR",
                   help="also check against the consolidated record in DIR: contracts signed before, payments "
                        "and cancellations of unknown contracts, stock, money owed")
    date_arg(p, "judge dates against this day (default: today)")
    office_args(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("consolidate", help="merge the inbox into the master workbooks", description=(
        "Validate every report in the inbox and merge the accepted ones into the monthly master workbooks "
        "(master/YYYY-MM.xlsx). A report with errors is rejected whole (setting accept_valid_rows keeps its "
        "valid rows). Running again changes nothing; a renamed copy is skipped; a changed file replaces its "
        "earlier version. Exit status: 0 all accepted, 1 some rejected (the rest consolidated), 2 nothing done."))
    p.add_argument("--inbox", type=Path, help="the folder of reports (default: the office inbox)")
    p.add_argument("--master", type=Path, help="the folder of master workbooks, created if missing "
                                               "(default: the office master folder)")
    p.add_argument("--reference", type=Path, help="the reference workbook (default: the office's reference.xlsx)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    date_arg(p, "judge reports against this day (default: today)")
    office_args(p)
    p.set_defaults(func=cmd_consolidate)

    p = sub.add_parser("stats", help="figures from the master workbooks", description=(
        "Figures from the consolidated record, one row per group: net_amount, net_qty, leads, orders, contracts, "
        "cancellations, received, outstanding, visits, calls, conversion, target, attainment (meanings: "
        "docs/statistics.md). JSON is a list of objects with the group's key under the --by name."))
    p.add_argument("--by", required=True, choices=("region", "rep", "product", "day", "month", "quarter", "year"),
                   help="what to group by")
    p.add_argument("--period", help="only this period: 2026-11, 2026-Q4 or 2026 (default: everything)")
    p.add_argument("--master", type=Path, help="the folder of master workbooks (default: the office master folder)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: table)")
    date_arg(p, "count as of this day (default: today)")
    office_args(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("init", help="create an office folder", description=(
        "Create an office folder: xlpy.toml (settings), an empty reference.xlsx (reps, products, targets, "
        "recipients, each sheet with one example row marked 示例 that is ignored: fill it in Excel), inbox/ "
        "and master/; prints the next three steps."))
    p.add_argument("dir", type=Path, metavar="DIR", help="the folder to create (may exist, must not hold xlpy.toml)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: zh)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("template", help="write a blank daily report for a rep", description=(
        "Write a blank daily report with the title area filled in and drop-down lists for rep, product and "
        "deal type taken from the reference workbook."))
    p.add_argument("--rep", required=True, help="the sales rep's name")
    date_arg(p, "the report date, e.g. 2026-11-26 (default: today)")
    p.add_argument("-o", "--output", type=Path, help="the file to write (default: inbox/REP_DATE.xlsx in the office)")
    p.add_argument("--reference", type=Path, help="the reference workbook (default: the office's reference.xlsx)")
    office_args(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("demo", help="build a demo office and run everything on it", description=(
        "Build a demo office with three months of realistic reports up to today (some with deliberate "
        "mistakes, a few cancellations, exchanges, late payments and corrections), run every step on it and "
        "print a short summary and what to open."))
    p.add_argument("dir", nargs="?", type=Path, default=Path("xlpy-demo"), help="the folder (default: ./xlpy-demo)")
    p.add_argument("--verbose", action="store_true", help="also list every file and every finding")
    date_arg(p, "the demo's last day (default: today)")
    p.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: zh)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("nightly", help="the nightly batch: consolidate, statistics, briefing, mail", description=(
        "For a scheduler: consolidate the inbox (validating each new report), refresh the statistics, write the "
        "day's briefing (工作日志 sheet in master/总表.xlsx and outbox/DAY.eml) and mail it when xlpy.toml has an "
        "[smtp] section. Logs to logs/DAY.log. Exit status: 0 all good, 1 some reports rejected (the rest "
        "consolidated), 2 failed (the record unchanged), 3 the briefing could not be sent (it waits in the outbox)."))
    date_arg(p, "the day to brief, and to judge reports against (default: today)")
    p.add_argument("--resend", action="store_true", help="mail again to recipients who already had this day's briefing")
    p.add_argument("--no-send", action="store_true", help="write the briefing but mail nothing")
    office_args(p)
    p.set_defaults(func=cmd_nightly)

    p = sub.add_parser("briefing", help="write the daily briefing (工作日志) alone", description=(
        "Write the day's briefing from the master workbooks as they are: the 工作日志 sheet in master/总表.xlsx "
        "(statistics refreshed as of the day) and outbox/DAY.eml; --send mails it as `xlpy nightly` does. "
        "Exit status: 0 done, 2 the master could not be written, 3 not sent."))
    date_arg(p, "the day (default: today)")
    p.add_argument("--send", action="store_true", help="mail it to the 收件人 sheet's addresses over [smtp]")
    p.add_argument("--resend", action="store_true", help="with --send: mail again to those who already had it")
    p.add_argument("--preview", action="store_true",
                   help="also write the mail as DAY.html beside the .eml and open it in the browser")
    office_args(p)
    p.set_defaults(func=cmd_briefing)

    p = sub.add_parser("schedule", help="print how to run the nightly batch from cron or Task Scheduler",
                       description="Print the crontab line and the Windows schtasks command that run `xlpy nightly` "
                                   "for this office, Monday to Friday, with absolute paths (docs/nightly.md).")
    p.add_argument("--print", action="store_true", required=True, help="print them (nothing is installed)")
    p.add_argument("--time", default="21:30", help="time of day, HH:MM (default: 21:30)")
    office_args(p)
    p.set_defaults(func=cmd_schedule)

    # build-workbook, doctor and the buttons' headless twins
    from xlpy.cli.excel import add_commands
    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.today = getattr(args, "today", None) or clock.today()  # the command's day, decided once
    try:
        return args.func(args)
    except BadReference as e:
        lang = getattr(args, "lang", None) or "zh"
        print(say(e.code, lang, **e.params), file=sys.stderr)
        return exits.UNUSABLE
    except (ValueError, OSError) as e:  # settings and paths the user gave
        print(f"xlpy: {e}", file=sys.stderr)
        return exits.UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
