"""Validate a batch of report files: read → check → results (with text and JSON views)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.contract.messages import say
from xlpy.core import record_rules, rules
from xlpy.core.rules import Context, Issue
from xlpy.io import reader


@dataclass
class FileResult:
    path: Path
    status: str  # ok | invalid | unreadable | skipped
    report: reader.Report | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.report.rows if self.report else 0

    def count(self, severity: str) -> int:
        return sum(i.severity == severity for i in self.issues)


def is_hidden(path: Path) -> bool:
    """Excel's `~$` lock files and dot files: skipped without a word."""
    return path.name.startswith(("~$", "."))


def collect(paths: list[Path]) -> list[Path]:
    """Files named, and the spreadsheet files in folders named (recursively, sorted)."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not is_hidden(f)
                          and f.suffix.lower() in reader.SPREADSHEET_SUFFIXES
                          and not any(is_hidden(d) for d in f.relative_to(p).parents if d.name))
        else:
            out.append(p)
    return out


def validate_files(files: list[Path], ctx: Context, history: pd.DataFrame | None = None,
                   sources: dict[Path, str] | None = None) -> list[FileResult]:
    """Read and check each file; with the record's ledger as ``history``, the rules that
    need the record too. ``sources`` names files as the record knows them (default: file name)."""
    return [r for part in validate_in_parts(files, ctx, history, sources, max(len(files), 1)) for r in part]


def validate_in_parts(files: list[Path], ctx: Context, history: pd.DataFrame | None, sources: dict[Path, str] | None,
                      size: int) -> Iterator[list[FileResult]]:
    """`validate_files` for a batch too large to hold read at once: ``size`` files at a time.
    A batch of more is taken in report order (each file's title area read beforehand for its date),
    and the rules across reports carry what earlier parts signed, so each file is judged as
    it would be in one batch; its rows can be let go once its part is judged."""
    if len(files) > size:
        files = sorted(files, key=lambda path: _report_order(path, ctx))
    book = record_rules.Book(history, ctx) if history is not None else None
    signed: dict[str, str] = {}
    for start in range(0, len(files), size):
        yield _validate(files[start:start + size], ctx, book, signed, sources or {})


def _report_order(path: Path, ctx: Context) -> tuple[str, str]:
    if _skipped(path):
        return "", path.name
    return rules.report_order(reader.read_title(path, ctx.settings, today=ctx.today))  # the rows wait


def _skipped(path: Path) -> bool:
    return is_hidden(path) or path.suffix.lower() not in reader.SPREADSHEET_SUFFIXES


def _validate(files: list[Path], ctx: Context, book: record_rules.Book | None, signed: dict[str, str],
              sources: dict[Path, str]) -> list[FileResult]:
    reps = ctx.reference.rep_index if ctx.reference is not None else {}
    results = []
    for path in files:
        if _skipped(path):
            results.append(FileResult(path, "skipped"))
            continue
        report = reader.read_report(path, ctx.settings, reps, today=ctx.today)
        report.source = sources.get(path, report.source)
        results.append(FileResult(path, "", report, rules.check_report(report, ctx)))
    readable = [r.report for r in results if r.report is not None and r.report.unreadable is None]
    batch = rules.check_batch(readable, signed)
    for result in results:
        if result.report is not None:
            result.issues += batch.get(str(result.path), [])
    if book is not None:
        record_rules.check(results, book, ctx)
    for result in results:
        if result.report is not None:
            result.status = _status(result)
    return results


def _status(result: FileResult) -> str:
    if result.report.unreadable is not None:
        return "unreadable"
    return "invalid" if result.count(rules.ERROR) else "ok"


def to_json(results: list[FileResult], lang: str = "zh", seconds: float | None = None) -> dict:
    files = [{
        "path": str(r.path),
        "status": r.status,
        "rows": r.rows,
        "issues": [{"severity": i.severity, "rule": i.rule, "sheet": i.sheet, "cell": i.cell,
                    "column": i.column, "value": _jsonable(i.value), "message": i.message(lang)}
                   for i in r.issues],
    } for r in results]
    summary = totals(results)
    if seconds is not None:
        summary["seconds"] = round(seconds, 3)
    return {"files": files, "summary": summary}


def totals(results: list[FileResult]) -> dict[str, int]:
    """Files, rows, files by status and issues by severity."""
    return {"files": len(results), "rows": sum(r.rows for r in results),
            **{s: sum(r.status == s for r in results) for s in ("ok", "invalid", "unreadable", "skipped")},
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
    lines = []
    for r in results:
        lines.append(f"{r.path}  [{say('status-' + r.status, lang)}]  {r.rows}")
        for i in r.issues:
            where = "!".join(x for x in (i.sheet, i.cell) if x)
            lines.append(f"  {i.severity:<7} {i.rule:<22} {where:<16} {i.message(lang)}")
    lines.append(summary_line(results, lang))
    return "\n".join(lines)


def run(paths: list[Path], ctx: Context, history: pd.DataFrame | None = None) -> tuple[list[FileResult], float]:
    start = time.perf_counter()
    results = validate_files(collect(paths), ctx, history)
    return results, time.perf_counter() - start
