"""Consolidation benchmarks, each a ratio against a baseline measured in the same run.

1. full:    the Superstore orders as ~3,000 daily reports (needs ../shared), xlpy consolidate
            against the naive script an office would write (pandas.read_excel with openpyxl per
            file, concat, to_excel).                                   target: >= 10x faster
2. nightly: one day of 50 reports consolidated on top of one month of history, and on top of
            three years of history (~125,000 rows), the read cache warm, best of 3 each.
                                                                       target: ratio <= 1.3
3. memory:  peak memory of a three-year rebuild (~130,000 rows from 37,500 reports, in a
            subprocess), and of the same rebuild writing the monthly masters only (no summary
            workbook), to tell the two apart.                          target: < 600 MB
            Off by default (it writes ~37,000 files): --memory.

    python benchmarks/bench_consolidate.py [--skip-full] [--memory]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import xlsxwriter

from xlpy.app import consolidate
from xlpy.contract import config
from xlpy.core import ledger as L
from xlpy.io import store
from xlpy.io.samples import write_superstore_office

XLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "superstore" / "Sample - Superstore.xls"
REGIONS = ("华东", "华南", "华北", "西南", "东北")
REPS = [(f"代表{i:02d}", REGIONS[i % len(REGIONS)]) for i in range(50)]
PRODUCTS = [(f"产品{i}", 1000.0 + 500 * i) for i in range(10)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---------------------------------------------------------------- 1. full


def naive(inbox: Path, out: Path) -> None:
    frames = [pd.read_excel(f, engine="openpyxl") for f in sorted(inbox.glob("*.xlsx"))]
    pd.concat(frames, ignore_index=True).to_excel(out, index=False)


def bench_full(tmp: Path) -> None:
    office = tmp / "superstore"
    n = write_superstore_office(XLS, office)
    t_xlpy = timed(lambda: consolidate.run_consolidation(config.load(office)))
    t_naive = timed(lambda: naive(office / "inbox", tmp / "naive.xlsx"))
    print(f"full: {n} reports; naive {t_naive:.1f} s, xlpy {t_xlpy:.1f} s: xlpy is {t_naive / t_xlpy:.1f}x faster"
          " (target >= 10x)")


# ---------------------------------------------------------------- 2. nightly


def office_with_history(root: Path, months: int, end: dt.date, rows_per_month: int = 3_470) -> Path:
    """An office whose masters already hold ``months`` of synthetic history before ``end``."""
    root.mkdir(parents=True)
    (root / config.CONFIG_NAME).write_text(config.DEFAULT_TOML, encoding="utf-8")
    (root / "inbox").mkdir()
    write_reference(root / "reference.xlsx")
    (root / "master").mkdir()
    rng = random.Random(months)
    first = (pd.Timestamp(end) - pd.DateOffset(months=months)).replace(day=1)
    for m in range(months):
        month = first + pd.DateOffset(months=m)
        days = pd.bdate_range(month, month + pd.offsets.MonthEnd(0))
        paid = 1.0 if m < months - 2 else 0.3  # contracts older than two months are paid up
        rows = [_row(rng, days[rng.randrange(len(days))], f"H{m:03d}-{i:05d}", paid) for i in range(rows_per_month)]
        log = [{"source": r["source"], "fingerprint": r["fingerprint"], "status": "accepted", "rows_read": 1,
                "accepted": 1} for r in rows]
        part = store.Partition(month.strftime("%Y-%m"), ledger=L.frame(rows, L.LEDGER), imports=L.frame(log, L.IMPORTS))
        store.write_partition(root / "master" / f"{part.name}.xlsx", part)
    return root


def _row(rng: random.Random, day, key: str, paid: float) -> dict:
    rep, region = rng.choice(REPS)
    product, price = rng.choice(PRODUCTS)
    qty = rng.randint(1, 5)
    return {"date": day, "report_date": day, "rep": rep, "region": region, "customer": f"客户{rng.randrange(900)}",
            "product": product, "deal_type": "签约", "deal": "contract", "qty": qty, "unit_price": price,
            "amount": qty * price, "received": qty * price * paid, "contract_no": key, "source": f"{key}.xlsx",
            "sheet": "日报", "row": 6, "fingerprint": key, "imported_at": day}


def write_reference(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheets = {"销售代表": (["姓名", "区域", "在职"], [[r, g, "是"] for r, g in REPS]),
              "产品价目": (["产品", "标准价", "期初库存"], [[p, price, 10**9] for p, price in PRODUCTS]),
              "销售目标": (["期间", "区域", "目标金额"], []), "收件人": (["姓名", "邮箱"], [])}
    for name, (header, rows) in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate([header, *rows]):
            ws.write_row(r, 0, row)
    book.close()


def write_day(inbox: Path, day: dt.date, reports: int = 50, seed: int = 0) -> None:
    """One day of daily reports, one per rep, about three rows each."""
    rng = random.Random(seed)
    for rep, region in REPS[:reports]:
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


def bench_nightly(tmp: Path, trials: int = 3) -> None:
    day = dt.date(2026, 11, 27)
    times = {}
    yesterday = day - dt.timedelta(days=1)
    for label, months in (("one month", 1), ("three years", 36)):
        office = office_with_history(tmp / f"h{months}", months, day)
        write_day(office / "inbox", yesterday)  # last night's run: the history as it is every night
        consolidate.run_consolidation(config.load(office), now=pd.Timestamp(yesterday))
        write_day(office / "inbox", day, seed=1)
        times[label] = min(_tonight(office, tmp / f"h{months}-{trial}", day) for trial in range(trials))
    ratio = times["three years"] / times["one month"]
    print(f"nightly: 50 reports on one month of history {times['one month']:.2f} s, on three years "
          f"{times['three years']:.2f} s (best of {trials}): ratio {ratio:.2f} (target <= 1.3)")


def _tonight(office: Path, trial: Path, day: dt.date) -> float:
    """Tonight's consolidation timed on a copy of ``office``, its read cache warm as every night."""
    shutil.copytree(office, trial)
    store.read_partitions(trial / "master")
    return timed(lambda: consolidate.run_consolidation(config.load(trial), now=pd.Timestamp(day)))


