"""How far one machine goes: a full rebuild and a night for offices of 50, 200, 500 and 2,000 reps
over one and three years, time and peak memory, each run in a fresh process (as cron starts it).

An office of R reps files R reports a business day, about 3.5 rows each (the synthetic reports of
bench_consolidate.py: contracts, 30 % paid on signing). Measured here:
- nights (--nights, reps x years): history written straight into the monthly masters
  (3,470 rows a month per 50 reps, all paid but the last two months'), last night's run done
  (read cache warm), then tonight's R reports consolidated and timed;
- rebuilds (--rebuilds, reps x months): every report of those months in the inbox, no master yet.
The other cells of the table are extrapolated, marked ~, by least squares through the measured
cells: a night's time and peak as a plane in (rows of history, reps); a rebuild's time as a line in
the reports read, its peak likewise, through the measured rebuilds and --known-peak (the peak of
bench_consolidate.py --memory: 37,500 reports, 267 MB on 2026-12-01).

    python benchmarks/bench_scale.py [--nights 50x1 50x3 200x1] [--rebuilds 50x2 200x1]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from bench_consolidate import PRODUCTS, TODAY, reps, write_day, write_history, write_reference

from xlpy.contract import config

ROWS_PER_REP_MONTH = 3_470 / 50
SIZES = (50, 200, 500, 2_000)
# One consolidation in a fresh process: its wall and CPU seconds, rows accepted and own peak (VmHWM).
CHILD = """
import json, os, re, sys, time, datetime as dt
from pathlib import Path
from xlpy.app import consolidate
from xlpy.contract import config
office, day = Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
cpu_time = lambda: sum(os.times()[:4])  # this process and the workers reading a large batch
wall, cpu = time.perf_counter(), cpu_time()
out = consolidate.run_consolidation(config.load(office), today=day)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": cpu_time() - cpu,
                  "accepted": out.totals["accepted"],
                  "peak_mb": int(re.search(r"VmHWM:\\s*(\\d+)", Path("/proc/self/status").read_text())[1]) / 1024}))
