"""Consolidation benchmarks. Each xlpy figure is set beside two measured in the same run: the naive
script an office would write, and the floor (see floor.py: calamine reading the same files,
xlsxwriter writing the same output cells unformatted). Best of --repeat runs, wall and CPU time.

1. full:    the Superstore orders as 2,956 daily reports (needs ../shared), a fresh office each
            run: xlpy consolidate against the naive script (pandas.read_excel with openpyxl per
            file, header=None, concat, to_excel) and against the floor.
                                              targets: >= 3x the naive script, <= 1.3x the floor
2. nightly: one day of 50 reports consolidated on top of one month of history, and on top of
            three years of history (~125,000 rows), the read cache warm; each against its floor
            (tonight's 50 reports read, the files the night wrote written). The issue's measure:
            three years whose last two months are owed (总表 lists twice the one month's open
            receivables, so the floor grows too); beside it, three years owing only the last month,
            as the one-month office does: the history's own cost.
                                                                 target: three years / one month <= 1.3
2b. superstore night: the Superstore inbox's last ten days consolidated on top of the four years
            before them, and on top of the month before them alone (needs ../shared); each against
            its floor.                                          target: four years / one month <= 1.3
3. memory:  peak memory (and CPU time) of a rebuild in a subprocess, no master yet: three years
            (~130,000 rows from 37,500 reports) and one year (12,500 reports) of 50 reps; with
            --masters-only also the three years writing the monthly masters only (no 总表).
                          targets: three years < 300 MB, about the same peak for one and three years
            Off by default (it writes ~50,000 files): --memory; --memory-reps N for a smaller office.

    python benchmarks/bench_consolidate.py [--skip-full] [--skip-nightly] [--skip-superstore-night]
                                                [--memory] [--repeat 3] [--limit N] [--months 36]
                                                [--memory-reps 50] [--masters-only]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import xlsxwriter
from floor import best, floor_read, floor_write, output_cells, timed

from xlpy.app import consolidate, history, validate
from xlpy.contract import config
from xlpy.core import ledger as L
from xlpy.io import store
from xlpy.io.reference import read_reference
from xlpy.io.samples import write_superstore_office

try:
    from xlpy.io import fingerprints  # kept between nights (the code before kept none: for the comparison in one run)
except ImportError:
    fingerprints = None

XLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "superstore" / "Sample - Superstore.xls"
if not XLS.exists():  # a worktree beside the others: the shared data is one level further up
    XLS = Path(__file__).resolve().parents[3] / "shared" / "data" / "superstore" / "Sample - Superstore.xls"
TODAY = dt.date(2026, 11, 27)
REGIONS = ("华东", "华南", "华北", "西南", "东北")
REPS = [(f"代表{i:02d}", REGIONS[i % len(REGIONS)]) for i in range(50)]
PRODUCTS = [(f"产品{i}", 1000.0 + 500 * i) for i in range(10)]


# ---------------------------------------------------------------- 1. full


def naive(inbox: Path, out: Path) -> None:
    """What someone who stacks reports writes. header=None: row 1 holds each report's title cell,
    different in every file, so header=0 made concat build ~3,000 columns, and to_excel spent
    minutes writing 30 million empty cells (the old "52x faster" came from that)."""
    frames = [pd.read_excel(f, engine="openpyxl", header=None) for f in sorted(inbox.glob("*.xlsx"))]
    pd.concat(frames, ignore_index=True).to_excel(out, index=False)


def bench_full(tmp: Path, repeat: int, limit: int | None) -> None:
    source = tmp / "superstore"
    n = write_superstore_office(XLS, source, limit)
    files = sorted((source / "inbox").glob("*.xlsx"))
    xlpy, alone, plain, floors = [], [], [], []
    for trial in range(repeat):  # interleaved, so that a busy spell on the machine hits them all
        office, single = tmp / f"superstore-{trial}", tmp / f"superstore-{trial}-1"
        shutil.copytree(source, office)
        shutil.copytree(source, single)
        xlpy.append(timed(lambda: consolidate.run_consolidation(config.load(office), today=TODAY)))
        one_process = replace(config.load(single), workers=1)  # the batch read in this process
        alone.append(timed(lambda: consolidate.run_consolidation(one_process, today=TODAY)))
        shutil.rmtree(single)
        plain.append(timed(lambda: naive(source / "inbox", tmp / "naive.xlsx")))
        outputs = output_cells(office / "master")
        floors.append(timed(lambda: floor_read(files)) + timed(lambda: floor_write(outputs, tmp / f"floor-{trial}")))
        shutil.rmtree(office)
    t_xlpy, t_alone, t_naive, t_floor = best(xlpy), best(alone), best(plain), best(floors)
    rows = sum(len(rows) for sheets in outputs.values() for _, rows in sheets)
    print(f"full: {n} reports, {len(outputs)} workbooks written ({rows:,} rows), best of {repeat}")
    print(f"  naive (read_excel header=None, concat, to_excel): {t_naive.seconds()}")
    print(f"  xlpy consolidate (workers: one per core):         {t_xlpy.seconds()}")
    print(f"  xlpy consolidate (workers = 1: one process):      {t_alone.seconds()}")
    print(f"  floor (calamine read + xlsxwriter write):         {t_floor.seconds()}")
    for name, t in (("xlpy", t_xlpy), ("xlpy in one process", t_alone)):
        print(f"  {name} is {(t_naive / t).ratio()} faster than naive (target >= 3x); "
              f"{(t / t_floor).ratio()} the floor (target <= 1.3x)")


# ---------------------------------------------------------------- 2. nightly


def office_with_history(root: Path, months: int, end: dt.date, rows_per_month: int = 3_470, owed: int = 2) -> Path:
    """An office whose masters already hold ``months`` of synthetic history before ``end``."""
    root.mkdir(parents=True)
    (root / config.CONFIG_NAME).write_text(config.DEFAULT_TOML, encoding="utf-8")
    (root / "inbox").mkdir()
    write_reference(root / "reference.xlsx")
    write_history(root / "master", months, end, REPS, PRODUCTS, rows_per_month, owed)
    return root


def write_history(master: Path, months: int, end: dt.date, reps, products, rows_per_month: int = 3_470,
                  owed: int = 2) -> None:
    """``months`` monthly masters before ``end``'s month, ``rows_per_month`` contracts each, signed by
    ``reps`` ((name, region) …) for ``products`` ((name, price) …); all paid but the last ``owed``
    months' (30 % paid)."""
    master.mkdir(exist_ok=True)
    rng = random.Random(months)
    first = (pd.Timestamp(end) - pd.DateOffset(months=months)).replace(day=1)
    for m in range(months):
        month = first + pd.DateOffset(months=m)
        days = pd.bdate_range(month, month + pd.offsets.MonthEnd(0))
        paid = 1.0 if m < months - owed else 0.3  # older contracts are paid up
        rows = [_row(rng, days[rng.randrange(len(days))], f"H{m:03d}-{i:05d}", paid, reps, products)
                for i in range(rows_per_month)]
        log = [{"source": r["source"], "fingerprint": r["fingerprint"], "status": "accepted", "rows_read": 1,
                "accepted": 1} for r in rows]
        part = store.Partition(month.strftime("%Y-%m"), ledger=L.frame(rows, L.LEDGER), imports=L.frame(log, L.IMPORTS))
        store.write_partition(master / f"{part.name}.xlsx", part)


