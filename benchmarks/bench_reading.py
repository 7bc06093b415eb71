"""What reading one daily report costs, step by step, against calamine's own parse (the floor).

On the Superstore orders as daily reports (needs ../shared; --limit N for the first N), every
file's bytes held in memory, best of --repeat, interleaved, CPU time of this process:
- calamine: python-calamine parsing every sheet to Python values (the floor);
- sniff: `sniff.inspect_zip`, the checks before any parser sees a file (zip bomb, XML
  entities, a sheet's extent, error cells);
- title: `reader.read_title`, what ordering a batch of more than 5,000 files reads first;
- report: `reader.read_report` file by file, the whole read (sniff, parse, table, every value
  parsed), each file handed to the time-limit thread and waited for on its own;
- reports: `reader.read_reports`, the same files handed to that thread at once;
- unlimited: the same without the time-limit thread (every parse called directly): what the
  thread costs;
- 1 worker, 2 workers: the batch read through `xlpy.io.reading` (as validate and consolidate read
  it), in this process and in a pool of two spawned processes, starting and stopping the pool
  included; wall clock, and CPU time of this process and its workers.

    python benchmarks/bench_reading.py [--limit N] [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from floor import best, timed
from python_calamine import CalamineWorkbook

from xlpy.contract.config import Settings
from xlpy.io import reader, reading, sniff

TODAY = dt.date(2026, 11, 27)  # as bench_consolidate (not imported here: a spawned worker imports this script)


def direct(seconds: float, calls: list) -> list[tuple[bool, object]]:
    """reader._each_within without its thread: each call made here, no time limit."""
    out = []
    for prepare, call in calls:
        try:
            out.append((True, call(prepare())))
        except Exception as e:  # noqa: BLE001 - as the thread hands it back
            out.append((False, e))
    return out


def unlimited(files: list[Path], settings: Settings) -> None:
    """The batch read with every parse called here, not handed to the time-limit thread."""
    each, reader._each_within = reader._each_within, direct
    try:
        reader.read_reports(files, settings, today=TODAY)
    finally:
        reader._each_within = each


def pooled(files: list[Path], settings: Settings, workers: int) -> None:
    with reading.Reading(replace(settings, workers=workers), {}, TODAY, len(files)) as read:
        read.reports(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from bench_consolidate import (
        XLS,  # here: a worker spawned by the pool imports this script, and needs none of it
    )

    from xlpy.io.samples import write_superstore_office
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
                 "sniff": lambda: [sniff.inspect_zip(d, settings) for d in data],
                 "title": lambda: [reader.read_title(f, settings, today=TODAY) for f in files],
                 "report": lambda: [reader.read_report(f, settings, today=TODAY) for f in files],
                 "reports": lambda: reader.read_reports(files, settings, today=TODAY),
                 "unlimited": lambda: unlimited(files, settings)}
        if not hasattr(reader, "read_title"):  # an older xlpy, for a before/after
            del steps["title"]
        batch = {f"{n} worker{'s' * (n > 1)}": (lambda n=n: pooled(files, settings, n)) for n in (1, 2)}
        runs = {name: [] for name in [*steps, *batch]}
        for _ in range(args.repeat):
            for name, step in steps.items():
                runs[name].append(timed(step))
            for name, step in batch.items():
                runs[name].append(timed(step))
    floor = best(runs["calamine"]).cpu
    print(f"{len(files)} reports, best of {args.repeat}, CPU time (wall clock); load average {os.getloadavg()[0]:.1f}")
    for name, timings in runs.items():
        cpu, wall = best(timings).cpu, best(timings).wall
        print(f"  {name:<10} {cpu:6.2f} s ({wall:5.2f} s)  {cpu / len(files) * 1000:5.2f} ms a file  "
              f"{cpu / floor:4.1f}x calamine's parse")


if __name__ == "__main__":
    main()
