"""Race soak: two consolidations at once, over and over, and never a row doubled or lost.

    python tests/soak/race.py [--count 50] [--seed 1] [--work DIR]

Each round copies an office with a consolidation pending, starts `xlpy consolidate` and,
after a random stagger within the length of a run, a second one: `xlpy consolidate` or
the button's twin `xlpy button consolidate` (when the control workbook is there), with a
lock timeout that is sometimes too short to wait. Both must end as the uninterrupted run
does, or refuse with the lock message (exit 2); the record must be the single run's.
Prints one line per round and the figures as JSON; exits 1 on any violation.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as H  # noqa: E402

from xlpy.io import store  # noqa: E402

WORKBOOK = Path(__file__).resolve().parents[2] / "workbook" / "SalesDesk.xlsm"
WAITING = "另一个合并正在进行"  # the lock-timeout message, as `xlpy consolidate` says it


def soak(count: int = 50, seed: int = 1, work: Path | None = None, log=print) -> dict:
    work = Path(work or tempfile.mkdtemp(prefix="xlpy-race-"))
    rng = random.Random(seed)
    scenario = H.pending_office(work / "scenario")
    once = H.copy_office(scenario, work / "once")
    start = time.perf_counter()
    code = H.run("consolidate", "--office", once).returncode
    duration = time.perf_counter() - start
    expected = H.record(once / "master")
    figures = {"rounds": 0, "outcomes": collections.Counter(), "rows_lost_or_doubled": 0, "violations": []}
    for i in range(count):
        office = H.copy_office(scenario, work / f"round-{i + 1}")
        timeout = rng.choice((60, 60, 0.2))
        H.set_option(office, "lock_timeout", timeout)
        second = ["consolidate", "--office", office]
        if WORKBOOK.is_file() and rng.random() < 0.5:
            second = ["button", "consolidate", shutil.copy(WORKBOOK, office / WORKBOOK.name), "--office", office]
        procs = [_start("consolidate", "--office", office)]
        time.sleep(rng.uniform(0, duration))
        procs.append(_start(*second))
        results = [(p.wait(600), p.stderr.read()) for p in procs]
        problems = [f"exit {c}: {err.strip()[-200:]}" for c, err in results
                    if c != code and not (c == 2 and (WAITING in err or store.LOCK in err))]
        if not H.same(H.record(office / "master"), expected):
            problems.append("the record differs from a single run's")
        lost = H.rows_lost_or_doubled(office / "master", expected)
        problems += H.reconcile(office / "master")
        figures["rounds"] += 1
        figures["rows_lost_or_doubled"] += lost
        outcome = "one refused" if any(c == 2 for c, _ in results) else "one waited or ran after"
        figures["outcomes"][f"{second[0]}: {outcome}"] += 1
        figures["violations"] += [f"round {i + 1}: {p}" for p in problems]
        log(f"round {i + 1}/{count}: {second[0]}, lock timeout {timeout}: {outcome}: " + ("; ".join(problems) or "ok"))
        if not problems:
            shutil.rmtree(office)
    figures["outcomes"] = dict(figures["outcomes"])
    return figures


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen(H.xlpy(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=H.environ())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=50, help="rounds, default 50")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, help="working folder (default: a new temporary folder); failed rounds stay")
    args = p.parse_args(argv)
    figures = soak(args.count, args.seed, args.work, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 1 if figures["violations"] or figures["rows_lost_or_doubled"] else 0


if __name__ == "__main__":
    sys.exit(main())
