"""Consolidate an inbox of daily reports into the monthly masters.

Plan (core, no I/O): each inbox file is unchanged (same name, same content as
consolidated before: nothing to do), a copy (same content under another name:
skipped and logged), a correction (a consolidated name with new content: its
earlier rows are replaced, the log keeps both versions) or new. New files and
corrections are validated; a report with errors is rejected whole unless
`accept_valid_rows` is set, in which case only its rows with errors are. Only
the months that change are written again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.app import exits, validate
from xlpy.contract.config import Settings
from xlpy.contract.messages import say
from xlpy.core import ledger as L
from xlpy.core import rules
from xlpy.core.rules import Context, Issue
from xlpy.io import clock, page, store

PART = 5_000  # files read and judged at once (a larger batch reads each file twice): a rebuild of years is more


@dataclass
class FileOutcome:
    source: str
    fingerprint: str
    status: str  # accepted | partial | rejected | unreadable | copy | unchanged
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    copies: int = 0  # rows skipped because the file is a copy
    correction: bool = False
    copy_of: str | None = None
    partition: str | None = None
    report_date: object = None
    issues: list[Issue] = field(default_factory=list)


@dataclass
class Outcome:
    files: list[FileOutcome]
    master: Path
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(f, k) for f in self.files) for k in ("rows_read", "accepted", "rejected", "copies")}

    @property
    def exit_code(self) -> int:
        bad = [f for f in self.files if f.status in ("rejected", "unreadable", "partial")]
        if bad and len(bad) == len(self.files):
            return exits.UNUSABLE if not any(f.status == "partial" for f in bad) else exits.FOUND
        return exits.FOUND if bad else exits.OK

    def reconciles(self) -> bool:
        return all(f.rows_read == f.accepted + f.rejected + f.copies for f in self.files)


def fingerprint(path: Path) -> str:
    """SHA-256 of the file, or "" when it cannot be read (the reader then says why)."""
    try:
        with open(path, "rb") as f:  # in chunks: a huge file in the inbox must not fill the memory
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return ""


def run_consolidation(settings: Settings, inbox: Path | None = None, master: Path | None = None,
                      reference: Path | None = None, now: pd.Timestamp | None = None,
                      ctx: Context | None = None, summary: bool = True, today: dt.date | None = None) -> Outcome:
    """Validate and consolidate every report in the inbox; write the changed masters, and the
    summary workbook unless ``summary`` is False (the nightly run writes it with the briefing).
    Reports are judged as of ``ctx.today`` (or ``today``, or the day of ``now``)."""
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
        outcome = _consolidate(validate.collect([inbox]), inbox, parts, ctx, now)
        outcome.master = master
        changed = sorted(name for name, part in parts.items() if part.changed)
        if changed or (summary and not (master / store.SUMMARY).exists()):
            writers = {f"{name}.xlsx": _writer(parts[name], ctx) for name in changed}
            if summary:
                writers[store.SUMMARY] = _summary_writer(parts, ctx, ctx.today)
            store.commit(master, writers, settings.backups)
            outcome.written = list(writers)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _writer(part: store.Partition, ctx: Context):
    facts = page.Facts(ctx.settings.office.resolve().name, ctx.today)  # for the printed footer
    return lambda path: store.write_partition(path, part, ctx.lang, facts)


def _summary_writer(parts: dict[str, store.Partition], ctx: Context, as_of):
    """The summary workbook (总表): today's 工作日志 and every statistic sheet."""
    from xlpy.app.briefing import summary_writer
    from xlpy.io.reference import Reference
    return summary_writer(parts, ctx.reference or Reference.empty(), ctx.settings, as_of, ctx.lang)[0]


