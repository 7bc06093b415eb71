"""Periods: read in one place (`parse`), held as canonical text and the labels of dates.

Canonical text: "2026-11" (a month), "2026-Q4" (a quarter), "2026" (a year), "2026-11-26"
(a day), "2026-11-01..2026-11-15" (the days from one to the other, both included).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

TIME_KEYS = ("day", "month", "quarter", "year")
FORMS = "2026-11, 2026/11, 202611, 2026年11月, 2026-Q4, 2026Q4, 2026年第4季度, 2026, 2026-11-26"
RANGE = ".."


class BadPeriod(ValueError):
    """Text that names no period; the message lists the forms accepted."""

    def __init__(self, text):
        super().__init__(f"{text!r}: {FORMS}")
        self.text = text


_MONTH = re.compile(r"^(\d{4})(?:[-/.]|年)?(\d{1,2})月?$")
_QUARTER = re.compile(r"^(\d{4})(?:-|年)?(?:第)?q?([1-4])(?:季度?)?$")
_YEAR = re.compile(r"^(\d{4})年?$")
_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$|^(\d{4})(\d{2})(\d{2})$")


def parse(text) -> str:
    """Canonical period text from what people type (`FORMS`); `BadPeriod` for anything else."""
    s = unicodedata.normalize("NFKC", str(text)).strip().casefold().replace(" ", "")
    try:
        if m := _DAY.match(s):
            y, mo, d = (int(x) for x in (m[1] or m[4], m[2] or m[5], m[3] or m[6]))
            return dt.date(y, mo, d).isoformat()
        if (m := _QUARTER.match(s)) and ("q" in s or "季" in s):
            return f"{m[1]}-Q{m[2]}"
        if (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12 and (len(m[2]) == 2 or not s[4:5].isdigit()):
            return f"{m[1]}-{int(m[2]):02d}"
        if m := _YEAR.match(s):
            return m[1]
    except ValueError:
        pass  # 2026-02-30: the shape of a day, but not one
    raise BadPeriod(text)


def between(first, last) -> str:
    """The canonical text of the days from ``first`` to ``last`` (days or periods; None = open)."""
    start = bounds(parse(first))[0] if first is not None else None
    end = bounds(parse(last))[1] if last is not None else None
    if start is not None and end is not None and start > end:
        raise BadPeriod(f"{first} > {last}")
    return f"{start.isoformat() if start else ''}{RANGE}{end.isoformat() if end else ''}"


def bounds(period: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a canonical period (None: open at that end)."""
    p = str(period)
    if RANGE in p:
        first, last = p.split(RANGE)
        return (dt.date.fromisoformat(first) if first else None, dt.date.fromisoformat(last) if last else None)
    if period_kind(p) == "day":
        day = dt.date.fromisoformat(p)
        return day, day
    span = pd.Period(p.replace("-Q", "Q"))
    return span.start_time.date(), span.end_time.date()


def period_kind(period: str) -> str:
    """"2026-11" → month, "2026-Q4" → quarter, "2026" → year, "2026-11-26" → day, a range → range."""
    p = str(period)
    if RANGE in p:
        return "range"
    return "quarter" if "Q" in p else "day" if p.count("-") == 2 else "month" if "-" in p else "year"


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
    if period is None:
        return frame
    kind = period_kind(period)
    if kind in ("day", "range"):
        first, last = bounds(period)
        keep = pd.Series(True, index=frame.index)
        if first is not None:
            keep &= frame["day"] >= pd.Timestamp(first)
        if last is not None:
            keep &= frame["day"] <= pd.Timestamp(last)
        return frame[keep]
    return frame[frame[kind] == period]
