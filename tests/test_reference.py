"""The reference data (基础资料): read from the workbook as people lay it out (`xlpy.io.reference`),
refused in one message when it cannot be used, and looked up as the rules look it up
(`xlpy.core.reference`)."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from xlpy.core import values
from xlpy.core.reference import BadReference, Reference
from xlpy.io.reference import read_reference


def workbook(path, sheets: dict[str, list[list]]):
    """A workbook of these sheets, each a list of rows from A1."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


REPS = [["姓名", "区域", "在职"], ["张伟", "华东", "是"], ["李娜", "华北", None], ["王芳", "华东", "否"]]
PRODUCTS = [["产品", "标准价"], ["A型", 5000]]


def test_sheets_and_columns_by_their_other_names_and_a_title_above(tmp_path):
    path = workbook(tmp_path / "ref.xlsx", {
        "业务员": [["2026 年销售代表"], [], ["业务员", "片区", "是否在职", "入職日期"],
                ["张伟", "华东", "在职", dt.datetime(2024, 3, 1)], ["李娜", "华北", None, None],
                ["王芳", "华东", "否", None]],
        "Price List": [["产品名称", "Price", "库存"], ["A型", "5,000", 3]],
    })
    ref = read_reference(path)
    assert ref.reps["name"].tolist() == ["张伟", "李娜", "王芳"]
    assert ref.reps["active"].tolist() == [True, True, False]  # blank is active; 否 is not
    assert ref.reps["hired"].iloc[0].date() == dt.date(2024, 3, 1)
    assert ref.products.iloc[0][["product", "list_price", "opening_stock"]].tolist() == ["A型", 5000, 3]
    assert ref.targets.empty and ref.recipients.empty and not ref.sells_units  # optional sheets


def test_target_periods_are_written_one_way(tmp_path):
    targets = [["期间", "销售代表", "目标金额"], ["2026年11月", "张伟", 100], ["2026/1", "张伟", 100],
               [dt.datetime(2026, 12, 1), "张伟", 100], ["2026-q4", None, 300], [2026, None, 1200]]
    ref = read_reference(workbook(tmp_path / "ref.xlsx", {"销售代表": REPS, "产品价目": PRODUCTS, "销售目标": targets}))
    assert ref.targets["period"].tolist() == ["2026-11", "2026-01", "2026-12", "2026-Q4", "2026"]


@pytest.mark.parametrize("sheets, code, params", [
    ({"产品价目": PRODUCTS}, "reference-sheet-missing", {"sheet": "销售代表"}),
    ({"销售代表": REPS}, "reference-sheet-missing", {"sheet": "产品价目"}),
    ({"销售代表": [["姓名", "在职"], ["张伟", "是"]], "产品价目": PRODUCTS}, "reference-columns", {"missing": "区域"}),
    ({"销售代表": [*REPS, ["张伟 ", "华南", "是"]], "产品价目": PRODUCTS}, "reference-duplicate-rep", {"name": "张伟"}),
], ids=["no-reps", "no-products", "no-region-column", "a-rep-twice"])
def test_an_unusable_workbook_is_refused_with_its_reason(tmp_path, sheets, code, params):
    with pytest.raises(BadReference) as refused:
        read_reference(workbook(tmp_path / "ref.xlsx", sheets))
    assert refused.value.code == code
    assert params.items() <= refused.value.params.items()


def test_a_missing_or_unreadable_workbook_is_refused(tmp_path):
    with pytest.raises(BadReference) as missing:
        read_reference(tmp_path / "none.xlsx")
    assert missing.value.code == "reference-missing"
    (tmp_path / "text.xlsx").write_text("姓名,区域\n", encoding="utf-8")
    with pytest.raises(BadReference) as unreadable:
        read_reference(tmp_path / "text.xlsx")
    assert unreadable.value.code == "reference-unreadable"


def test_an_office_that_sells_units_needs_no_price_list(tmp_path):
    units = [["房号", "楼栋", "标准价"], ["3-1502", "3栋", 1_200_000]]
    ref = read_reference(workbook(tmp_path / "ref.xlsx", {"销售代表": REPS, "房源表": units}))
    assert ref.products.empty and ref.sells_units
    assert ref.unit("3-1502")["list_price"] == ref.unit("3栋1502")["list_price"] == 1_200_000  # however it is written
    assert ref.unit("9-999") is None


def test_names_are_looked_up_as_people_type_them(tmp_path):
    ref = read_reference(workbook(tmp_path / "ref.xlsx", {"销售代表": REPS, "产品价目": [["产品", "标准价"], ["KFR-26GW", 2699]]}))
    assert set(ref.rep_index) == {"张伟", "李娜", "王芳"} and set(ref.regions.values()) == {"华东", "华北"}
    assert ref.product_index[values.norm("ｋｆｒ－２６ｇｗ")]["list_price"] == 2699  # case and width folded


def test_the_empty_reference_has_every_table_and_no_rows():
    ref = Reference.empty()
    assert all(frame.empty for frame in (ref.reps, ref.products, ref.targets, ref.recipients, ref.units))
    assert ref.rep_index == {} and not ref.sells_units and ref.unit("3-1502") is None
