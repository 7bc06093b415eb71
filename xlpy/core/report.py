"""A daily report as read: its tables, title values and cells, in plain Python values.

Built by `xlpy.io.reader`; judged by `xlpy.core.rules`; turned into ledger rows by `xlpy.core.ledger`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from xlpy.contract import schema
from xlpy.core import values

if TYPE_CHECKING:
    import pandas as pd

ROW_COLUMNS = ["sheet", "row", *(c.key for c in schema.COLUMNS), "deal", "extra"]


class Unreadable(Exception):
    """A file that cannot be read; ``code`` names a message in ``messages``."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code, self.detail = code, detail


@dataclass
class TitleValue:
    value: object  # parsed, None when blank or bad
    raw: object
    cell: str


@dataclass
class Table:
    """One sheet's daily-report table. Rows are plain dicts: a daily report has a few
    rows, and building DataFrames per file would cost more than reading it."""

    sheet: str
    header_row: int  # 1-based, as Excel shows it
    columns: dict[str, int]  # schema key → 0-based column
    headers: dict[str, str]  # schema key → the header as written
    extras: dict[str, int]  # unknown header → 0-based column
    title: dict[str, TitleValue]
    records: list[dict]  # parsed values with defaults filled, plus `sheet`, `row`, `deal`, `extra`
    raw: dict[int, dict]  # row → the cells as found
    bad: dict[tuple[int, str], tuple[object, str]] = field(default_factory=dict)  # (row, key) → (raw, kind)
    totals: list[tuple[int, dict[str, float | None]]] = field(default_factory=list)

    @cached_property
    def rows(self) -> pd.DataFrame:
        import pandas as pd  # here: a process that only reads reports (a worker) does without pandas
        return pd.DataFrame(self.records, columns=ROW_COLUMNS)

    def cell(self, key: str, row: int) -> str | None:
        """Where a row's value stands: its own cell, or the title cell it defaulted from."""
        own = self.columns.get(key)
        if own is not None and not values.is_blank(self.raw[row].get(key)):
            return address(own, row)
        if key in self.title:
            return self.title[key].cell
        return address(own, row) if own is not None else None


@dataclass
class Report:
    path: Path
    fingerprint: str = ""
    tables: list[Table] = field(default_factory=list)
    unreadable: Unreadable | None = None
    report_date: object = None  # from the title area or the file name
    source: str = ""  # the name the record knows it by: its path within the inbox
    content: str = ""  # the fingerprint of its rows' values (`ledger.content_print`), once taken

    def __post_init__(self):
        self.source = self.source or self.path.name

    @property
    def rows(self) -> int:
        return sum(len(t.records) for t in self.tables)


def address(col: int, row: int) -> str:
    """0-based column and 1-based row → `A1`."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"
