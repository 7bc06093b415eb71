"""The office folder (`xlpy init`), its reference workbook, and the blank template (`xlpy template`)."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tomllib

import pytest
from openpyxl import load_workbook

from xlpy.app import demo_data
from xlpy.app.office import EXAMPLES, init_office, write_reference
from xlpy.cli.main import main
from xlpy.contract import config, schema
from xlpy.core import rules
from xlpy.io import reader
from xlpy.io.reference import Reference, read_reference
from xlpy.io.template import DATA_ROWS, write_template

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def office(tmp_path):
    return init_office(tmp_path / "office", today=DAY)


@pytest.fixture
def ref(office):
    return read_reference(office / "reference.xlsx")


# ---------------------------------------------------------------- init


def test_init_creates_the_folder(office):
    assert (office / "inbox").is_dir() and (office / "master").is_dir()
    settings = config.load(office)
    assert settings.language == "zh"
    assert settings.path("reference").is_file()


def test_init_writes_the_language(tmp_path):
    init_office(tmp_path / "en", DAY, lang="en")
    assert config.load(tmp_path / "en").language == "en"
    with (tmp_path / "en" / config.CONFIG_NAME).open("rb") as f:
        assert tomllib.load(f)["language"] == "en"


def test_init_refuses_an_existing_office(office):
    before = (office / "reference.xlsx").read_bytes()
    with pytest.raises(ValueError, match=config.CONFIG_NAME):
        init_office(office, DAY)
    assert (office / "reference.xlsx").read_bytes() == before


def test_init_refuses_an_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="fr"):
        init_office(tmp_path / "x", DAY, lang="fr")
    assert not (tmp_path / "x" / config.CONFIG_NAME).exists()


def test_reference_reads_back(ref):
    assert len(ref.reps) == 8
    assert sorted(ref.reps["region"].unique()) == sorted(["华东", "华南", "华北"])
    assert ref.reps["active"].sum() == 7
    assert ref.reps["hired"].map(lambda d: isinstance(d, dt.date)).all()
    assert ref.reps["email"].str.endswith("@example.com").all()
    products = ref.products
    assert len(products) == 10 and products["product"].is_unique
    share = products["floor_price"] / products["list_price"]
    assert share.between(0.90, 0.95).all()
    assert (products["opening_stock"] > 0).all()
    assert sorted(ref.recipients["title"]) == sorted(["董事长", "总经理", "销售经理"])
    assert ref.recipients["email"].str.endswith("@example.com").all()


def test_targets_cover_the_year_by_rep_and_region(ref):
    targets = ref.targets
    active = set(ref.reps.loc[ref.reps["active"], "name"])
    periods = {"2026-11", "2026-Q4", "2026"}
    by_rep = targets[targets["rep"].notna()]
    by_region = targets[targets["rep"].isna()]
    assert set(by_rep["rep"]) == active
    assert set(by_region["region"]) == {"华东", "华南", "华北"}
    for frame, who in ((by_rep, "rep"), (by_region, "region")):
        for name, group in frame.groupby(who):
            assert periods <= set(group["period"]), name
            months = group[group["period"].str.fullmatch(r"2026-\d\d")]
            q4 = group.loc[group["period"] == "2026-Q4", "target"].item()
            assert len(months) == 12
            assert q4 == months[months["period"] >= "2026-10"]["target"].sum()
            assert group.loc[group["period"] == "2026", "target"].item() == months["target"].sum()
    # A region's target is its reps' targets added up.
    east = set(ref.reps.loc[ref.reps["active"] & (ref.reps["region"] == "华东"), "name"])
    month = targets[targets["period"] == "2026-11"]
    assert month[month["region"] == "华东"]["target"].item() == month[month["rep"].isin(east)]["target"].sum()


def test_reference_is_laid_out_for_excel(office):
    wb = load_workbook(office / "reference.xlsx")
    # A product office: no 房源表 (its presence would make the office sell units).
    sheets = [s for s in schema.REFERENCE_SHEETS if s.key != "units"]
    assert wb.sheetnames == [s.zh for s in sheets]
    for sheet in sheets:
        ws = wb[sheet.zh]
        assert [c.value for c in ws[1]] == [c.zh for c in sheet.columns]
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])
    periods = wb["销售目标"]["A"][1:]
    assert all(c.number_format == "@" and isinstance(c.value, str) for c in periods)


def test_a_blank_office_has_an_example_row_per_sheet_that_is_not_read(tmp_path):
    office = init_office(tmp_path / "blank", DAY, sample=False)
    wb = load_workbook(office / "reference.xlsx")
    for sheet in (s for s in schema.REFERENCE_SHEETS if s.key != "units"):  # a 房源表 would make it a unit office
        ws = wb[sheet.zh]
        assert [c.value for c in ws[1]][:len(sheet.columns)] == [c.zh for c in sheet.columns]
        assert ws.max_row == 2 and any(str(c.value).startswith("示例") for c in ws[2])
        assert ws.cell(2, 1).value == EXAMPLES[sheet.key][0][0]
    ref = read_reference(office / "reference.xlsx")
    assert ref.reps.empty and ref.products.empty and ref.targets.empty and ref.recipients.empty
    wb["销售代表"].cell(3, 1, "王五"), wb["销售代表"].cell(3, 2, "华南")  # a real row below the example is read
    wb.save(office / "reference.xlsx")
    assert read_reference(office / "reference.xlsx").reps["name"].tolist() == ["王五"]


# ---------------------------------------------------------------- template


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


def test_template_has_drop_downs_from_the_reference(office, ref):
    path = write_template("张伟", DAY, ref, None, config.load(office))
    assert path == config.load(office).path("inbox") / "张伟_2026-11-26.xlsx"
    lists = _lists(path)
    assert lists["销售代表"] == list(ref.reps.loc[ref.reps["active"], "name"])
    assert "周强" not in lists["销售代表"]  # inactive
    assert lists["产品"] == list(ref.products["product"])
    assert lists["业务类型"] == [d.zh for d in schema.DEAL_TYPES if not d.units_only]  # 换房: unit offices only
    assert sorted(lists["区域"]) == sorted(["华东", "华南", "华北"])


def test_template_is_formatted_and_frozen(office, ref):
    path = write_template("刘洋", DAY, ref, None, config.load(office))
    ws = load_workbook(path)["日报"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == schema.BY_KEY["date"].zh)
    assert ws.freeze_panes == f"A{header + 1}"
    formats = {ws.cell(header, c).value: ws.cell(header + 1, c).number_format for c in range(1, ws.max_column + 1)}
    assert formats[schema.BY_KEY["date"].zh] == "yyyy-mm-dd"
    assert formats[schema.BY_KEY["amount"].zh] == "#,##0.00"
    # one map from a column's kind to its format (xlpy.io.xlsx.KINDS) for the masters and the
    # template alike: quantities are General there, so that 1.5 units does not show as 2
    assert formats[schema.BY_KEY["qty"].zh] == "General"


def test_template_is_a_titled_bordered_page_with_a_total_row(office, ref):
    path = write_template("刘洋", DAY, ref, None, config.load(office))
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
def test_the_total_row_is_checked_once_excel_has_computed_it(office, ref, tmp_path):
    settings = config.load(office)
    path = write_template("刘洋", DAY, ref, tmp_path / "filled" / "t.xlsx", settings)
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
    report = reader.read_report(computed / "t.xlsx", settings, ref.rep_index, today=DAY)
    [table] = report.tables
    assert len(table.rows) == 2 and table.totals and table.totals[0][1]["amount"] == 3 * 2699 + 5 * 3299
    ctx = rules.Context(reference=ref, settings=settings, today=DAY)
    assert "total-mismatch" not in {i.rule for i in rules.check_report(report, ctx)}
    table.totals[0][1]["amount"] += 100  # as if a rep typed over the formula
    assert "total-mismatch" in {i.rule for i in rules.check_report(report, ctx)}


def test_template_reads_back_with_its_title_and_no_rows(office, ref):
    settings = config.load(office)
    path = write_template("刘洋", DAY, ref, None, settings)
    report = reader.read_report(path, settings, ref.rep_index, today=DAY)
    [table] = report.tables
    assert len(table.rows) == 0
    filled = {k: v.value for k, v in table.title.items() if v.value is not None}
    assert filled == {"report_date": DAY, "rep": "刘洋", "region": "华南"}
    issues = rules.check_report(report, rules.Context(reference=ref, settings=settings, today=DAY))
    assert [(i.rule, i.column) for i in issues] == [("activity-missing", "visits"), ("activity-missing", "calls")]


def test_template_never_overwrites(office, ref):
    settings = config.load(office)
    path = write_template("张伟", DAY, ref, None, settings)
    path.write_bytes(b"filled in by the rep")
    with pytest.raises(FileExistsError, match="张伟_2026-11-26"):
        write_template("张伟", DAY, ref, None, settings)
    assert path.read_bytes() == b"filled in by the rep"


@pytest.mark.parametrize("rep", ["张三", "周强"])
def test_template_refuses_unknown_and_inactive_reps(office, ref, rep):
    with pytest.raises(ValueError, match=rep):
        write_template(rep, DAY, ref, None, config.load(office))


def test_template_without_a_reference(tmp_path):
    path = write_template("张伟", DAY, Reference.empty(), tmp_path / "t.xlsx", config.Settings(office=tmp_path))
    assert _lists(path) == {"业务类型": [d.zh for d in schema.DEAL_TYPES if not d.units_only]}  # 换房: unit offices only
    [table] = reader.read_report(path, today=DAY).tables
    assert table.title["rep"].value == "张伟" and len(table.rows) == 0


# ---------------------------------------------------------------- the commands


def test_cli_init_and_template(tmp_path, capsys):
    office = tmp_path / "office"
    assert main(["init", str(office), "--lang", "en"]) == 0
    assert config.load(office).language == "en"
    out = capsys.readouterr().out
    assert str(office) in out and "  3. " in out and "xlpy template" in out  # the next three steps
    assert main(["init", str(office)]) == 2
    assert config.CONFIG_NAME in capsys.readouterr().err
    write_reference(office / "reference.xlsx", demo_data.reference_data(2026))  # `xlpy init` leaves it empty
    args = ["template", "--office", str(office), "--rep", "王芳", "--date", "2026-11-26"]
    assert main(args) == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("王芳_2026-11-26.xlsx") and (office / "inbox" / "王芳_2026-11-26.xlsx").is_file()
    assert main(args) == 2  # never overwritten
    assert main([*args[:-1], "2026-11-27", "-o", str(tmp_path / "mine.xlsx")]) == 0
    assert (tmp_path / "mine.xlsx").is_file()
    assert main(["template", "--office", str(office), "--rep", "无名", "--date", "2026-11-26"]) == 2
