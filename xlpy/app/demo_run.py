"""`xlpy demo`: build the demo office (three months up to today), run every step on it — validate,
mark up, consolidate, take in two corrected reports, write the work log — and say in a few lines
what happened and what to open (`--verbose`: every file and every finding)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from xlpy.app import consolidate, validate
from xlpy.app.demo import PRODUCTS, DemoOffice, Mistake, build_demo
from xlpy.contract import config
from xlpy.contract.messages import voice
from xlpy.core.record_rules import WAITING_RULES
from xlpy.core.rules import ERROR, WARNING, Context
from xlpy.io import store
from xlpy.io.annotate import annotate_results
from xlpy.io.reference import read_reference

MONTHS = 3
CORRECTED = ("bad-number", "unknown-product")  # the mistakes reps correct and send again in the demo

_say = voice("demo")


@dataclass
class DemoRun:
    """What the steps of `xlpy demo` share: each reads what earlier ones left."""

    office: DemoOffice
    ctx: Context
    verbose: bool = False
    results: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the summary
    details: list[str] = field(default_factory=list)  # with --verbose
    to_open: list[tuple[Path, str]] = field(default_factory=list)


def run_demo(dir: Path, today: dt.date, lang: str = "zh", verbose: bool = False, months: int = MONTHS) -> int:
    """Build the demo office in ``dir`` (refused when ``dir`` already holds an office, even a
    demo one: nothing a user may have changed is ever deleted), run every step on it and print
    what happened and what to open."""
    dir = Path(dir)
    if (dir / config.CONFIG_NAME).exists():
        raise ValueError(_say("exists", lang, dir=dir))
    office = build_demo(dir, today, lang, months=months)
    settings = config.load(dir)
    run = DemoRun(office, Context(reference=read_reference(settings.path("reference"), settings), settings=settings,
                                  today=office.today, lang=lang), verbose)
    run.to_open.append((settings.path("reference"), _say("open-reference", lang)))
    run.to_open.append((settings.path("inbox"), _say("open-inbox", lang)))
    for step in STEPS:
        step(run)
    if verbose:
        print("\n".join(run.details))
    print("\n".join(run.lines + ([] if verbose else [_say("verbose", lang)])))
    print(_say("open", lang))
    for path, what in run.to_open:
        print(f"  {path}  {what}")
    return 0


def validate_step(run: DemoRun) -> None:
    """Validate the inbox and compare what was found with what was planted."""
    lang, office = run.ctx.lang, run.office
    run.results, _ = validate.run([run.ctx.settings.path("inbox")], run.ctx)
    rows = validate.totals(run.results)["rows"]
    run.lines.append(_say("built", lang, dir=office.dir.resolve(), files=len(office.files), rows=rows,
                          reps=len(office.reps), start=office.days[0], end=office.days[-1]))
    run.details += [validate.summary_line(run.results, lang), _say("found", lang)]
    found = set()
    for result in run.results:
        for issue in result.issues:
            if issue.severity in (ERROR, WARNING) and issue.rule not in WAITING_RULES:  # waits are consequences
                found.add(Mistake(result.path.name, issue.rule, issue.sheet, issue.cell))
                run.details.append(f"  {result.path.name}  {issue.sheet}!{issue.cell}  {issue.message(lang)}")
    planted = set(office.mistakes)
    if found == planted:
        run.lines.append(_say("all-found", lang, planted=len(planted)))
    else:
        run.lines.append(_say("differs", lang, missed=sorted(planted - found), extra=sorted(found - planted)))


def annotate_step(run: DemoRun) -> None:
    """Marked-up copies in `annotated/`."""
    out = run.office.dir / "annotated"
    if annotate_results(run.results, out, run.ctx.lang):
        run.to_open.append((out.resolve(), _say("open-annotated", run.ctx.lang)))


def consolidate_step(run: DemoRun) -> None:
    """Merge the good reports into the masters; the reports with planted errors are rejected, and
    whatever else is rejected is explained."""
    lang = run.ctx.lang
    outcome = consolidate.run_consolidation(run.ctx.settings, ctx=run.ctx)
    run.details.append(consolidate.to_text(outcome, lang))
    planted = {m.file for m in run.office.mistakes if m.rule not in ("below-floor",)}  # a warning is accepted
    rejected = [f for f in outcome.files if f.status in ("rejected", "unreadable")]
    run.lines.append(_say("merged", lang, accepted=sum(f.status in ("accepted", "partial") for f in outcome.files),
                          rejected=len(rejected), planted=len(planted & {f.source for f in rejected})))
    for f in rejected:
        if f.source not in planted:
            errors = [i for i in f.issues if i.severity == ERROR]
            why = _say("cascade", lang) if all(i.rule == "unknown-contract" for i in errors) else \
                "；".join(i.message(lang) for i in errors)
            run.lines.append(_say("also", lang, file=f.source, why=why))
    master = run.ctx.settings.path("master")
    run.to_open.append((master / store.SUMMARY, _say("open-summary", lang)))
    months = sorted(store.partition_files(master).values())
    if months:
        run.to_open.append((months[-1], _say("open-month", lang)))


def correct_step(run: DemoRun) -> None:
    """Two reps correct their rejected report and send it again: consolidation replaces it."""
    fixed = [m for m in run.office.mistakes if m.rule in CORRECTED]
    for mistake in fixed:
        _correct(run.ctx.settings.path("inbox") / mistake.file, mistake)
    outcome = consolidate.run_consolidation(run.ctx.settings, ctx=run.ctx)
    run.details.append(consolidate.to_text(outcome, run.ctx.lang))
    sent = {m.file for m in fixed}
    done = [f.source for f in outcome.files if f.source in sent and f.status in ("accepted", "partial")]
    if done:
        run.lines.append(_say("corrected", run.ctx.lang, files="、".join(done)))


def _correct(path: Path, mistake: Mistake) -> None:
    wb = load_workbook(path)
    cell = wb[mistake.sheet][mistake.cell]
    if mistake.rule == "bad-number":
        cell.value = int(re.sub(r"\D", "", str(cell.value)))  # 10台 → 10
    else:  # the model typed without its hyphen
        cell.value = next(p[0] for p in PRODUCTS if p[0].replace("-", "") == cell.value)
    wb.save(path)


def briefing_step(run: DemoRun) -> None:
    """The day's work log: a sheet in the summary workbook and an .eml in the outbox, not sent."""
    from xlpy.app.briefing import make_briefing
    written = make_briefing(run.ctx.settings, run.office.today, run.ctx.reference)
    run.lines.append(_say("briefing", run.ctx.lang, eml=written.eml))
    run.to_open.append((written.eml, written.message["Subject"]))


# The steps `xlpy demo` runs, in order.
STEPS = [validate_step, annotate_step, consolidate_step, correct_step, briefing_step]