def _row(rng: random.Random, day, key: str, paid: float, reps, products) -> dict:
    rep, region = rng.choice(reps)
    product, price = rng.choice(products)
    qty = rng.randint(1, 5)
    return {"date": day, "report_date": day, "rep": rep, "region": region, "customer": f"客户{rng.randrange(900)}",
            "product": product, "deal_type": "签约", "deal": "contract", "qty": qty, "unit_price": price,
            "amount": qty * price, "received": qty * price * paid, "contract_no": key, "source": f"{key}.xlsx",
            "sheet": "日报", "row": 6, "fingerprint": key, "imported_at": day}


def reps(n: int) -> list[tuple[str, str]]:
    """``n`` reps (name, region) over the five regions; the first 50 are REPS."""
    return REPS[:n] + [(f"代表{i:04d}", REGIONS[i % len(REGIONS)]) for i in range(len(REPS), n)]


def write_reference(path: Path, staff: list[tuple[str, str]] = REPS) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheets = {"销售代表": (["姓名", "区域", "在职"], [[r, g, "是"] for r, g in staff]),
              "产品价目": (["产品", "标准价", "期初库存"], [[p, price, 10**9] for p, price in PRODUCTS]),
              "销售目标": (["期间", "区域", "目标金额"], []), "收件人": (["姓名", "邮箱"], [])}
    for name, (header, rows) in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate([header, *rows]):
            ws.write_row(r, 0, row)
    book.close()


