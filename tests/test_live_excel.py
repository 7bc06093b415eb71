"""The live path, in an Excel in memory (tests/memory_excel.py): every button through `XwBook`
and every worksheet function with its `caller`, through xlwings' own Book/Sheet/Range classes
and conversion, against the demo office."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import xlwings as xw
from conftest import TODAY, at
from declared_udfs import bad_vba_names, call_udf, declared_module, vba_wrapper
from memory_excel import MemoryExcel, charts, formulas, tables, typed

from xlpy.excel import (
    CONSOLIDATION_SHEET,
    CONTROL_SHEET,
    DATE_NAME,
    INBOX_SHEET,
    REP_NAME,
    build,
    buttons,
    udfs,
)
from xlpy.excel.book import XwBook
from xlpy.io import annotate, stats_sheets

RED, YELLOW = annotate.COLOURS["error"], annotate.COLOURS["warning"]


@pytest.fixture(scope="module")
def demo_source(demo_built) -> Path:
    return demo_built.dir  # the run's demo office (conftest)


@pytest.fixture
def office(demo_source, tmp_path) -> Path:
    return Path(shutil.copytree(demo_source, tmp_path / "office"))


@pytest.fixture
def excel():
    excel = MemoryExcel()
    yield excel
    excel.close()
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


@pytest.fixture
def control(excel, office, tmp_path):
    """The control workbook open in Excel, naming the office, as the caller of the buttons."""
    path = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, path)
    book = excel.open(path)
    book.sheets["设置"].range("B2").value = str(office)
    book.set_mock_caller()
    return book


def values(book, sheet: str) -> list[list]:
    return XwBook(book).grid(sheet)


# ---------------------------------------------------------------- the engine is Excel-like


def test_the_engine_types_text_as_excel_does():
    assert typed("2026-11") == dt.datetime(2026, 11, 1) and typed("0123") == 123 and typed("12%") == 0.12
    assert typed("'0123") == "0123" and typed("0123", "@") == "0123"
    assert typed("+A1").text == "=+A1" and typed("@SUM(A1)").text == "=SUM(A1)" and typed("=1").text == "=1"
    assert typed("TRUE") is True and typed("-5") == -5 and typed("张伟") == "张伟"


def test_xlwings_refuses_ragged_rows_here_too(control):
    with pytest.raises(Exception, match="same length"):
        control.sheets[CONTROL_SHEET].range("A1").value = [["title"], ["a", "b"]]


# ---------------------------------------------------------------- XwBook.write


def test_rows_of_any_length_are_written_and_text_stays_text(control):
    book = XwBook(control)
    risky = ["2026-11", "0123", "+A1", "@SUM(A1)", "-x", "=1+1", "'quoted", "TRUE", "12%", "13800138000", "#N/A"]
    book.write("新表", [["title"], risky, [], [1, dt.date(2026, 11, 26), None, "张伟"]], at="B2")
    grid = book.grid("新表")
    assert grid[1][1] == "title" and grid[2][1:] == risky
    assert grid[3][1:3] == [None, None]  # the empty row wrote nothing
    assert grid[4][1:5] == [1.0, dt.datetime(2026, 11, 26), None, "张伟"]
    assert formulas(control) == []


def test_text_formatted_cells_get_text_as_it_is(control):
    control.sheets[CONTROL_SHEET].range("F1").number_format = "@"
    XwBook(control).write(CONTROL_SHEET, [["0123"]], at="F1")
    assert control.sheets[CONTROL_SHEET].range("F1").value == "0123"


def test_on_macos_the_status_is_a_message_box(control, excel):
    XwBook(control, status_bar=False).status("已完成")
    assert excel.alerts[-1] == "已完成" and not excel.status_bar
    XwBook(control, status_bar=True).status("已完成")
    assert excel.status_bar == "已完成"


# ---------------------------------------------------------------- every button


def test_every_button_on_the_demo_office(control, excel, office, make_report, clean_rows):
    assert buttons.validate_inbox(today=TODAY) in (0, 1), excel.alerts
    inbox = values(control, INBOX_SHEET)
    assert inbox[0][:4] == ["文件", "状态", "行数", "错误"] and len(inbox) > 10
    assert all(isinstance(r[0], str) and r[0].endswith(".xlsx") for r in inbox[1:])  # names with dates stay text

    assert buttons.consolidate(today=TODAY) in (0, 1), excel.alerts
    rows = values(control, CONSOLIDATION_SHEET)
    assert rows[0][:6] == ["文件", "结果", "读取行数", "接收", "拒收", "副本跳过"]
    total = next(r for r in rows if r[0] == "合计")
    assert total[2] == total[3] + total[4] + total[5]
    assert any(isinstance(r[0], str) and r[0].startswith("对账 ✓") for r in rows)
    months = {r[7] for r in rows[1:] if r[1] == "已接收"}
    assert months and all(isinstance(m, str) and len(m) == 7 for m in months)  # "2026-11", not a date

    assert buttons.refresh_stats(today=TODAY) == 0, excel.alerts
    found = tables(control)
    assert set(found) == {f"stats_{key}" for _, _, keys in stats_sheets.SHEETS for key in keys}
    assert found["stats_ranking"][0] == "销售排名"
    assert {sheet: len(c) for sheet, c in charts(control).items()} == {"区域业绩": 2, "销售排名": 1, "应收账款": 1}
    assert buttons.refresh_stats(today=TODAY) == 0  # again: replaces, no overlapping tables, no extra charts
    assert {sheet: len(c) for sheet, c in charts(control).items()} == {"区域业绩": 2, "销售排名": 1, "应收账款": 1}

    control.sheets[CONTROL_SHEET].range(REP_NAME).value = "张伟"
    control.sheets[CONTROL_SHEET].range(DATE_NAME).value = "2026-12-01"  # typed in: Excel makes it a date
    assert buttons.new_report(today=TODAY) == 0, excel.alerts
    written = office / "inbox" / "张伟_2026-12-01.xlsx"
    assert written.is_file() and excel.app.books.active.name == written.name

    assert buttons.daily_briefing(today=TODAY) == 0, excel.alerts
    assert excel.app.books.active.name.endswith(".xlsx")

    report = excel.open(make_report(_spoiled(clean_rows)))
    assert buttons.validate_active_sheet(today=TODAY) == 1, excel.alerts
    live = XwBook(report)
    assert live.fill_of("日报", at("qty", 1)) == RED and "不是数字" in live.note("日报", at("qty", 1))
    assert live.fill_of("日报", at("region", 2)) == YELLOW
    assert annotate.SHEET in live.sheet_names()

    assert not [a for a in excel.alerts if "出错了" in a], excel.alerts
    assert formulas(control) == [] and formulas(report) == []


def _spoiled(rows):
    rows[1]["qty"] = "两套"
    rows[2]["region"] = "华北"
    return rows


def test_validate_from_the_control_sheet_checks_the_last_workbook_looked_at(control, excel, make_report, clean_rows):
    report = excel.open(make_report(_spoiled(clean_rows)))
    control.activate()  # the button is clicked on the control sheet
    control.sheets[CONTROL_SHEET].activate()
    assert buttons.validate_active_sheet(today=TODAY, target=report.name) == 1, excel.alerts
    assert XwBook(report).fill_of("日报", at("qty", 1)) == RED
    assert annotate.SHEET not in XwBook(control).sheet_names()


def test_validate_from_the_control_sheet_without_a_report_lists_the_open_workbooks(control, excel):
    control.sheets[CONTROL_SHEET].activate()
    assert buttons.validate_active_sheet(today=TODAY) == 2
    assert "ValidateActiveSheet" in excel.alerts[-1] and "快速访问工具栏" in excel.alerts[-1]


# ---------------------------------------------------------------- the worksheet functions


@pytest.fixture
def declared():
    return declared_module()


def test_every_function_from_a_cell_of_the_control_workbook(control, excel, office, declared, make_report, clean_rows,
                                                           monkeypatch):
    monkeypatch.delenv(udfs.ENV, raising=False)
    assert buttons.consolidate(today=TODAY) in (0, 1)
    cell = control.sheets["函数示例"].range("C5")
    [[sales]] = call_udf(declared.XLPY_SALES, "net_amount", "华东", caller=cell)
    plain = udfs.XLPY_SALES.__wrapped__(udfs.record(office.resolve()).as_of(TODAY), "net_amount", "华东")
    assert isinstance(sales, float) and sales == pytest.approx(plain) and sales > 0
    [[contracts]] = call_udf(declared.XLPY_SALES, "contracts", None, "张伟", None, "2026-11-01", "2026-11-15",
                             caller=cell)
    assert isinstance(contracts, (int, float))
    [[attainment]] = call_udf(declared.XLPY_ATTAINMENT, "华东", "2026-11", caller=cell)
    [[rank]] = call_udf(declared.XLPY_RANK, "张伟", "2026-11", caller=cell)
    [[owed]] = call_udf(declared.XLPY_OUTSTANDING, caller=cell)
    table = call_udf(declared.XLPY_STATS, "region", "2026-11", caller=cell)
    for result in (attainment, rank, owed):
        assert isinstance(result, (int, float)), result
    assert table[0][0] == "区域" and len({len(r) for r in table}) == 1  # a rectangle to spill

    report = excel.open(make_report(_spoiled(clean_rows)))
    cells = report.sheets["日报"].used_range
    found = call_udf(declared.XLPY_CHECK, cells, caller=cell)
    assert ("bad-number", at("qty", 1)) in [(r[1], r[3]) for r in found[1:]]
    assert not [v for r in found for v in r if isinstance(v, str) and v.startswith("#XLPY!")]


def test_the_generated_vba_module_compiles_by_name(declared):
    assert bad_vba_names(vba_wrapper(declared)) == []
    assert {f.__name__ for f in (declared.XLPY_SALES, declared.XLPY_CHECK)} <= set(dir(declared))


def test_the_name_check_catches_a_reserved_word(tmp_path):
    source = tmp_path / "reserved_udfs.py"
    source.write_text("import xlwings as xw\n\n@xw.func\ndef F(start, end=None, to=None):\n    return 1\n",
                      encoding="utf-8")
    import importlib.util
    spec = importlib.util.spec_from_file_location("reserved_udfs", source)
    plain = importlib.util.module_from_spec(spec)
    plain.__file__ = str(source)
    assert bad_vba_names(vba_wrapper(declared_module(plain))) == ["F(end)", "F(to)"]


# ---------------------------------------------------------------- failures a person can find


def test_a_failing_button_is_logged_in_the_office_and_the_message_names_the_log(control, excel, office):
    (office / "xlpy.toml").write_text("language = [broken\n", encoding="utf-8")
    assert buttons.validate_inbox(today=TODAY) == 2
    log = office / "logs" / "excel.log"
    assert str(log) in excel.alerts[-1]
    assert "validate_inbox" in log.read_text(encoding="utf-8") and "Traceback" in log.read_text(encoding="utf-8")


def test_without_an_office_the_failure_goes_to_the_users_log_folder(control, excel, user_log_dir):
    control.sheets["设置"].range("B2").value = None
    assert buttons.consolidate(today=TODAY) == 2
    assert "设置" in excel.alerts[-1] and str(user_log_dir / "excel.log") in excel.alerts[-1]
    assert "Plain" in (user_log_dir / "excel.log").read_text(encoding="utf-8")


def test_validate_from_the_control_sheet_with_several_workbooks_and_none_named(control, excel, make_report,
                                                                               clean_rows):
    first = excel.open(make_report(clean_rows, name="first.xlsx"))
    second = excel.open(make_report(clean_rows, name="second.xlsx"))
    control.sheets[CONTROL_SHEET].activate()
    assert buttons.validate_active_sheet(today=TODAY) == 2
    assert first.name in excel.alerts[-1] and second.name in excel.alerts[-1] and "Alt+F8" in excel.alerts[-1]
    assert buttons.validate_active_sheet(today=TODAY, target=second.name) != 2, excel.alerts
    assert annotate.SHEET in XwBook(second).sheet_names() and annotate.SHEET not in XwBook(first).sheet_names()