def _consolidate(files: list[Path], inbox: Path, parts: dict[str, store.Partition], ctx: Context, now) -> Outcome:
    imports = store.concat(parts, "imports")
    live = imports[imports["replaced_by"].isna()]  # a version put back after a correction is new again
    current = live[live["status"].isin(("accepted", "partial"))]
    originals = dict(zip(current["fingerprint"], current["source"]))
    rows_of = dict(zip(current["source"], current["rows_read"]))
    # A file is known by its path within the inbox: 2026-11-26/张伟.xlsx and 2026-11-27/张伟.xlsx are two.
    names = {p: p.relative_to(inbox).as_posix() if p.is_relative_to(inbox) else p.name for p in files}
    ours = live[live["source"].isin(set(names.values()))]
    seen = {(r["source"], r["fingerprint"]): r for r in ours.to_dict("records")}  # the latest entry of each
    outcomes, todo, copies = [], [], []
    # Within a batch the shortest name is the original: "a - 副本.xlsx", "a (2).xlsx" are its copies.
    prints = {p: fingerprint(p) for p in files}
    for path, fp in sorted(prints.items(), key=lambda pf: (len(names[pf[0]]), names[pf[0]])):
        name = names[path]
        if (name, fp) in seen:
            outcomes.append(_as_before(seen[name, fp]))
        elif fp and fp in originals:
            copies.append(FileOutcome(name, fp, "copy", copy_of=originals[fp]))
        else:
            todo.append(path)
            if fp:
                originals.setdefault(fp, name)  # a second copy within this batch
    replaced = {names[p] for p in todo} & set(current["source"])
    history = store.concat(parts, "ledger")
    changes, judged = _Changes(now), []
    for results in validate.validate_in_parts(todo, ctx, history[~history["source"].isin(replaced)], names, PART):
        for result in results:
            # the reader gives an unreadable file no fingerprint; the log needs one to know it again
            result.report.fingerprint = result.report.fingerprint or prints[result.path]
            rows_of[names[result.path]] = result.rows
            judged.append(_accept(result, changes, ctx, names[result.path] in replaced))
        changes.settle()
    place = {names[path]: i for i, path in enumerate(todo)}  # parts go in report order; say them as listed
    outcomes += sorted(judged, key=lambda o: place[o.source])
    for copy in copies:
        copy.rows_read = copy.copies = int(rows_of[copy.copy_of])
        changes.log(copy)
    changes.apply(parts, {o.source: o.fingerprint for o in outcomes
                          if o.correction and o.status in ("accepted", "partial")})
    return Outcome(outcomes + copies, Path())


def _as_before(row: dict) -> FileOutcome:
    """A file consolidated before with this content (its latest log entry): reported as it was,
    nothing changes."""
    status = row["status"] if row["status"] in ("rejected", "unreadable", "copy") else "unchanged"
    read, accepted, rejected = (int(row[k]) for k in ("rows_read", "accepted", "rejected"))  # not numpy's: JSON
    return FileOutcome(row["source"], row["fingerprint"], status, rows_read=read, accepted=accepted,
                       rejected=rejected, copies=read - accepted - rejected, copy_of=row["copy_of"])


class _Changes:
    """New records by month, gathered over the batch and added to the masters once. Each
    part of a batch becomes a table once judged: as plain dicts, rows take several times the memory."""

    def __init__(self, now: pd.Timestamp):
        self.now = now
        self.pending: dict[tuple[str, str], list[dict]] = {}  # (month, table) → records
        self.settled: dict[str, dict[str, list[pd.DataFrame]]] = {}  # month → table → frames

    def add(self, month: str, what: str, records: list[dict]) -> None:
        self.pending.setdefault((month, what), []).extend(records)

    def settle(self) -> None:
        for (month, what), records in self.pending.items():
            self.settled.setdefault(month, {}).setdefault(what, []).append(L.frame(records, _fields(what)))
        self.pending = {}

    def log(self, out: FileOutcome) -> None:
        """The import-log entry of a file, and its errors in the problem list."""
        out.partition = out.partition or self.now.strftime("%Y-%m")
        self.add(out.partition, "imports", [{
            "source": out.source, "fingerprint": out.fingerprint, "status": out.status, "rows_read": out.rows_read,
            "accepted": out.accepted, "rejected": out.rejected, "imported_at": self.now,
            "report_date": out.report_date, "copy_of": out.copy_of}])
        self.add(out.partition, "problems", [{
            "source": out.source, "fingerprint": out.fingerprint, "severity": i.severity, "rule": i.rule,
            "sheet": i.sheet, "cell": i.cell, "value": None if i.value is None else str(i.value),
            "message": i.message(), "imported_at": self.now} for i in out.issues if i.severity == rules.ERROR])

    def apply(self, parts: dict[str, store.Partition], corrected: dict[str, str]) -> None:
        self.settle()
        for name, new_print in corrected.items():
            _retire(parts, name, new_print)
        for month, tables in self.settled.items():
            part = parts.setdefault(month, store.Partition(month))
            for what, frames in tables.items():
                setattr(part, what, L.append(getattr(part, what), *frames, fields=_fields(what)))
            part.changed = True
        self.settled = {}


