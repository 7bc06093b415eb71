"""A batch read in worker processes is judged and taken exactly as when one process reads it
(issue 15, both cores): the same verdicts, the same order, the same rows; a file the reader
gives up on (a parser's panic, a broken or empty file) says so in a worker as it does here."""
from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import TODAY, demo_copy

from xlpy.app import validate
from xlpy.app.consolidate import run_consolidation
from xlpy.contract import config
from xlpy.excel.buttons import context, office_settings
from xlpy.io import reading, store

REGRESSIONS = Path(__file__).parent / "regressions"


def hostile(inbox: Path) -> None:
    """Files the reader refuses, among the demo's reports: a calamine panic, odd zips, an empty file."""
    for f in REGRESSIONS.glob("*.xlsx"):
        shutil.copyfile(f, inbox / f"张伟_2026-11-2{len(f.stem) % 7}_{f.name}")
    (inbox / "empty.xlsx").touch()
    (inbox / "text.xlsx").write_text("a,b,c")


def verdicts(results: list[validate.FileResult], inbox: Path) -> list[tuple]:
    """Everything a judgement says, files named relative to the inbox (the two offices differ)."""
    return [(r.path.relative_to(inbox).as_posix(), r.status, r.reason, r.copy_of,
             [(i.severity, i.rule, i.sheet, i.cell, i.message("en")) for i in r.issues],
             r.report and (r.report.unreadable and r.report.unreadable.code, r.report.source, r.report.report_date,
                           repr([t.records for t in r.report.tables])))
            for r in results]


@pytest.fixture
def pools(monkeypatch) -> list[int]:
    """Worker counts of the pools started; the demo's inbox is small: read it in processes anyway."""
    monkeypatch.setattr(reading, "MIN_FILES", 0)
    monkeypatch.setattr(reading, "CHUNK", 4)
    started, real = [], reading.ProcessPoolExecutor
    monkeypatch.setattr(reading, "ProcessPoolExecutor", lambda n, *a, **kw: started.append(n) or real(n, *a, **kw))
    return started


def test_two_workers_judge_and_take_exactly_what_one_does(demo_built, tmp_path, pools):
    seen = {}
    for workers in (1, 2):
        office = demo_copy(demo_built.dir, tmp_path / str(workers))
        settings = replace(config.load(office), workers=workers)
        inbox = settings.path("inbox")
        hostile(inbox)
        ctx = context(settings, TODAY)
        files = validate.collect([inbox])
        in_parts = [r for part in validate.validate_in_parts(files, ctx, None, None, 10) for r in part]  # ordered by title
        outcome = run_consolidation(settings, ctx=ctx)
        ledger, activity = store.read_record(settings.path("master"))
        seen[workers] = (verdicts(in_parts, inbox), outcome.exit_code,
                         [(f.source, f.fingerprint, f.status, f.rows_read, f.accepted, f.rejected, f.copy_of,
                           [(i.rule, i.cell, i.message("en")) for i in f.issues]) for f in outcome.files],
                         ledger.drop(columns="imported_at"), activity)
        assert len(files) > 40 and pools == ([] if workers == 1 else [2, 2])  # the second run read in processes
    one, two = seen[1], seen[2]
    assert two[:3] == one[:3]
    assert [v[1] for v in one[0]].count("unreadable") == 7  # the hostile files (a panic among them), said in both
    assert [v[0] for v in one[0]] != sorted(v[0] for v in one[0])  # report order, not names: the titles were read
    pd.testing.assert_frame_equal(two[3], one[3])
    pd.testing.assert_frame_equal(two[4], one[4])


def test_a_time_out_in_a_worker_is_that_files_verdict(demo_built, tmp_path, pools):
    office = demo_copy(demo_built.dir, tmp_path)
    settings = replace(config.load(office), workers=2)
    ctx = context(settings, TODAY)  # the reference read in time; then no report can be, in no time
    ctx = replace(ctx, settings=replace(settings, read_timeout=0))
    results = validate.validate_files(validate.collect([settings.path("inbox")]), ctx)
    assert pools == [2] and {r.report.unreadable.code for r in results if r.report} == {"timeout"}


def test_excel_reads_in_its_own_process(demo_built, tmp_path):
    office = demo_copy(demo_built.dir, tmp_path)
    (office / config.CONFIG_NAME).write_text("[validate]\nworkers = 4\n", encoding="utf-8")
    assert config.load(office).workers == 4 and office_settings(None, office).workers == 1  # the buttons' settings
    assert reading.processes(4, reading.MIN_FILES) == 4 and reading.processes(4, reading.MIN_FILES - 1) == 1


def _tables(reports) -> list[tuple]:
    return [(r.source, r.report_date, r.unreadable and r.unreadable.code, repr([t.records for t in r.tables]))
            for r in reports]


def _kill_a_worker(read: reading.Reading) -> None:
    """Kill one of the pool's processes (as the OOM killer or a user's task manager would) and
    wait until the pool knows it is broken."""
    victim = multiprocessing.active_children()[0]
    victim.kill()
    victim.join()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            read.pool.submit(abs, 1).result()
        except BrokenProcessPool:
            return
        time.sleep(0.01)
    raise AssertionError("the pool never noticed its dead worker")


def _kill_a_started_worker() -> None:
    """Kill a worker as soon as the pool has started both. (Killed while the pool still starts the
    other, Python 3.11's executor may never join that one: a CPython race, not ours to test.)"""
    deadline = time.monotonic() + 30
    while len(children := multiprocessing.active_children()) < 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    children[0].kill()


@pytest.mark.parametrize("when", ["between requests", "while reading"])
def test_a_worker_that_dies_hands_its_files_back(demo_built, tmp_path, pools, when):
    office = demo_copy(demo_built.dir, tmp_path)
    inbox = office / "inbox"
    hostile(inbox)
    settings = replace(config.load(office), workers=2)
    files = validate.collect([inbox])
    with reading.Reading(replace(settings, workers=1), {}, TODAY, len(files)) as alone:
        expected = _tables(alone.reports(files))
    with reading.Reading(settings, {}, TODAY, len(files)) as read:
        if when == "between requests":  # a rebuild's titles read, then a worker lost before its first part
            assert len(read.titles(files)) == len(files) and read.pool is not None
            _kill_a_worker(read)
            assert _tables(read.reports(files)) == expected
        else:  # killed once both have started: its chunks and every chunk still pending come back here
            killer = threading.Thread(target=_kill_a_started_worker, daemon=True)
            killer.start()
            got = read.reports(files)
            killer.join()
            assert _tables(got) == expected
        assert read.workers == 1  # the rest of the batch is read in this process

