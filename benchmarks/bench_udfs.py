"""How fast the XLPY_ worksheet functions answer once the record is loaded.

Builds and consolidates the demo office in a temporary directory, then times the first call
(reading the masters and the reference, computing the facts), and 1,000 calls after it, a mix
of every function with varied arguments, as a sheet of formulas would make them.
Target: the 1,000 calls in under 1 s.

    python benchmarks/bench_udfs.py [--calls 1000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import tempfile
import time
from pathlib import Path

from xlpy.app.consolidate import run_consolidation
from xlpy.app.demo import build_demo
from xlpy.contract import config
from xlpy.excel import udfs
from xlpy.excel.buttons import context
from xlpy.excel.udfs import (
    XLPY_ATTAINMENT,
    XLPY_OUTSTANDING,
    XLPY_RANK,
    XLPY_SALES,
    XLPY_STATS,
)

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        office = build_demo(Path(tmp) / "office", today=TODAY)
        settings = config.load(office.dir)
        run_consolidation(settings, ctx=context(settings, TODAY))
        os.environ[udfs.ENV] = str(office.dir)

        start = time.perf_counter()
        first = XLPY_SALES("net_amount", "华东")
        uncached = time.perf_counter() - start
        rec = udfs.record(udfs.office_for(None))
        contracts = sorted(rec.ledger["contract_no"].dropna().unique())
        regions = sorted(rec.reference.reps["region"].unique())
        batch = list(itertools.islice(calls(office.reps, regions, contracts), args.calls))

        start = time.perf_counter()
        results = [function(*arguments) for function, arguments in batch]
        cached = time.perf_counter() - start

    errors = sum(isinstance(r, str) for r in results)
    print(f"demo office: {len(rec.ledger)} ledger rows; first call {first:,.0f}")
    print(f"  first call (reads the masters):  {uncached * 1000:8.1f} ms")
    print(f"  {args.calls} calls after it:          {cached * 1000:8.1f} ms  "
          f"({cached / args.calls * 1e6:.0f} µs a call; target < 1 s)")
    print(f"  ratio, one call to the first:    1 : {uncached / (cached / args.calls):.0f}")
    print(f"  calls answered with #XLPY! text: {errors}")


if __name__ == "__main__":
    main()