"""


def consolidate_in_child(office: Path, day: dt.date) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(office), day.isoformat()], capture_output=True,
                          text=True, check=True, env={**os.environ, "XDG_CACHE_HOME": str(office / "cache")})
    return json.loads(done.stdout.splitlines()[-1])


def new_office(root: Path, staff) -> Path:
    root.mkdir(parents=True)
    (root / config.CONFIG_NAME).write_text(config.DEFAULT_TOML, encoding="utf-8")
    (root / "inbox").mkdir()
    (root / "master").mkdir()
    write_reference(root / "reference.xlsx", staff)
    return root


def night(tmp: Path, n_reps: int, years: int) -> dict:
    staff = reps(n_reps)
    office = new_office(tmp / f"night-{n_reps}x{years}", staff)
    months = 12 * years - 1  # and tonight's month
    write_history(office / "master", months, TODAY, staff, PRODUCTS, round(ROWS_PER_REP_MONTH * n_reps))
    yesterday = TODAY - dt.timedelta(days=1)
    write_day(office / "inbox", yesterday, n_reps, staff=staff)
    consolidate_in_child(office, yesterday)
    write_day(office / "inbox", TODAY, n_reps, seed=1, staff=staff)
    figures = consolidate_in_child(office, TODAY)
    figures["history_rows"] = round(ROWS_PER_REP_MONTH * n_reps) * months
    return figures


def rebuild(tmp: Path, n_reps: int, months: int) -> dict:
    staff = reps(n_reps)
    office = new_office(tmp / f"rebuild-{n_reps}x{months}", staff)
    days = pd.bdate_range(pd.Timestamp(TODAY) - pd.DateOffset(months=months), TODAY)
    for day in days:
        write_day(office / "inbox", day.date(), n_reps, seed=day.toordinal(), staff=staff)
    figures = consolidate_in_child(office, TODAY)
    figures["reports"] = n_reps * len(days)
    return figures


def fit(xs: list[tuple], ys: list[float]):
    """y = a + b·x₁ + c·x₂ … by least squares through the measured points."""
    coef, *_ = np.linalg.lstsq(np.array([(1, *x) for x in xs], dtype=float), np.array(ys, dtype=float), rcond=None)
    return lambda *x: float(coef @ np.array((1, *x), dtype=float))


def pairs(specs: list[str]) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in spec.split("x")) for spec in specs]


def table(nights: dict, rebuilds: dict, known_peaks: dict[int, float]) -> str:
    """The markdown table: measured cells as measured, the others from lines fitted through them.
    A night: time and peak in (history rows, reps); a rebuild: time in reports read, peak in
    reports read through the rebuilds measured and ``known_peaks`` (reports → MB)."""
    history = lambda r, y: round(ROWS_PER_REP_MONTH * r) * (12 * y - 1)  # noqa: E731
    reports = lambda r, y: r * 250 * y  # noqa: E731 - 250 business days a year
    xs = [(f["history_rows"], r) for (r, _), f in nights.items()]
    night = {k: fit(xs, [f[k] for f in nights.values()]) for k in ("wall", "cpu", "peak_mb")}
    rebuilt = {k: fit([(f["reports"],) for f in rebuilds.values()], [f[k] for f in rebuilds.values()])
               for k in ("wall", "cpu")}
    peaks = {f["reports"]: f["peak_mb"] for f in rebuilds.values()} | known_peaks
    rebuilt["peak_mb"] = fit([(n,) for n in peaks], list(peaks.values()))
    lines = ["| reps | years | reports | rows | rebuild: cpu (wall) | rebuild peak | night: cpu (wall) | night peak |",
             "|---|---|---|---|---|---|---|---|"]
    for r in SIZES:
        for y in (1, 3):
            n = reports(r, y)
            m = rebuilds.get((r, 12 * y))
            rebuild_cell = (f"{m['cpu'] / 60:.1f} min ({m['wall'] / 60:.1f}) | {m['peak_mb']:,.0f} MB" if m else
                            f"~{rebuilt['cpu'](n) / 60:,.1f} min (~{rebuilt['wall'](n) / 60:,.0f}) | "
                            f"~{rebuilt['peak_mb'](n):,.0f} MB")
            if n in known_peaks and not m:
                rebuild_cell = rebuild_cell.rsplit("|", 1)[0] + f"| {known_peaks[n]:,.0f} MB"
            g = nights.get((r, y))
            x = (history(r, y), r)
            night_cell = (f"{g['cpu']:.1f} s ({g['wall']:.0f}) | {g['peak_mb']:,.0f} MB" if g else
                          f"~{night['cpu'](*x):,.0f} s (~{night['wall'](*x):,.0f}) | ~{night['peak_mb'](*x):,.0f} MB")
            lines.append(f"| {r:,} | {y} | {n:,} | ~{n * 3.5:,.0f} | {rebuild_cell} | {night_cell} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", nargs="*", default=["50x1", "50x3", "200x1"], help="reps x years, measured")
    parser.add_argument("--rebuilds", nargs="*", default=["50x2", "200x1"], help="reps x months, measured")
    parser.add_argument("--known-peak", nargs="*", default=["37500=267"],
                        help="REPORTS=MB: a rebuild's peak measured by bench_consolidate.py --memory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nights = {key: night(Path(tmp), *key) for key in pairs(args.nights)}
        rebuilds = {key: rebuild(Path(tmp), *key) for key in pairs(args.rebuilds)}
    for kind, measured in (("night", nights), ("rebuild", rebuilds)):
        for key, f in measured.items():
            print(f"measured {kind} {key}: {json.dumps(f)}")
    known = {int(n): float(mb) for n, mb in (spec.split("=") for spec in args.known_peak)}
    if nights and rebuilds:  # the fitted cells need both kinds measured
        print(table(nights, rebuilds, known))


if __name__ == "__main__":
    main()
