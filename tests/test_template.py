"""The blank daily report a rep fills in (`xlpy.io.template`): drop-downs from the reference,
formats, a titled page with a total row, read back as an empty report; never overwritten."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import REPORT_DATE
from openpyxl import load_workbook

from xlpy.contract import config, schema
from xlpy.core import rules
from xlpy.io import reader
from xlpy.io.reference import Reference
from xlpy.io.template import DATA_ROWS, write_template

DAY = REPORT_DATE  # conftest's new_office is of that day


def _lists(path):
    """Header of each column with a drop-down → the choices it offers."""
    wb = load_workbook(path)
    ws, lists = wb["日报"], wb["lists"]
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        header = next(c.value for c in ws[col] if c.value in {k.zh for k in schema.COLUMNS} and c.row > 3)
        source = dv.formula1.split("!")[1].replace("$", "")
        out[header] = [c.value for row in lists[source] for c in row]
    return out


def test_template_has_drop_downs_from_the_reference(new_office, new_reference):
    path = write_template("张伟", DAY, new_reference, None, config.load(new_office))
    assert path == config.load(new_office).path("inbox") / "张伟_2026-11-26.xlsx"
    lists = _lists(path)
    assert lists["销售代表"] == list(new_reference.reps.loc[new_reference.reps["active"], "name"])
    assert "周强" not in lists["销售代表"]  # inactive
    assert lists["产品"] == list(new_reference.products["product"])
    assert lists["业务类型"] == [d.zh for d in schema.DEAL_TYPES if not d.units_only]  # 换房: unit offices only
    assert sorted(lists["区域"]) == sorted(["华东", "华南", "华北"])


def test_template_is_formatted_and_frozen(new_office, new_reference):
    path = write_template("刘洋", DAY, new_reference, None, config.load(new_office))
    ws = load_workbook(path)["日报"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == schema.BY_KEY["date"].zh)
    assert ws.freeze_panes == f"A{header + 1}"
    formats = {ws.cell(header, c).value: ws.cell(header + 1, c).number_format for c in range(1, ws.max_column + 1)}
    assert formats[schema.BY_KEY["date"].zh] == "yyyy-mm-dd"
    assert formats[schema.BY_KEY["amount"].zh] == "#,##0.00"
    # one map from a column's kind to its format (xlpy.io.xlsx.KINDS) for the masters and the
    # template alike: quantities are General there, so that 1.5 units does not show as 2
    assert formats[schema.BY_KEY["qty"].zh] == "General"


def test_template_is_a_titled_bordered_page_with_a_total_row(new_office, new_reference):
    path = write_template("刘洋", DAY, new_reference, None, config.load(new_office))
    ws = load_workbook(path)["日报"]
    assert ws["A1"].value == "销售日报表"
    title = {ws.cell(r, c).value: ws.cell(r, c + 1).value for r in (2, 3) for c in (1, 3, 5)}
    assert title["销售代表"] == "刘洋" and title["区域"] == "华南" and title["报表日期"].date() == DAY
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == schema.BY_KEY["date"].zh)
    total = header + DATA_ROWS + 1
    assert ws.cell(total, 1).value == "合计"
    sums = {ws.cell(header, c).value: ws.cell(total, c).value for c in range(1, ws.max_column + 1)}
    amount = schema.BY_KEY["amount"]
    letter = next(c.column_letter for c in ws[header] if c.value == amount.zh)
    assert sums[amount.zh] == f"=SUM({letter}{header + 1}:{letter}{total - 1})"
    assert sums["数量"].startswith("=SUM(") and sums["收款金额"].startswith("=SUM(")
    for r in (header, header + 1, total):
        assert all(ws.cell(r, c).border.left.style == "thin" for c in range(1, ws.max_column + 1))
    for c in ws[header]:
        assert ws.column_dimensions[c.column_letter].width >= len(c.value) * 2 + 2  # CJK counts double
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (1, None)
    assert ws.print_title_rows == f"$1:${header}" and "第 &P 页" in ws.oddFooter.center.text


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed to compute the "
                                                         "formulas as Excel would (apt-get install libreoffice-calc-nogui)")
def test_the_total_row_is_checked_once_excel_has_computed_it(new_office, new_reference, tmp_path):
    settings = config.load(new_office)
    path = write_template("刘洋", DAY, new_reference, tmp_path / "filled" / "t.xlsx", settings)
    wb = load_workbook(path)
    ws = wb["日报"]
    columns = {c.value: c.column for c in ws[5]}
    for r, (qty, price) in enumerate(((3, 2699), (5, 3299)), start=6):
        for header, value in (("客户名称", "上海恒达电器有限公司"), ("产品", "壁挂空调 KFR-26GW"), ("业务类型", "认购"),
                              ("数量", qty), ("单价", price), ("金额", qty * price)):
            ws.cell(r, columns[header], value)
    ws.cell(6, columns["产品"], "壁挂空调 KFR-26GW"), ws.cell(7, columns["产品"], "壁挂空调 KFR-35GW")
    wb.save(path)
    computed = tmp_path / "computed"  # LibreOffice saves the formulas' results, as Excel does
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(computed), str(path)], check=True, timeout=180,
                   capture_output=True)
    report = reader.read_report(computed / "t.xlsx", settings, new_reference.rep_index, today=DAY)
    [table] = report.tables
    assert len(table.rows) == 2 and table.totals and table.totals[0][1]["amount"] == 3 * 2699 + 5 * 3299
    ctx = rules.Context(reference=new_reference, settings=settings, today=DAY)
    assert "total-mismatch" not in {i.rule for i in rules.check_report(report, ctx)}
    table.totals[0][1]["amount"] += 100  # as if a rep typed over the formula
    assert "total-mismatch" in {i.rule for i in rules.check_report(report, ctx)}


def test_template_reads_back_with_its_title_and_no_rows(new_office, new_reference):
    settings = config.load(new_office)
    path = write_template("刘洋", DAY, new_reference, None, settings)
    report = reader.read_report(path, settings, new_reference.rep_index, today=DAY)
    [table] = report.tables
    assert len(table.rows) == 0
    filled = {k: v.value for k, v in table.title.items() if v.value is not None}
    assert filled == {"report_date": DAY, "rep": "刘洋", "region": "华南"}
    issues = rules.check_report(report, rules.Context(reference=new_reference, settings=settings, today=DAY))
    assert [(i.rule, i.column) for i in issues] == [("activity-missing", "visits"), ("activity-missing", "calls")]


def test_template_never_overwrites(new_office, new_reference):
    settings = config.load(new_office)
    path = write_template("张伟", DAY, new_reference, None, settings)
    path.write_bytes(b"filled in by the rep")
    with pytest.raises(FileExistsError, match="张伟_2026-11-26"):
        write_template("张伟", DAY, new_reference, None, settings)
    assert path.read_bytes() == b"filled in by the rep"


@pytest.mark.parametrize("rep", ["张三", "周强"])
def test_template_refuses_unknown_and_inactive_reps(new_office, new_reference, rep):
    with pytest.raises(ValueError, match=rep):
        write_template(rep, DAY, new_reference, None, config.load(new_office))


def test_template_without_a_reference(tmp_path):
    path = write_template("张伟", DAY, Reference.empty(), tmp_path / "t.xlsx", config.Settings(office=tmp_path))
    assert _lists(path) == {"业务类型": [d.zh for d in schema.DEAL_TYPES if not d.units_only]}  # 换房: unit offices only
    [table] = reader.read_report(path, today=DAY).tables
    assert table.title["rep"].value == "张伟" and len(table.rows) == 0
