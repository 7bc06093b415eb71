"""Write a daily-report workbook: the title area, the header row from the schema, the rows.

Used by `xlpy template` (no rows, with drop-downs), the demo office and the tests.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xlpy.contract import schema
from xlpy.contract.messages import say
from xlpy.contract.statistics import KIND_OF_TYPE
from xlpy.core import values
from xlpy.io.xlsx import number_format

TITLE = "销售日报表"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTHS = {"date": 12, "text": 14, "number": 8, "money": 14}
WIDE = {"customer": 24, "product": 20, "note": 24}  # what people write at length
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SUMMED = ("qty", "amount", "received")  # the 合计 row's SUM formulas
PAGE_OF = say("page.of")  # the blank report is Chinese, as its headers


def write_report(path: Path, title: dict | None = None, rows: list[dict] | None = None,
                 columns: tuple[str, ...] | None = None, lists: dict[str, list[str]] | None = None,
                 sheet: str = "日报", data_rows: int = 30, total_row: bool = False) -> Path:
    """Write a report to ``path``.

    ``title`` maps title keys (report_date, rep, region, visits, calls) to values;
    ``rows`` are dicts keyed by schema keys (a value may be any cell value, wrong ones
    included, so tests and the demo can plant mistakes); ``columns`` picks and orders
    the table's columns (default: all); ``lists`` adds drop-downs (key → choices) to
    ``data_rows`` rows below the header; ``total_row`` (a blank report) borders those rows and
    closes them with a 合计 row of SUM formulas, which the reader checks like any total row.
    """
    columns = columns or schema.PRODUCT_OFFICE_COLUMNS
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = TITLE
    ws["A1"].font = Font(size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].alignment = Alignment(horizontal="center")
    for i, field in enumerate(schema.TITLE_FIELDS):
        label_col = 1 + 2 * (i % 3)
        row = 2 + i // 3
        ws.cell(row, label_col, field.zh).font = Font(bold=True)
        value = (title or {}).get(field.key)
        cell = ws.cell(row, label_col + 1, value)
        if isinstance(value, dt.date):
            cell.number_format = number_format("date")
    header = 5
    for c, key in enumerate(columns, start=1):
        col = schema.BY_KEY[key]
        cell = ws.cell(header, c, col.zh)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        ws.column_dimensions[get_column_letter(c)].width = max(WIDE.get(key, WIDTHS[col.type]),
                                                                values.display_width(col.zh) + 3)
    for r, rec in enumerate(rows or [], start=header + 1):
        for c, key in enumerate(columns, start=1):
            value = rec.get(key)
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed text, even when it starts with "="
            elif number_format(KIND_OF_TYPE[schema.BY_KEY[key].type]):
                cell.number_format = number_format(KIND_OF_TYPE[schema.BY_KEY[key].type])
    for key, choices in (lists or {}).items():
        if key in columns and choices:
            _dropdown(wb, ws, key, choices, columns.index(key) + 1, header + 1, header + data_rows)
    last = header + max(len(rows or []), data_rows if total_row else 0)
    if total_row:
        _total_row(ws, columns, header, last)
        last += 1
        for line in ws.iter_rows(min_row=header, max_row=last, max_col=len(columns)):
            for cell in line:
                cell.border = BOX
    ws.freeze_panes = ws.cell(header + 1, 1)  # the title area and the headers stay in view
    _print_setup(ws, header, last, len(columns))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _dropdown(wb: Workbook, ws, key: str, choices: list[str], col: int, first: int, last: int) -> None:
    """An in-cell list; choices live on a hidden sheet so that long lists and commas work."""
    lists = wb["lists"] if "lists" in wb.sheetnames else wb.create_sheet("lists")
    lists.sheet_state = "hidden"
    n = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
    for r, choice in enumerate(choices, start=1):
        lists.cell(r, n, choice)
    letter = get_column_letter(n)
    dv = DataValidation(type="list", formula1=f"=lists!${letter}$1:${letter}${len(choices)}", allow_blank=True,
                        showErrorMessage=key == "deal_type")
    dv.error, dv.errorTitle = say("report.pick-from-list"), schema.BY_KEY[key].zh
    ws.add_data_validation(dv)
    target = get_column_letter(col)
    dv.add(f"{target}{first}:{target}{last}")


def _total_row(ws, columns: tuple[str, ...], header: int, last: int) -> None:
    """合计 under the rows to fill: SUM of each summed column (Excel computes it as the rep types)."""
    row = last + 1
    ws.cell(row, 1, "合计").font = Font(bold=True)
    for key in SUMMED:
        if key in columns:
            c = columns.index(key) + 1
            letter = get_column_letter(c)
            cell = ws.cell(row, c, f"=SUM({letter}{header + 1}:{letter}{last})")
            cell.font, cell.number_format = Font(bold=True), number_format(KIND_OF_TYPE[schema.BY_KEY[key].type]) or "General"


def _print_setup(ws, header: int, last: int, width: int) -> None:
    """One landscape A4 page, the headers repeated should it grow, a footer with the page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1  # a day of one rep: one page
    ws.print_title_rows = f"1:{header}"
    ws.print_area = f"A1:{get_column_letter(width)}{last}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.left.text, ws.oddFooter.center.text = "&A", PAGE_OF