# ---------------------------------------------------------------- 3. memory


def bench_memory(tmp: Path) -> None:
    office = office_with_history(tmp / "rebuild", 0, dt.date(2026, 11, 27))
    for day in pd.bdate_range("2023-12-01", "2026-11-27")[:750]:
        write_day(office / "inbox", day.date(), seed=day.toordinal())
    masters_only = tmp / "masters-only"
    shutil.copytree(office, masters_only)
    rows, peak = _rebuild_peak(office, summary=True)
    _, masters = _rebuild_peak(masters_only, summary=False)
    print(f"memory: three-year rebuild of {rows} rows: peak {peak:.0f} MB (target < 600 MB); "
          f"the monthly masters alone, without the summary workbook: {masters:.0f} MB")


def _rebuild_peak(office: Path, summary: bool) -> tuple[str, float]:
    """Rows accepted and peak memory (MB) of a consolidation in a fresh process. Its own high-water
    mark (VmHWM): Linux carries a parent's peak into a child's ru_maxrss across fork and exec."""
    code = ("import re; from pathlib import Path; from xlpy import config, consolidate;"
            f"o = consolidate.run_consolidation(config.load({str(office)!r}), summary={summary});"
            "print(o.totals['accepted'], re.search(r'VmHWM:\\s*(\\d+)', Path('/proc/self/status').read_text())[1])")
    rows, peak_kb = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True).stdout.split()
    return rows, int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-full", action="store_true", help="skip the Superstore comparison")
    parser.add_argument("--memory", action="store_true", help="also run the three-year rebuild (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_full and XLS.exists():
            bench_full(Path(tmp))
        bench_nightly(Path(tmp))
        if args.memory:
            bench_memory(Path(tmp))
    print(f"(peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
