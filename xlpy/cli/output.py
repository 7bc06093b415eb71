"""What the command line writes: UTF-8 whatever the console's code page, tables for people,
strict JSON for programs, and CSV that Excel opens safely.

CSV: a text cell that begins with = + - @, a tab or a carriage return gets a leading ' (as OWASP
recommends against CSV injection), so Excel shows it as text and never runs it as a formula.
Numbers stay numbers. A BOM goes first when the CSV goes to a file or a Windows console, so that
Chinese Excel reads it as UTF-8.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import stat
import sys

import pandas as pd

from xlpy.contract import statistics as declared
from xlpy.core import values

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def utf8_console() -> None:
    """Write UTF-8 whatever the code page (PYTHONIOENCODING=gbk, a redirected Windows console):
    a ✓ must never turn a finished consolidation into a failure."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if isinstance(stream, io.TextIOWrapper) and encoding != "utf8":
            stream.reconfigure(encoding="utf-8", errors="replace")


def wants_bom(stream=None) -> bool:
    """A BOM for a CSV written to a file, or to a console on Windows (Excel reads it back)."""
    stream = stream or sys.stdout
    if os.name == "nt":
        return True
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


def blank(value) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return isinstance(value, (float, int)) and not isinstance(value, bool) and not math.isfinite(value)
    except TypeError:
        return False


def plain(value):
    """A value as JSON has it: None for blanks (never NaN or Infinity), ISO dates, Python numbers."""
    if hasattr(value, "item") and not isinstance(value, (pd.Timestamp, str)):
        value = value.item()  # numpy scalar
    if blank(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = pd.Timestamp(value)
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def shown(value, key: str = "") -> str:
    """A value as people read it: 4,003,808.00; 25.0%; 2026-11-10; a blank as nothing."""
    value = plain(value)
    if value is None:
        return ""
    return values.shown(value, declared.COLUMNS[key].kind if key in declared.COLUMNS else None)


def people_table(frame: pd.DataFrame, headers: list[str]) -> str:
    """Columns aligned by display width (a Chinese character takes two); numbers to the right."""
    if not len(frame):
        return "-"
    keys = list(frame.columns)
    cells = [[shown(v, k) for k, v in zip(keys, row)] for row in frame.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(frame[k]) or all(isinstance(plain(v), (int, float)) or blank(v)
                                                               for v in frame[k]) for k in keys]
    widths = [max(values.display_width(t) for t in [h, *(r[c] for r in cells)]) for c, h in enumerate(headers)]

    def line(texts):
        padded = [" " * (w - values.display_width(t)) + t if right else t + " " * (w - values.display_width(t))
                  for t, w, right in zip(texts, widths, numeric)]
        return "  ".join(padded).rstrip()
    return "\n".join([line(headers), *map(line, cells)])


def neutralised(value):
    """A text cell that Excel would take for a formula, made inert with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, headers: list[str], stream=None) -> None:
    stream = stream or sys.stdout
    if wants_bom(stream):
        stream.write("\ufeff")
    out = csv.writer(stream, lineterminator="\n")
    out.writerow([neutralised(h) for h in headers])
    for row in frame.itertuples(index=False):
        out.writerow(["" if (p := plain(v)) is None else neutralised(p) for v in row])


def write_json(data, stream=None) -> None:
    """Strict JSON (no NaN, no Infinity: null in their place), UTF-8 as it is."""
    stream = stream or sys.stdout
    stream.write(json.dumps(_strict(data), ensure_ascii=False, indent=1, allow_nan=False, default=plain))
    stream.write("\n")


def _strict(data):
    if isinstance(data, dict):
        return {k: _strict(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_strict(v) for v in data]
    return None if isinstance(data, float) and not math.isfinite(data) else data


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: plain(v) for k, v in zip(frame.columns, row)} for row in frame.itertuples(index=False)]
