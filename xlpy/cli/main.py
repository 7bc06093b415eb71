"""`xlpy`: a thin command line over the library; each command is one page of docs (docs/cli.md)."""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import xlpy.cli.failures as failures
import xlpy.cli.output as output
from xlpy.app import exits
from xlpy.cli.failures import Refusal
from xlpy.cli.parser import build_parser as _build_parser
from xlpy.cli.words import text
from xlpy.contract import config
from xlpy.contract.messages import say
from xlpy.core import periods
from xlpy.core.rules import Context
from xlpy.io import clock
from xlpy.io.reference import Reference, read_reference


def _settings(args) -> config.Settings:
    """The office's settings, with the paths given on the command line in place of its own."""
    if args.office is not None:
        failures.folder(args.office, "office")
    settings = config.load(args.office)
    given = {key: str(Path(value).resolve()) for key in ("inbox", "master", "reference")
             if (value := getattr(args, key, None)) is not None}
    if getattr(args, "workers", None) is not None:
        given["workers"] = args.workers
    return replace(settings, language=args.lang or settings.language, **given)


def _context(args, reference_needed: bool = False) -> Context:
    """Settings, the reference workbook and the day. Without a reference workbook a command that
    needs one refuses; another runs without and says so."""
    settings = _settings(args)
    path = settings.path("reference")
    if getattr(args, "reference", None) is not None:
        failures.a_file(path, "reference")
    if path.is_file():
        reference = read_reference(path, settings)
    elif reference_needed:
        raise Refusal("needs-reference", path=path)
    else:
        reference = None
        print(text("no-reference", settings.language, path=path), file=sys.stderr)
    return Context(reference=reference, settings=settings, today=args.today, lang=settings.language)


# ---------------------------------------------------------------- commands


def cmd_validate(args) -> int:
    from xlpy.app import validate
    from xlpy.io import store
    for path in args.paths:
        if not path.exists():
            raise Refusal("no-such-path", "file", path=path)
    ctx = _context(args)
    paths = args.paths or [failures.folder(ctx.settings.path("inbox"), "inbox")]
    master = store.check_master(ctx.settings.path("master")) if args.master else None
    if args.annotate:
        failures.not_a_file(args.annotate, "annotate")
    results, seconds = validate.run(paths, ctx, master=master)  # inside an office: as consolidation judges
    if not results:
        print(say("no-files", ctx.lang, paths=", ".join(map(str, paths))), file=sys.stderr)
        return exits.UNUSABLE
    if args.format == "json":
        output.write_json(validate.to_json(results, ctx.lang, seconds))
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
    ctx = _context(args, reference_needed=True)
    inbox = failures.folder(ctx.settings.path("inbox"), "inbox")
    master = store.check_master(ctx.settings.path("master"), must_hold=False)  # before anything is written
    try:
        outcome = consolidate.run_consolidation(ctx.settings, inbox, master, ctx=ctx, recheck=args.recheck)
    except store.LockTimeout:
        raise store.MasterError("lock-timeout", path=master, seconds=ctx.settings.lock_timeout) from None
    if args.format == "json":
        output.write_json(consolidate.to_json(outcome, ctx.lang))
    else:
        print(consolidate.to_text(outcome, ctx.lang))
    return outcome.exit_code


def stats_period(args) -> tuple[str | None, bool]:
    """The period asked for (canonical) and whether it was chosen for the user: without one, the
    month of --date, except by month, quarter or year, where each row is its own period."""
    if args.period is not None and (args.first or args.last):
        raise periods.BadPeriod(f"--period {args.period} --from/--to")
    if args.first or args.last:
        return periods.between(args.first, args.last), False
    if args.period is not None:
        return None if args.period.strip().casefold() == "all" else periods.parse(args.period), False
    if args.by in ("month", "quarter", "year"):
        return None, False
    return periods.month_of(args.today), True


def cmd_stats(args) -> int:
    from xlpy.core import stats
    from xlpy.io import store
    period, chosen = stats_period(args)  # a period or a master that is not one: refused before anything else
    master = store.check_master(_settings(args).path("master"))
    ctx = _context(args)
    if chosen:
        print(text("period-default", ctx.lang, period=period), file=sys.stderr)
    ledger, activity = store.read_record(master)
    table = stats.group_stats(ledger, activity, ctx.reference or Reference.empty(), args.by, period, as_of=ctx.today)
    if args.format == "json":
        output.write_json(output.records(table))
        return exits.OK
    headers = [stats.label(k, ctx.lang) for k in table.columns]
    if args.format == "csv":
        output.write_csv(table, headers)
    else:
        print(output.people_table(table, headers))
    return exits.OK


def cmd_init(args) -> int:
    from xlpy.app.office import init_office
    lang = args.lang or "zh"
    path = init_office(args.dir, args.today, lang=lang, sample=False)
    settings = config.load(path)
    print(say("next-steps", lang, dir=path, reference=settings.path("reference")))
    return exits.OK


