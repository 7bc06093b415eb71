"""The statistic sheets of the master workbook: each table of `stats.all_tables` as an Excel table
(headers from `stats.LABELS`, number formats, frozen header) and the native charts drawn from them,
written into an open xlsxwriter Workbook:

    write_stats(workbook, stats.all_tables(ledger, activity, reference, as_of))
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

import pandas as pd

from xlpy.core import stats, values
from xlpy.io import page

# sheet (zh, en) → the tables it holds, side by side (the first one leftmost)
SHEETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("日报汇总", "Daily Summary", ("daily",)),
    ("月度汇总", "Monthly Summary", ("monthly_region", "monthly_rep")),
    ("区域业绩", "Regions", ("region_performance", "region_trend", "region_compare")),
    ("目标完成", "Attainment", ("attainment",)),
    ("销售排名", "Ranking", ("ranking",)),
    ("应收账款", "Receivables", ("receivables", "collection", "aging")),
    ("库存", "Inventory", ("inventory",)),
    ("价格分析", "Prices", ("prices",)),
)
TITLES = {
    "daily": ("日报汇总（每日 × 销售代表）", "Daily summary (day × rep)"),
    "monthly_region": ("月度汇总（按区域）", "Monthly summary by region"),
    "monthly_rep": ("月度汇总（按销售代表）", "Monthly summary by rep"),
    "region_performance": ("区域业绩（环比、同比）", "Regional performance (MoM, YoY)"),
    "region_trend": ("各区域月度净销售额", "Monthly net sales by region"),
    "region_compare": ("本月各区域对比", "Regions this month"),
    "attainment": ("目标完成情况", "Target attainment"),
    "ranking": ("销售排名", "Sales ranking"),
    "receivables": ("应收账款", "Receivables"),
    "collection": ("催款名单", "Collection list"),
    "aging": ("账龄分布（按区域）", "Aging by region"),
    "inventory": ("库存", "Inventory"),
    "prices": ("价格分析", "Price analysis"),
}
PIVOTS = ("region_trend", "aging")  # every column after the first is money
MONEY = {"net_amount", "received", "outstanding", "target", "prev_month", "prev_year", "amount", "cancelled",
         "avg_price", "list_price", "floor_price", "unit_price"}
PERCENT = {"conversion", "attainment", "mom", "yoy", "collection_rate", "discount"}
DATES = {"day", "signed", "due_date", "date"}
WHOLE = {"leads", "orders", "contracts", "cancellations", "reports", "days_overdue", "rank", "below_floor"}
NUMBER_FORMATS = {"money": "#,##0.00", "percent": "0.0%", "date": "yyyy-mm-dd", "whole": "0", "score": "0.000"}
MIN_WIDTHS = {"money": 13, "percent": 9, "date": 11}
CHART_SIZE = {"x_scale": 1.3, "y_scale": 1.2}
CHART_ROWS = 20  # rows a chart takes, so the next one goes below it
CHART_CHARS = 90  # the width of a chart in characters (480 px × 1.3)
SHORT_TABLE = 40  # rows: tables no longer than this have their charts below them
PAGE_ROWS = 32  # rows a landscape A4 page holds at full size (a sheet shrunk to fit holds more)


@dataclass
class Placed:
    """Where a table landed: its header row and first column, last data row and last column."""

    sheet: str
    key: str
    columns: list
    top: int
    left: int
    bottom: int
    right: int

    def column(self, name) -> int:
        return self.left + self.columns.index(name)


def write_stats(workbook, tables: dict[str, pd.DataFrame], lang: str = "zh") -> list[str]:
    """Write a sheet per group of tables (see SHEETS) and the charts; returns the sheet names."""
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    formats["title"] = workbook.add_format({"bold": True, "font_size": 12})
    written = []
    for zh, en, keys in SHEETS:
        present = [k for k in keys if k in tables]
        if not present:
            continue
        name = en if lang == "en" else zh
        worksheet = workbook.add_worksheet(name)
        placed, left = {}, 0
        for key in present:
            placed[key] = _write_table(worksheet, name, key, tables[key], left, formats, lang)
            left = placed[key].right + 2
        worksheet.freeze_panes(2, 0)
        charts = [draw(workbook, placed[key], lang) for key, draw in CHARTS.items()
                  if key in placed and not tables[key].empty]  # nothing to draw from an empty table
        _place(workbook, worksheet, charts, placed, left, lang)
        written.append(name)
    return written


def _place(workbook, worksheet, charts: list, placed: dict[str, Placed], right: int, lang: str) -> None:
    """Charts under short tables (the sheet stays narrow, so it prints larger), else right of the
    tables; one below the other, each starting a page, so that no page break cuts one."""
    bottom = max(p.bottom for p in placed.values())
    under = bottom <= SHORT_TABLE
    first, col = (bottom + 2, 0) if under else (1, right)
    for i, chart in enumerate(charts):
        worksheet.insert_chart(first + i * CHART_ROWS, col, chart, CHART_SIZE)
    width = page.measure(worksheet)
    page.setup(worksheet, getattr(workbook, "facts", None), header_rows=2, lang=lang,
               width=max(width, CHART_CHARS) if under else width + CHART_CHARS * bool(charts),
               breaks=[first + i * CHART_ROWS for i in range(1 if not under or first + CHART_ROWS <= PAGE_ROWS
                                                             else 0, len(charts))])


def _write_table(worksheet, sheet: str, key: str, table: pd.DataFrame, left: int, formats, lang) -> Placed:
    columns = list(table.columns)
    kinds = [_kind(key, i, c) for i, c in enumerate(columns)]
    worksheet.write_string(0, left, TITLES[key][lang == "en"], formats["title"])
    rows = table.itertuples(index=False, name=None)
    if lang == "en" and "aging" in columns:
        at = columns.index("aging")
        rows = ((*r[:at], stats.AGING_EN.get(r[at], r[at]), *r[at + 1:]) for r in rows)
    # Row by row, never all at once: a receivables table can have 100,000 rows, which xlsxwriter
    # holds in memory already.
    sample = list(itertools.islice(rows, 200)) or [(None,) * len(columns)]  # an Excel table needs a data row
    for bottom, row in enumerate(itertools.chain(sample, rows), start=2):
        for c, (value, kind) in enumerate(zip(row, kinds), start=left):
            _write_cell(worksheet, bottom, c, value, formats.get(kind))
    headers = [_header(c, lang) for c in columns]
    right = left + len(columns) - 1
    worksheet.add_table(1, left, bottom, right, {
        "name": f"stats_{key}", "style": "Table Style Medium 2",
        "columns": [{"header": h} for h in headers]})
    for c, (header, kind) in enumerate(zip(headers, kinds)):
        worksheet.set_column(left + c, left + c, _width(header, [v[c] for v in sample], kind))
    return Placed(sheet, key, columns, 1, left, bottom, right)


def _kind(table_key: str, position: int, column) -> str | None:
    if table_key in PIVOTS and position > 0 or column in MONEY:
        return "money"
    if column == "score":
        return "score"
    return next((kind for kind, keys in (("percent", PERCENT), ("date", DATES), ("whole", WHOLE))
                 if column in keys), None)


def _header(column, lang: str) -> str:
    if lang == "en" and column in stats.AGING_EN:
        return stats.AGING_EN[column]
    return stats.label(column, lang)


def _write_cell(worksheet, row: int, col: int, value, fmt) -> None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        worksheet.write_blank(row, col, None, fmt)
    elif isinstance(value, (dt.date, pd.Timestamp)):
        worksheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)) or hasattr(value, "dtype"):
        worksheet.write_number(row, col, float(value), fmt)
    else:
        worksheet.write_string(row, col, str(value), fmt)


def _width(header: str, sample: list, kind: str | None) -> float:
    """Wide enough for the header and the sampled values; CJK characters count double."""
    texts = [header, *(str(v) for v in sample if isinstance(v, str))]
    return max(MIN_WIDTHS.get(kind, 8), *(values.display_width(t) + 2 for t in texts))




# -- charts: each drawn from the table it sits beside ----------------------------------------------

FROM_ZERO = {"min": 0, "num_format": "#,##0"}  # a value axis not starting at zero exaggerates


def _axis_title(key: str, lang: str) -> dict:
    return {"name": stats.label(key, lang)}


def _series(p: Placed, column, categories_column=None) -> dict:
    c, k = p.column(column), p.left if categories_column is None else p.column(categories_column)
    return {"name": [p.sheet, p.top, c], "categories": [p.sheet, p.top + 1, k, p.bottom, k],
            "values": [p.sheet, p.top + 1, c, p.bottom, c]}


def _trend_chart(workbook, p: Placed, lang: str):
    one_month = p.bottom == p.top + 1  # a line through one point is a lone dot: draw a column
    chart = workbook.add_chart({"type": "column" if one_month else "line"})
    for column in p.columns[1:]:
        chart.add_series({**_series(p, column), **({} if one_month else {"marker": {"type": "circle"}})})
    chart.set_title({"name": TITLES["region_trend"][lang == "en"]})
    chart.set_legend({"position": "bottom"})
    chart.set_x_axis(_axis_title("month", lang))
    chart.set_y_axis({**_axis_title("net_amount", lang), **FROM_ZERO})
    return chart


def _compare_chart(workbook, p: Placed, lang: str):
    chart = workbook.add_chart({"type": "column"})
    for column in ("net_amount", "target"):
        chart.add_series(_series(p, column))
    chart.set_title({"name": TITLES["region_compare"][lang == "en"]})
    chart.set_legend({"position": "bottom"})
    chart.set_x_axis(_axis_title("region", lang))
    chart.set_y_axis({**_axis_title("net_amount", lang), **FROM_ZERO})
    return chart


def _ranking_chart(workbook, p: Placed, lang: str):
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({**_series(p, "score", "rep"), "data_labels": {"value": True, "num_format": "0.00"}})
    chart.set_title({"name": TITLES["ranking"][lang == "en"]})
    # In a bar chart the y axis holds the categories (rank 1 on top) and the x axis the values.
    chart.set_y_axis({"reverse": True, "label_position": "low", "crossing": "max"})  # values along the bottom
    chart.set_x_axis({**_axis_title("score", lang), "min": 0, "num_format": "0.00"})
    chart.set_legend({"none": True})
    return chart


def _aging_chart(workbook, p: Placed, lang: str):
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for column in p.columns[1:]:
        chart.add_series(_series(p, column))
    chart.set_title({"name": TITLES["aging"][lang == "en"]})
    chart.set_legend({"position": "bottom"})
    chart.set_x_axis({**_axis_title("outstanding", lang), **FROM_ZERO})
    chart.set_y_axis(_axis_title("region", lang))
    return chart


CHARTS = {"region_trend": _trend_chart, "region_compare": _compare_chart,
          "ranking": _ranking_chart, "aging": _aging_chart}
