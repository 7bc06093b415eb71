"""Public sample data turned into an office of daily reports, for tests and benchmarks
at realistic scale: the "Sample - Superstore" orders as one report per region and day.

Reports are written in several layouts people really use (Chinese headers under a
title block, English headers with `label: value` titles, zh-TW headers with money as
text and a total row), so the published totals prove the reader as well as the sums.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter
from python_calamine import CalamineWorkbook

from xlpy.contract import config, schema

LAYOUTS = ("zh", "en", "tw")
_TW = {"date": "業務日期", "rep": "銷售代表", "customer": "客戶名稱", "product": "產品", "deal_type": "業務類型",
       "qty": "數量", "unit_price": "單價", "amount": "金額（元）", "contract_no": "合同編號"}


def superstore_orders(xls: Path) -> pd.DataFrame:
    """The Orders sheet with the region's manager as the rep."""
    book = CalamineWorkbook.from_path(str(xls))
    orders = _sheet(book, "Orders")
    people = _sheet(book, "People")
    orders["Rep"] = orders["Region"].map(dict(zip(people["Region"], people["Person"])))
    return orders


def _sheet(book, name: str) -> pd.DataFrame:
    rows = book.get_sheet_by_name(name).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def write_superstore_office(xls: Path, office: Path, limit: int | None = None) -> int:
    """An office folder (settings, reference, inbox) holding the orders as daily
    reports; returns the number of reports. ``limit`` keeps only the first days."""
    orders = superstore_orders(xls)
    office = Path(office)
    (office / "inbox").mkdir(parents=True, exist_ok=True)
    (office / config.CONFIG_NAME).write_text(config.DEFAULT_TOML, encoding="utf-8")
    _write_reference(orders, office / "reference.xlsx")
    groups = list(orders.groupby(["Order Date", "Region"], sort=True))
    for i, ((day, region), rows) in enumerate(groups[:limit]):
        layout = LAYOUTS[i % len(LAYOUTS)]
        name = f"{rows['Rep'].iloc[0]}_{day:%Y-%m-%d}_{region}.xlsx"
        _write_report(office / "inbox" / name, day, rows, layout)
    return len(groups[:limit])


def _write_reference(orders: pd.DataFrame, path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    reps = orders[["Rep", "Region"]].drop_duplicates()
    _rows(book, "销售代表", ["姓名", "区域", "在职"], [[r.Rep, r.Region, "是"] for r in reps.itertuples()])
    price = (orders["Sales"] / orders["Quantity"]).groupby(orders["Product Name"]).max()
    _rows(book, "产品价目", ["产品", "类别", "标准价"],
          [[name, cat, round(price[name], 2)] for name, cat in
           orders.drop_duplicates("Product Name")[["Product Name", "Category"]].itertuples(index=False)])
    _rows(book, "销售目标", ["期间", "区域", "目标金额"], [])
    _rows(book, "收件人", ["姓名", "职务", "邮箱"], [["Sales Manager", "销售经理", "manager@example.com"]])
    book.close()


def _rows(book, sheet: str, header: list, rows: list[list]) -> None:
    ws = book.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)


def _write_report(path: Path, day, rows: pd.DataFrame, layout: str) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = book.add_worksheet("Report" if layout == "en" else "日报")
    rep, visits, calls = rows["Rep"].iloc[0], len(rows) * 2, len(rows) * 3
    keys = ["date", "customer", "product", "deal_type", "qty", "unit_price", "amount", "contract_no"]
    lines = [[day, r["Customer Name"], r["Product Name"], "contract" if layout == "en" else "签约",
              r["Quantity"], round(r["Sales"] / r["Quantity"], 2), r["Sales"], r["Order ID"]]
             for r in rows.to_dict("records")]
    if layout == "zh":  # a title block with label | value cells, merged title, dates as Excel dates
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        ws.merge_range(0, 0, 0, 7, "销售日报表")
        ws.write_row(1, 0, ["报表日期", day.isoformat(), "销售代表", rep])
        ws.write_row(2, 0, ["来访量", visits, "来电量", calls])
        ws.write_row(4, 0, [schema.BY_KEY[k].zh for k in keys])
        for r, line in enumerate(lines, start=5):
            ws.write_datetime(r, 0, pd.Timestamp(line[0]).to_pydatetime(), date_fmt)
            ws.write_row(r, 1, line[1:])
        ws.write_row(len(lines) + 5, 0, ["合计", None, None, None, sum(x[4] for x in lines), None,
                                         sum(x[6] for x in lines)])
    elif layout == "en":  # `label: value` titles, English headers, columns in another order
        ws.write(0, 0, f"Report Date: {day:%Y/%m/%d}")
        ws.write(0, 2, f"Sales Rep: {rep}")
        ws.write(1, 0, f"Visits: {visits}")
        ws.write(1, 2, f"Calls: {calls}")
        order = [7, 1, 2, 3, 4, 5, 6]
        ws.write_row(3, 0, [schema.BY_KEY[keys[i]].en for i in order])
        for r, line in enumerate(lines, start=4):
            ws.write_row(r, 0, [line[i] for i in order])
    else:  # zh-TW headers with a unit, text dates, money typed as text
        ws.write_row(0, 0, ["報表日期：" + f"{day.year}年{day.month}月{day.day}日", None, "銷售代表：" + rep])
        ws.write_row(1, 0, ["來訪量", visits, "來電量", calls])
        ws.write_row(2, 0, [_TW[k] for k in keys])
        for r, line in enumerate(lines, start=3):
            ws.write_row(r, 0, [f"{day.month}月{day.day}日", *line[1:5], f"¥{line[5]:,}", f"¥{line[6]:,}", line[7]])
    book.close()
