"""Consolidate an inbox of daily reports into the monthly masters.

Plan (core, no I/O): each inbox file is no report (skipped, with the reason), unchanged
(same name, same bytes as consolidated before: nothing to do), a copy (same bytes, or the
same rows, as a report taken under another name: skipped and logged), a correction (a
consolidated name with new content: its earlier rows are replaced, the log keeps both
versions) or new. New files, corrections and the reports that wait for another (and,
with ``recheck``, every report not in the record) are judged together, in report order;
a report with errors is rejected whole unless `accept_valid_rows` is set, in which case
only its rows with errors are; a report whose only errors name a contract of a report
not taken waits, and is judged again in every run until taken. Only the months that
change are written again; a batch judged in parts (a rebuild) writes each month new in the
run as soon as the batch has passed it, into the staging area the commit takes it from.
"""
from __future__ import annotations

import datetime as dt
import functools
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.app import collector, exits, lifecycle, validate
from xlpy.contract.config import Settings
from xlpy.contract.messages import say
from xlpy.core import balances, record_rules, rules
from xlpy.core import ledger as L
from xlpy.core.rules import Context, Issue
from xlpy.io import clock, closed_book, closed_logs, fingerprints, heap, page, store

PART = 5_000  # files read and judged at once (a larger batch reads each file twice): a rebuild of years is more
# Of a larger batch, the files read and judged at once: their reports are held together (read, judged,
# their rows taken), and 5,000 held set a three-year rebuild's high-water mark (docs/benchmarks.md "memory6").
STEP = 2_000


@dataclass(slots=True)  # a rebuild holds one for each of its tens of thousands of files
class FileOutcome:
    source: str
    fingerprint: str
    status: str  # accepted | partial | rejected | waiting | unreadable | copy | unchanged | skipped
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    copies: int = 0  # rows skipped because the file is a copy
    correction: bool = False
    copy_of: str | None = None
    partition: str | None = None
    report_date: object = None
    issues: list[Issue] = field(default_factory=list)
    reason: str | None = None  # why a file is no report (a message code)
    rep: str | None = None
    content: str | None = None  # the fingerprint of its rows (`ledger.content_print`)
    since: object = None  # the day it became pending (rejected or waiting) in this content
    archived: str | None = None  # where the processed inbox keeps it now


@dataclass
class Outcome:
    files: list[FileOutcome]
    master: Path
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)
    pending_list: pd.DataFrame | None = None  # reports not in the record (`lifecycle.pending`), this run's and earlier

    @property
    def pending(self) -> int:
        return 0 if self.pending_list is None else len(self.pending_list)

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(f, k) for f in self.files) for k in ("rows_read", "accepted", "rejected", "copies")}

    @property
    def exit_code(self) -> int:
        bad = [f for f in self.files if f.status in ("rejected", "waiting", "unreadable", "partial")]
        if bad and len(bad) == sum(f.status != "skipped" for f in self.files):
            return exits.UNUSABLE if not any(f.status == "partial" for f in bad) else exits.FOUND
        return exits.FOUND if bad else exits.OK

    def reconciles(self) -> bool:
        return all(f.rows_read == f.accepted + f.rejected + f.copies for f in self.files)


