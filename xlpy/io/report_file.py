"""Write a daily-report workbook: the title area, the header row from the schema, the rows.

Used by `xlpy template` (no rows, with drop-downs), the demo office and the tests.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xlpy.contract import schema
from xlpy.contract.statistics import KIND_OF_TYPE
from xlpy.io.xlsx import number_format

TITLE = "销售日报表"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WIDTHS = {"date": 12, "text": 14, "number": 8, "money": 14}


def write_report(path: Path, title: dict | None = None, rows: list[dict] | None = None,
                 columns: tuple[str, ...] | None = None, lists: dict[str, list[str]] | None = None,
                 sheet: str = "日报", data_rows: int = 30) -> Path:
    """Write a report to ``path``.

    ``title`` maps title keys (report_date, rep, region, visits, calls) to values;
    ``rows`` are dicts keyed by schema keys (a value may be any cell value, wrong ones
    included, so tests and the demo can plant mistakes); ``columns`` picks and orders
    the table's columns (default: all); ``lists`` adds drop-downs (key → choices) to
    ``data_rows`` rows below the header.
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
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[col.type]
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
    ws.freeze_panes = ws.cell(header + 1, 1)
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
    dv.error, dv.errorTitle = "请从列表中选择", schema.BY_KEY[key].zh
    ws.add_data_validation(dv)
    target = get_column_letter(col)
    dv.add(f"{target}{first}:{target}{last}")
