"""Values as people type them (spec §1 "Values as people type them").

Each parser takes a cell value as a reader returns it (str, float, int, bool,
date, datetime, or None) and gives the typed value, None for a blank, or
raises ``BadValue`` naming what was found.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

EXCEL_ERRORS = ("#DIV/0!", "#REF!", "#VALUE!", "#N/A", "#NAME?", "#NUM!", "#NULL!",
                "#GETTING_DATA", "#SPILL!", "#CALC!")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class BadValue(ValueError):
    """A cell whose text cannot be read as the column's type."""


# Money and quantities a daily report can hold: beyond this a number is a typing slip (or an attack,
# 1e308), and sums of such numbers would overflow to infinity in the statistics.
LIMIT = 1e12


class TooLarge(BadValue):
    """A number whose absolute value is LIMIT or more."""


_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)  # the same headers, names and deal types recur in every report
def _norm_text(text: str) -> str:
    if text.isascii():  # the same, four times faster: NFKC keeps ASCII, \s is str.isspace, casefold is lower
        return "".join(text.split()).lower()
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def norm(text) -> str:
    """Fold width, case and spacing so that labels and names compare as people mean them."""
    return _norm_text(str(text))


_UNIT = re.compile(r"[(\[](?:[^()\[\]]*)[)\]]$")


@lru_cache(maxsize=8192)
def norm_header(text) -> str:
    """A header without its trailing unit: `金额（元）`, `单价(¥)` → `金额`, `单价`."""
    key = norm(text).rstrip(":：")
    return _UNIT.sub("", key) or key


def display_width(text: str) -> int:
    """Excel column units a text needs: a CJK (wide) character takes about two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def excel_error(value) -> str | None:
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        return value.strip()
    return None


def text(value) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or contract number typed as a number
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


_MULTIPLIERS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000, "千": 1_000}
_CURRENCY = re.compile(r"^(?:rmb|cny|¥|\$|元)|(?:元|rmb|cny|块)$")


def number(value) -> float | None:
    """`1,234.50`, `¥1,234.50`, `￥1234`, `1234元`, `1.2万`, `１２３４`, `(50)` → float."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise BadValue(value)
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise BadValue(value)
        return _bounded(float(value), value)
    found = _text_number(str(value))
    if isinstance(found, float):
        return found
    raise found(value)


@lru_cache(maxsize=8192)  # the same prices and counts, typed as text, recur in every report
def _text_number(text: str) -> float | type[BadValue]:
    """A number typed as text, or the exception (BadValue, TooLarge) that ``number`` raises for it."""
    s = unicodedata.normalize("NFKC", text).strip().casefold().replace(",", "").replace(" ", "")
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    for _ in range(2):  # currency may stand before and after: ¥1234元
        s = _CURRENCY.sub("", s)
    factor = 1
    if s and s[-1] in _MULTIPLIERS:
        factor, s = _MULTIPLIERS[s[-1]], s[:-1]
        s = _CURRENCY.sub("", s)
    try:
        result = float(s) * factor
    except ValueError:
        return BadValue
    if result != result or abs(result) == float("inf"):
        return BadValue
    return TooLarge if abs(result) >= LIMIT else -result if negative else result


def _bounded(number: float, value) -> float:
    if abs(number) >= LIMIT:
        raise TooLarge(value)
    return number


_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MD = re.compile(r"^(\d{1,2})[月/-](\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


EARLIEST = dt.date(1900, 3, 1)  # before it Excel's serials are not days (its phantom 1900-02-29)


def date(value, near: dt.date | None = None) -> dt.date | None:
    """Excel dates and serials, `2026-11-26`, `2026/11/26`, `2026.11.26`, `2026年11月26日`,
    `20261126` → date; `11月26日` in the year that puts it nearest ``near`` (a report's file
    date or the command's today: `12月31日` read on 2 January is last year's). A date before
    `EARLIEST` (a typed year such as 1026) is no date: a workbook could not keep it as one."""
    found = _date(value, near)
    if found is not None and found < EARLIEST:
        raise BadValue(value)
    return found


def _date(value, near: dt.date | None) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(value)
    if isinstance(value, (int, float)):
        return _from_number(value)
    found = _text_date(str(value), near)
    if found is None:
        raise BadValue(value)
    return found


@lru_cache(maxsize=8192)  # the same days, typed as text, recur in every report of a batch
def _text_date(text: str, near: dt.date | None) -> dt.date | None:
    """A date typed as text, None where it is none."""
    s = unicodedata.normalize("NFKC", text).strip().casefold()
    try:
        if m := _YMD.match(s) or _COMPACT.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _MD.match(s)) and near:
            return _nearest(int(m[1]), int(m[2]), near)
    except ValueError:
        pass  # 2026-02-30: the shape of a date but not a day
    return None


def _nearest(month: int, day: int, near: dt.date) -> dt.date:
    candidates = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue  # 2月29日 outside a leap year
    if not candidates:
        raise ValueError(f"{month}-{day}")
    return min(candidates, key=lambda d: abs(d - near))


def _from_number(value: float) -> dt.date:
    if 19000101 <= value <= 21001231 and value == int(value):  # range first: NaN and inf fail it
        return date(str(int(value)))
    if 1 <= value < 2958466:  # Excel's serial range, 1900-01-01..9999-12-31
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    raise BadValue(value)


PARSERS = {"text": text, "number": number, "money": number, "date": date}


def readable(name: str) -> str:
    """A file's name as people read it. A name written in another encoding (the GBK of a zip made
    on a Chinese Windows, unpacked on Linux) arrives with its bytes escaped as lone surrogates,
    which no workbook or UTF-8 output can hold: read as GB18030 when it reads so, else with ? for what cannot be read."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape" if _ESCAPED.fullmatch(name) else "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


_ESCAPED = re.compile(r"[^\ud800-\udbff\udc00-\udc7f\udd00-\udfff]*", re.S)  # no surrogate but escaped bytes


def shown(value, kind: str | None = None) -> str:
    """A value as people read it, by its column's kind (`xlpy.contract.statistics`): money
    4,003,808.00, rates 25.0%, scores 0.360, other numbers 1,234 or 1,234.50, dates 2026-11-10.
    Blanks are the caller's: a table leaves them empty, a mail writes "-"."""
    if hasattr(value, "item") and not isinstance(value, (str, dt.date)):
        value = value.item()  # a numpy scalar
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    if isinstance(value, (int, float)):
        if kind == "rate":
            return f"{value:.1%}"
        if kind == "money":
            return f"{value:,.2f}"
        if kind == "score":
            return f"{value:.3f}"
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)
