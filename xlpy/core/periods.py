"""Periods as canonical text ("2026-11", "2026-Q4", "2026") and the labels of dates."""
from __future__ import annotations

import pandas as pd

TIME_KEYS = ("day", "month", "quarter", "year")


def period_kind(period: str) -> str:
    """"2026-11" → month, "2026-Q4" → quarter, "2026" → year."""
    p = str(period)
    return "quarter" if "Q" in p else "month" if "-" in p else "year"


def period_labels(dates: pd.Series, kind: str) -> pd.Series:
    d = pd.to_datetime(dates)
    if kind == "day":
        return d.dt.normalize()
    days = d.dt.normalize()
    # Label each distinct day once: formatting 100,000 dates one by one takes seconds.
    labels = {day: _label(day, kind) for day in days.dropna().unique()}
    return days.map(labels).astype(object)


def _label(day: pd.Timestamp, kind: str) -> str:
    if kind == "quarter":
        return f"{day.year}-Q{day.quarter}"
    return day.strftime("%Y-%m" if kind == "month" else "%Y")


def month_of(day) -> str:
    return pd.Timestamp(day).strftime("%Y-%m")


def with_periods(frame: pd.DataFrame, column: str = "date") -> pd.DataFrame:
    return frame.assign(**{kind: period_labels(frame[column], kind) for kind in TIME_KEYS})


def within(frame: pd.DataFrame, period: str | None) -> pd.DataFrame:
    return frame if period is None else frame[frame[period_kind(period)] == period]
