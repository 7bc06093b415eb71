"""Periods read in one place (core/periods.parse) and kept by `within`."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlpy.core import periods


@pytest.mark.parametrize("text, canonical", [
    ("2026-11", "2026-11"), ("2026/11", "2026-11"), ("202611", "2026-11"), ("2026年11月", "2026-11"),
    ("2026.11", "2026-11"), ("2026-1", "2026-01"), ("２０２６年１１月", "2026-11"),
    ("2026-Q4", "2026-Q4"), ("2026Q4", "2026-Q4"), ("2026q4", "2026-Q4"), ("2026年第4季度", "2026-Q4"),
    ("2026年第4季", "2026-Q4"), ("2026", "2026"), ("2026年", "2026"),
    ("2026-11-26", "2026-11-26"), ("2026/11/26", "2026-11-26"), ("20261126", "2026-11-26"),
    ("2026年11月26日", "2026-11-26"),
])
def test_the_forms_people_write(text, canonical):
    assert periods.parse(text) == canonical


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "nov", "11月", "2026-Q5", "20264", "20261", "2026-02-30",
                                  "26-11", "", "2026-11-26-1"])
def test_anything_else_is_refused_naming_the_forms(text):
    with pytest.raises(periods.BadPeriod) as raised:
        periods.parse(text)
    assert "2026年第4季度" in str(raised.value)


def test_bounds_and_ranges():
    assert periods.bounds("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert periods.bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert periods.between("2026-11", "2026-12-05") == "2026-11-01..2026-12-05"
    assert periods.between(None, "2026") == "..2026-12-31"
    with pytest.raises(periods.BadPeriod):
        periods.between("2026-12", "2026-11")
    assert [periods.period_kind(p) for p in ("2026-11", "2026-Q4", "2026", "2026-11-26", "..2026-11-30")] == \
        ["month", "quarter", "year", "day", "range"]


def test_within_keeps_the_days_of_a_period():
    frame = periods.with_periods(pd.DataFrame({"date": pd.to_datetime(
        ["2026-10-31", "2026-11-01", "2026-11-26", "2026-11-30", "2026-12-01"])}))
    def kept(period):
        return [d.day for d in periods.within(frame, period)["date"]]
    assert kept("2026-11") == [1, 26, 30]
    assert kept("2026-11-26") == [26]
    assert kept(periods.between("2026-11-26", None)) == [26, 30, 1]
    assert kept(periods.between("2026-10-31", "2026-11-01")) == [31, 1]
    assert kept("2026-Q4") == [31, 1, 26, 30, 1] and kept(None) == [31, 1, 26, 30, 1]
