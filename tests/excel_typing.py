"""How Excel types text written to a cell through Range.Value (what tests/memory_excel.py stores)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}


@dataclass(frozen=True)
class Formula:
    """A live formula (never computed here: reading it gives #NAME?, as an unknown function does)."""
    text: str


@dataclass(frozen=True)
class Error:
    text: str


# ---------------------------------------------------------------- Excel's typing of entered text


_NUMBER = re.compile(r"^[+-]?(?:\(?)[$¥€£]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?\)?%?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")
_MD = re.compile(r"^(\d{1,2})[-/](\d{1,2})$")
_CJK = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?$")
_NAMED_MONTH = re.compile(r"^(?:(\d{1,2})[- ])?([A-Za-z]{3})[a-z]*[- ,]*(\d{1,4})?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def typed(text: str, number_format: str = "General", year: int = 2026):
    """What Excel stores when ``text`` is written to a cell with ``number_format`` via Range.Value
    (``year``: the year Excel adds to a day typed without one)."""
    if number_format == "@":
        return text
    if text.startswith("'"):
        return text[1:]
    if text == "":
        return None
    s = text.strip()
    if s.startswith("="):
        return Formula(s)
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE"
    if s.upper() in ERRORS:
        return Error(s.upper())
    number = _number(s)
    if number is not None:
        return number
    day = _date(s, year)
    if day is not None:
        return day
    if s[:1] in "+-@":
        return Formula("=" + s.lstrip("@"))
    return text


def _number(s: str) -> float | None:
    if not any(c.isdigit() for c in s) or not _NUMBER.match(s):
        return None
    negative = s.startswith("-") or (s.startswith("(") or s[1:2] == "(") and s.endswith(")")
    digits = re.sub(r"[^\d.eE+-]", "", s.lstrip("+-")).lstrip("+-")
    try:
        value = float(digits)
    except ValueError:
        return None
    value = -value if negative else value
    return value / 100 if s.endswith("%") else value


def _date(s: str, year: int) -> dt.datetime | None:
    try:
        if m := _YMD.match(s):
            return dt.datetime(int(m[1]), int(m[2]), int(m[3] or 1))
        if m := _MD.match(s):
            return dt.datetime(year, int(m[1]), int(m[2]))
        if m := _CJK.match(s):
            return dt.datetime(int(m[1] or year), int(m[2]), int(m[3] or 1))
        if (m := _NAMED_MONTH.match(s)) and m[2].lower() in MONTHS and (m[1] or m[3]):
            day, tail = (int(m[1]), m[3]) if m[1] else (1, m[3])
            if not m[1] and tail and len(tail) <= 2:  # "Nov 26": the 26th of this year
                return dt.datetime(year, MONTHS[m[2].lower()], int(tail))
            return dt.datetime(int(tail) if tail and len(tail) == 4 else year, MONTHS[m[2].lower()], day)
        if m := _TIME.match(s):
            return dt.datetime(1899, 12, 30, int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        return None
    return None
