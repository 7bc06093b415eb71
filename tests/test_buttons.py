"""The buttons' code on real workbook files, through the file implementation of the
book interface (what `xlpy button ...` runs): the right cells marked, the right sheets written."""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import REPORT_DATE, TITLE, TODAY, at, demo_copy
from olevba_sources import vba_sources
from openpyxl import load_workbook
from openpyxl.utils import quote_sheetname

from xlpy.app import validate
from xlpy.app.consolidate import run_consolidation
from xlpy.cli.excel import add_commands
from xlpy.contract import config
from xlpy.excel import (
    CONSOLIDATION_SHEET,
    CONTROL_SHEET,
    INBOX_SHEET,
    OFFICE_NAME,
    REP_NAME,
    build,
    buttons,
)
from xlpy.excel.book import FileBook
from xlpy.io import annotate, stats_sheets
from xlpy.io.report_file import write_report

RED, YELLOW = annotate.COLOURS["error"], annotate.COLOURS["warning"]


@pytest.fixture
def office(tmp_path, reference_path) -> Path:
    folder = tmp_path / "office"
    (folder / "inbox").mkdir(parents=True)
    shutil.copyfile(reference_path, folder / "reference.xlsx")
    # stats' ranking metric is named collection_rate (config's default still says collection)
    (folder / "xlpy.toml").write_text(
        "[ranking]\nweights = { net_amount = 0.4, attainment = 0.3, conversion = 0.15, collection_rate = 0.15 }\n",
        encoding="utf-8")
    # Inside an office the buttons judge as consolidation does (issue 10): the clean rows pay and cancel
    # HT-000, so the office's record holds it, signed the day before.
    seed = tmp_path / "seed"
    write_report(seed / "seed.xlsx", {**TITLE, "report_date": REPORT_DATE - dt.timedelta(days=1)},
                 [{"customer": "客户丁", "product": "B型", "deal_type": "签约", "qty": 2, "unit_price": 8000,
                   "amount": 16000, "contract_no": "HT-000"}])
    assert run_consolidation(config.load(folder), inbox=seed, today=TODAY).exit_code == 0
    return folder


@pytest.fixture
def control(tmp_path, office) -> Path:
    """A copy of the committed control workbook whose 设置 sheet names ``office``."""
    path = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, path)
    book = FileBook(path)
    book.write("设置", [[str(office)]], at="B2")
    book.save()
    return path


def fill(ws, ref):
    f = ws[ref].fill
    return f.fgColor.rgb[-6:] if f.fill_type == "solid" else None


def spoiled(clean_rows):
    rows = clean_rows
    rows[1]["qty"] = "两套"  # error: not a number
    rows[2]["region"] = "华北"  # warning: 张伟 belongs to 华东
    return rows


def test_validate_active_sheet_marks_cells_and_lists_issues(make_report, clean_rows, office):
    path = make_report(spoiled(clean_rows))
    book = FileBook(path)
    assert buttons.validate_active_sheet(book, office=office, today=TODAY) == 1
    book.save()

    ws = load_workbook(path)["日报"]
    assert fill(ws, at("qty", 1)) == RED and "不是数字" in ws[at("qty", 1)].comment.text
    assert fill(ws, at("region", 2)) == YELLOW and "华东" in ws[at("region", 2)].comment.text
    assert fill(ws, at("qty", 0)) is None and ws[at("qty", 0)].comment is None
    # the same issues as the CLI finds in the file, in the office (issue 10: one judgement everywhere)
    expected = validate.judge_in_office([path], buttons.context(config.load(office), TODAY))[0].issues
    listed = list(load_workbook(path)[annotate.SHEET].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[6]) for r in listed] == [(i.rule, i.cell, i.message()) for i in expected]
    link = load_workbook(path)[annotate.SHEET]["D2"].hyperlink
    assert link.location == f"{quote_sheetname('日报')}!{expected[0].cell}"
    assert book.shown and "1 个错误，1 个警告" in book.shown[-1]
    assert load_workbook(path).active.title == "日报"


def test_a_second_check_clears_earlier_marks_and_keeps_user_notes(make_report, clean_rows, office):
    path = make_report(spoiled(clean_rows))
    first = FileBook(path)
    first.set_note("日报", at("customer", 0), "老客户")
    buttons.validate_active_sheet(first, office=office, today=TODAY)
    first.save()
    fixed = FileBook(path)
    fixed.write("日报", [[1]], at=at("qty", 1))
    fixed.write("日报", [["华东"]], at=at("region", 2))
    assert buttons.validate_active_sheet(fixed, office=office, today=TODAY) == 0
    fixed.save()
    ws = load_workbook(path)["日报"]
    for ref in (at("qty", 1), at("region", 2)):
        assert fill(ws, ref) is None and ws[ref].comment is None
    assert ws[at("customer", 0)].comment.text == "老客户"
    assert load_workbook(path)[annotate.SHEET].max_row == 1  # headings only


