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
    assert within  # it does collect: young objects' cycles are freed
    assert len(within) * 5 < len(plain)  # the same work, far fewer collections
    # any other collection came after it returned (between its return and the watch's removal)
    assert [thresholds == RELAXED for _, thresholds in relaxed] == [True] * len(within) + [False] * (len(relaxed) - len(within))
