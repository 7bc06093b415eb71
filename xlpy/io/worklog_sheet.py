"""The 工作日志 sheet: the work log written into an open xlsxwriter workbook, numbers as numbers
with their formats, laid out to print on one A4 page."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from xlpy.contract import statistics as declared
from xlpy.contract.messages import both
from xlpy.core import worklog
from xlpy.core.worklog import WorkLog
from xlpy.io import page, xlsx

SHEET = both("worklog.sheet")
WIDTHS = (10, 24, 20, 14, 14, 14, 14)  # seven columns: a deal's kind … its contract number
LAST = len(WIDTHS) - 1
FIGURE_PAIRS = 3  # the day's figures as label | value, three pairs a row


def kind_of(key: str) -> str | None:
    """How a column's numbers are formatted (shared with the mail): its declared kind."""
    if key in ("visits", "calls"):
        return "count"
    if key == "qty":
        return "number"
    column = declared.COLUMNS.get(key)
    return column.kind if column is not None and column.kind != "text" else None


def write_sheet(workbook, log: WorkLog, lang: str = "zh") -> None:
    """The sheet (first in the summary workbook): title, the day's figures, then every section."""
    ws = workbook.add_worksheet(SHEET[lang == "en"])
    fmt = _formats(workbook)
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    ws.merge_range(0, 0, 0, LAST, worklog.title(log, lang), fmt["title"])
    row = _figures(ws, log, lang, fmt, 2)
    for _, heading, table in worklog.sections(log, lang):
        row = _section(ws, heading, table, lang, fmt, row + 1)
    ws.write_string(row + 1, 0, worklog.words("footer", lang), fmt["note"])
    page.setup(ws, getattr(workbook, "facts", None), width=page.PORTRAIT_WIDTH, one_page=True, lang=lang)  # a log reads portrait
    ws.activate()


def _formats(workbook) -> dict:
    fmt = {k: workbook.add_format({"num_format": xlsx.number_format(k) or "General", "font_size": 10, "border": 1,
                                   "border_color": "#BFBFBF"}) for k in xlsx.KINDS if k != "text"}
    fmt["text"] = workbook.add_format({"font_size": 10, "border": 1, "border_color": "#BFBFBF", "text_wrap": True,
                                       "valign": "top"})
    fmt["head"] = workbook.add_format({"bold": True, "font_size": 10, "bg_color": "#DDEBF7", "border": 1,
                                       "border_color": "#BFBFBF"})
    fmt["heading"] = workbook.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E79"})
    fmt["title"] = workbook.add_format({"bold": True, "font_size": 15, "align": "center"})
    fmt["note"] = workbook.add_format({"font_size": 8, "font_color": "#808080"})
    return fmt


def _figures(ws, log: WorkLog, lang: str, fmt: dict, row: int) -> int:
    ws.write_string(row, 0, worklog.words("day", lang), fmt["heading"])
    for i, (key, value) in enumerate(log.figures.items()):
        r, c = row + 1 + i // FIGURE_PAIRS, (i % FIGURE_PAIRS) * 2
        # pairs sit in columns A|B, C|D, E|F: wide enough for a label and a number
        ws.write_string(r, c, worklog.column_label(key, lang), fmt["head"])
        _cell(ws, r, c + 1, value, fmt[kind_of(key) or "number"])
    return row + 1 + math.ceil(len(log.figures) / FIGURE_PAIRS)


def _section(ws, heading: str, table: pd.DataFrame, lang: str, fmt: dict, row: int) -> int:
    """A heading, a header row and the rows; the last column spans to the sheet's right edge."""
    ws.write_string(row, 0, heading, fmt["heading"])
    if table.empty:
        ws.write_string(row + 1, 0, worklog.words("none", lang), fmt["note"])
        return row + 2
    columns = list(table.columns)
    for c, key in enumerate(columns):
        _span(ws, row + 1, c, len(columns), worklog.column_label(key, lang), fmt["head"])
    for r, values in enumerate(table.itertuples(index=False), start=row + 2):
        for c, (key, value) in enumerate(zip(columns, values)):
            _span(ws, r, c, len(columns), value, fmt[kind_of(key) or "text"])
    return row + 2 + len(table)


def _span(ws, row: int, col: int, n: int, value, cell_format) -> None:
    if col == n - 1 and col < LAST:
        ws.merge_range(row, col, row, LAST, None, cell_format)
    _cell(ws, row, col, value, cell_format)


def _cell(ws, row: int, col: int, value, cell_format) -> None:
    if isinstance(value, str):
        ws.write_string(row, col, value, cell_format)
    elif value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, cell_format)
    elif isinstance(value, (dt.date, pd.Timestamp)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), cell_format)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "dtype"):
        ws.write_number(row, col, float(value), cell_format)
    else:
        ws.write_string(row, col, str(value), cell_format)
