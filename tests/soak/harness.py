"""What the soak scripts and the reliability tests share: an office with a consolidation
pending, the record as comparable tables, the reconciliation of ledger and import log,
and `xlpy` run as a real process.

Only our public functions are used (`store`, `consolidate`, `reader`, `demo`), so a
check here reads the masters exactly as the next run would.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xlpy.app import consolidate
from xlpy.app.demo import build_demo
from xlpy.contract import config
from xlpy.io import reader, store

# Columns that differ between two runs of the same consolidation: when it ran.
RUN_TIME = "imported_at"
TABLES = ("ledger", "activity", "imports", "problems")  # a master's, as `store.Partition` names them


def straddling(today: dt.date) -> dt.date:
    """The 8th of this month (of the last, early in a month): the demo's 15 working days up
    to it straddle two months, and none lies after ``today``, which the rules judge by."""
    first = today.replace(day=1)
    day = first + dt.timedelta(days=7)
    return day if day <= today else (first - dt.timedelta(days=1)).replace(day=8)


TODAY = straddling(dt.date(2026, 11, 27))  # pinned: every command below is told it is this day


# ---------------------------------------------------------------- the office


def pending_office(dir: Path, demo: Path | None = None) -> Path:
    """A demo office whose earlier month is consolidated and whose next run has work in
    both months: the later month's reports, a correction of an earlier report and a
    renamed copy. ``demo``: a demo office of TODAY to copy (the tests build it once per run)
    rather than build one here."""
    office = copy_office(demo, Path(dir) / "office") if demo else build_demo(Path(dir), today=TODAY).dir
    settings = config.load(office)
    inbox = settings.path("inbox")
    held = Path(dir) / "held"
    held.mkdir()
    later = [p.name for p in sorted(inbox.iterdir())
             if (reader.read_report(p, today=TODAY).report_date or TODAY).month == TODAY.month]
    for name in later:
        shutil.move(inbox / name, held / name)
    consolidate.run_consolidation(settings, today=TODAY)
    for name in later:
        shutil.move(held / name, inbox / name)
    held.rmdir()
    correct_one(inbox, store.concat(store.read_partitions(settings.path("master")), "imports"))
    first = inbox / later[0]
    shutil.copy(first, inbox / f"{first.stem} - 副本{first.suffix}")
    return office


def correct_one(inbox: Path, log: pd.DataFrame) -> str:
    """Change the first customer of the first accepted report: the next run sees a correction."""
    name = log[(log["status"] == "accepted") & (log["accepted"] > 0)]["source"].iloc[0]
    path = inbox / name
    table = reader.read_report(path, today=TODAY).tables[0]
    row = table.records[0]["row"]
    book = load_workbook(path)
    cell = book[table.sheet].cell(row, table.columns["customer"] + 1)
    cell.value = f"{cell.value}（更正）"
    book.save(path)
    return name


def copy_office(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(store.LOCK))
    return dst


# ---------------------------------------------------------------- the record


def record(master: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """Every month's four tables, without the run-time columns: equal for equal records."""
    return {name: {what: _timeless(getattr(part, what)) for what in TABLES}
            for name, part in store.read_partitions(master).items()}


def _timeless(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[RUN_TIME], errors="ignore").reset_index(drop=True)


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(a[n][w].equals(b[n][w]) for n in a for w in TABLES)


def summary_values(master: Path) -> dict[str, list] | None:
    path = Path(master) / store.SUMMARY
    if not path.exists():
        return None
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def rows_lost_or_doubled(master: Path, expected: dict) -> int:
    """Ledger rows missing plus rows extra against the expected record, counted per source."""
    have = store.concat(store.read_partitions(master), "ledger")["source"].value_counts()
    want = pd.concat([expected[n]["ledger"] for n in expected])["source"].value_counts() if expected else have[:0]
    return int(have.sub(want, fill_value=0).abs().sum())


