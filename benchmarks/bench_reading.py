"""What reading one daily report costs, step by step, against calamine's own parse (the floor).

On the Superstore orders as daily reports (needs ../shared; --limit N for the first N), every
file's bytes held in memory, best of --repeat, interleaved, CPU time of this process:
- calamine: python-calamine parsing every sheet to Python values (the floor);
- sniff: `reader._inspect_zip`, the checks before any parser sees a file (zip bomb, XML
  entities, a sheet's extent, error cells);
- title: `reader.read_title`, what ordering a batch of more than 5,000 files reads first;
- report: `reader.read_report`, the whole read (sniff, parse, table, every value parsed).

    python benchmarks/bench_reading.py [--limit N] [--repeat 5]
"""
from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from bench_consolidate import TODAY, XLS
from floor import best, timed
from python_calamine import CalamineWorkbook

from xlpy.contract.config import Settings
from xlpy.io import reader
from xlpy.io.samples import write_superstore_office


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        write_superstore_office(XLS, Path(tmp), args.limit)
        files = sorted((Path(tmp) / "inbox").glob("*.xlsx"))
        data = [f.read_bytes() for f in files]

        def calamine():
            for d in data:
                book = CalamineWorkbook.from_filelike(io.BytesIO(d))
                for name in book.sheet_names:
                    book.get_sheet_by_name(name).to_python()

        steps = {"calamine": calamine,
                 "sniff": lambda: [reader._inspect_zip(d, settings) for d in data],
                 "title": lambda: [reader.read_title(f, settings, today=TODAY) for f in files],
                 "report": lambda: [reader.read_report(f, settings, today=TODAY) for f in files]}
        if not hasattr(reader, "read_title"):  # an older xlpy, for a before/after
            del steps["title"]
        runs = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, step in steps.items():
                runs[name].append(timed(step))
    floor = best(runs["calamine"]).cpu
    print(f"{len(files)} reports, best of {args.repeat}, CPU time")
    for name, timings in runs.items():
        cpu = best(timings).cpu
        print(f"  {name:<9} {cpu:6.2f} s  {cpu / len(files) * 1000:5.2f} ms a file  {cpu / floor:4.1f}x calamine's parse")


if __name__ == "__main__":
    main()
