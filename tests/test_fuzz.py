"""Fuzzing: mutated bytes of valid reports through the reader and the validator, and cell
values of every kind through the table logic and the rules. Every input yields a status,
never an exception. A few hundred inputs here; `python tests/soak/fuzz.py` tries 10,000.
Inputs that once raised are kept in tests/regressions/ and replayed."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "soak"))
import fuzz  # noqa: E402

from xlpy.app import validate  # noqa: E402
from xlpy.contract import schema
from xlpy.core import rules
from xlpy.io import reader


def fuzzing(examples: int):
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return fuzz.Target(tmp_path_factory.mktemp("fuzz"))


def test_the_seeds_are_valid_reports(target):
    assert [target.check(seed) for seed in target.seeds] == ["ok", "ok", "ok"]  # so mutations start from sense


@fuzzing(300)
@pytest.mark.slow
@given(fuzz.INPUTS)
def test_mutated_reports_yield_a_status(target, args):
    assert target.check_mutation(*args) in fuzz.STATUSES


REGRESSIONS = sorted(fuzz.REGRESSIONS.glob("*.xlsx"))


@pytest.mark.parametrize("path", [p for p in REGRESSIONS if "aborts" not in p.name], ids=lambda p: p.name)
def test_inputs_that_once_raised(target, path):
    assert target.check(path.read_bytes()) in fuzz.STATUSES


@pytest.mark.parametrize("path", [p for p in REGRESSIONS if "aborts" in p.name], ids=lambda p: p.name)
def test_inputs_that_once_killed_the_process(path):
    """Replayed in a process of their own: a regression must fail this test, not kill the test run."""
    done = subprocess.run([sys.executable, "-m", "xlpy", "validate", str(path), "--format", "json", "--lang", "en"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 1, done.stderr[-500:]
    [file] = json.loads(done.stdout)["files"]
    assert file["status"] == "unreadable"


# Finite floats below 1e150 only while rules._show fails on NaN, infinity and overflows (OPEN above).
CELLS = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(fuzz.VALUES + ("合计", "签约", "回款", "退订")),
                  st.floats(-1e150, 1e150), st.integers(-10**20, 10**20), st.booleans(),
                  st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)), st.datetimes())
HEADER = [c.zh for c in schema.COLUMNS]


@fuzzing(200)
@pytest.mark.slow
@given(st.lists(st.lists(CELLS, max_size=len(HEADER) + 2), max_size=8), st.lists(CELLS, max_size=6))
def test_any_cell_values_are_judged_not_raised(target, rows, title):
    """Values as a reader may return them, under a real header: the table logic never fails
    (a failure would hide as `unparsable`) and every rule gives issues, not exceptions."""
    grid = [["日期", *title], [], HEADER, *rows]
    report = reader.report_from_grids(Path("fuzz.xlsx"), [("日报", grid)], target.ctx.reference.rep_index,
                                       today=target.ctx.today)
    assert report.unreadable is None, report.unreadable.detail
    result = validate.FileResult(report.path, "", report, rules.check_report(report, target.ctx))
    for lang in ("zh", "en"):
        validate.to_json([result], lang)
