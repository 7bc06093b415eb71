"""How long xlpy takes to validate a folder of daily reports, against pandas merely reading them.

Builds a 200-report demo folder in a temporary directory, then times, best of 3 each, interleaved:
(a) pandas.read_excel(f, sheet_name=None, header=None, engine="openpyxl") on every file;
(b) xlpy.validate.run on the folder (reading, every rule, the reference workbook);
(c) the floor: python-calamine reading every sheet of every file (validation writes nothing).
Target: (b) at least 5x faster than (a). Wall and CPU time (see floor.py).

    python benchmarks/bench_validate.py [--reports 200] [--repeat 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
from pathlib import Path

import pandas as pd
from floor import best, floor_read, timed

from xlpy.app import validate
from xlpy.app.demo import build_demo
from xlpy.app.demo_data import REPS
from xlpy.contract import config
from xlpy.core.rules import Context
from xlpy.io.reference import read_reference


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

        runs = [(timed(pandas_read), timed(xlpy_validate), timed(lambda: floor_read(files))) for _ in range(args.repeat)]
        t_pandas, t_xlpy, t_floor = (best(list(column)) for column in zip(*runs))
    print(f"{len(files)} reports, best of {args.repeat}")
    print(f"  pandas.read_excel (openpyxl), read only: {t_pandas.seconds()}")
    print(f"  xlpy validate.run, every rule:          {t_xlpy.seconds()}")
    print(f"  floor, calamine read only:              {t_floor.seconds()}")
    print(f"  xlpy is {(t_pandas / t_xlpy).ratio()} faster than pandas (target >= 5x); {(t_xlpy / t_floor).ratio()} the floor")


if __name__ == "__main__":
    main()
