"""The record's tables, declared as data, and how report rows become ledger rows.

The ledger (明细) holds every accepted deal row with its provenance; the activity
table (活动) holds visits and calls per report. Core code: no file I/O.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from xlpy.contract import schema
from xlpy.contract.messages import both, say
from xlpy.core import values
from xlpy.core.report import Report


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    en: str
    type: str  # text | number | money | date | datetime | int


def _fields(*specs) -> tuple[Field, ...]:
    return tuple(_field(*s) for s in specs)


def _field(key: str, kind: str, title: str | None = None) -> Field:
    """The field, its header `column.<title>` of the catalogue (the key's own by default)."""
    title = title or key
    return Field(key, *both(f"column.{title}"), kind)


PROVENANCE = _fields(
    ("deal", "text"), ("report_date", "date"), ("source", "text"), ("sheet", "text"), ("row", "int"),
    ("fingerprint", "text"), ("imported_at", "datetime"), ("extra", "text"),
)
LEDGER = tuple(Field(c.key, c.zh, c.en, c.type) for c in schema.COLUMNS) + PROVENANCE
ACTIVITY = _fields(
    ("date", "date"), ("rep", "text"), ("region", "text"), ("visits", "number"), ("calls", "number"),
    ("source", "text"), ("fingerprint", "text"),
)
IMPORTS = _fields(
    ("source", "text", "file"), ("fingerprint", "text"), ("status", "text"), ("report_date", "date"),
    ("rows_read", "int"), ("accepted", "int"), ("rejected", "int"), ("imported_at", "datetime"),
    ("replaced_by", "text"), ("copy_of", "text"), ("rep", "text"), ("reason", "text"),
    ("pending_since", "date"), ("content", "text"),
)
PROBLEMS = _fields(  # each file's latest verdict only, newest report first: the assistant's to-do list
    ("source", "text", "file"), ("rep", "text"), ("report_date", "date"), ("status", "text"),
    ("fingerprint", "text"), ("severity", "text"), ("rule", "text"), ("sheet", "text"), ("cell", "text"),
    ("value", "text"), ("message", "text"), ("imported_at", "datetime"),
)
# The master's tables, in order; each one's sheet is named `master.<frame>` of the (Chinese) catalogue.
FRAMES = {"ledger": LEDGER, "activity": ACTIVITY, "imports": IMPORTS, "problems": PROBLEMS}
SHEET_OF_FRAME = {frame: say(f"master.{frame}") for frame in FRAMES}
FRAME_OF_SHEET = {sheet: frame for frame, sheet in SHEET_OF_FRAME.items()}
SHEETS = {SHEET_OF_FRAME[frame]: fields for frame, fields in FRAMES.items()}  # name → fields


def empty(fields: tuple[Field, ...]) -> pd.DataFrame:
    return _empty(fields).copy()


@lru_cache(maxsize=None)
def _empty(fields: tuple[Field, ...]) -> pd.DataFrame:
    return conform(pd.DataFrame(columns=[f.key for f in fields]), fields)


def frame(records: list[dict], fields: tuple[Field, ...]) -> pd.DataFrame:
    """Plain records as a table of this kind."""
    if not records:
        return empty(fields)
    return _table({f.key: _objects([rec.get(f.key) for rec in records]) for f in fields}, fields, len(records))


def conform(frame: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    """The frame with exactly these columns, in order, with their dtypes: one
    representation whether rows came from reports or back from a master."""
    return _table({f.key: frame[f.key].to_numpy() for f in fields if f.key in frame}, fields, len(frame))


def _table(found: dict, fields: tuple[Field, ...], length: int) -> pd.DataFrame:
    """Each field's column (an array, or missing: blank) converted to the field's type, whole,
    and the frame built once (a column set at a time cost more than converting it)."""
    index = pd.RangeIndex(length)  # one index for every column: a text column's Series is not aligned again
    return pd.DataFrame({f.key: _typed(found.get(f.key), f.type, length, index) for f in fields}, index=index)


def _typed(column, kind: str, length: int, index: pd.RangeIndex):
    if column is None:
        column = np.full(length, None, dtype=object)
    if kind in ("date", "datetime"):
        dates = _datetimes(column)
        return (dates.normalize() if kind == "date" else dates).array
    if kind in ("number", "money", "int"):
        found = column.astype(float) if column.dtype.kind in "fiub" else pd.to_numeric(column, errors="coerce")
        found = np.asarray(found, dtype=float)
        return found if kind != "int" else np.where(np.isnan(found), 0, found).astype(int)
    column = column.astype(object, copy=False)
    text = [None if blank else v if isinstance(v, str) else str(v) for v, blank in zip(column.tolist(), pd.isna(column).tolist())]
    return pd.Series(_objects(_shared(text)), index=index, dtype=object, copy=False)  # None, not NaN: never pandas' str dtype


def _shared(text: list) -> list:
    """Equal texts as one object: each cell read from a report or a master is a str of its own, and
    a rep, product, source or fingerprint repeats over thousands of rows (a rebuild's tables held
    ~100 bytes a cell for them)."""
    one: dict = {}
    return [one.setdefault(v, v) for v in text]


def _datetimes(column: np.ndarray) -> pd.DatetimeIndex:
    """Dates and datetimes as they are (to_datetime spends ~10× longer on objects that already are
    dates); anything else parsed, and NaT where it is no date."""
    if column.dtype.kind == "M" or infer_dtype(column, skipna=True) in ("datetime", "datetime64", "date", "empty"):
        try:
            return pd.DatetimeIndex(column)
        except (TypeError, ValueError, OverflowError):  # out of range, time zones mixed: parsed as below
            pass
    return pd.to_datetime(column, errors="coerce")


def _objects(values: list) -> np.ndarray:
    """A list as a one-dimensional object array (never split into more dimensions)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def append(*frames: pd.DataFrame, fields: tuple[Field, ...]) -> pd.DataFrame:
    """Conformed frames of one kind, one after another (still conformed: no second pass)."""
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty(fields)


def partition_of(report: Report) -> str:
    """The month a report's rows are kept in: its report date's, else its first deal's."""
    dates = [rec["date"] for t in report.tables for rec in t.records if rec["date"] is not None]
    day = report.report_date or (min(dates) if dates else None)
    return day.strftime("%Y-%m") if day is not None else "undated"  # a date (from 1900-03-01 on): no Timestamp needed


def ledger_records(report: Report, imported_at: pd.Timestamp) -> list[dict]:
    """A report's deal rows as ledger records (amount completed from qty × unit price)."""
    out = []
    for t in report.tables:
        for rec in t.records:
            rec = {**rec, "report_date": report.report_date, "source": report.source,
                   "fingerprint": report.fingerprint, "imported_at": imported_at,
                   "extra": json.dumps(rec["extra"], ensure_ascii=False, default=str) if rec["extra"] else None}
            if rec["amount"] is None and rec["qty"] is not None and rec["unit_price"] is not None:
                rec["amount"] = rec["qty"] * rec["unit_price"]
            out.append(rec)
    return out


def content_print(report: Report) -> str:
    """A fingerprint of what a report says, not of its bytes: its title values and its rows'
    values, in order, without their cells. A report saved again, renamed or annotated keeps it."""
    said = [[sorted((k, str(v.value)) for k, v in t.title.items()),
             [[str(rec[k]) for k in sorted(rec) if k not in ("sheet", "row")] for rec in t.records]]
            for t in report.tables]
    return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()


def spell_as_reference(records: list[dict], reference) -> list[dict]:
    """Reps, regions and products as the reference workbook spells them (`張 伟`, `ＡＢ-1`
    typed in a report match by folded name; statistics group by the one spelling)."""
    if reference is None:
        return records
    names = _spellings(reference)
    for rec in records:
        for key, known in names.items():
            if rec.get(key):
                rec[key] = known.get(values.norm(rec[key]), rec[key])
    return records


def _spellings(reference) -> dict[str, dict[str, str]]:
    """Folded name → the reference's spelling, by field: built once per reference, as its indexes
    are (a rebuild spells tens of thousands of reports; rebuilding the maps for each took seconds)."""
    if getattr(reference, "_spellings", None) is None:
        reference._spellings = {"rep": {k: r["name"] for k, r in reference.rep_index.items()},
                                "region": reference.regions,
                                "product": {k: p["product"] for k, p in reference.product_index.items()}}
    return reference._spellings


def activity_records(report: Report) -> list[dict]:
    """Visits and calls from each table's title area."""
    out = []
    for t in report.tables:
        title = {k: v.value for k, v in t.title.items()}
        if title.get("visits") is None and title.get("calls") is None:
            continue
        regions = [rec["region"] for rec in t.records if rec["region"]]
        out.append({"date": title.get("report_date") or report.report_date, "rep": title.get("rep"),
                    "region": title.get("region") or (regions[0] if regions else None),
                    "visits": title.get("visits"), "calls": title.get("calls"),
                    "source": report.source, "fingerprint": report.fingerprint})
    return out