def test_validate_the_sheet_asked_for_and_unsaved_values(make_report, clean_rows, office):
    path = make_report(clean_rows)
    book = FileBook(path, active="日报")
    book.write("日报", [["=1+1"]], at=at("amount", 1))  # text typed over a number, not yet saved
    assert buttons.validate_active_sheet(book, office=office, today=TODAY) == 1
    assert book.fill_of("日报", at("amount", 1)) == RED


def test_validate_refuses_the_control_sheet(control):
    book = FileBook(control)
    assert book.active_sheet() == CONTROL_SHEET
    assert buttons.validate_active_sheet(book) == 2
    assert "Alt+F8" in book.shown[-1]
    assert annotate.SHEET not in book.sheet_names()


def test_validate_inbox_writes_a_table_of_files(control, office, make_report, clean_rows):
    shutil.move(make_report(name="clean.xlsx"), office / "inbox" / "clean.xlsx")
    bad = spoiled(clean_rows)
    bad[2]["contract_no"] = "HT-002"  # not the clean report's contract: no duplicate across the batch
    shutil.move(make_report(bad, name="bad.xlsx"), office / "inbox" / "bad.xlsx")
    (office / "inbox" / "notes.txt").write_text("not a report", encoding="utf-8")
    book = FileBook(control)
    assert buttons.validate_inbox(book, today=TODAY) == 1
    book.save()
    rows = list(load_workbook(control)[INBOX_SHEET].iter_rows(values_only=True))
    assert rows[0][:4] == ("文件", "状态", "行数", "错误")
    by_file = {r[0]: r for r in rows[1:]}
    assert by_file["bad.xlsx"][1:5] == ("有错误", 5, 1, 1)
    assert by_file["clean.xlsx"][1:4] == ("通过", 5, 0)
    assert "不是数字" in by_file["bad.xlsx"][6]
    # saving through openpyxl keeps the VBA and the buttons
    assert set(vba_sources(control)) >= {"SalesDesk.bas", "xlwings.bas", "Dictionary.cls"}
    with zipfile.ZipFile(control) as z:
        assert "ValidateInbox" in z.read("xl/drawings/vmlDrawing1.vml").decode()


def test_office_folder_comes_from_the_settings_sheet(control, tmp_path):
    book = FileBook(control)
    book.write("设置", [[None]], at="B2")
    assert buttons.validate_inbox(book) == 2
    assert "设置" in book.shown[-1] and "Traceback" not in book.shown[-1]
    book.write("设置", [[str(tmp_path / "nowhere")]], at="B2")
    assert buttons.validate_inbox(book) == 2
    assert "nowhere" in book.shown[-1]
    assert book.named(OFFICE_NAME) == str(tmp_path / "nowhere")


def test_new_report_uses_the_rep_typed_on_the_control_sheet(control, office):
    book = FileBook(control)
    assert buttons.new_report(book) == 2 and "销售代表" in book.shown[-1]
    book.write(CONTROL_SHEET, [["张伟"]], at=_cell_of(book, REP_NAME))
    assert buttons.new_report(book) == 0
    written = office / "inbox" / f"张伟_{dt.date.today():%Y-%m-%d}.xlsx"
    assert written.is_file()
    assert buttons.new_report(book, date=dt.date(2026, 11, 26)) == 0
    assert (office / "inbox" / "张伟_2026-11-26.xlsx").is_file()
    assert buttons.new_report(book, rep="不存在的人") == 2 and "不存在的人" in book.shown[-1]


def _cell_of(book: FileBook, name: str) -> str:
    return next(book.wb.defined_names[name].destinations)[1].replace("$", "")


def test_consolidate_then_refresh_stats(control, office, make_report, clean_rows):
    report = make_report(clean_rows[:3], name="张伟_2026-11-26.xlsx")  # no rows against older contracts
    shutil.move(report, office / "inbox" / report.name)
    book = FileBook(control)
    assert buttons.consolidate(book) == 0, book.shown
    assert list((office / "master").glob("*.xlsx"))
    assert buttons.refresh_stats(book, today=TODAY) == 0, book.shown
    book.save()
    wb = load_workbook(control, keep_vba=True)
    ranking = list(wb["销售排名"].iter_rows(values_only=True))
    assert ranking[0][0] == stats_sheets.TITLES["ranking"][0]
    assert ranking[1][:2] == ("排名", "销售代表") and "张伟" in [r[1] for r in ranking[2:]]
    receivables = next(wb["应收账款"].iter_rows(max_row=1, values_only=True))
    titles = [v for v in receivables if v is not None]  # three tables side by side
    assert titles == [stats_sheets.TITLES[k][0] for k in ("receivables", "collection", "aging")]
    assert "刷新" in book.shown[-1]


