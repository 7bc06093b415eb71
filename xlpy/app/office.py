"""The office folder: `xlpy.toml`, the reference workbook (基础资料) with sample data, `inbox/`, `master/`,
`outbox/` and `logs/`."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xlpy.contract import config, schema
from xlpy.contract.statistics import KIND_OF_TYPE
from xlpy.core import values
from xlpy.io.report_file import HEADER_FILL
from xlpy.io.xlsx import number_format

# (name, region, active, hired, e-mail); one rep has left, as in every real office.
REPS = (
    ("张伟", "华东", "是", dt.date(2019, 3, 11), "zhang.wei@example.com"),
    ("王芳", "华东", "是", dt.date(2021, 7, 1), "wang.fang@example.com"),
    ("李娜", "华东", "是", dt.date(2024, 2, 19), "li.na@example.com"),
    ("刘洋", "华南", "是", dt.date(2020, 9, 7), "liu.yang@example.com"),
    ("陈静", "华南", "是", dt.date(2023, 4, 3), "chen.jing@example.com"),
    ("周强", "华南", "否", dt.date(2018, 5, 14), "zhou.qiang@example.com"),
    ("杨磊", "华北", "是", dt.date(2017, 11, 20), "yang.lei@example.com"),
    ("赵敏", "华北", "是", dt.date(2022, 6, 6), "zhao.min@example.com"),
)
# A home-appliance maker selling to dealers and contractors: (product, category,
# list price, floor price ≈ 92 %, opening stock: dealers buy by the dozen).
PRODUCTS = (
    ("壁挂空调 KFR-26GW", "空调", 2699, 2480, 4200),
    ("壁挂空调 KFR-35GW", "空调", 3299, 3040, 5600),
    ("柜式空调 KFR-72LW", "空调", 6999, 6440, 1800),
    ("燃气热水器 JSQ-16", "热水器", 2199, 2020, 3000),
    ("燃气热水器 JSQ-24", "热水器", 3599, 3310, 1500),
    ("电热水器 DSZF-60", "热水器", 1599, 1470, 3800),
    ("净水器 RO-600G", "净水器", 2999, 2760, 2600),
    ("净水器 RO-1000G", "净水器", 4599, 4230, 1200),
    ("空气净化器 KJ-500", "净化器", 1899, 1750, 2400),
    ("新风系统 XF-250", "新风", 8999, 8280, 600),
)
RECIPIENTS = (
    ("林国华", "董事长", "chairman@example.com"),
    ("吴志强", "总经理", "gm@example.com"),
    ("孙丽", "销售经理", "sales.manager@example.com"),
)
# Monthly target of each active rep, in yuan; busier months weigh more.
REP_MONTHLY = {"张伟": 600_000, "王芳": 500_000, "李娜": 350_000, "刘洋": 550_000,
               "陈静": 400_000, "杨磊": 600_000, "赵敏": 450_000}
SEASON = (0.8, 0.7, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.1, 1.3)


def init_office(dir: Path, today: dt.date, lang: str = "zh") -> Path:
    """Create the office folder ``dir`` (it may exist, but must not hold an office yet).
    Targets are for the year of ``today``."""
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}: use zh or en")
    dir = Path(dir)
    toml = dir / config.CONFIG_NAME
    if toml.exists():
        raise ValueError(_EXISTS[lang == "en"].format(path=toml))
    dir.mkdir(parents=True, exist_ok=True)
    settings = config.Settings(office=dir)
    write_reference(settings.path("reference"), today.year)
    for folder in ("inbox", "master", "outbox", "logs"):  # logs/: the scheduler's line appends there
        settings.path(folder).mkdir(exist_ok=True)
    # Written last: its presence is what marks the folder as an office.
    toml.write_text(config.DEFAULT_TOML.replace('language = "zh"', f'language = "{lang}"', 1), encoding="utf-8")
    return dir


_EXISTS = ("{path} 已存在：此文件夹已经是一个办公文件夹，请换一个文件夹",
           "{path} already exists: this folder is an office already; choose another folder")


def write_reference(path: Path, year: int) -> Path:
    """The sample reference workbook, laid out for editing in Excel."""
    wb = Workbook()
    wb.remove(wb.active)
    data = {"reps": REPS, "products": PRODUCTS, "targets": targets(year), "recipients": RECIPIENTS}
    for sheet in (s for s in schema.REFERENCE_SHEETS if s.key in data):  # a 房源表 makes a unit office
        _write_sheet(wb.create_sheet(sheet.zh), sheet, data[sheet.key])
    wb.save(path)
    return path


def targets(year: int) -> list[tuple]:
    """(period, rep, region, target): per active rep or per region (one of the two, never
    both, so that no total counts a target twice), by month, quarter and year."""
    monthly = {}  # (rep or None, region or None) → twelve months
    for name, region, active, *_ in REPS:
        if active == "是":
            months = [round(REP_MONTHLY[name] * s, -4) for s in SEASON]
            monthly[(name, None)] = months
            region_months = monthly.setdefault((None, region), [0] * 12)
            monthly[(None, region)] = [a + b for a, b in zip(region_months, months)]
    rows = []
    for (rep, region), months in monthly.items():
        rows += [(f"{year}-{m + 1:02d}", rep, region, months[m]) for m in range(12)]
        rows += [(f"{year}-Q{q + 1}", rep, region, sum(months[3 * q:3 * q + 3])) for q in range(4)]
        rows.append((str(year), rep, region, sum(months)))
    return rows


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


