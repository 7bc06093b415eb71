"""Validate a batch of report files: read → check → results (with text and JSON views)."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.app import lifecycle
from xlpy.contract import config
from xlpy.contract.messages import say
from xlpy.core import ledger, record_rules, rules, values, worklog
from xlpy.core.rules import Context, Issue
from xlpy.io import fingerprints, reader, reading


@dataclass
class FileResult:
    path: Path
    status: str  # ok | invalid | waiting | unreadable | copy | skipped
    report: reader.Report | None = None
    issues: list[Issue] = field(default_factory=list)
    reason: str | None = None  # why a file was skipped (a message code)
    copy_of: str | None = None  # the report taken with the same rows

    @property
    def rows(self) -> int:
        return self.report.rows if self.report else 0

    def count(self, severity: str) -> int:
        return sum(i.severity == severity for i in self.issues)


HIDDEN = ("~$", ".")  # Excel's lock files, dot files and folders


def is_hidden(path: Path) -> bool:
    """Excel's `~$` lock files and dot files: listed in one line, never judged."""
    return path.name.startswith(HIDDEN)


def collect(paths: list[Path]) -> list[Path]:
    """Files named, and every file in folders named (recursively, sorted; files that are no
    reports are listed as skipped, with the reason), except in hidden folders and in the
    processed inbox (已处理/)."""
    out = []
    for p in map(Path, paths):
        out += _files(p, top=True) if p.is_dir() else [p]
    return out