def cmd_template(args) -> int:
    from xlpy.io.template import write_template
    ctx = _context(args)
    print(write_template(args.rep, args.today, ctx.reference or Reference.empty(), args.output, ctx.settings))
    return exits.OK


def cmd_nightly(args) -> int:
    from xlpy.app import consolidate, nightly
    from xlpy.io import store
    settings = _settings(args)
    failures.folder(settings.path("inbox"), "inbox")
    store.check_master(settings.path("master"), must_hold=False)
    log = nightly.open_log(settings, args.today)
    try:
        result = nightly.run_nightly(settings, args.today, send=args.send, resend=args.resend,
                                     progress=nightly.Progress(3, sys.stderr), recheck=args.recheck)
    finally:
        nightly.close_log()
    if result.outcome is not None:
        print(consolidate.to_text(result.outcome, settings.language))
    if result.still_pending:
        print(result.still_pending)
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
    store.check_master(settings.path("master"))
    written = briefing.make_briefing(settings, args.today)
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
    from xlpy.app import schedule
    settings = _settings(args)
    settings.path("logs").mkdir(parents=True, exist_ok=True)  # the scheduler's output goes there
    if args.check:
        report = schedule.check(settings.office, args.time, settings.language)
        print(report.text, file=sys.stdout if report.ok else sys.stderr)
        return exits.OK if report.ok else exits.UNUSABLE
    print(schedule.lines(settings.office, args.time, both=args.both, lang=settings.language))
    return exits.OK


def cmd_demo(args) -> int:
    if args.units:
        from xlpy.app.unit_demo import run_unit_demo
        return run_unit_demo(args.dir, args.today, lang=args.lang or "zh")
    from xlpy.app.demo_run import run_demo
    return run_demo(args.dir, args.today, lang=args.lang or "zh", verbose=args.verbose)


def _unit_office(args):
    """The context of an office that sells units, or a refusal naming its reference workbook."""
    ctx = _context(args, reference_needed=True)
    if not ctx.reference.sells_units:
        raise Refusal("no-units", path=ctx.settings.path("reference"))
    return ctx


def cmd_units(args) -> int:
    from xlpy.core import units
    from xlpy.io import store
    ctx = _unit_office(args)
    master = store.check_master(ctx.settings.path("master"), must_hold=False)  # before any report: all available
    ledger, _ = store.read_record(master)
    ref = ctx.reference
    table = units.board(ref.units, units.events(ledger, set(ref.unit_index)), ctx.today, ctx.settings.sign_within_days)
    if args.building:
        table = table[table["building"].astype(str) == args.building]
    if args.status:
        table = table[table["status"] == args.status]
    if args.format == "json":
        output.write_json(output.records(table))
    elif args.format == "csv":
        output.write_csv(table, list(table.columns))
    else:
        print(output.people_table(table, list(table.columns)))
    return exits.OK


def cmd_pricelist(args) -> int:
    from xlpy.io.pricelist import write_pricelist
    ctx = _unit_office(args)
    print(write_pricelist(args.output or ctx.settings.office / "价格一览表.xlsx", ctx.reference.units, ctx.lang))
    return exits.OK


def cmd_pending(args) -> int:
    from xlpy.app import lifecycle
    from xlpy.io import store
    settings = _settings(args)
    parts = store.read_partitions(store.check_master(settings.path("master")))
    table = lifecycle.pending(store.concat(parts, "imports"), store.concat(parts, "problems"), args.today)
    if args.format == "json":
        output.write_json(lifecycle.pending_json(table))
    else:
        print(lifecycle.pending_text(table, settings.language))
    return exits.FOUND if len(table) else exits.OK


COMMANDS = {name[4:]: f for name, f in globals().items() if name.startswith("cmd_")}


def build_parser(lang: str = "zh"):
    return _build_parser(lang, COMMANDS)


# ---------------------------------------------------------------- running one command


def _lang_of(argv: list[str]) -> str:
    """The language of help and messages: --lang (before or after the command), else the office's."""
    for i, word in enumerate(argv):
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
        if word == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    office = next((argv[i + 1] for i, w in enumerate(argv[:-1]) if w == "--office"), None)
    try:
        return config.load(office).language
    except (ValueError, OSError):
        return "zh"


def main(argv: list[str] | None = None) -> int:
    output.utf8_console()
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    args = build_parser(lang if lang in ("zh", "en") else "zh").parse_args(argv)
    args.lang = getattr(args, "lang", None) or args.global_lang
    args.office = getattr(args, "office", None)
    args.today = getattr(args, "today", None) or clock.today()  # the command's day, decided once
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return failures.quiet_broken_pipe()
    except Exception as error:  # noqa: BLE001 - each failure ends in one line, a fault of ours in the log too
        said = failures.message(error, args.lang or lang)
        if said is None:
            return failures.crashed(error, args, args.lang or lang)
        print(said, file=sys.stderr)
        return exits.UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
