"""A report's life after its judgement: the inbox files that are no reports (each gets a
status and a reason), the pending list (every report not in the record: rejected or
waiting, with what to fix), and the processed inbox (taken reports moved to 已处理/YYYY-MM/).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from xlpy.contract.messages import say
from xlpy.core.worklog import latest
from xlpy.io import closed_logs, reader, store

PENDING = closed_logs.PENDING  # ("rejected", "waiting", "unreadable")
QUIET = ("skip-lock", "skip-hidden")  # listed in one summary line, never logged
TEMPLATES = (".xltx", ".xltm", ".xlt")
ARCHIVE = "已处理"


# ---------------------------------------------------------------- files that are no reports


def skip_reason(path: Path, today: dt.date) -> str | None:
    """Why an inbox file is not read as a report (a message code), or None for a spreadsheet."""
    if path.name.startswith("~$"):
        return "skip-lock"
    if path.name.startswith("."):
        return "skip-hidden"
    suffix = path.suffix.lower()
    if suffix in reader.SPREADSHEET_SUFFIXES:
        return None
    if suffix in TEMPLATES:
        return "skip-template"
    if suffix == ".csv":
        return "skip-csv-report" if _looks_like_report(path, today) else "skip-csv"
    return "skip-not-report"


def _looks_like_report(path: Path, today: dt.date) -> bool:
    """A CSV whose rows hold a daily-report table (as the reader would find it in a sheet)."""
    try:
        data = path.read_bytes()[:1_000_000]
    except OSError:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            grid = list(csv.reader(io.StringIO(data.decode(encoding))))
            break
        except (UnicodeDecodeError, csv.Error):
            continue
    else:
        return False
    report = reader.report_from_grids(path, [("csv", grid)], today=today)
    return bool(report.tables)


def skip_text(reason: str, path: Path, lang: str) -> str:
    return say(reason, lang, suffix=path.suffix or path.name)


def quiet_line(names: list[str], lang: str) -> str:
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return say("skipped-quietly", lang, count=len(names), names=shown)


# ---------------------------------------------------------------- the pending list


def pending(imports: pd.DataFrame, problems: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Every report not in the record (its latest verdict rejected, waiting or unreadable),
    newest report first: source, rep, report_date, status, since, days (waited), problems
    (a list of (sheet!cell, message))."""
    ever = imports["source"].isin(imports.loc[imports["status"].isin(PENDING), "source"])  # the few ever pending
    last = latest(imports[ever])
    last = last[last["status"].isin(PENDING)]
    since = last["pending_since"].fillna(last["imported_at"]).dt.normalize()
    out = pd.DataFrame({"source": last["source"], "rep": last["rep"], "report_date": last["report_date"],
                        "status": last["status"], "since": since,
                        "days": (pd.Timestamp(day) - since).dt.days.clip(lower=0)})
    keyed = problems.groupby(["source", "fingerprint"], sort=False)
    found = {key: [(_where(p), p["message"]) for p in rows.to_dict("records")] for key, rows in keyed}
    out["problems"] = [found.get((s, f), []) for s, f in zip(last["source"], last["fingerprint"])]
    order = out["report_date"].fillna(out["since"])
    return out.assign(order=order).sort_values(["order", "source"], ascending=[False, True]) \
        .drop(columns="order").reset_index(drop=True)


class Logs(NamedTuple):
    """The import log and problem list a day needs, and its pending list from them: for the pending
    list, 总表's work log and its reminders. Every entry of the reports ever pending or with an entry
    of the day, which is all these ask about, and their problems and those of the day's fingerprints
    (`worklog.rejected_reports` asks by fingerprint). With ``master``, the closed months' entries are
    looked up (`closed_logs`, its file as the night's batch left it); else every month's are stacked
    and the rest let go (a rebuild's 37,500 entries held through 总表's computation were ~16 MB)."""
    imports: pd.DataFrame
    problems: pd.DataFrame
    pending: pd.DataFrame

    @classmethod
    def of(cls, parts: dict[str, store.Partition], day: dt.date, master: Path | None = None) -> Logs:
        logs, day = closed_logs.Logbook(parts, master, build=False), pd.Timestamp(day)
        opened = logs.imports()
        asked = opened["status"].isin(PENDING) | (closed_logs.dated(opened) == day)
        wanted = set(opened.loc[asked, "source"]) | logs.sources(day=day.date(), pending=True)
        imports = logs.imports(wanted)
        imports = imports[imports["source"].isin(wanted)]
        of_day = set(imports.loc[closed_logs.dated(imports) == day, "fingerprint"])
        problems = logs.problems(wanted, of_day)
        problems = problems[problems["source"].isin(wanted) | problems["fingerprint"].isin(of_day)]
        return cls(imports, problems, pending(imports, problems, day.date()))


def _where(problem: dict) -> str:
    return "!".join(x for x in (problem["sheet"], problem["cell"]) if x)


def pending_text(table: pd.DataFrame, lang: str) -> str:
    if table.empty:
        return say("pending-none", lang)
    lines = [say("pending-head", lang, count=len(table))]
    for r in table.to_dict("records"):
        lines.append(say("pending-line", lang, source=r["source"], rep=r["rep"] or "-", date=_day(r["report_date"]),
                         status=say("cstatus-" + r["status"], lang), since=_day(r["since"]), days=r["days"]))
        lines += [f"    {where:<10} {message}" for where, message in r["problems"]]
    return "\n".join(lines)


def pending_json(table: pd.DataFrame) -> list[dict]:
    return [{"source": r["source"], "rep": r["rep"], "report_date": _day(r["report_date"]), "status": r["status"],
             "since": _day(r["since"]), "days": int(r["days"]),
             "problems": [{"cell": where, "message": message} for where, message in r["problems"]]}
            for r in table.to_dict("records")]


def _day(value) -> str:
    return "-" if value is None or pd.isna(value) else str(pd.Timestamp(value).date())


# ---------------------------------------------------------------- the processed inbox


def archive(inbox: Path, source: str, month: str) -> Path | None:
    """Move a taken report to inbox/已处理/YYYY-MM/ (keeping its folders within the inbox);
    None when it is not there any more. A file of the same name already there is kept:
    the newcomer gets a numbered name."""
    path = inbox / source
    if not path.is_file():
        return None
    target = inbox / ARCHIVE / month / source
    target.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while target.exists():
        target = target.with_name(f"{Path(source).stem} ({n}){path.suffix}")
        n += 1
    shutil.move(str(path), str(target))
    return target