def write_day(inbox: Path, day: dt.date, reports: int = 50, seed: int = 0, staff: list[tuple[str, str]] = REPS) -> None:
    """One day of daily reports, one per rep of ``staff``, about three rows each."""
    rng = random.Random(seed)
    for rep, region in staff[:reports]:
        book = xlsxwriter.Workbook(str(inbox / f"{rep}_{day:%Y-%m-%d}.xlsx"))
        ws = book.add_worksheet("日报")
        ws.write_row(0, 0, ["报表日期", day.isoformat(), "销售代表", rep, "区域", region])
        ws.write_row(1, 0, ["来访量", rng.randint(0, 9), "来电量", rng.randint(0, 20)])
        ws.write_row(3, 0, ["客户名称", "产品", "业务类型", "数量", "单价", "金额", "收款金额", "合同编号"])
        for i in range(rng.randint(2, 5)):
            product, price = rng.choice(PRODUCTS)
            qty = rng.randint(1, 5)
            ws.write_row(4 + i, 0, [f"客户{rng.randrange(900)}", product, "签约", qty, price, qty * price,
                                    qty * price * 0.3, f"N-{day:%Y%m%d}-{rep}-{i}"])
        book.close()


def bench_nightly(tmp: Path, repeat: int, months_long: int = 36) -> dict:
    """Tonight's 50 reports on one month and on ``months_long`` months of history; returns the timings.
    Two measures: the issue's (the history's last two months owed, so its 总表 lists twice the open
    receivables of the one-month office: the floor grows too), and the same open receivables (only
    the last month owed in both; the one-month office is the same office in both measures, run once),
    where what grows is the history's own cost."""
    day = TODAY
    offices = {"one month": (1, 2), f"{months_long} months, last two owed (the issue's)": (months_long, 2),
               f"{months_long} months, last one owed (the same open receivables)": (months_long, 1)}
    figures = {}
    for label, (months, owed) in offices.items():
        figures[label] = _nightly(tmp / f"h{months}-{owed}", months, owed, day, repeat)
    (short, short_floor), issue, same = figures.values()
    print(f"nightly: 50 reports, best of {repeat}; naive: none (the naive script restacks everything)")
    for label, (t, f) in figures.items():
        print(f"  history of {label}: {t.seconds()}; floor {f.seconds()}: {(t / f).ratio()} the floor")
    print(f"  {months_long} months / one month, the issue's measure: {(issue[0] / short).ratio()} (target <= 1.3; "
          f"floors {(issue[1] / short_floor).ratio()})")
    print(f"  {months_long} months / one month, the same open receivables: {(same[0] / short).ratio()} "
          f"(floors {(same[1] / short_floor).ratio()}): the history's own cost")
    return figures