@collector.relaxed()  # the collector walks the batch's rows for nothing (app/collector.py)
def run_consolidation(settings: Settings, inbox: Path | None = None, master: Path | None = None,
                      reference: Path | None = None, now: pd.Timestamp | None = None,
                      ctx: Context | None = None, summary: bool = True, today: dt.date | None = None,
                      recheck: bool = False) -> Outcome:
    """Validate and consolidate every report in the inbox; write the changed masters, and the
    summary workbook unless ``summary`` is False (the nightly run writes it with the briefing).
    Reports are judged as of ``ctx.today`` (or ``today``, or the day of ``now``); ``recheck``
    judges again every report not in the record. With ``archive`` set, each report taken is
    then moved to inbox/已处理/YYYY-MM/."""
    from xlpy.io.reference import read_reference
    start = time.perf_counter()
    inbox = Path(inbox or settings.path("inbox"))
    master = Path(master or settings.path("master"))
    if ctx is None:
        if today is None and now is None:
            raise TypeError("run_consolidation needs the command's day: ctx, today or now")
        ctx = Context(reference=read_reference(reference or settings.path("reference"), settings),
                      settings=settings, today=today or now.date(), lang=settings.language)
    now = pd.Timestamp(now or clock.now()).floor("s")  # the import stamp; judging uses ctx.today
    with store.lock(master, settings.lock_timeout):
        store.recover(master)
        parts = store.read_partitions(master)
        try:
            outcome = _consolidate(validate.collect([inbox]), inbox, parts, ctx, now, recheck, master)
            outcome.master = master
            # judged in parts (a rebuild): what judging freed goes before 总表 is computed on top of it
            large = sum(f.status != "unchanged" for f in outcome.files) > PART
            if large:
                heap.give_back()
            logs = lifecycle.Logs.of(parts, ctx.today, master)  # the months' logs as this run leaves them, once
            outcome.pending_list = logs.pending
            changed = sorted(name for name, part in parts.items() if part.changed)
            writers = {f"{name}.xlsx": None if parts[name].staged else _writer(parts[name], ctx) for name in changed}
            if summary and (changed or not (master / store.SUMMARY).exists()):
                writers[store.SUMMARY] = _summary_writer(parts, ctx, ctx.today, master, logs)
                if large:
                    heap.give_back()  # and the rows 总表's tables were computed from, before it is written
            if writers:
                store.commit(master, writers, settings.backups)
                outcome.written = list(writers)
        except BaseException:
            store.recover(master)  # not committed: the months written ahead go (`_Changes.stream`)
            raise
        if settings.archive:
            _archive(outcome, inbox)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _archive(outcome: Outcome, inbox: Path) -> None:
    """The processed inbox: reports in the record (and copies of them) leave the inbox;
    the master keeps their fingerprints, so one put back is still known."""
    for f in outcome.files:
        if f.status in ("accepted", "partial", "unchanged", "copy"):
            month = f.partition if f.partition and f.partition != "undated" else str(f.report_date or "")[:7]
            moved = lifecycle.archive(inbox, f.source, month or "undated")
            f.archived = moved.relative_to(inbox).as_posix() if moved else None


def _writer(part: store.Partition, ctx: Context):
    facts = page.Facts(ctx.settings.office.resolve().name, ctx.today)  # for the printed footer
    return lambda path: store.write_partition(path, part, ctx.lang, facts)


def _summary_writer(parts: dict[str, store.Partition], ctx: Context, as_of, master: Path,
                    logs: lifecycle.Logs):
    """The summary workbook (总表): today's 工作日志 and every statistic sheet."""
    from xlpy.app.briefing import summary_writer
    from xlpy.io.reference import Reference
    return summary_writer(parts, ctx.reference or Reference.empty(), ctx.settings, as_of, ctx.lang, master=master,
                          logs=logs)[0]


