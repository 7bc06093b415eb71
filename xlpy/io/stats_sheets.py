"""The statistic sheets: each table declared in `xlpy.contract.statistics` as an Excel table under
its title (headers, number formats and widths by the columns' kinds), side by side on its sheet,
and the charts declared beside them, right of the tables. 总表 (xlsxwriter) and the control
workbook's 刷新统计 (a `Book`) are written by the same code, through `xlpy.io.xlsx`:

    write_stats(workbook, stats.all_tables(ledger, activity, reference, as_of))
"""
from __future__ import annotations

import pandas as pd

from xlpy.contract import statistics as declared
from xlpy.core import stats
from xlpy.io import page, xlsx

# what the control workbook and older callers look up here
SHEETS = tuple((zh, en, tuple(t.key for t in declared.TABLES if t.sheet == zh)) for zh, en in declared.SHEETS)
TITLES = {t.key: (t.zh, t.en) for t in declared.TABLES}
CHARTS = {t.key: t.chart for t in declared.TABLES if t.chart}
NUMBER_FORMATS = xlsx.NUMBER_FORMATS
SHORT_TABLE = 40  # rows: tables no longer than this have their charts below them
PAGE_ROWS = 32  # rows a landscape A4 page holds at full size (a sheet shrunk to fit holds more)
CHART_CHARS = 90  # the width of a chart in characters (480 px × 1.3)


def write_stats(workbook, tables: dict[str, pd.DataFrame], lang: str = "zh") -> list[str]:
    """Write a sheet per group of tables (see SHEETS) and the charts into an open xlsxwriter
    workbook (`xlsx.new_workbook`); returns the sheet names."""
    return write_sheets(xlsx.XlsxTarget(workbook), tables, lang)


def write_sheets(target, tables: dict[str, pd.DataFrame], lang: str = "zh", sheet_lang: str | None = None
                 ) -> list[str]:
    """The sheets through a writer target (`xlsx.XlsxTarget`, `xlsx.BookTarget`); sheets are named
    in ``sheet_lang`` (default: ``lang``), everything on them in ``lang``."""
    written = []
    for zh, en in declared.SHEETS:
        present = [t for t in declared.TABLES if t.sheet == zh and t.key in tables]
        if not present:
            continue
        name = en if (sheet_lang or lang) == "en" else zh
        target.sheet(name)
        placed, left = {}, 0
        for t in present:
            frame = _shown(tables[t.key], lang)
            placed[t.key] = xlsx.write_table(target, name, frame, [declared.column(c) for c in frame.columns], top=1,
                                             left=left, title=t.title(lang), name=f"stats_{t.key}", lang=lang)
            left = placed[t.key].right + 2
        target.freeze(name, 2)
        drawn = [t for t in present if t.chart and not tables[t.key].empty]  # nothing to draw from no rows
        _place(target, name, drawn, placed, left, lang)
        written.append(name)
    return written


def _place(target, name: str, drawn: list, placed: dict, right: int, lang: str) -> None:
    """Charts under short tables (the sheet stays narrow, so it prints larger), else right of the
    tables; one below the other, each starting a page, so that no page break cuts one. Page setup
    where the target is a workbook file."""
    bottom = max(p.bottom for p in placed.values())
    under = bottom <= SHORT_TABLE
    first, col = (bottom + 2, 0) if under else (1, right)
    for i, t in enumerate(drawn):
        axis = declared.label(t.chart.axis, lang) if t.chart.axis else None
        target.chart(placed[t.key], first + i * xlsx.CHART_ROWS, col, t.chart, t.title(lang), axis)
    if not isinstance(target, xlsx.XlsxTarget):
        return
    ws = target.sheet(name)
    width = page.measure(ws)
    starts = range(1 if not under or first + xlsx.CHART_ROWS <= PAGE_ROWS else 0, len(drawn))
    page.setup(ws, target.workbook.facts, header_rows=2, lang=lang,
               width=max(width, CHART_CHARS) if under else width + CHART_CHARS * bool(drawn),
               breaks=[first + i * xlsx.CHART_ROWS for i in starts])


def _shown(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The aging buckets in the office's language (as values, and as a pivot's headers)."""
    if lang != "en":
        return table
    if "aging" in table:
        table = table.assign(aging=table["aging"].map(lambda v: stats.AGING_EN.get(v, v)))
    return table.rename(columns=stats.AGING_EN)
