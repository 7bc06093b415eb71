"""The one table writer: a DataFrame as an Excel table (headers, number formats, widths), into a
workbook xlsxwriter writes (the masters, 总表) or into a `Book` (the control workbook's
刷新统计), and the native chart declared beside it.

A column's kind (`xlpy.contract.statistics.KINDS`) decides its number format and its least width
(`KINDS` here, the one map). Columns are converted once per chunk of rows (numbers to floats,
dates to datetimes, blanks to None), then written row by row with the writer of each column's
kind: no per-cell type test, and never the whole table as Python objects at once.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xlpy.contract.statistics import Chart, Column
from xlpy.core import values
from xlpy.core.report import address
from xlpy.io import page


@dataclass(frozen=True)
class Kind:
    num_format: str | None  # None: General
    width: float  # the least column width
    numeric: bool = False
    dated: bool = False


KINDS = {
    "money": Kind("#,##0.00", 13, numeric=True), "count": Kind("0", 6, numeric=True),
    "rate": Kind("0.0%", 9, numeric=True), "score": Kind("0.000", 8, numeric=True),
    "number": Kind("General", 8, numeric=True), "date": Kind("yyyy-mm-dd", 11, dated=True),
    "datetime": Kind("yyyy-mm-dd hh:mm:ss", 19, dated=True), "text": Kind(None, 8),
}
NUMBER_FORMATS = {k: v.num_format for k, v in KINDS.items() if v.num_format}
CHUNK = 10_000  # rows converted at a time
SAMPLE = 200  # rows a column's width is judged from
MAX_WIDTH = 40
CHART_SIZE = {"x_scale": 1.3, "y_scale": 1.2}
CHART_ROWS = 20  # rows a chart takes, so the next one goes below it


def number_format(kind: str) -> str | None:
    return KINDS[kind].num_format


# ---------------------------------------------------------------- workbooks xlsxwriter writes


def new_workbook(path: Path, facts: page.Facts | None = None) -> xlsxwriter.Workbook:
    """A workbook that writes every string as text: a report's `=HYPERLINK(...)`
    stays inert text in the master, never a live formula. ``facts`` go into every page footer."""
    # xlsxwriter's scratch files go beside the file (in a commit, the temporary folder that the
    # next run drops), never to the system's temp folder, where a killed run would leave them.
    book = _Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                 "strings_to_numbers": False, "nan_inf_to_errors": True,
                                 "tmpdir": str(Path(path).parent)})
    book.facts = facts or page.Facts()
    return book


class _Workbook(xlsxwriter.Workbook):
    facts = page.Facts()

    def add_worksheet(self, name=None, worksheet_class=None):
        return super().add_worksheet(name, worksheet_class or _Worksheet)

    def format_of(self, kind: str | None):
        """The cell format of a kind (or "title"), made once per workbook."""
        if not hasattr(self, "_kind_formats"):
            self._kind_formats = {k: self.add_format({"num_format": v.num_format}) if v.num_format else None
                                  for k, v in KINDS.items()}
            self._kind_formats["title"] = self.add_format({"bold": True, "font_size": 12})
        return self._kind_formats.get(kind)


class _Worksheet(Worksheet):
    """xlsxwriter remembers every cell of every table, to refuse overlapping ones: 1.7 million
    entries, over 200 MB, for a receivables table of 130,000 rows. Our tables are placed apart
    and never overlap, so this worksheet remembers none of them."""

    def __init__(self):
        super().__init__()
        self.table_cells = _Unkept()


class _Unkept(dict):
    def __setitem__(self, key, value) -> None:
        pass


# ---------------------------------------------------------------- the table


@dataclass
class Placed:
    """Where a table landed: its header row and first column, last data row and last column (0-based)."""

    sheet: str
    key: str
    columns: list
    top: int
    left: int
    bottom: int
    right: int

    def column(self, name) -> int:
        return self.left + self.columns.index(name)

    def range(self, name, header: bool = True) -> str:
        """A column as an A1 range, from its header (or first value) down."""
        c = self.column(name)
        return f"{address(c, self.top + (1 if header else 2))}:{address(c, self.bottom + 1)}"


def write_table(target, sheet: str, frame: pd.DataFrame, columns: list[Column], top: int = 0, left: int = 0,
                title: str | None = None, name: str | None = None, style: str = "Table Style Medium 2",
                lang: str = "zh") -> Placed:
    """``frame``'s ``columns`` (a column the frame lacks is blank) as an Excel table whose header
    row is ``top``, a title above it when given; ``target`` is `XlsxTarget` or `BookTarget`."""
    kinds = [c.kind if c.kind in KINDS else "text" for c in columns]
    headers = [c.en if lang == "en" else c.zh for c in columns]
    bottom, right = top + max(len(frame), 1), left + len(columns) - 1  # an Excel table needs a data row
    chunks = _chunks(frame, [c.key for c in columns], kinds)
    first = next(chunks, None) or [[None] for _ in columns]
    if title is not None:
        target.title(sheet, top - 1, left, title)
    target.rows(sheet, top + 1, left, kinds, itertools.chain([first], chunks))
    target.table(sheet, top, left, bottom, right, headers, name, style)
    for i, (header, kind) in enumerate(zip(headers, kinds)):
        target.column(sheet, left + i, top, bottom, _width(header, first[i][:SAMPLE], kind), kind)
    return Placed(sheet, name or sheet, [c.key for c in columns], top, left, bottom, right)


def _chunks(frame: pd.DataFrame, keys: list, kinds: list[str]):
    """The frame's columns converted for writing, ``CHUNK`` rows at a time: a list per column."""
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start:start + CHUNK]
        yield [_cells(part[key] if key in part else pd.Series([None] * len(part)), kind)
               for key, kind in zip(keys, kinds)]


