"""The statistic sheets: written with xlsxwriter, read back with python-calamine and openpyxl, and
the chart parts checked in the zip (openpyxl does not load charts)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from test_stats import AS_OF, office_activity, office_ledger, office_reference

from xlpy.contract import statistics as declared
from xlpy.core import stats
from xlpy.io import stats_sheets, store

SHEETS_ZH = ["日报汇总", "月度汇总", "区域业绩", "目标完成", "销售排名", "应收账款", "库存", "价格分析"]


def written(path: Path, lang: str = "zh", ledger=None) -> Path:
    ledger = office_ledger() if ledger is None else ledger
    tables = stats.all_tables(ledger, office_activity(), office_reference(), AS_OF)
    workbook = store.new_workbook(path)  # the writer 总表 is written with
    stats_sheets.write_stats(workbook, tables, lang)
    workbook.close()
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return written(tmp_path_factory.mktemp("stats") / "总表.xlsx")


def rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_sheet_names_and_values_read_back(book):
    assert CalamineWorkbook.from_path(str(book)).sheet_names == SHEETS_ZH
    ranking = rows(book, "销售排名")
    assert ranking[0][0] == "销售排名" and ranking[1][:3] == ["排名", "销售代表", "区域"]
    assert [r[1] for r in ranking[2:5]] == ["李娜", "王强", "张伟"]
    receivables = rows(book, "应收账款")
    header = receivables[1]
    first = dict(zip(header[:14], receivables[2][:14]))
    assert first["合同编号"] == "HT001" and first["未收金额"] == 15000 and first["账龄"] == "0–30"
    chase = header.index("催款名单") if "催款名单" in header else receivables[0].index("催款名单")
    assert [r[chase] for r in receivables[2:4]] == ["HT002", "HT001"]  # the collection list, beside
    stock = {r[0]: r for r in rows(book, "库存")[2:]}
    assert stock["A型"][-1] == 10 - 5


def test_tables_formats_and_frozen_header(book):
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == SHEETS_ZH
    regions = wb["区域业绩"]
    assert set(regions.tables) == {"stats_region_performance", "stats_region_trend", "stats_region_compare"}
    assert regions.freeze_panes == "A3"
    monthly = wb["月度汇总"]
    headers = [c.value for c in monthly[2]]
    net, conversion = headers.index("净销售额") + 1, headers.index("转化率") + 1
    assert monthly.cell(3, net).number_format == "#,##0.00"
    assert monthly.cell(3, conversion).number_format == "0.0%"
    daily = wb["日报汇总"]
    assert daily["A2"].value == "日期" and daily["A3"].number_format == "yyyy-mm-dd"
    assert daily.column_dimensions["A"].width >= 11


def _sheet_charts(zf: zipfile.ZipFile) -> dict[str, list[str]]:
    """Sheet name → the chart parts drawn on it, following the package relationships."""
    names = re.findall(r'<sheet name="([^"]+)"', zf.read("xl/workbook.xml").decode())
    found = {}
    for i, name in enumerate(names, start=1):
        rels = f"xl/worksheets/_rels/sheet{i}.xml.rels"
        if rels not in zf.namelist():
            continue
        for drawing in re.findall(r'Target="../drawings/(drawing\d+\.xml)"', zf.read(rels).decode()):
            targets = zf.read(f"xl/drawings/_rels/{drawing}.rels").decode()
            found[name] = [f"xl/charts/{c}" for c in re.findall(r'Target="../charts/(chart\d+\.xml)"', targets)]
    return found


def test_charts_present_and_drawn_from_their_own_sheet(book):
    with zipfile.ZipFile(book) as zf:
        charts = [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 4
        placed = _sheet_charts(zf)
        assert {k: len(v) for k, v in placed.items()} == {"区域业绩": 2, "销售排名": 1, "应收账款": 1}
        kinds = {}
        for sheet, parts in placed.items():
            for part in parts:
                xml = zf.read(part).decode()
                refs = re.findall(r"<c:f>([^<]+)</c:f>", xml)
                assert refs and {r.split("!")[0].strip("'") for r in refs} == {sheet}
                kinds.setdefault(sheet, []).append(re.search(r"<c:(line|bar)Chart>", xml).group(1))
        assert sorted(kinds["区域业绩"]) == ["bar", "line"]  # a column chart is a barChart with barDir col
        aging = zf.read(placed["应收账款"][0]).decode()
        assert '<c:grouping val="stacked"/>' in aging and aging.count("<c:ser>") == len(stats.AGING)


def test_english_headers_and_sheet_names(tmp_path):
    book = written(tmp_path / "master.xlsx", lang="en")
    assert CalamineWorkbook.from_path(str(book)).sheet_names[0] == "Daily Summary"
    receivables = rows(book, "Receivables")
    assert receivables[1][:2] == ["Contract No", "Customer"]
    assert "not due" in receivables[1]  # the aging pivot's first bucket
    assert receivables[4][13] == "not due"  # HT004 is due Dec 20 (after 应退金额, column 11)


def test_an_empty_ledger_still_writes_every_sheet(tmp_path):
    book = written(tmp_path / "empty.xlsx", ledger=office_ledger().iloc[0:0])
    assert openpyxl.load_workbook(book).sheetnames == SHEETS_ZH
    receivables = rows(book, "应收账款")
    assert len(receivables) == 2 and receivables[1][0] == "合同编号"  # title and header, no contracts


def test_avg_deal_is_on_the_regions_sheet(book):
    """客单价, declared once, lands in 本月各区域对比 with its label and the money format."""
    grid = rows(book, "区域业绩")
    left = grid[0].index("本月各区域对比")
    header = grid[1][left:]
    at = header.index("客单价")
    shown = {r[left]: r[left + at] for r in grid[2:4]}
    assert shown == {"华东": 8500, "华南": 8800}  # as stats.group_stats has it (test_stats)
    ws = openpyxl.load_workbook(book)["区域业绩"]
    assert ws.cell(3, left + at + 1).number_format == "#,##0.00"


def test_refund_due_beside_outstanding_on_the_receivables_sheet(tmp_path):
    """A customer who paid more than the contract is worth is owed money back: a row of 应收账款
    with 应退金额, not left out (issue 12)."""
    from test_stats import deal
    overpaid = deal("2026-11-09", "李娜", "华东", "payment", "客户丁", None, received=20000, contract_no="HT003")
    ledger = pd.concat([office_ledger(), pd.DataFrame([overpaid])], ignore_index=True)
    grid = rows(written(tmp_path / "refund.xlsx", ledger=ledger), "应收账款")
    width = len(declared.TABLE["receivables"].columns)  # the collection list beside repeats headers
    found = {r[0]: dict(zip(grid[1][:width], r[:width])) for r in grid[2:] if r[0]}
    assert found["HT003"]["应退金额"] == 20000 and found["HT003"]["未收金额"] == 0
    assert found["HT003"]["账龄"] == "" and found["HT003"]["逾期天数"] == 0
    assert found["HT001"]["应退金额"] == 0
