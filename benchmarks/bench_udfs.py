"""How fast the XLPY_ worksheet functions answer once the record is loaded.

Builds and consolidates the demo office in a temporary directory (with --years N, N years of
history before its month: the masters of the three-year consolidation benchmark, 3,470 contracts a
month signed by the demo's reps for its products), then times, best of --repeat:
- the first call with the read cache cold (reading every master workbook and the reference);
- the first call with the read cache warm, as after a consolidation (what Excel's first
  recalculation of the day meets);
- 1,000 calls after it, a mix of every function with varied arguments, as a sheet of formulas makes;
- the floor of the first call: python-calamine reading every master's cells (see floor.py).
Targets: on three years, the first call (cache warm) < 2 s, the 1,000 calls < 0.5 s.

    python benchmarks/bench_udfs.py [--calls 1000] [--years 3] [--repeat 3] [--office DIR]

--office DIR keeps the built office in DIR and uses it as it is when DIR exists, so that the code
before and after a change can be timed in turns on the same office (run the script with each
version's PYTHONPATH).
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import tempfile
from pathlib import Path

from bench_consolidate import write_history
from floor import best, floor_read, timed

from xlpy.app.consolidate import run_consolidation
from xlpy.app.demo import build_demo
from xlpy.app.demo_data import PRODUCTS, REPS
from xlpy.contract import config
from xlpy.excel import recalc, udfs
from xlpy.excel.buttons import context
from xlpy.excel.udfs import (
    XLPY_ATTAINMENT,
    XLPY_OUTSTANDING,
    XLPY_RANK,
    XLPY_SALES,
    XLPY_STATS,
)
from xlpy.io import store

TODAY = dt.date(2026, 11, 27)


def calls(reps: list[str], regions: list[str], contracts: list[str]):
    """Endless varied calls (function, arguments): every metric by region, and by rep over a
    range of days, targets, ranks, receivables, a spilled table."""
    days = [f"2026-11-{d:02d}" for d in range(1, 28)]
    for i in itertools.count():
        rep, region, metric = reps[i % len(reps)], regions[i % len(regions)], udfs.stats.METRICS[i % 10]
        yield [
            (XLPY_SALES, (metric, region)),
            (XLPY_SALES, (metric, None, rep, None, days[i % 27], "2026-11-27")),
            (XLPY_ATTAINMENT, (rep, "2026-11")),
            (XLPY_RANK, (rep, "2026-Q4")),
            (XLPY_OUTSTANDING, (contracts[i % len(contracts)],)),
            (XLPY_STATS, ("region", "2026-11")),
        ][i % 6]


def office_with_history(folder: Path, years: int) -> config.Settings:
    """The demo office in ``folder`` with ``years`` of history, consolidated (built unless it is there)."""
    if folder.is_dir():
        return config.load(folder)
    office = build_demo(folder, today=TODAY)
    settings = config.load(office.dir)
    if years:
        write_history(settings.path("master"), 12 * years - 1, TODAY, [r[:2] for r in REPS],
                      [(p[0], p[2]) for p in PRODUCTS])
    run_consolidation(settings, ctx=context(settings, TODAY))
    return settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--years", type=int, default=0, help="years of history before the demo month")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--office", type=Path, help="keep the office here; use it as it is if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.office or Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(root / "cache")  # this run's own read cache
        settings = office_with_history(root / "office", args.years)
        os.environ[udfs.ENV] = str(settings.path("master").parent)
        masters = sorted(store.partition_files(settings.path("master")).values())

        def first_call():
            recalc._records.clear()  # as in a fresh Excel session
            return XLPY_SALES("net_amount", "华东")

        cold, warm, floors = [], [], []
        for _ in range(args.repeat):
            shutil.rmtree(store.cache_dir(), ignore_errors=True)
            cold.append(timed(first_call))
            warm.append(timed(first_call))
            floors.append(timed(lambda: floor_read(masters)))
        first = first_call()
        rec = udfs.record(udfs.office_for(None))
        contracts = sorted(rec.ledger["contract_no"].dropna().unique())
        regions = sorted(rec.reference.reps["region"].unique())
        reps = [name for name, _, active, *_ in REPS if active == "是"]  # the demo's active reps, as build_demo lists them
        batch = list(itertools.islice(calls(reps, regions, contracts), args.calls))
        results, after = [], []
        for _ in range(args.repeat):
            first_call()
            after.append(timed(lambda: results.extend(function(*arguments) for function, arguments in batch)))
    cold, warm, floor, cached = best(cold), best(warm), best(floors), best(after)
    errors = sum(isinstance(r, str) for r in results)
    print(f"demo office + {args.years} years: {len(rec.ledger):,} ledger rows in {len(masters)} masters; "
          f"first call {first:,.0f}; best of {args.repeat}")
    print(f"  first call, read cache cold:  {cold.seconds()}; floor (calamine reads the masters) {floor.seconds()}:"
          f" {(cold / floor).ratio()} the floor")
    print(f"  first call, read cache warm:  {warm.seconds()} (target < 2 s)")
    print(f"  {args.calls} calls after it:        {cached.seconds()}  "
          f"({cached.wall / args.calls * 1e6:.0f} µs a call; target < 0.5 s)")
    print(f"  ratio, one call to the first (warm): 1 : {warm.wall / (cached.wall / args.calls):.0f}")
    print(f"  calls answered with #XLPY! text: {errors}")


if __name__ == "__main__":
    main()
