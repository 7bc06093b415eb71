"""app/collector.py: the garbage collector relaxed for a consolidation, Python's thresholds after."""
from __future__ import annotations

import gc

import pytest

from conftest import TODAY, demo_copy
from xlpy.app import collector, consolidate
from xlpy.contract import config

RELAXED = (collector.YOUNG, collector.MIDDLE, collector.NEVER)


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


def test_a_consolidation_collects_only_the_young_generations_and_puts_the_thresholds_back(demo_built, tmp_path):
    office = demo_copy(demo_built.dir, tmp_path)
    seen = []  # (generation, thresholds) of each collection while it runs

    def watch(phase, info):
        if phase == "start":
            seen.append((info["generation"], gc.get_threshold()))
    before = gc.get_threshold()
    gc.collect()  # a full collection owed from before must not count
    gc.callbacks.append(watch)
    try:
        outcome = consolidate.run_consolidation(config.load(office), today=TODAY)
    finally:
        gc.callbacks.remove(watch)
    assert outcome.files and gc.get_threshold() == before
    within = [generation for generation, thresholds in seen if thresholds == RELAXED]
    assert within and max(within) < 2  # it did collect (young objects' cycles are freed), never in full
    # any other collection came after it returned (between its return and the watch's removal)
    assert [thresholds == RELAXED for _, thresholds in seen] == [True] * len(within) + [False] * (len(seen) - len(within))