def _consolidate(files: list[Path], inbox: Path, parts: dict[str, store.Partition], ctx: Context, now,
                 recheck: bool = False, master: Path | None = None) -> Outcome:
    # the closed months' log entries of this batch's reports only, looked up (`closed_logs`)
    logs = closed_logs.Logbook(parts, master)
    names = {p: validate.source_name(p, inbox) for p in files}
    prints = fingerprints.of_inbox(files, inbox)
    batch = set(names.values())
    live, current = _taken(logs.imports(batch | logs.sources(fingerprints=set(prints.values()))))
    rows_of = {}  # rows read of this run's reports; a copy of an earlier one looks its up in the log at the end
    ours = live[live["source"].isin(batch)]
    seen = {(r["source"], r["fingerprint"]): r for r in ours.to_dict("records")}  # the latest entry of each
    # A waiting report is judged again in every run, with every report not taken (its chain may
    # pass through any of them); --recheck judges those again even when none waits.
    waits = any(r["status"] == "waiting" for r in seen.values())
    again = lifecycle.PENDING if recheck or waits else ()
    said = _errors_said(logs.problems(batch), {name for name, _ in seen})  # the batch's: once, not per file
    outcomes, todo, copies, before = [], [], [], {}
    # Within a batch the shortest name is the original: "a - 副本.xlsx", "a (2).xlsx" are its copies.
    # the reports taken in these contents (not a dict of the whole log's 125,000 entries on three years)
    known = current[current["fingerprint"].isin(set(prints.values()))]
    originals = dict(zip(known["fingerprint"], known["source"]))
    for path, fp in sorted(prints.items(), key=lambda pf: (len(names[pf[0]]), names[pf[0]])):
        name, reason = names[path], lifecycle.skip_reason(path, ctx.today)
        if reason:
            outcomes.append(_skipped(name, fp, reason, seen.get((name, fp))))
        elif (name, fp) in seen and seen[name, fp]["status"] not in again:
            outcomes.append(_as_before(seen[name, fp], said))
        elif fp and fp in originals and (name, fp) not in seen:
            copies.append(FileOutcome(name, fp, "copy", copy_of=originals[fp]))
        else:
            todo.append(path)
            if (name, fp) in seen:  # a report judged again: its last verdict in this content
                before[name] = seen[name, fp]
            if fp:
                originals.setdefault(fp, name)  # a second copy within this batch
    replaced = set(current.loc[current["source"].isin({names[p] for p in todo}), "source"])
    contents = logs.contents(replaced)
    # The history's rows are stacked only if the record rules need them (`record_rules.Book`): a night
    # whose months' balances combine leaves every month's rows unread in the read cache.
    history, activity = (functools.cache(lambda what=what: _without(store.concat(parts, what), replaced))
                         for what in ("ledger", "activity"))
    changes, judged = _Changes(now, ctx.today, ctx.lang), []
    with ExitStack() as open_files:  # the closed months' contracts, looked up on disk while the batch is judged
        months = _balances(master, parts, replaced, open_files) if master is not None else None
        for results in validate.validate_in_parts(todo, ctx, history, names, PART, activity, contents,
                                                  months=months, step=min(STEP, PART)):
            for result in results:
                # the reader gives an unreadable file no fingerprint; the log needs one to know it again
                result.report.fingerprint = result.report.fingerprint or prints[result.path]
                rows_of[names[result.path]] = result.rows
                name = names[result.path]
                if result.status == "copy":
                    copies.append(FileOutcome(name, result.report.fingerprint, "copy", copy_of=result.copy_of,
                                              content=result.report.content))
                    continue
                judged.append(_accept(result, changes, ctx, name in replaced, before.get(name)))
            changes.settle()
            if master is not None and len(todo) > PART:  # a batch judged in parts is walked in report order
                changes.stream(parts, master, functools.partial(_writer, ctx=ctx),  # a report without its
                               max((o.partition for o in judged if pd.notna(o.report_date)  # date is walked first
                                    and o.partition != "undated"), default=""))
    place = {names[path]: i for i, path in enumerate(todo)}  # parts go in report order; say them as listed
    outcomes += sorted(judged, key=lambda o: place[o.source])
    copied = {copy.copy_of for copy in copies}
    earlier = _taken(logs.imports(copied))[1] if copies else current.iloc[:0]
    earlier = earlier[earlier["source"].isin(copied)]
    rows_of = dict(zip(earlier["source"], earlier["rows_read"])) | rows_of
    for copy in copies:
        copy.rows_read = copy.copies = int(rows_of[copy.copy_of])
        changes.log(copy)
    for skipped in outcomes:
        if skipped.status == "skipped" and skipped.reason not in lifecycle.QUIET and skipped.since is None:
            changes.log(skipped)  # once: the log knows it by name and fingerprint
    changes.apply(parts, {o.source: o.fingerprint for o in outcomes
                          if o.correction and o.status in ("accepted", "partial")}, logs.months_holding)
    return Outcome(outcomes + copies, Path())


def _balances(master: Path, parts: dict[str, store.Partition], replaced: set[str],
              open_files: ExitStack | None = None) -> list[balances.Month]:
    """Each month's contract balances for the record rules, from the read cache where the month
    is as read; a month holding a corrected report's earlier rows, without them (the months whose
    import log names the report, as `_retire` finds them: their rows are read, no other month's).
    The closed months come combined, looked up on disk (`closed_book`), unless one of them is such."""
    def without(part: store.Partition) -> balances.Month:
        return balances.month(_without(part.ledger, replaced), _without(part.activity, replaced))
    fresh = {name for name, part in parts.items() if replaced and part.imports["source"].isin(replaced).any()}
    shut = closed_book.closed_months(parts)
    closed = closed_book.read(master, parts, shut, without, open_files) if shut and fresh.isdisjoint(shut) else None
    if closed is None:
        return store.monthly(master, parts, "balances", without, fresh)
    rest = {name: part for name, part in parts.items() if name not in shut}
    return [closed, *store.monthly(master, rest, "balances", without, fresh)]


