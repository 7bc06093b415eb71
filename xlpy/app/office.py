"""The office folder: `xlpy.toml`, the reference workbook (基础资料), `inbox/`, `master/`, `outbox/`
and `logs/`."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xlpy.app import demo_data
from xlpy.contract import config, schema
from xlpy.contract.messages import say
from xlpy.contract.statistics import KIND_OF_TYPE
from xlpy.core import values
from xlpy.io.report_file import HEADER_FILL
from xlpy.io.xlsx import number_format

# A blank office's reference: one example row per sheet, marked so the reader skips it.
EXAMPLE = "示例"
EXAMPLE_NOTE = (say("office.note-title"), say("office.note"))  # the reference workbook is Chinese
EXAMPLES = {
    "reps": [("张三", "华东", "是", dt.date(2026, 1, 5), "zhang.san@example.com")],
    "products": [("产品A 型号-100", "类别一", 1000, 920, 100)],
    "targets": [("2026-01", "张三", "华东", 100000)],
    "recipients": [("李四", "总经理", "manager@example.com")],
}


def init_office(dir: Path, today: dt.date, lang: str = "zh", sample: bool = True) -> Path:
    """Create the office folder ``dir`` (it may exist, but must not hold an office yet): with the
    demo's reps, products and targets for the year of ``today`` (``sample``; the demo and the
    tests start there), or with an empty reference workbook (`xlpy init`)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}: use zh or en")
    dir = Path(dir)
    toml = dir / config.CONFIG_NAME
    if toml.exists():
        raise ValueError(say("office-exists", lang, path=toml))
    dir.mkdir(parents=True, exist_ok=True)
    settings = config.Settings(office=dir)
    write_reference(settings.path("reference"), demo_data.reference_data(today.year) if sample else None)
    for folder in ("inbox", "master", "outbox", "logs"):  # logs/: the scheduler's line appends there
        settings.path(folder).mkdir(exist_ok=True)
    # Written last: its presence is what marks the folder as an office.
    toml.write_text(config.DEFAULT_TOML.replace('language = "zh"', f'language = "{lang}"', 1), encoding="utf-8")
    return dir


def write_reference(path: Path, data: dict[str, list] | None = None) -> Path:
    """The reference workbook, laid out for editing in Excel: ``data`` (sheet key → rows), or
    when None an example row per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in (s for s in schema.REFERENCE_SHEETS if s.key in (data or EXAMPLES)):  # a 房源表 makes a unit office
        ws = wb.create_sheet(sheet.zh)
        _write_sheet(ws, sheet, data[sheet.key] if data else EXAMPLES[sheet.key])
        if not data:
            _mark_example(ws, len(sheet.columns) + 1)
    wb.save(path)
    return path


def _mark_example(ws, col: int) -> None:
    ws.cell(1, col, EXAMPLE_NOTE[0]).font = Font(bold=True)
    ws.cell(2, col, EXAMPLE_NOTE[1]).font = Font(italic=True, color="808080")
    ws.column_dimensions[get_column_letter(col)].width = values.display_width(EXAMPLE_NOTE[1]) + 2
    for cell in ws[2]:
        cell.font = Font(italic=True, color="808080")


def _write_sheet(ws, sheet: schema.Sheet, rows) -> None:
    for c, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, c, column.zh)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for r, row in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(sheet.columns, row), start=1):
            cell = ws.cell(r, c, value)
            # Periods stay text: Excel would turn a typed 2026-11 into a date.
            kind_format = number_format(KIND_OF_TYPE[column.type]) or "General"
            cell.number_format = "@" if column.key == "period" else kind_format
    for c, column in enumerate(sheet.columns, start=1):
        texts = [column.zh] + [_shown(row[c - 1]) for row in rows]
        ws.column_dimensions[get_column_letter(c)].width = max(map(values.display_width, texts)) + 4
    ws.freeze_panes = "A2"


def _shown(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