def _fields(what: str) -> tuple[L.Field, ...]:
    return L.SHEETS[L.SHEET_OF_FRAME[what]]


def _accept(result: validate.FileResult, changes: _Changes, ctx: Context, correction: bool) -> FileOutcome:
    """Decide what of a validated report enters the record."""
    report = result.report
    out = FileOutcome(report.source, report.fingerprint, "", rows_read=report.rows, issues=result.issues,
                      correction=correction, report_date=report.report_date, partition=L.partition_of(report))
    keep = rules.accepted_rows(report, result.issues, ctx.settings.accept_valid_rows)
    if report.unreadable is not None:
        out.status = "unreadable"
    elif not keep and (report.rows or result.count(rules.ERROR)):  # no table: no rows, yet an error
        out.status, out.rejected = "rejected", report.rows
    else:
        rows = [r for r in L.ledger_records(report, changes.now) if (r["sheet"], r["row"]) in keep]
        out.accepted, out.rejected = len(rows), report.rows - len(rows)
        out.status = "partial" if out.rejected else "accepted"
        changes.add(out.partition, "ledger", L.spell_as_reference(rows, ctx.reference))
        changes.add(out.partition, "activity", L.spell_as_reference(L.activity_records(report), ctx.reference))
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


def to_text(outcome: Outcome, lang: str = "zh") -> str:
    lines = [say("consolidate-file", lang, source=f.source, status=say("cstatus-" + f.status, lang),
                 read=f.rows_read, accepted=f.accepted, rejected=f.rejected, copies=f.copies)
             + (f"  ← {f.copy_of}" if f.status == "copy" else "") + (say("correction", lang) if f.correction else "")
             for f in outcome.files]
    for f in outcome.files:
        for i in f.issues:
            if i.severity == rules.ERROR:
                lines.append(f"  {f.source} {i.sheet or ''}!{i.cell or ''} {i.rule}: {i.message(lang)}")
    t = outcome.totals
    lines.append(say("reconciliation", lang, read=t["rows_read"], accepted=t["accepted"], rejected=t["rejected"],
                     copies=t["copies"], ok="✓" if outcome.reconciles() else "✗"))
    lines.append(say("written", lang, files=", ".join(outcome.written) or "-", master=str(outcome.master)))
    return "\n".join(lines)


def to_json(outcome: Outcome, lang: str = "zh") -> dict:
    return {"files": [{"source": f.source, "status": f.status, "rows_read": f.rows_read, "accepted": f.accepted,
                       "rejected": f.rejected, "copies": f.copies, "correction": f.correction,
                       "copy_of": f.copy_of, "partition": f.partition,
                       "errors": [{"rule": i.rule, "sheet": i.sheet, "cell": i.cell, "message": i.message(lang)}
                                  for i in f.issues if i.severity == rules.ERROR]}
                      for f in outcome.files],
            "totals": outcome.totals, "reconciles": outcome.reconciles(), "written": outcome.written,
            "seconds": round(outcome.seconds, 3), "exit_code": outcome.exit_code}