def _taken(imports: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(live, current) entries of an import log: not replaced (a version put back after a correction is
    new again), and of those the reports taken."""
    live = imports[imports["replaced_by"].isna()]
    return live, live[live["status"].isin(closed_logs.TAKEN)]


def _without(rows: pd.DataFrame, replaced: set[str]) -> pd.DataFrame:
    """``rows`` but those of the reports ``replaced`` (no copy of the history when none is)."""
    return rows[~rows["source"].isin(replaced)] if replaced else rows


def _skipped(name: str, fp: str, reason: str, before: dict | None) -> FileOutcome:
    """A file that is no report; ``since`` marks one the log already holds."""
    return FileOutcome(name, fp, "skipped", reason=reason, since=before["imported_at"] if before else None)


class _Said:
    """An error found in an earlier run, as the problem list keeps it (its message in the
    office's language then)."""

    severity = rules.ERROR

    def __init__(self, row: dict):
        self.rule, self.sheet, self.cell, self.text = row["rule"], row["sheet"], row["cell"], row["message"]
        self.column, self.value, self.params = None, row["value"], {}

    def message(self, lang: str = "zh") -> str:
        return self.text


def _errors_said(problems: pd.DataFrame, sources: set[str]) -> dict[tuple, list[_Said]]:
    """(source, fingerprint) → the errors the problem list keeps of that report, of ``sources``, in
    its order: grouped once (an inbox that keeps its reports holds thousands judged before)."""
    out: dict[tuple, list[_Said]] = {}
    errors = problems[problems["source"].isin(sources) & (problems["severity"] == rules.ERROR)]
    for row in errors.to_dict("records"):
        out.setdefault((row["source"], row["fingerprint"]), []).append(_Said(row))
    return out


def _as_before(row: dict, said: dict[tuple, list[_Said]]) -> FileOutcome:
    """A file consolidated before with this content (its latest log entry): reported as it was,
    with the errors that kept it out (``said``: `_errors_said`), nothing changes."""
    status = row["status"] if row["status"] in ("rejected", "unreadable", "copy", "waiting") else "unchanged"
    read, accepted, rejected = (int(row[k]) for k in ("rows_read", "accepted", "rejected"))  # not numpy's: JSON
    return FileOutcome(row["source"], row["fingerprint"], status, rows_read=read, accepted=accepted,
                       rejected=rejected, copies=read - accepted - rejected, copy_of=row["copy_of"],
                       rep=row["rep"], since=row["pending_since"], partition=None, report_date=row["report_date"],
                       issues=list(said.get((row["source"], row["fingerprint"]), [])))


class _Changes:
    """New records by month, gathered over the batch and added to the masters once. Each
    part of a batch becomes a table once judged: as plain dicts, rows take several times the memory."""

    def __init__(self, now: pd.Timestamp, today: dt.date, lang: str = "zh"):
        self.now, self.today, self.lang = now, pd.Timestamp(today), lang
        self.current = self.today.strftime("%Y-%m")  # files logged without a month of their own: the run's day's
        self.logged: set[str] = set()  # files with a new verdict: their earlier problems go
        self.pending: dict[tuple[str, str], list[dict]] = {}  # (month, table) → records
        self.settled: dict[str, dict[str, list[pd.DataFrame]]] = {}  # month → table → frames
        self.streamed: set[str] = set()  # months new in this run written ahead (`stream`)

    def add(self, month: str, what: str, records: list[dict]) -> None:
        self.pending.setdefault((month, what), []).extend(records)

    def settle(self) -> None:
        for (month, what), records in self.pending.items():
            self.settled.setdefault(month, {}).setdefault(what, []).append(L.frame(records, _fields(what)))
        self.pending = {}

    def log(self, out: FileOutcome) -> None:
        """The import-log entry of a file, and its errors (and what the assistant must settle)
        in the problem list, in the office's language."""
        out.partition = out.partition or self.current
        if out.status in lifecycle.PENDING and (out.since is None or pd.isna(out.since)):
            out.since = self.today
        self.logged.add(out.source)
        self.add(out.partition, "imports", [{
            "source": out.source, "fingerprint": out.fingerprint, "status": out.status, "rows_read": out.rows_read,
            "accepted": out.accepted, "rejected": out.rejected, "imported_at": self.now,
            "report_date": out.report_date, "copy_of": out.copy_of, "rep": out.rep, "content": out.content,
            "reason": say(out.reason, self.lang, suffix=Path(out.source).suffix) if out.reason else None,
            "pending_since": out.since if out.status in lifecycle.PENDING else None}])
        self.add(out.partition, "problems", [{
            "source": out.source, "rep": out.rep, "report_date": out.report_date,
            "status": say("cstatus-" + out.status, self.lang), "fingerprint": out.fingerprint,
            "severity": i.severity, "rule": i.rule,
            "sheet": i.sheet, "cell": i.cell, "value": None if i.value is None else str(i.value),
            "message": i.message(self.lang), "imported_at": self.now} for i in _shown(out.issues)])

    def apply(self, parts: dict[str, store.Partition], corrected: dict[str, str], holding=None) -> None:
        """Add the batch's entries; ``holding(what, sources)`` names the months whose table may name
        one of ``sources`` (`closed_logs.Logbook.months_holding`): no other month's problems are read."""
        self.settle()
        earlier = {name: part for name, part in parts.items() if name not in self.streamed}  # as read
        for name, new_print in corrected.items():
            _retire(earlier, name, new_print)
        stale_in = set(earlier) if holding is None else holding("problems", self.logged)
        for part in (part for name, part in earlier.items() if name in stale_in):
            stale = part.problems["source"].isin(self.logged)  # each file's latest verdict only
            if stale.any():
                part.problems, part.changed = part.problems[~stale].reset_index(drop=True), True
        for month, tables in self.settled.items():
            _add(parts.setdefault(month, store.Partition(month)), tables)
        self.settled = {}

    def stream(self, parts: dict[str, store.Partition], master: Path, write, upto: str) -> None:
        """Write ahead (`store.stage`) each month new in this run that the batch, walked in report
        order, has passed (before ``upto``, the latest month judged), and let its rows go: a rebuild
        holds one month's rows, not every month's. The months that still take entries stay: the
        current one (copies and files that are no report are logged there at the end) and undated.
        Should a later report still fall in a month written ahead, `apply` reads it back and it is
        written again with the report's rows."""
        for month in [m for m in self.settled if m < upto and m not in parts and m != self.current]:
            part = store.Partition(month)
            _add(part, self.settled.pop(month))
            parts[month] = store.stage(master, part, write(part))
            self.streamed.add(month)


def _add(part: store.Partition, tables: dict[str, list[pd.DataFrame]]) -> None:
    """A month's new entries (table → frames) added to its tables."""
    for what, frames in tables.items():
        setattr(part, what, L.append(getattr(part, what), *frames, fields=_fields(what)))
    part.problems = part.problems.sort_values(["report_date", "source"], ascending=[False, True],
                                              kind="stable", na_position="first").reset_index(drop=True)
    part.changed = True


def _fields(what: str) -> tuple[L.Field, ...]:
    return L.SHEETS[L.SHEET_OF_FRAME[what]]


def _shown(issues) -> list[Issue]:
    """What the problem list and the output show: errors, and a second report of a rep's day."""
    return [i for i in issues if i.severity == rules.ERROR or i.rule == "same-rep-day"]


def _accept(result: validate.FileResult, changes: _Changes, ctx: Context, correction: bool,
            before: dict | None = None) -> FileOutcome:
    """Decide what of a validated report enters the record. ``before`` is the last verdict of
    a report judged again in the same content: when it stands, the log is not written again."""
    report = result.report
    reps = L.spell_as_reference([{"rep": r} for r in sorted(record_rules.report_reps(report))], ctx.reference)
    out = FileOutcome(report.source, report.fingerprint, "", rows_read=report.rows, issues=result.issues,
                      correction=correction, report_date=report.report_date,
                      partition=sys.intern(L.partition_of(report)),  # one string a month, not one a file
                      rep=sys.intern("、".join(r["rep"] for r in reps)) or None, content=report.content or None)
    keep = record_rules.taken_rows(report, result.issues, ctx.settings.accept_valid_rows)
    if report.unreadable is not None:
        out.status = "unreadable"
    elif result.status == "waiting":
        out.status, out.rejected = "waiting", report.rows
    elif not keep and (report.rows or result.count(rules.ERROR)):  # no table: no rows, yet an error
        out.status, out.rejected = "rejected", report.rows
    else:
        rows = [r for r in L.ledger_records(report, changes.now) if (r["sheet"], r["row"]) in keep]
        out.accepted, out.rejected = len(rows), report.rows - len(rows)
        out.status = "partial" if out.rejected else "accepted"
        changes.add(out.partition, "ledger", L.spell_as_reference(rows, ctx.reference))
        if not any(i.rule == "same-rep-day" for i in result.issues):  # a rep's day counts its activity once
            changes.add(out.partition, "activity", L.spell_as_reference(L.activity_records(report), ctx.reference))
    if before is not None and before["status"] in lifecycle.PENDING:
        out.since = before["pending_since"]  # pending since then, in this content
    if before is None or before["status"] != out.status:  # a verdict that stands is not logged again
        changes.log(out)
    report.tables = []  # its rows live on in the changes: a rebuild holds tens of thousands of reports
    return out


def _retire(parts: dict[str, store.Partition], name: str, new_print: str) -> None:
    """Drop a corrected file's earlier rows; its log entries say what replaced them."""
    for part in parts.values():
        if (part.imports["source"] == name).any():
            part.ledger = part.ledger[part.ledger["source"] != name].reset_index(drop=True)
            part.activity = part.activity[part.activity["source"] != name].reset_index(drop=True)
            mask = (part.imports["source"] == name) & part.imports["replaced_by"].isna()
            part.imports.loc[mask, "replaced_by"] = new_print
            part.changed = True


# ---------------------------------------------------------------- views


def _file_line(f: FileOutcome, lang: str) -> str:
    if f.status == "skipped":
        colon = ": " if lang == "en" else "："
        return f"{f.source}{colon}{say('cstatus-skipped', lang)}  {lifecycle.skip_text(f.reason, Path(f.source), lang)}"
    line = say("consolidate-file", lang, source=f.source, status=say("cstatus-" + f.status, lang),
               read=f.rows_read, accepted=f.accepted, rejected=f.rejected, copies=f.copies)
    line += f"  ← {f.copy_of}" if f.status == "copy" else ""
    line += say("correction", lang) if f.correction else ""
    return line + (f"  → {f.archived}" if f.archived else "")


def to_text(outcome: Outcome, lang: str = "zh") -> str:
    quiet = [f.source for f in outcome.files if f.reason in lifecycle.QUIET]
    lines = [_file_line(f, lang) for f in outcome.files if f.reason not in lifecycle.QUIET]
    if quiet:
        lines.append(lifecycle.quiet_line(quiet, lang))
    for f in outcome.files:
        for i in _shown(f.issues):
            rule = f" {i.rule}:" if lang == "en" else ""  # rule ids are English words: not in Chinese text
            lines.append(f"  {f.source} {i.sheet or ''}!{i.cell or ''}{rule} {i.message(lang)}")
    t = outcome.totals
    lines.append(say("reconciliation", lang, read=t["rows_read"], accepted=t["accepted"], rejected=t["rejected"],
                     copies=t["copies"], ok="✓" if outcome.reconciles() else "✗"))
    lines.append(say("written", lang, files=", ".join(outcome.written) or "-", master=str(outcome.master)))
    lines.append(say("pending-count", lang, count=outcome.pending) if outcome.pending else say("pending-none", lang))
    return "\n".join(lines)


def to_json(outcome: Outcome, lang: str = "zh") -> dict:
    return {"files": [{"source": f.source, "status": f.status, "rows_read": f.rows_read, "accepted": f.accepted,
                       "rejected": f.rejected, "copies": f.copies, "correction": f.correction,
                       "copy_of": f.copy_of, "partition": f.partition, "archived": f.archived,
                       "reason": lifecycle.skip_text(f.reason, Path(f.source), lang) if f.reason else None,
                       "errors": [{"rule": i.rule, "sheet": i.sheet, "cell": i.cell, "message": i.message(lang)}
                                  for i in f.issues if i.severity == rules.ERROR],
                       "warnings": [{"rule": i.rule, "sheet": i.sheet, "cell": i.cell, "message": i.message(lang)}
                                    for i in _shown(f.issues) if i.severity != rules.ERROR]}
                      for f in outcome.files],
            "totals": outcome.totals, "reconciles": outcome.reconciles(), "written": outcome.written,
            "pending": outcome.pending,
            "seconds": round(outcome.seconds, 3), "exit_code": outcome.exit_code}