def _cells(column: pd.Series, kind: str) -> list:
    spec = KINDS[kind]
    if spec.numeric:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.where(np.isfinite(numbers), numbers.astype(object), None).tolist()
    if spec.dated:
        dates = pd.to_datetime(column, errors="coerce")
        return np.where(dates.isna().to_numpy(), None, np.asarray(dates.dt.to_pydatetime(), dtype=object)).tolist()
    return [None if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)) else str(v)
            for v in column.tolist()]


def _width(header: str, sample: list, kind: str) -> float:
    """Wide enough for the header and the sampled values; CJK characters count double."""
    shown = [f"{v:,.2f}" if kind == "money" else str(v) for v in sample if v is not None and kind != "date"]
    return max(KINDS[kind].width, values.display_width(header) + 2,
               *(min(values.display_width(t) + 2, MAX_WIDTH) for t in shown))


class XlsxTarget:
    """`write_table`'s hands on a workbook xlsxwriter writes (see `new_workbook`)."""

    def __init__(self, workbook: _Workbook):
        self.workbook = workbook
        self.sheets: dict[str, Worksheet] = {}

    def sheet(self, name: str) -> Worksheet:
        if name not in self.sheets:
            self.sheets[name] = self.workbook.add_worksheet(name)
        return self.sheets[name]

    def title(self, sheet: str, row: int, col: int, text: str) -> None:
        self.sheet(sheet).write_string(row, col, text, self.workbook.format_of("title"))

    def rows(self, sheet: str, top: int, left: int, kinds: list[str], chunks) -> None:
        ws = self.sheet(sheet)
        writers = [self._writer(ws, kind) for kind in kinds]
        formats = [self.workbook.format_of(kind) for kind in kinds]
        cols = range(left, left + len(kinds))
        row = top
        for chunk in chunks:
            for cells in zip(*chunk):
                for c, value, write, fmt in zip(cols, cells, writers, formats):
                    if value is not None:  # a blank is left unwritten
                        write(row, c, value, fmt)
                row += 1

    @staticmethod
    def _writer(ws: Worksheet, kind: str):
        spec = KINDS[kind]
        return ws.write_number if spec.numeric else ws.write_datetime if spec.dated else ws.write_string

    def table(self, sheet: str, top: int, left: int, bottom: int, right: int, headers: list[str], name, style) -> None:
        options = {"columns": [{"header": h} for h in headers], "style": style}
        self.sheet(sheet).add_table(top, left, bottom, right, {**options, **({"name": name} if name else {})})

    def column(self, sheet: str, col: int, top: int, bottom: int, width: float, kind: str) -> None:
        self.sheet(sheet).set_column(col, col, width)

    def freeze(self, sheet: str, rows: int) -> None:
        self.sheet(sheet).freeze_panes(rows, 0)

    def chart(self, p: Placed, row: int, col: int, chart: Chart, title: str, axis: str | None) -> None:
        series = list(chart.series or p.columns[1:])
        labels = chart.labels or p.columns[0]
        one_point = chart.kind == "line" and p.bottom == p.top + 1  # a line through one point is a lone dot
        kind = {"stacked_bar": {"type": "bar", "subtype": "stacked"}}.get(chart.kind, {"type": chart.kind})
        kind = {"type": "column"} if one_point else kind
        drawn = self.workbook.add_chart(kind)
        for column in series:
            c, k = p.column(column), p.column(labels)
            drawn.add_series({
                "name": [p.sheet, p.top, c], "categories": [p.sheet, p.top + 1, k, p.bottom, k],
                "values": [p.sheet, p.top + 1, c, p.bottom, c],
                **({"marker": {"type": "circle"}} if chart.kind == "line" and not one_point else {}),
                **({"data_labels": {"value": True, "num_format": "0.00"}} if len(series) == 1 else {})})
        drawn.set_title({"name": title})
        drawn.set_legend({"none": True} if len(series) == 1 else {"position": "bottom"})
        value_axis = {"num_format": "#,##0", "min": 0, **({"name": axis} if axis else {})}  # from zero: never exaggerate
        if chart.kind in ("bar", "stacked_bar"):
            drawn.set_x_axis(value_axis)
            # the table's first row on top, its labels beside the bars, the values along the bottom
            drawn.set_y_axis({"reverse": True, "label_position": "low", "crossing": "max"})
        else:
            drawn.set_y_axis(value_axis)
        self.sheet(p.sheet).insert_chart(row, col, drawn, CHART_SIZE)


