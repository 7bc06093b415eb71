"""app/collector.py: the garbage collector relaxed for a consolidation, Python's thresholds after."""
from __future__ import annotations

import gc

import pytest

from conftest import TODAY, demo_copy
from xlpy.app import collector, consolidate
from xlpy.contract import config

RELAXED = (collector.YOUNG, *gc.get_threshold()[1:])


def test_relaxed_within_and_put_back_after_even_on_error():
    before = gc.get_threshold()
    with collector.relaxed():
        assert gc.get_threshold() == RELAXED
        with collector.relaxed():  # nested: the inner one puts back what it found, still relaxed
            pass
        assert gc.get_threshold() == RELAXED
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError):
        with collector.relaxed():
            1 / 0
    assert gc.get_threshold() == before


def test_relaxed_still_collects_the_young():
    """Relaxed is not off: young cycles are freed, every YOUNG allocations rather than every 700."""
    seen = []

    def watch(phase, info):
        if phase == "start":
            seen.append((info["generation"], gc.get_threshold()))
    gc.collect()
    gc.callbacks.append(watch)
    try:
        with collector.relaxed():
            cycles = []
            for _ in range(3 * collector.YOUNG):
                cycle = []
                cycle.append(cycle)
                cycles.append(cycle)
    finally:
        gc.callbacks.remove(watch)
    young = [generation for generation, thresholds in seen if thresholds == RELAXED]
    assert 1 <= len(young) <= 3 * 2  # a few collections for 30,000 allocations, not ~40


def collections(office, relaxed: bool) -> list[tuple]:
    """(generation, thresholds) of each collection while a consolidation of ``office`` runs."""
    seen = []

    def watch(phase, info):
        if phase == "start":
            seen.append((info["generation"], gc.get_threshold()))
    run = consolidate.run_consolidation if relaxed else consolidate.run_consolidation.__wrapped__
    gc.collect()  # a collection owed from before must not count
    gc.callbacks.append(watch)
    try:
        outcome = run(config.load(office), today=TODAY)
    finally:
        gc.callbacks.remove(watch)
    assert outcome.files
    return seen


def test_a_consolidation_collects_less_often_and_puts_the_thresholds_back(demo_built, tmp_path):
    before = gc.get_threshold()
    relaxed = collections(demo_copy(demo_built.dir, tmp_path / "relaxed"), relaxed=True)
    assert gc.get_threshold() == before
    plain = collections(demo_copy(demo_built.dir, tmp_path / "plain"), relaxed=False)
    within = [generation for generation, thresholds in relaxed if thresholds == RELAXED]
    # Whether it collects at all is `test_relaxed_still_collects_the_young`'s: the demo's consolidation makes
    # about YOUNG allocations since memory6 (none a table row in xlsxwriter's cells), so whether one young
    # collection fell within it depended on what the suite ran before (0 or 1).
    assert len(within) * 5 < len(plain)  # the same work, far fewer collections
    # any other collection came after it returned (between its return and the watch's removal)
    assert [thresholds == RELAXED for _, thresholds in relaxed] == [True] * len(within) + [False] * (len(relaxed) - len(within))
