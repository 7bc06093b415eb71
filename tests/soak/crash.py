"""Crash soak: kill a consolidation at random moments and prove nothing is lost.

    python tests/soak/crash.py [--count 200] [--seed 1] [--work DIR] [--no-points]

First a sweep kills the run just before each `os.replace` it makes (the backups, the
commit point, each master's replacement), so that the moments inside `store.commit` that
last microseconds are hit for sure; then the random kills. Each round copies an office
whose next consolidation has work in both months (the later month's reports, a
correction of an earlier report, a renamed copy), starts `python -m xlpy consolidate` on
it and kills it (SIGKILL, `Popen.kill`) after a random delay within the measured duration
of an uninterrupted run, so that kills land in every phase: start-up, reading,
validating, writing the temporaries, committing. After each kill:

- every workbook in the master folder (masters, summary, backups) opens with openpyxl and calamine;
- each master is either its old or its new version, never a mix within a file, and
  without a commit manifest the whole record is the old or the new one;
- the ledger reconciles with the import log (`harness.reconcile`);

then the next run (in this process) completes and yields the record of the uninterrupted
run (every table, ignoring `imported_at`), leaves no `.xlpy-tmp`, nothing in the killed
process's TMPDIR and nothing but cached tables in its read cache (XLPY_CACHE). Prints
one line per kill and the figures as JSON; exits 1 on any violation.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as H  # noqa: E402

from xlpy.app import consolidate
from xlpy.contract import config
from xlpy.io import store  # noqa: E402

# A consolidation that kills itself (SIGKILL where there is one) just before its K-th
# `os.replace`: the commit point and each master's replacement, deterministically.
KILL_AT_REPLACE = """
import os, runpy, signal, sys
at, calls, real = int(sys.argv[1]), [0], os.replace
def replace(*args, **kw):
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    return real(*args, **kw)
os.replace = replace
sys.argv = ["xlpy", *sys.argv[2:]]
runpy.run_module("xlpy", run_name="__main__")
"""


def soak(count: int = 200, seed: int = 1, work: Path | None = None, points: bool = True, log=print) -> dict:
    """``count`` kills at random moments (after a sweep of kills at each `os.replace` of
    the run when ``points``); the figures, with every violation found."""
    work = Path(work or tempfile.mkdtemp(prefix="xlpy-crash-"))
    rng = random.Random(seed)
    scenario = H.pending_office(work / "scenario")
    before = H.record(scenario / "master"), H.summary_values(scenario / "master")
    reference = H.copy_office(scenario, work / "uninterrupted")
    start = time.perf_counter()
    done = H.run("consolidate", "--office", reference)
    duration = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the uninterrupted run failed: {done.stderr}")
    after = H.record(reference / "master"), H.summary_values(reference / "master")
    log(f"uninterrupted run: {duration:.2f} s, exit {done.returncode}, writes {sorted(after[0])} + summary")
    figures = {"kills": 0, "ran_to_the_end": 0, "phases": collections.Counter(), "rows_lost_or_doubled": 0,
               "violations": [], "run_seconds": round(duration, 2), "seed": seed}
    started = time.perf_counter()

    def round_(name: str, command: list[str], delay: float | None) -> bool:
        """One killed run and the next; False when the run ended before it was killed."""
        office = H.copy_office(scenario, work / name)
        scratch = work / f"{name}-tmp"  # the run's temp folder and read cache, to find what it leaves
        (scratch / "cache").mkdir(parents=True)
        proc = subprocess.Popen(command + ["consolidate", "--office", str(office), "--date", str(H.TODAY)],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=H.environ(TMPDIR=str(scratch), TEMP=str(scratch),
                                                                         XLPY_CACHE=str(scratch / "cache")))
        try:
            code = proc.wait(delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        killed = code != done.returncode
        figures["kills" if killed else "ran_to_the_end"] += 1
        master = office / "master"
        phase = _phase(master, after[0])
        figures["phases"][phase] += 1
        problems = _after_kill(master, before, after)
        if problems:  # kept for a post-mortem
            shutil.copytree(office, work / f"{name}-as-killed")
        with _cache(scratch / "cache"):  # the next run shares the killed run's read cache
            outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
        problems += _after_next_run(master, outcome, done.returncode, after, scratch)
        figures["rows_lost_or_doubled"] += H.rows_lost_or_doubled(master, after[0])
        figures["violations"] += [f"{name} ({phase}): {p}" for p in problems]
        log(f"{name}: {phase}: " + ("; ".join(problems) or "ok"))
        if not problems:
            shutil.rmtree(office)
            shutil.rmtree(scratch)
        return killed

    at = 1
    while points and at < 50 and round_(f"replace-{at}", [sys.executable, "-c", KILL_AT_REPLACE, str(at)], None):
        at += 1
    figures["kills_before_each_replace"] = at - 1
    kills, rounds = 0, 0
    while kills < count and rounds < 3 * count:  # a run that ends before its kill does not count
        delay = rng.uniform(0, duration)
        rounds += 1
        kills += round_(f"random-{rounds}-at-{delay:.2f}s", H.xlpy(), delay)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    figures["phases"] = dict(figures["phases"])
    return figures


@contextlib.contextmanager
def _cache(folder: Path):
    before = os.environ.get("XLPY_CACHE")
    os.environ["XLPY_CACHE"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["XLPY_CACHE"]
        else:
            os.environ["XLPY_CACHE"] = before


def _phase(master: Path, new: dict) -> str:
    """Where the kill landed, read from what it left behind."""
    tmp = master / store.TMP
    if (tmp / store.MANIFEST).exists():
        return "after the commit point"
    if tmp.exists():
        return "writing temporaries"
    return "finished" if H.same(H.record(master), new) else "before writing"


def _after_kill(master: Path, before: tuple, after: tuple) -> list[str]:
    problems = H.unopenable(master)
    if problems:
        return problems
    now = H.record(master)
    for name in now.keys() | before[0].keys() | after[0].keys():
        versions = [v.get(name) for v in (before[0], after[0])]
        if not any(_same_part(now.get(name), v) for v in versions):
            problems.append(f"{name}.xlsx is neither its old nor its new version")
    if H.summary_values(master) not in (before[1], after[1]):
        problems.append(f"{store.SUMMARY} is neither its old nor its new version")
    if not (master / store.TMP / store.MANIFEST).exists() and not any(H.same(now, v[0]) for v in (before, after)):
        problems.append("without a manifest, the record is a mix of old and new")
    return problems + H.reconcile(master)


def _same_part(a: dict | None, b: dict | None) -> bool:
    return a is None and b is None or a is not None and b is not None and H.same({"x": a}, {"x": b})


def _after_next_run(master: Path, outcome, exit_code: int, after: tuple, scratch: Path) -> list[str]:
    problems = []
    if outcome.exit_code != exit_code or not outcome.reconciles():
        problems.append(f"next run: exit {outcome.exit_code}, reconciles {outcome.reconciles()}")
    if not H.same(H.record(master), after[0]):
        problems.append("next run: the record differs from the uninterrupted run's")
    if H.summary_values(master) != after[1]:
        problems.append("next run: the summary differs from the uninterrupted run's")
    if (master / store.TMP).exists():
        problems.append(f"next run: {store.TMP} left behind")
    cached = set((scratch / "cache").glob("*.pkl"))
    leftovers = [p.name for p in scratch.rglob("*") if p.is_file() and p not in cached]
    if leftovers:
        problems.append(f"the killed run's temporary files are never removed: {sorted(leftovers)[:3]}")
    return problems + H.reconcile(master) + H.unopenable(master)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=200, help="kills at random moments, default 200")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, help="working folder (default: a new temporary folder); failed rounds stay")
    p.add_argument("--no-points", dest="points", action="store_false",
                   help="skip the sweep of kills at each os.replace of the commit")
    args = p.parse_args(argv)
    figures = soak(args.count, args.seed, args.work, args.points,
                   log=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 1 if figures["violations"] or figures["rows_lost_or_doubled"] else 0


if __name__ == "__main__":
    sys.exit(main())