class BookTarget:
    """`write_table`'s hands on a `Book` (the control workbook, live or a file): the same table,
    formats and widths through the Book interface."""

    def __init__(self, book):
        self.book = book

    def sheet(self, name: str) -> None:
        self.book.clear(name)

    def title(self, sheet: str, row: int, col: int, text: str) -> None:
        self.book.write(sheet, [[text]], at=address(col, row + 1))

    def rows(self, sheet: str, top: int, left: int, kinds: list[str], chunks) -> None:
        for chunk in chunks:
            cells = [list(r) for r in zip(*chunk)]
            self.book.write(sheet, cells, at=address(left, top + 1))
            top += len(cells)

    def table(self, sheet: str, top: int, left: int, bottom: int, right: int, headers: list[str], name, style) -> None:
        self.book.write(sheet, [headers], at=address(left, top + 1))
        self.book.table(sheet, f"{address(left, top + 1)}:{address(right, bottom + 1)}", name)

    def column(self, sheet: str, col: int, top: int, bottom: int, width: float, kind: str) -> None:
        if KINDS[kind].num_format:
            self.book.number_format(sheet, f"{address(col, top + 2)}:{address(col, bottom + 1)}",
                                    KINDS[kind].num_format)
        self.book.width(sheet, col, width)

    def freeze(self, sheet: str, rows: int) -> None:
        """The Book interface has no frozen panes; the control workbook's sheets do without."""

    def chart(self, p: Placed, row: int, col: int, chart: Chart, title: str, axis: str | None) -> None:
        series = chart.series or p.columns[1:]
        self.book.chart(p.sheet, address(col, row + 1), chart.kind, title, p.range(chart.labels or p.columns[0]),
                        [p.range(c) for c in series])
