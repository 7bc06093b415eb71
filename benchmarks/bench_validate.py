"""How long xlpy takes to validate a folder of daily reports, against pandas merely reading them.

Builds a 200-report demo folder in a temporary directory, then times, best of 3 each:
(a) pandas.read_excel(f, sheet_name=None, header=None, engine="openpyxl") on every file;
(b) xlpy.validate.run on the folder (reading, every rule, the reference workbook).
Target: (b) at least 5x faster than (a).

    python benchmarks/bench_validate.py [--reports 200] [--repeat 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
import time
from pathlib import Path

import pandas as pd

from xlpy.app import validate
from xlpy.app.demo import build_demo
from xlpy.app.demo_data import REPS
from xlpy.contract import config
from xlpy.core.rules import Context
from xlpy.io.reference import read_reference


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        active = sum(active == "是" for _, _, active, *_ in REPS)
        office = build_demo(Path(tmp) / "office", dt.date(2026, 11, 27), days=max(15, math.ceil(args.reports / active)))
        for extra in office.files[args.reports:]:
            extra.unlink()
        files = office.files[:args.reports]
        settings = config.load(office.dir)
        ctx = Context(reference=read_reference(settings.path("reference"), settings), settings=settings, today=office.today)

        def pandas_read():
            for f in files:
                pd.read_excel(f, sheet_name=None, header=None, engine="openpyxl")

        def xlpy_validate():
            results, _ = validate.run([settings.path("inbox")], ctx)
            assert len(results) == len(files)

        t_pandas = best_of(args.repeat, pandas_read)
        t_xlpy = best_of(args.repeat, xlpy_validate)
    print(f"{len(files)} reports, best of {args.repeat}")
    print(f"  pandas.read_excel (openpyxl), read only: {t_pandas:7.2f} s  ({t_pandas / len(files) * 1000:.1f} ms/file)")
    print(f"  xlpy validate.run, every rule:          {t_xlpy:7.2f} s  ({t_xlpy / len(files) * 1000:.1f} ms/file)")
    print(f"  ratio: xlpy is {t_pandas / t_xlpy:.1f}x faster (target >= 5x)")


if __name__ == "__main__":
    main()
