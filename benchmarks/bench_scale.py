"""How far one machine goes: a full rebuild and a night for offices of 50, 200, 500 and 2,000 reps
over one and three years, time and peak memory, each run in a fresh process (as cron starts it).

An office of R reps files R reports a business day, about 3.5 rows each (the synthetic reports of
bench_consolidate.py: contracts, 30 % paid on signing). Measured here:
- nights (--nights, reps x years): history written straight into the monthly masters
  (3,470 rows a month per 50 reps, all paid but the last two months'), last night's run done
  (read cache warm), then tonight's R reports consolidated and timed;
- rebuilds (--rebuilds, reps x months): every report of those months in the inbox, no master yet.
The other cells of the table are extrapolated, marked ~: time and peak memory fitted by least squares
as a line in the rows of history (nights) or the reports read (rebuilds), through the measured cells.

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

import pandas as pd
from bench_consolidate import PRODUCTS, TODAY, reps, write_day, write_history, write_reference

from xlpy.contract import config

ROWS_PER_REP_MONTH = 3_470 / 50
SIZES = (50, 200, 500, 2_000)
# One consolidation in a fresh process: its wall and CPU seconds, rows accepted and own peak (VmHWM).
CHILD = """
import json, re, sys, time, datetime as dt
from pathlib import Path
from xlpy.app import consolidate
from xlpy.contract import config
office, day = Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
wall, cpu = time.perf_counter(), time.process_time()
out = consolidate.run_consolidation(config.load(office), today=day)
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
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


def fit(points: list[tuple[float, float]]):
    """y = a + b x by least squares through the measured points (a line through one point: through 0)."""
    if len(points) == 1:
        (x, y), = points
        return lambda v: y / x * v
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return lambda v: my + b * (v - mx)


def pairs(specs: list[str]) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in spec.split("x")) for spec in specs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", nargs="*", default=["50x1", "50x3", "200x1"], help="reps x years, measured")
    parser.add_argument("--rebuilds", nargs="*", default=["50x2", "200x1"], help="reps x months, measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nights = {key: night(Path(tmp), *key) for key in pairs(args.nights)}
        rebuilds = {key: rebuild(Path(tmp), *key) for key in pairs(args.rebuilds)}
    for kind, measured in (("night", nights), ("rebuild", rebuilds)):
        for key, f in measured.items():
            print(f"measured {kind} {key}: {json.dumps(f)}")
    x_night = lambda r, y: ROWS_PER_REP_MONTH * r * (12 * y - 1)  # noqa: E731
    x_rebuild = lambda r, y: r * 250 * y  # noqa: E731 - reports: 250 business days a year
    night_time = {k: fit([(f["history_rows"], f[k]) for f in nights.values()]) for k in ("wall", "cpu")}
    night_mem = fit([(f["history_rows"], f["peak_mb"]) for f in nights.values()])
    rebuild_time = {k: fit([(f["reports"], f[k]) for f in rebuilds.values()]) for k in ("wall", "cpu")}
    rebuild_mem = fit([(f["reports"], f["peak_mb"]) for f in rebuilds.values()])
    print("\n| reps | years | reports | rows | rebuild: time (cpu) | peak | night: time (cpu) | peak |")
    print("|---|---|---|---|---|---|---|---|")
    for r in SIZES:
        for y in (1, 3):
            reports = x_rebuild(r, y)
            rebuilt = rebuilds.get((r, 12 * y))
            rebuild_cell = (f"{rebuilt['wall'] / 60:.1f} min ({rebuilt['cpu'] / 60:.1f}) | {rebuilt['peak_mb']:,.0f} MB"
                            if rebuilt else f"~{rebuild_time['wall'](reports) / 60:.0f} min "
                            f"(~{rebuild_time['cpu'](reports) / 60:.0f}) | ~{rebuild_mem(reports):,.0f} MB")
            n = nights.get((r, y))
            night_cell = (f"{n['wall']:.1f} s ({n['cpu']:.1f}) | {n['peak_mb']:,.0f} MB" if n else
                          f"~{night_time['wall'](x_night(r, y)):.0f} s (~{night_time['cpu'](x_night(r, y)):.0f}) | "
                          f"~{night_mem(x_night(r, y)):,.0f} MB")
            print(f"| {r:,} | {y} | {reports:,} | {reports * 3.5:,.0f} | {rebuild_cell} | {night_cell} |")

if __name__ == "__main__":
    main()