def _nightly(office: Path, months: int, owed: int, day: dt.date, repeat: int) -> tuple:
    """(best night, best floor) of tonight's 50 reports on an office of ``months`` of history."""
    office = office_with_history(office, months, day, owed=owed)
    yesterday = day - dt.timedelta(days=1)
    write_day(office / "inbox", yesterday)  # last night's run: the history as it is every night
    consolidate.run_consolidation(config.load(office), now=pd.Timestamp(yesterday))
    write_day(office / "inbox", day, seed=1)
    tonight = sorted((office / "inbox").glob(f"*_{day:%Y-%m-%d}.xlsx"))
    runs, floors = [], []
    for trial in range(repeat):
        copy = office.with_name(f"{office.name}-{trial}")
        runs.append(_tonight(office, copy, day))
        outputs = {name: cells for name, cells in output_cells(copy / "master").items()
                   if name in set(_written[copy])}
        floors.append(timed(lambda: floor_read(tonight)) + timed(lambda: floor_write(outputs, copy / "floor")))
        shutil.rmtree(copy)
    return best(runs), best(floors)


_written: dict[Path, list[str]] = {}


def _tonight(office: Path, trial: Path, day: dt.date, now: pd.Timestamp | None = None, new: set[str] = frozenset()):
    """Tonight's consolidation timed on a copy of ``office``, its read cache warm as every night
    (each month's tables, its contract balances — the closed months' on disk, where the code keeps
    them, and their logs — its figures, and the fingerprints of the inbox's files but tonight's
    ``new`` ones, which the nights before kept)."""
    shutil.copytree(office, trial)
    master, settings = trial / "master", config.load(trial)
    if fingerprints is not None:  # the copy's files have new stamps
        inbox = settings.path("inbox")
        fingerprints.of_inbox([p for p in validate.collect([inbox]) if p.name not in new], inbox)
    parts = store.read_partitions(master)
    consolidate._balances(master, parts, set())
    if hasattr(consolidate, "closed_logs"):  # this code: the closed months' logs, on disk
        consolidate.closed_logs.Logbook(parts, master)
    reference = read_reference(settings.path("reference"), settings)
    if hasattr(history, "summary_inputs"):  # this code: the figures and what each month holds, and the
        history.summary_inputs(parts, master, reference, day, None)[0].tables()  # earlier years' counts
    else:  # the code before the lazy night (for the comparison in one run)
        history.inputs(parts, master, store.concat(parts, "ledger"), store.concat(parts, "activity"),
                       reference, day, None)

    def night():
        _written[trial] = consolidate.run_consolidation(config.load(trial), now=now or pd.Timestamp(day)).written
    return timed(night)


# ---------------------------------------------------------------- 2b. the Superstore inbox's last ten days


def bench_superstore_night(tmp: Path, repeat: int, days: int = 10) -> dict:
    """The Superstore reports of the last ``days`` days consolidated as tonight's batch on top of the
    rest (about four years, consolidated beforehand) and on top of the month before them alone; the
    reports of the history stay in the inbox (archive is off by default), as in such an office."""
    source = tmp / "superstore-source"
    write_superstore_office(XLS, source)
    dated = {p: dt.date.fromisoformat(p.stem.split("_")[1]) for p in (source / "inbox").glob("*.xlsx")}
    last = max(dated.values())
    first = last - dt.timedelta(days=days - 1)
    tonight = sorted(p for p, d in dated.items() if d >= first)
    figures = {}
    for label, since in (("one month", first - dt.timedelta(days=30)), ("four years", dt.date.min)):
        office = tmp / f"superstore-{label.replace(' ', '-')}"
        shutil.copytree(source, office, ignore=shutil.ignore_patterns("inbox"))
        (office / "inbox").mkdir()
        for p, d in dated.items():
            if since <= d < first:
                shutil.copy2(p, office / "inbox" / p.name)
        kept = len(list((office / "inbox").glob("*.xlsx")))
        consolidate.run_consolidation(config.load(office), now=pd.Timestamp(first))  # the history, once
        for p in tonight:
            shutil.copy2(p, office / "inbox" / p.name)
        runs, floors = [], []
        for trial in range(repeat):
            copy = tmp / f"{office.name}-{trial}"
            runs.append(_tonight(office, copy, last, pd.Timestamp(last) + pd.Timedelta(hours=20),
                                 {p.name for p in tonight}))
            outputs = {name: cells for name, cells in output_cells(copy / "master").items()
                       if name in set(_written[copy])}
            floors.append(timed(lambda: floor_read(tonight)) + timed(lambda: floor_write(outputs, copy / "floor")))
            shutil.rmtree(copy)
        figures[label] = (best(runs), best(floors), kept)
    (short, _, _), (long, _, _) = figures.values()
    print(f"superstore night: the last {days} days' {len(tonight)} reports ({first}..{last}), best of {repeat}")
    for label, (t, f, kept) in figures.items():
        print(f"  on {label} of history ({kept} reports): {t.seconds()}; floor {f.seconds()}: {(t / f).ratio()} the floor")
    print(f"  four years / one month: {(long / short).ratio()} (target <= 1.3)")
    return figures


