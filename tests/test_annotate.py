"""`xlpy validate --annotate`: marked-up copies of real report files."""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import logging
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from xlpy.app import validate
from xlpy.cli.main import main
from xlpy.contract import schema
from xlpy.core.rules import ERROR, WARNING, Context, Issue
from xlpy.io.annotate import (
    AUTHOR,
    COLOURS,
    SHEET,
    annotate_results,
    by_cell,
    mark_cells,
    worst,
    write_issue_sheet,
)
from xlpy.io.reference import Reference
from xlpy.io.report_file import write_report

from conftest import SHARED

DAY = dt.date(2026, 11, 26)
TITLE = {"report_date": DAY, "rep": "张三", "region": "华东", "visits": 3, "calls": 5}
RED, YELLOW = COLOURS[ERROR], COLOURS[WARNING]
# Rows 6.. of the report; the comments say which cell each mistake lands in.
ROWS = [
    dict(date=DAY, customer="甲", product="A1", deal_type="签约", qty=1, unit_price=100, amount=100, contract_no="C1"),
    dict(date=DAY, customer="乙", product="A1", deal_type="签约", qty=1, unit_price=100, amount=150,
         contract_no="C2"),  # J7 amount-mismatch
    dict(date=dt.date(2026, 11, 1), customer="丙", product="A1", deal_type="认购", qty=1, unit_price=100,
         amount=100),  # A8 far-date
    dict(date=DAY, customer="丁", product="A1", deal_type="认购", qty=1, unit_price=-100,
         amount=-100),  # I9 negative + below-floor, J9 negative
    dict(date=DAY, customer="戊", product="A1", deal_type="认购", qty="abc", unit_price=100, amount=100),  # H10
]
EXPECTED = {"J7": RED, "A8": YELLOW, "I9": RED, "J9": RED, "H10": RED}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reference() -> Reference:
    empty = Reference.empty()
    reps = pd.DataFrame([{"name": "张三", "region": "华东", "active": True, "hired": None, "email": None}])
    products = pd.DataFrame([{"product": "A1", "category": "住宅", "list_price": 120.0, "floor_price": 90.0,
                              "opening_stock": 10}])
    return Reference(reps=reps, products=products, targets=empty.targets, recipients=empty.recipients)


def check(paths, lang="zh"):
    results, _ = validate.run(list(paths), Context(reference=reference(), today=DAY, lang=lang))
    return results


def fill(cell) -> str | None:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


@pytest.fixture
def report(tmp_path) -> Path:
    return write_report(tmp_path / "in" / "张三_2026-11-26.xlsx", TITLE, ROWS)


def test_error_and_warning_cells_are_marked_with_their_messages(report, tmp_path):
    before = sha(report)
    [result] = check([report])
    assert {i.cell for i in result.issues} == set(EXPECTED)

    [out] = annotate_results([result], tmp_path / "out")

    assert out == tmp_path / "out" / report.name
    assert sha(report) == before
    ws = load_workbook(out)["日报"]
    for ref, found in by_cell(result.issues).items():
        cell = ws[ref[1]]
        assert fill(cell) == EXPECTED[ref[1]], ref
        assert cell.comment.author == AUTHOR
        assert all(i.message("zh") in cell.comment.text for i in found)
    for row in ws.iter_rows(min_row=6, max_row=10):
        for cell in row:
            if cell.coordinate not in EXPECTED:
                assert fill(cell) is None and cell.comment is None, cell.coordinate
    assert ws["D6"].value == "甲" and ws["J7"].value == 150  # the copy keeps the data


def test_several_issues_on_one_cell_share_one_comment_and_the_worst_fill(report, tmp_path):
    [result] = check([report])
    on_i9 = [i for i in result.issues if i.cell == "I9"]
    assert {i.severity for i in on_i9} == {ERROR, WARNING}

    [out] = annotate_results([result], tmp_path / "out")

    comment = load_workbook(out)["日报"]["I9"].comment.text
    assert comment.count("\n") == 1
    assert comment.startswith("错误：") and "警告：" in comment