def test_refresh_stats_makes_excel_tables_formats_and_the_masters_charts(control, demo_consolidated, tmp_path):
    office = demo_copy(demo_consolidated, tmp_path / "demo")  # the run's demo office consolidated on TODAY (conftest)
    book = FileBook(control)
    book.write("设置", [[str(office)]], at="B2")
    for _ in range(2):  # a second refresh replaces the first, it does not add to it
        assert buttons.refresh_stats(book, today=TODAY) == 0, book.shown
    book.save()
    wb = load_workbook(control, keep_vba=True)
    tables = {name: (ws.title, ws.tables[name].ref) for ws in wb.worksheets for name in ws.tables}
    assert set(tables) == {f"stats_{key}" for _, _, keys in stats_sheets.SHEETS for key in keys}
    assert tables["stats_ranking"] == ("销售排名", f"A2:H{2 + 7}")  # seven active reps under the headers
    charts = {ws.title: len(ws._charts) for ws in wb.worksheets if ws._charts}
    assert charts == {"区域业绩": 2, "销售排名": 1, "应收账款": 1}
    # one chart declaration now (xlpy.contract.statistics), drawn by 总表 and the button alike:
    # the button's own chart map, once compared here with 总表's, is gone
    assert set(charts) == {s for s, _, keys in stats_sheets.SHEETS if set(keys) & set(stats_sheets.CHARTS)}
    bars = wb["销售排名"]._charts[0]
    assert bars.type == "bar" and bars.x_axis.scaling.orientation == "maxMin"  # rank 1 on top
    ws = wb["销售排名"]
    assert ws["H3"].number_format == stats_sheets.NUMBER_FORMATS["score"]
    assert ws["D3"].number_format == stats_sheets.NUMBER_FORMATS["money"] and ws.column_dimensions["D"].width >= 13
    # every sheet keeps its code name, so that the VBA project's document modules still match
    assert [ws.sheet_properties.codeName for ws in wb.worksheets] == [f"Sheet{n}" for n in range(1, len(wb.sheetnames) + 1)]


def test_consolidate_shows_the_reconciliation(control, office, make_report, clean_rows):
    shutil.move(make_report(clean_rows[:3], name="张伟_2026-11-26.xlsx"), office / "inbox" / "张伟_2026-11-26.xlsx")
    bad = clean_rows[:3]
    bad[1]["qty"] = "两套"
    bad[2]["contract_no"] = "HT-002"
    shutil.move(make_report(bad, name="李娜_2026-11-26.xlsx", title={"rep": "李娜", "region": "华北"}),
                office / "inbox" / "李娜_2026-11-26.xlsx")
    book = FileBook(control)
    assert buttons.consolidate(book) == 1
    book.save()
    ws = load_workbook(control)[CONSOLIDATION_SHEET]
    rows = [r for r in ws.iter_rows(values_only=True)]
    assert rows[0][:6] == ("文件", "结果", "读取行数", "接收", "拒收", "副本跳过")
    by_file = {r[0]: r for r in rows[1:3]}
    assert by_file["张伟_2026-11-26.xlsx"][1:6] == ("已接收", 3, 3, 0, 0)
    assert by_file["李娜_2026-11-26.xlsx"][1:6] == ("已拒收", 3, 0, 3, 0)
    assert rows[3][:6] == ("合计", None, 6, 3, 3, 0)
    assert rows[5][0].startswith("对账 ✓：读取 6 行 = 接收 3 + 拒收 3")
    errors = rows[rows.index(("文件", "单元格", "规则", "说明", None, None, None, None)) + 1:]
    assert [(r[0], r[1], r[2]) for r in errors] == [("李娜_2026-11-26.xlsx", f"日报!{at('qty', 1)}", "bad-number")]
    assert load_workbook(control).active.title == CONSOLIDATION_SHEET
    assert "拒收" in book.shown[0]  # the message box lists the rejected report


def test_a_missing_feature_is_told_in_plain_words():
    with pytest.raises(buttons.Plain) as raised:
        buttons.optional("xlpy.not_yet_written", "新功能", "zh")
    told = buttons.text(raised.value.code, "zh", **raised.value.params)
    assert "“新功能”功能尚未安装" in told and "xlpy.not_yet_written" in told


def run_cli(*argv) -> int:
    parser = argparse.ArgumentParser(prog="xlpy")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


def test_headless_twins(make_report, clean_rows, office, tmp_path, capsys):
    path = make_report(spoiled(clean_rows))
    out = tmp_path / "marked.xlsx"
    assert run_cli("button", "validate-sheet", path, "--office", office, "--today", "2026-11-27", "-o", out) == 1
    assert "1 个错误" in capsys.readouterr().out
    assert out.is_file() and load_workbook(path).sheetnames == ["日报"]  # the original untouched
    assert annotate.SHEET in load_workbook(out).sheetnames
    assert run_cli("button", "new-report", "--rep", "张伟", "--date", "2026-11-20", "--office", office) == 0
    assert (office / "inbox" / "张伟_2026-11-20.xlsx").is_file()