# ---------------------------------------------------------------- 3. memory


def bench_memory(tmp: Path, staff: int = len(REPS), masters_only: bool = False) -> None:
    """A rebuild of three years and of one year (the same office's reports, every business day)."""
    days = pd.bdate_range("2023-12-01", TODAY)
    spans = {"three-year": days[:750], "one-year": days[days >= "2025-12-01"][:250]}
    offices = {}
    for label, span in spans.items():
        offices[label] = office_with_history(tmp / f"rebuild-{label}", 0, TODAY)
        for day in span:
            write_day(offices[label] / "inbox", day.date(), staff, seed=day.toordinal(), staff=REPS[:staff])
    if masters_only:
        offices["masters only (three-year, no 总表)"] = tmp / "masters-only"
        shutil.copytree(offices["three-year"], tmp / "masters-only")
    print(f"memory: rebuilds of {staff} reps, no master yet, each in a fresh process (target < 300 MB, "
          "about the same for one and three years)")
    for label, office in offices.items():
        got = _rebuild(office, summary="masters only" not in label)
        print(f"  {label}: {got['reports']} reports, {got['accepted']} rows: peak {got['peak_mb']:.0f} MB, "
              f"CPU {got['cpu']:.1f} s (wall {got['wall']:.1f} s)")


# A consolidation in a fresh process: its own high-water mark (VmHWM: Linux carries a parent's peak
# into a child's ru_maxrss across fork and exec) and CPU time, the workers reading the batch included.
_CHILD = """
import json, os, re, sys, time, datetime as dt
from pathlib import Path
from xlpy.app import consolidate
from xlpy.contract import config
office, summary, day = Path(sys.argv[1]), sys.argv[2] == "1", dt.date.fromisoformat(sys.argv[3])
cpu_time = lambda: sum(os.times()[:4])
wall, cpu = time.perf_counter(), cpu_time()
out = consolidate.run_consolidation(config.load(office), summary=summary, today=day)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu_time() - cpu, "accepted": out.totals["accepted"],
                  "reports": len(out.files),
                  "peak_mb": int(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text())[1]) / 1024}))
"""


def _rebuild(office: Path, summary: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(office), "1" if summary else "0", TODAY.isoformat()],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true", help="skip the Superstore comparison")
    parser.add_argument("--skip-nightly", action="store_true", help="skip the nightly comparison")
    parser.add_argument("--skip-superstore-night", action="store_true",
                        help="skip the Superstore inbox's last ten days on four years (~1 min)")
    parser.add_argument("--memory", action="store_true", help="also run the three-year rebuild (slow)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the best kept")
    parser.add_argument("--limit", type=int, help="only the first N Superstore reports (a quick look)")
    parser.add_argument("--months", type=int, default=36, help="history of the long night")
    parser.add_argument("--memory-reps", type=int, default=len(REPS), help="reps of the rebuilt office (at most 50)")
    parser.add_argument("--masters-only", action="store_true", help="also rebuild three years without 总表")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # this run's own read cache
        if not args.skip_full and XLS.exists():
            bench_full(Path(tmp), args.repeat, args.limit)
        if not args.skip_nightly:
            bench_nightly(Path(tmp), args.repeat, args.months)
        if not args.skip_superstore_night and XLS.exists():
            bench_superstore_night(Path(tmp), args.repeat)
        if args.memory:
            bench_memory(Path(tmp), args.memory_reps, args.masters_only)
    print(f"(peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