def test_issue_sheet_lists_every_issue_with_links_to_the_cells(report, tmp_path):
    [result] = check([report])
    [out] = annotate_results([result], tmp_path / "out")

    wb = load_workbook(out)
    ws = wb[SHEET]
    assert wb.active.title == SHEET
    assert [c.value for c in ws[1]] == ["级别", "规则", "工作表", "单元格", "列", "值", "说明"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:G{len(result.issues) + 1}"
    assert ws.column_dimensions["G"].width > ws.column_dimensions["A"].width
    rows = list(ws.iter_rows(min_row=2))
    assert [(r[1].value, r[3].value) for r in rows] == [(i.rule, i.cell) for i in result.issues]
    for row, issue in zip(rows, result.issues):
        link = row[3].hyperlink
        assert link.location == f"'{issue.sheet}'!{issue.cell}" and link.target is None
        sheet, ref = link.location.split("!")
        assert wb[sheet.strip("'")][ref].comment is not None  # the link lands on a marked cell
        assert row[6].value == issue.message("zh")
        assert row[0].value == {ERROR: "错误", WARNING: "警告"}[issue.severity]


def test_file_level_issues_are_listed_without_a_link(tmp_path):
    no_qty = tuple(c.key for c in schema.COLUMNS if c.key != "qty")
    path = write_report(tmp_path / "r.xlsx", TITLE, ROWS[:1], columns=no_qty)
    [result] = check([path])
    assert [i.rule for i in result.issues] == ["missing-columns"]

    [out] = annotate_results([result], tmp_path / "out")

    row = load_workbook(out)[SHEET][2]
    assert row[1].value == "missing-columns" and row[3].value is None and row[3].hyperlink is None


def test_english_headings_and_comments(report, tmp_path):
    [result] = check([report], lang="en")
    [out] = annotate_results([result], tmp_path / "out", lang="en")

    wb = load_workbook(out)
    assert [c.value for c in wb[SHEET][1]] == ["Severity", "Rule", "Sheet", "Cell", "Column", "Value", "Message"]
    assert wb[SHEET]["A2"].value == "error"
    assert wb["日报"]["J7"].comment.text.startswith("error: Amount 150 differs")


def test_reannotating_an_annotated_copy_replaces_the_issue_sheet(report, tmp_path):
    [first] = annotate_results(check([report]), tmp_path / "once")
    [again] = check([first])
    assert {i.cell for i in again.issues} == set(EXPECTED)  # the 校验结果 sheet is not read as a report

    [second] = annotate_results([again], tmp_path / "twice")

    wb = load_workbook(second)
    assert wb.sheetnames == ["日报", SHEET]
    assert wb[SHEET].max_row == len(again.issues) + 1
    assert wb["日报"]["J7"].comment.text.count("\n") == 0  # not a second copy of the same message


def test_marks_of_an_earlier_run_are_cleared():
    ws = Workbook().active
    ws.title = "日报"
    first = [Issue("bad-number", "日报", "H7", "qty", "abc"), Issue("far-date", "日报", "A8", "date", DAY,
                                                                   {"expected": "2026-11-26", "days": 25})]
    mark_cells(ws, first)
    ws["C3"].value = "x"
    ws["C3"].comment = Comment("客户要求周五送货", "张三")
    mark_cells(ws, [Issue("bad-number", "日报", "C3", "qty", "x")])

    assert fill(ws["H7"]) is None and ws["H7"].comment is None
    assert fill(ws["A8"]) is None and ws["A8"].comment is None
    assert fill(ws["C3"]) == RED
    assert ws["C3"].comment.text.endswith("客户要求周五送货")  # the rep's own note is kept
    mark_cells({"日报": ws}, [])
    assert ws["C3"].comment.text == "客户要求周五送货" and fill(ws["C3"]) is None


def test_worst_severity_decides_and_other_sheets_are_left_alone():
    wb = Workbook()
    ws = wb.active
    ws.title = "日报"
    issues = [Issue("far-date", "日报", "A6", "date", DAY, {"expected": "2026-11-20", "days": 6}),
              Issue("future-date", "日报", "A6", "date", DAY, {"expected": "2026-11-25"}),
              Issue("bad-number", "别的表", "A6", "qty", "abc")]
    assert worst(issues[:2]) == ERROR
    assert list(by_cell(issues)) == [("日报", "A6"), ("别的表", "A6")]

    mark_cells(ws, issues)

    assert fill(ws["A6"]) == RED and ws["A6"].comment.text.count("\n") == 1
    assert "abc" not in ws["A6"].comment.text


def test_a_cell_inside_a_merged_range_is_marked_on_its_first_cell():
    ws = Workbook().active
    ws.title = "日报"
    ws.merge_cells("B2:D2")
    mark_cells(ws, [Issue("activity-missing", "日报", "C2", "visits")])
    assert fill(ws["B2"]) == YELLOW and "来访量" in ws["B2"].comment.text


def test_issue_sheet_keeps_odd_values_as_text_and_links_only_existing_sheets(tmp_path):
    wb = Workbook()
    wb.active.title = "日报"
    write_issue_sheet(wb, [Issue("bad-number", "日报", "H7", "qty", "=1+1\x07"),
                           Issue("excel-error", "日报", "J7", "amount", "#REF!")])
    write_issue_sheet(wb, [Issue("bad-number", "日报", "H7", "qty", "=1+1\x07"),
                           Issue("excel-error", "别的表", "J7", "amount", "#REF!")])
    wb.save(tmp_path / "x.xlsx")

    back = load_workbook(tmp_path / "x.xlsx")
    ws = back[SHEET]
    assert back.sheetnames == ["日报", SHEET]
    assert (ws["F2"].value, ws["F2"].data_type) == ("=1+1", "s")
    assert (ws["F3"].value, ws["F3"].data_type) == ("#REF!", "s")
    assert ws["D2"].hyperlink.location == "'日报'!H7" and ws["D3"].hyperlink is None
    assert [s.sheet_view.tabSelected for s in back.worksheets] == [False, True]


def vba_bin(tmp_path: Path) -> Path:
    """A real vbaProject.bin: the one inside the xlwings quickstart workbook (an installed package)."""
    spec = importlib.util.find_spec("xlwings")
    book = Path(spec.origin).parent / "quickstart.xlsm" if spec else None
    if book is None or not book.is_file():
        pytest.skip("no xlsm with a vbaProject.bin to borrow (xlwings quickstart.xlsm)")
    out = tmp_path / "vbaProject.bin"
    out.write_bytes(zipfile.ZipFile(book).read("xl/vbaProject.bin"))
    return out


def test_xlsm_keeps_its_macros_and_extension(tmp_path):
    path = tmp_path / "in" / "r.xlsm"
    path.parent.mkdir()
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("日报")
    keys = [c.key for c in schema.COLUMNS]
    ws.write_row(0, 0, [c.zh for c in schema.COLUMNS])
    for r, rec in enumerate(ROWS[:2], start=1):
        rec = {**rec, "date": rec["date"].isoformat(), "rep": "张三", "region": "华东"}
        ws.write_row(r, 0, [rec.get(k) for k in keys])
    book.add_vba_project(str(vba_bin(tmp_path)))
    book.close()
    before = sha(path)
    [result] = check([path])
    assert [i.cell for i in result.issues if i.cell] == ["J3"]  # no title area: visits, calls

    [out] = annotate_results([result], tmp_path / "out")

    assert out.name == "r.xlsm" and sha(path) == before
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(out) as copy:
        assert copy.read("xl/vbaProject.bin") == original.read("xl/vbaProject.bin")
        assert b"macroEnabled" in copy.read("[Content_Types].xml")
    assert fill(load_workbook(out, keep_vba=True)["日报"]["J3"]) == RED


def shared_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    return path


@pytest.mark.parametrize("relative", [
    "data/superstore/Sample - Superstore.xls",  # a format openpyxl cannot open
    "corpora/xlsx/poi/SimpleStrict.xlsx",  # Strict OOXML: openpyxl loads no sheets
    "corpora/xlsx/poi/style-alternate-content.xlsx",  # openpyxl raises TypeError in the styles
])
def test_files_openpyxl_cannot_open_get_the_issue_list_only(relative, tmp_path, caplog):
    source = shared_file(relative)
    before = sha(source)
    [result] = check([source])
    assert result.status == "invalid"

    with caplog.at_level(logging.WARNING, logger="xlpy.io.annotate"):
        [out] = annotate_results([result], tmp_path / "out")

    assert out == tmp_path / "out" / f"{source.stem}.annotated.xlsx"
    assert not (tmp_path / "out" / source.name).exists()
    wb = load_workbook(out)
    assert wb.sheetnames == [SHEET]
    assert [c.value for c in wb[SHEET][2]][1] == result.issues[0].rule
    assert str(out) in caplog.text and sha(source) == before


def test_ods_gets_the_issue_list_only(tmp_path):
    pytest.importorskip("odf", reason="odfpy is not installed: pandas cannot write .ods")
    source = tmp_path / "r.ods"
    pd.DataFrame([{c.zh: ROWS[1].get(c.key) for c in schema.COLUMNS}]).to_excel(source, engine="odf", index=False)
    [result] = check([source])

    [out] = annotate_results([result], tmp_path / "out")

    assert out.name == "r.annotated.xlsx" and load_workbook(out).sheetnames == [SHEET]


def test_unreadable_and_skipped_files_write_nothing(tmp_path):
    empty = tmp_path / "in" / "empty.xlsx"
    empty.parent.mkdir()
    empty.touch()
    (tmp_path / "in" / "note.txt").write_text("hello")
    results = check([empty, tmp_path / "in" / "note.txt"])
    assert [r.status for r in results] == ["unreadable", "skipped"]

    assert annotate_results(results, tmp_path / "out") == []
    assert not any((tmp_path / "out").glob("*"))


def test_same_names_and_the_source_folder_never_overwrite(report, tmp_path):
    twin = shutil.copy(report, tmp_path / report.name)
    before = sha(report)
    results = check([report, Path(twin)])

    written = annotate_results(results, report.parent)

    assert [p.name for p in written] == ["张三_2026-11-26 (2).xlsx", "张三_2026-11-26 (3).xlsx"]
    assert sha(report) == before


def test_a_failure_is_logged_not_raised(report, tmp_path, caplog):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the folder should be")

    with caplog.at_level(logging.ERROR, logger="xlpy.io.annotate"):
        assert annotate_results(check([report]), blocker) == []

    assert report.name in caplog.text


def test_the_command_line_writes_the_copies(report, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["validate", str(report), "--annotate", str(out), "--today", "2026-11-26", "--office", str(tmp_path)])

    assert code == 1
    assert str(out / report.name) in capsys.readouterr().err
    assert fill(load_workbook(out / report.name)["日报"]["J7"]) == RED
