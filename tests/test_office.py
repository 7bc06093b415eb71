"""The office folder (`xlpy init`) and its reference workbook; `xlpy template` as a command
(the template itself: test_template)."""
from __future__ import annotations

import datetime as dt
import tomllib

import pytest
from conftest import REPORT_DATE
from openpyxl import load_workbook

from xlpy.app import demo_data
from xlpy.app.office import EXAMPLES, init_office, write_reference
from xlpy.cli.main import main
from xlpy.contract import config, schema
from xlpy.io.reference import read_reference

DAY = REPORT_DATE  # conftest's new_office is of that day


@pytest.fixture
def office(new_office):
    return new_office  # conftest's, of DAY


@pytest.fixture
def ref(new_reference):
    return new_reference

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