def _files(folder: Path, top: bool) -> Iterator[Path]:
    """The files in ``folder`` and its subfolders but hidden ones and (at the top) the processed
    inbox, not walked at all; a folder that cannot be listed is passed over, as by `Path.rglob`.
    (`os.scandir` knows each entry's kind without a `stat` a file: the inbox holds every report.)
    Each folder's entries in order of their names, so the files come sorted as their paths sort."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: os.path.normcase(entry.name))
    except PermissionError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):  # a link to a folder is not walked, as by rglob
            if not entry.name.startswith(HIDDEN) and not (top and entry.name == lifecycle.ARCHIVE):
                yield from _files(Path(entry.path), top=False)
        elif entry.is_file():
            yield Path(entry.path)


def validate_files(files: list[Path], ctx: Context, history: pd.DataFrame | None = None,
                   sources: dict[Path, str] | None = None, activity: pd.DataFrame | None = None,
                   contents: dict[str, str] | None = None,
                   reports: dict[Path, reader.Report] | None = None) -> list[FileResult]:
    """Read and check each file; with the record's ledger as ``history``, the rules that
    need the record too. ``sources`` names files as the record knows them (default: file name);
    ``reports`` are files already read (a live sheet), by path."""
    parts = validate_in_parts(files, ctx, history, sources, max(len(files), 1), activity, contents, reports)
    return [r for part in parts for r in part]


def validate_in_parts(files: list[Path], ctx: Context, history: pd.DataFrame | None, sources: dict[Path, str] | None,
                      size: int, activity: pd.DataFrame | None = None,
                      contents: dict[str, str] | None = None,
                      reports: dict[Path, reader.Report] | None = None,
                      months: list | None = None, step: int | None = None) -> Iterator[list[FileResult]]:
    """`validate_files` for a batch too large to hold read at once: ``size`` files at a time.
    A batch of more is taken in report order (each file's title area read beforehand for its date),
    and the rules across reports carry what earlier parts signed, so each file is judged as
    it would be in one batch; its rows can be let go once its part is judged. With
    ``contents`` (rows' fingerprint → the report taken with them), a file whose rows are
    those of a report taken, or of one earlier in the batch, is a copy and is not judged.
    ``months``: the record's contract balances month by month (`record_rules.Book`); ``step``: the files
    of such a batch judged at once (``size`` by default)."""
    reps = ctx.reference.rep_index if ctx.reference is not None else {}
    with reading.Reading(ctx.settings, reps, ctx.today, len(files)) as read:  # in processes when large
        if len(files) > size:
            files = _in_report_order(files, ctx, read)
        book = record_rules.Book(history, ctx, activity, months) if history is not None else None
        signed: dict[str, str] = {}
        step = size if len(files) <= size else step or size
        for start in range(0, len(files), step):
            yield _validate(files[start:start + step], ctx, book, signed, sources or {}, contents, reports or {}, read)


def _in_report_order(files: list[Path], ctx: Context, read: reading.Reading) -> list[Path]:
    """Files in report order, by their title areas (files to skip first, by name)."""
    skipped = {p for p in files if lifecycle.skip_reason(p, ctx.today)}
    titled = [p for p in files if p not in skipped]
    order = {p: rules.report_order(title) for p, title in zip(titled, read.titles(titled))}  # the rows wait
    return sorted(files, key=lambda p: order.get(p, ("", p.name)))


def _validate(files: list[Path], ctx: Context, book: record_rules.Book | None, signed: dict[str, str],
              sources: dict[Path, str], contents: dict[str, str] | None,
              reports: dict[Path, reader.Report], read: reading.Reading) -> list[FileResult]:
    reasons = {p: None if p in reports else lifecycle.skip_reason(p, ctx.today) for p in files}
    fresh = iter(read.reports([p for p in files if not reasons[p] and p not in reports]))
    results = []
    for path in files:
        if reasons[path]:
            results.append(FileResult(path, "skipped", reason=reasons[path]))
            continue
        report = reports[path] if path in reports else next(fresh)
        report.source = sources.get(path, report.source)
        original = _copy_of(report, contents)
        if original:
            results.append(FileResult(path, "copy", report, copy_of=original))
            continue
        results.append(FileResult(path, "", report, rules.check_report(report, ctx)))
    judged = [r for r in results if r.report is not None and r.status != "copy"]
    batch = rules.check_batch([r.report for r in judged if r.report.unreadable is None], signed)
    for result in judged:
        result.issues += batch.get(str(result.path), [])
    if book is not None:
        record_rules.check(judged, book, ctx)
    for result in judged:
        result.status = _status(result)
    return results


def _copy_of(report: reader.Report, contents: dict[str, str] | None) -> str | None:
    """The report taken (or met earlier in the batch) with the same rows, if any: a copy."""
    if contents is None or report.unreadable is not None or not report.tables:
        return None
    report.content = ledger.content_print(report)
    original = contents.get(report.content)
    if original and original != report.source:
        return original
    contents.setdefault(report.content, report.source)
    return None


def _status(result: FileResult) -> str:
    if result.report.unreadable is not None:
        return "unreadable"
    if record_rules.is_waiting(result.issues):
        return "waiting"
    return "invalid" if result.count(rules.ERROR) else "ok"


def to_json(results: list[FileResult], lang: str = "zh", seconds: float | None = None) -> dict:
    files = [{
        "path": str(r.path),
        "status": r.status,
        "rows": r.rows,
        **({"reason": lifecycle.skip_text(r.reason, r.path, lang)} if r.reason else {}),
        **({"copy_of": r.copy_of} if r.copy_of else {}),
        "issues": [{"severity": i.severity, "rule": i.rule, "sheet": i.sheet, "cell": i.cell,
                    "column": i.column, "value": _jsonable(i.value), "message": i.message(lang)}
                   for i in r.issues],
    } for r in results]
    summary = totals(results)
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return {"files": files, "summary": summary}


STATUSES = ("ok", "invalid", "waiting", "unreadable", "copy", "skipped")


def totals(results: list[FileResult]) -> dict[str, int]:
    """Files, rows, files by status and issues by severity."""
    return {"files": len(results), "rows": sum(r.rows for r in results),
            **{s: sum(r.status == s for r in results) for s in STATUSES},
            **{f"{sev}s": sum(r.count(sev) for r in results) for sev in (rules.ERROR, rules.WARNING, rules.NOTICE)}}


def summary_line(results: list[FileResult], lang: str = "zh") -> str:
    t = totals(results)
    return say("summary", lang, files=t["files"], rows=t["rows"], errors=t["errors"], warnings=t["warnings"],
               notices=t["notices"])


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def to_text(results: list[FileResult], lang: str = "zh") -> str:
    lines, quiet = [], []
    for r in results:
        if r.reason in lifecycle.QUIET:
            quiet.append(r.path.name)
            continue
        said = f"  {lifecycle.skip_text(r.reason, r.path, lang)}" if r.reason else ""
        said += f"  ← {r.copy_of}" if r.copy_of else ""
        lines.append(f"{r.path}  [{say('status-' + r.status, lang)}]  {r.rows}{said}")
        for i in r.issues:
            where = "!".join(x for x in (i.sheet, i.cell) if x)
            rule = f" {i.rule:<22}" if lang == "en" else ""  # rule ids are English words: not in Chinese text
            lines.append(f"  {say('sev-' + i.severity, lang):<7}{rule} {where:<16} {i.message(lang)}")
    if quiet:
        lines.append(lifecycle.quiet_line(quiet, lang))
    lines.append(summary_line(results, lang))
    return "\n".join(lines)


def in_office(ctx: Context) -> bool:
    """An office is at hand (its xlpy.toml found): reports are judged as consolidation judges them."""
    return (ctx.settings.office / config.CONFIG_NAME).is_file()


def run(paths: list[Path], ctx: Context, history: pd.DataFrame | None = None,
        master: Path | None = None) -> tuple[list[FileResult], float]:
    """Judge the files named. Inside an office (or given ``master``), as consolidation would:
    with every report of the inbox and against the master; else each batch on its own
    (and against ``history`` when given)."""
    start = time.perf_counter()
    if master is not None or (history is None and in_office(ctx)):
        results = judge_in_office(collect(paths), ctx, master)
    else:
        results = validate_files(collect(paths), ctx, history)
    return results, time.perf_counter() - start


def judge_in_office(files: list[Path], ctx: Context, master: Path | None = None,
                    reports: dict[Path, reader.Report] | None = None) -> list[FileResult]:
    """The verdict consolidation would give each file: judged in report order with the reports
    of the inbox that the record does not hold as they are, against the master's record less
    these files' own earlier versions (a corrected report is not its own double). ``reports``
    are reports already read (a live sheet), by path."""
    from xlpy.io import store
    inbox = ctx.settings.path("inbox")
    master = Path(master or ctx.settings.path("master"))
    parts = store.read_partitions(master) if master.is_dir() else {}
    imports = worklog.latest(store.concat(parts, "imports"))
    taken = imports[imports["status"].isin(("accepted", "partial", "copy"))]
    known = set(zip(taken["source"], taken["fingerprint"]))
    asked = {Path(f) for f in files}
    others = [p for p in collect([inbox]) if p not in asked] if inbox.is_dir() else []
    names = {p: source_name(p, inbox) for p in [*files, *others]}
    prints = fingerprints.of_inbox(others, inbox)
    judged = [*files, *(p for p in others if (names[p], prints[p]) not in known)]
    mine = {names[p] for p in judged}
    ledger_, activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    taken = taken[taken["content"].notna() & ~taken["source"].isin(mine)]
    results = validate_files(judged, ctx, ledger_[~ledger_["source"].isin(mine)], names,
                             activity[~activity["source"].isin(mine)], dict(zip(taken["content"], taken["source"])),
                             reports)
    return [r for r in results if r.path in asked]


def judge_sheet(report: reader.Report, ctx: Context) -> list[Issue]:
    """The issues of a report read from a live sheet: inside an office, as consolidation would
    judge it (the inbox file of that name, if any, is taken as this sheet); else on its own."""
    if not in_office(ctx):
        return rules.check_report(report, ctx)
    inbox = ctx.settings.path("inbox")
    path = next(iter(sorted(inbox.rglob(report.path.name))), inbox / report.path.name) if inbox.is_dir() \
        else inbox / report.path.name
    [result] = judge_in_office([path], ctx, reports={path: report})
    return result.issues


def source_name(path: Path, inbox: Path) -> str:
    """A report as the record knows it: its path within the inbox (2026-11-26/张伟.xlsx and
    2026-11-27/张伟.xlsx are two), readable whatever encoding its name was written in."""
    text, top = str(path), str(inbox)
    if text.startswith(top) and text[len(top):len(top) + 1] == os.sep:  # as the inbox was walked: no pathlib
        name = text[len(top) + 1:].replace(os.sep, "/")
    else:
        try:
            name = path.relative_to(inbox).as_posix()
        except ValueError:
            name = path.name
    return values.readable(name)