def reconcile(master: Path) -> list[str]:
    """What is wrong between the ledger and the import log (nothing, normally): per source,
    ledger rows = rows accepted by its current log entry, all of that version; no source
    current twice; no ledger row without a current entry."""
    parts = store.read_partitions(master)
    ledger, log = store.concat(parts, "ledger"), store.concat(parts, "imports")
    current = log[log["status"].isin(("accepted", "partial")) & log["replaced_by"].isna()]
    problems = [f"{s}: current twice" for s in current["source"][current["source"].duplicated()]]
    for source, accepted, fp in current[["source", "accepted", "fingerprint"]].itertuples(index=False):
        rows = ledger[ledger["source"] == source]
        if len(rows) != accepted:
            problems.append(f"{source}: {len(rows)} ledger rows, {accepted} accepted in the log")
        if set(rows["fingerprint"]) - {fp}:
            problems.append(f"{source}: rows of a replaced version")
    orphans = set(ledger["source"]) - set(current["source"])
    return problems + [f"{s}: ledger rows without a current log entry" for s in sorted(orphans)]


def unopenable(master: Path) -> list[str]:
    """Workbooks in the master folder (masters, summary, backups) that openpyxl or calamine cannot read."""
    bad = []
    for path in sorted(Path(master).glob("*.xlsx")) + sorted((Path(master) / store.BACKUP).glob("*.xlsx")):
        try:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            wb = load_workbook(path, read_only=True)
            for ws in wb.worksheets:
                for _ in ws.iter_rows(values_only=True):
                    pass
            wb.close()
        except Exception as e:  # noqa: BLE001 - any failure to open is the finding
            bad.append(f"{path.name}: {type(e).__name__}: {e}")
    return bad


# ---------------------------------------------------------------- processes


DATED = {"validate", "consolidate", "stats", "nightly", "briefing", "button"}  # the commands that take --date


def arguments(*args) -> list[str]:
    """The arguments of `xlpy ARGS`, on TODAY unless they name a day."""
    day = ["--date", TODAY] if args and args[0] in DATED and not {"--date", "--today"} & set(map(str, args)) else []
    return list(map(str, (*args, *day)))


def xlpy(*args) -> list[str]:
    """The command line of `python -m xlpy ARGS`, on TODAY unless the arguments name a day."""
    return [sys.executable, "-m", "xlpy", *arguments(*args)]


def environ(**extra) -> dict:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", **extra}


def run(*args, timeout: float = 600, **extra_env) -> subprocess.CompletedProcess:
    return subprocess.run(xlpy(*args), capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          env=environ(**extra_env))


def run_here(*args) -> subprocess.CompletedProcess:
    """`xlpy ARGS` as `run` gives it, called in this process (`xlpy.cli.main`): for the tests whose
    point is not the separate process (a new Python costs a second or more)."""
    from xlpy.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(arguments(*args))
        except SystemExit as e:  # argparse refusing the arguments
            code = e.code
    return subprocess.CompletedProcess(arguments(*args), code, out.getvalue(), err.getvalue())


def set_option(office: Path, key: str, value) -> None:
    """Change one setting of the office's xlpy.toml (the key must be there, as `init` writes it)."""
    toml = Path(office) / config.CONFIG_NAME
    lines = toml.read_text(encoding="utf-8").splitlines()
    text = repr(value).lower() if isinstance(value, bool) else repr(value)
    out = [f"{key} = {text}" if ln.split("=")[0].strip() == key else ln for ln in lines]
    assert out != lines or f"{key} = {text}" in lines, f"{key} not in {toml}"
    toml.write_text("\n".join(out) + "\n", encoding="utf-8")


# A parent that runs one command and reports its peak memory: `getrusage(RUSAGE_CHILDREN)`
# then covers that command alone, whatever else this process has run before.
_MEASURE = ("import json, resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
            "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
            "open(sys.argv[1], 'w').write(json.dumps([code, rss * (1 if sys.platform == 'darwin' else 1024)]))")


def run_measured(*args, scratch: Path, timeout: float = 600) -> tuple[subprocess.CompletedProcess, float]:
    """`xlpy ARGS` as a real process: (its result, its peak resident memory in MB). POSIX only."""
    out = Path(scratch) / "rusage.json"
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(out), *xlpy(*args)], capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, env=environ())
    code, rss = json.loads(out.read_text())
    done.returncode = code
    return done, rss / 2**20
