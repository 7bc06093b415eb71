"""The reader (spec §1): title area, header row, header matching, rows, values, defaults."""
from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from conftest import REPORT_DATE, TODAY, loud

from xlpy.contract import schema
from xlpy.io import reader
from xlpy.io import reader as _reader


def read_report(path, settings=None, reps=None):
    return _reader.read_report(path, settings or _reader.Settings(), reps, today=TODAY)

HEADER = ["日期", "销售代表", "客户名称", "产品", "业务类型", "数量", "单价", "金额", "收款金额", "合同编号"]
DEAL = ["2026-11-26", "张伟", "客户乙", "A型", "认购", 1, 5000, 5000, 1000, None]


def table_of(path, reference=None):
    report = read_report(path, reps=reference.rep_index if reference else None)
    assert report.unreadable is None, report.unreadable
    [table] = report.tables
    return report, table


def xlsxwriter_grid(path, rows):
    """Cells from A1; a tuple ("=formula", cached value) becomes a formula with that cached value."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("日报")
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if isinstance(value, tuple):
                ws.write_formula(r, c, value[0], None, value[1])
            elif value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


# ------------------------------------------------------------------ title area

def test_title_fields_in_both_forms_under_a_merged_title(make_grid):
    path = make_grid([
        ["销售日报表"],
        ["报表日期：2026年11月26日", None, "销售代表", "张伟", "区域: 华东"],
        ["来访量", 5, None, "来电量：3"],
        [],
        HEADER,
        [None, None, "客户甲", "A型", "意向"],
    ], merges=["A1:J1"])
    report, table = table_of(path)
    got = {k: (v.value, v.cell) for k, v in table.title.items()}
    assert got == {"report_date": (REPORT_DATE, "A2"), "rep": ("张伟", "D2"), "region": ("华东", "E2"),
                   "visits": (5, "B3"), "calls": (3, "D3")}
    assert table.header_row == 5 and report.report_date == REPORT_DATE
    row = table.rows.iloc[0]
    assert (row["date"], row["rep"], row["region"]) == (REPORT_DATE, "张伟", "华东")
    assert table.cell("rep", 6) == "D2"  # a defaulted value points at the title cell it came from


def test_a_title_row_of_known_labels_is_not_the_header(make_grid):
    path = make_grid([
        ["日期", "2026-11-26", "销售代表", "张伟", "区域", "华东"],
        HEADER,
        DEAL,
    ])
    _, table = table_of(path)
    assert table.header_row == 2
    assert {k: v.value for k, v in table.title.items()} == {"report_date": REPORT_DATE, "rep": "张伟",
                                                              "region": "华东"}


def test_english_title_and_headers(make_grid):
    path = make_grid([
        ["Daily Sales Report"],
        ["Report Date", "2026-11-26", "Sales Rep", "张伟", "Region", "华东"],
        ["Visits:", 4, "Calls", 2],
        ["Date", "Customer", "Product", "Deal Type", "Quantity", "Unit Price", "Amount", "Received",
         "Contract No", "Remarks"],
        [None, "客户乙", "A型", "order", 1, 5000, 5000, 1000, None, "ok"],
    ])
    _, table = table_of(path)
    assert {k: v.value for k, v in table.title.items()} == {
        "report_date": REPORT_DATE, "rep": "张伟", "region": "华东", "visits": 4, "calls": 2}
    assert set(table.columns) == {"date", "customer", "product", "deal_type", "qty", "unit_price", "amount",
                                  "received", "contract_no", "note"}
    assert table.extras == {}
    assert table.rows.iloc[0]["deal"] == "order"


def test_traditional_chinese_headers(make_grid):
    path = make_grid([
        ["報表日期", "2026/11/26", "銷售代表", "張偉", "區域", "華東"],
        ["來訪量", 3, "來電量", 1],
        ["業務日期", "客戶名稱", "聯繫電話", "產品", "業務類型", "數量", "單價", "金額", "收款金額", "合同編號",
         "約定付款日", "備註"],
        [None, "客戶甲", "0912", "A型", "簽約", 1, 5000, 5000, 0, "HT-9", "2026-12-31", None],
    ])
    _, table = table_of(path)
    assert len(table.columns) == 12 and table.extras == {}
    assert table.title["rep"].value == "張偉" and table.title["visits"].value == 3
    row = table.rows.iloc[0]
    assert (row["deal"], row["due_date"], row["date"]) == ("contract", dt.date(2026, 12, 31), REPORT_DATE)


# ------------------------------------------------------------------ the header row

def test_header_matching_ignores_case_width_spaces_and_units(make_grid):
    headers = [" 客户 名称 ", "ＰＲＯＤＵＣＴ", "业务类型", "qty", "单价(¥)", "金额（元）", "收款金额 (元)", "CONTRACT NO"]
    path = make_grid([headers, ["客户甲", "A型", "签约", 1, 5000, 5000, 0, "HT-1"]])
    _, table = table_of(path)
    assert list(table.columns) == ["customer", "product", "deal_type", "qty", "unit_price", "amount", "received",
                                   "contract_no"]
    assert table.headers["amount"] == "金额（元）"


def test_columns_in_any_order_and_extras_kept(make_grid, check):
    header = ["折扣", "金额", "客户名称", "业务类型", "产品", "数量", "日期", "销售代表", "介绍人"]
    path = make_grid([
        ["报表日期", "2026-11-26", "销售代表", "张伟", "区域", "华东"],
        ["来访量", 1, "来电量", 1],
        header,
        ["9折", 4500, "客户甲", "认购", "A型", 1, None, None, "老客户"],
    ])
    _, table = table_of(path)
    assert table.columns == {"amount": 1, "customer": 2, "deal_type": 3, "product": 4, "qty": 5, "date": 6, "rep": 7}
    assert table.extras == {"折扣": 0, "介绍人": 8}
    row = table.rows.iloc[0]
    assert row["extra"] == {"折扣": "9折", "介绍人": "老客户"} and row["amount"] == 4500
    [result] = check(path)
    notices = [(i.rule, i.cell, i.value) for i in result.issues if i.severity == "notice"]
    assert notices == [("extra-column", "A3", "折扣"), ("extra-column", "I3", "介绍人")]
    assert loud(result.issues) == [] and result.status == "ok"


def test_table_anywhere_on_the_sheet(make_grid):
    path = make_grid([[], [], [None, None, *HEADER], [None, None, *DEAL]])
    _, table = table_of(path)
    assert table.header_row == 3 and table.columns["date"] == 2
    assert table.cell("qty", 4) == "H4"


def test_blank_rows_remarks_and_totals_are_not_deals(make_grid):
    path = make_grid([
        HEADER,
        DEAL,
        [],
        [None, None, None, None, None, None, None, None, None, None],
        DEAL,
        [None, None, "Total", None, None, 2, None, 10000, 2000],
        [None, None, None, None, None, None, None, None, None, None, "审核：李经理"],
        [],
    ])
    _, table = table_of(path)
    assert list(table.rows["row"]) == [2, 5]
    assert table.totals == [(6, {"qty": 2, "amount": 10000, "received": 2000})]


@pytest.mark.parametrize("label", ["合计", "小计", "Total", "合计：", "总计", "TOTAL"])
def test_total_labels(make_grid, label):
    path = make_grid([HEADER, DEAL, [None, None, label, None, None, 1, None, 5000, 1000]])
    _, table = table_of(path)
    assert len(table.rows) == 1 and table.totals[0][0] == 3


def test_hidden_sheets_are_ignored_and_every_visible_table_is_read(make_report):
    path = make_report(lists={"deal_type": [d.zh for d in schema.DEAL_TYPES]})  # adds a hidden `lists` sheet
    report = read_report(path)
    assert [t.sheet for t in report.tables] == ["日报"]


# ------------------------------------------------------------------ values

DATES = [dt.date(2026, 11, 26), "2026-11-26", "2026/11/26", "2026.11.26", "2026年11月26日", "11月26日",
         "20261126", 20261126, "２０２６年１１月２６日"]
MONEY = [1234.5, "1234.50", "1,234.50", "¥1,234.50", "￥1234.5", "1234.5元", "0.12345万", "１２３４．５", " 1234.5 "]


def test_every_value_form(make_report):
    rows = [{"date": d, "customer": "客户", "product": "A型", "deal_type": "认购", "qty": "1", "unit_price": m,
             "amount": m} for d, m in zip(DATES, MONEY)]
    path = make_report(rows, title={"report_date": "2026年11月26日"})
    report, table = table_of(path)
    assert table.bad == {}
    assert set(table.rows["date"]) == {REPORT_DATE}
    assert list(table.rows["amount"]) == pytest.approx([1234.5] * len(rows))
    assert set(table.rows["qty"]) == {1.0}


def test_month_day_takes_the_year_nearest_the_report_date(make_report):
    # It used to take the report's year (2025-01-03, a year back); a day typed without a year
    # means the nearest such day, so a report of 31 December speaking of 1月3日 means January next.
    path = make_report([{"date": "1月3日", "customer": "客户", "product": "A型", "deal_type": "意向"},
                        {"date": "12月30日", "customer": "客户", "product": "A型", "deal_type": "意向"}],
                       title={"report_date": dt.date(2025, 12, 31)})
    _, table = table_of(path)
    assert list(table.rows["date"]) == [dt.date(2026, 1, 3), dt.date(2025, 12, 30)]


def test_a_title_date_without_a_year_read_in_january_is_last_december(make_report):
    path = make_report(title={"report_date": "12月31日"})
    report = _reader.read_report(path, today=dt.date(2027, 1, 2))
    assert report.report_date == dt.date(2026, 12, 31)
    assert _reader.read_report(path, today=dt.date(2026, 12, 31)).report_date == dt.date(2026, 12, 31)


def test_unparsed_cells_keep_their_raw_value(make_report):
    path = make_report([{"date": "下周", "customer": "客户", "product": "A型", "deal_type": "认购",
                         "qty": "两套", "amount": 5000}])
    _, table = table_of(path)
    assert table.bad == {(6, "date"): ("下周", "bad-date"), (6, "qty"): ("两套", "bad-number")}
    row = table.rows.iloc[0]
    assert row["qty"] is None and row["date"] is None
    assert table.raw[6]["qty"] == "两套"


def test_formulas_with_cached_values_and_error_cells(tmp_path):
    path = xlsxwriter_grid(tmp_path / "formulas.xlsx", [
        ["报表日期", "2026-11-26", "销售代表", "张伟"],
        ["来访量", ("=2+3", 5), "来电量", ("=1/0", "#DIV/0!")],
        HEADER,
        ["2026-11-26", "张伟", "客户乙", "A型", "认购", 2, 5000, ("=F4*G4", 10000), ("=H4/0", "#DIV/0!"), None],
        ["2026-11-26", "张伟", "客户丙", "B型", ("=\"签\"&\"约\"", "签约"), 1, 8000, ("=F5*G5", 8000), 0,
         ("=Z99", "#REF!")],
    ])
    report, table = table_of(path)
    assert table.title["visits"].value == 5
    assert table.title["calls"].raw == "#DIV/0!" and table.title["calls"].value is None
    assert list(table.rows["amount"]) == [10000, 8000]
    assert table.rows.iloc[1]["deal"] == "contract"
    assert table.bad == {(4, "received"): ("#DIV/0!", "excel-error"), (5, "contract_no"): ("#REF!", "excel-error")}


def test_error_cells_found_on_the_right_sheet(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "two.xlsx")
    for name in ("说明 & 备注", "日报"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, DEAL)
    wb.worksheets()[1].write_formula("H2", "=1/0", None, "#DIV/0!")
    wb.close()
    report = read_report(tmp_path / "two.xlsx")
    assert [t.bad for t in report.tables] == [{}, {(2, "amount"): ("#DIV/0!", "excel-error")}]


# ------------------------------------------------------------------ defaults

def test_rep_and_region_defaults(make_report, reference):
    rows = [
        {"customer": "甲", "product": "A型", "deal_type": "意向"},  # title rep, rep's region
        {"rep": "张伟", "customer": "乙", "product": "A型", "deal_type": "意向"},  # own rep, its region
        {"rep": "李娜", "region": "华东", "customer": "丙", "product": "A型", "deal_type": "意向"},  # as written
    ]
    path = make_report(rows, title={"rep": "李娜", "region": None})
    _, table = table_of(path, reference)
    assert list(table.rows["rep"]) == ["李娜", "张伟", "李娜"]
    assert list(table.rows["region"]) == ["华北", "华东", "华东"]


def test_title_region_beats_the_reference(make_report, reference):
    path = make_report(CLEAN_ROWS_ONE, title={"rep": "李娜", "region": "华东"})
    _, table = table_of(path, reference)
    assert table.rows.iloc[0]["region"] == "华东"


CLEAN_ROWS_ONE = [{"customer": "甲", "product": "A型", "deal_type": "意向"}]


def test_report_date_from_the_file_name(make_report):
    path = make_report(CLEAN_ROWS_ONE, title={"report_date": None}, name="张伟_2026-11-20.xlsx")
    report, table = table_of(path)
    assert report.report_date == dt.date(2026, 11, 20)
    assert table.rows.iloc[0]["date"] == dt.date(2026, 11, 20)


def test_fingerprint_is_the_content(make_report, tmp_path):
    a = make_report(name="a.xlsx")
    b = tmp_path / "b.xlsx"
    b.write_bytes(a.read_bytes())
    assert read_report(a).fingerprint == read_report(b).fingerprint != ""


def test_address():
    assert [reader.address(c, 1) for c in (0, 25, 26, 701, 702)] == ["A1", "Z1", "AA1", "ZZ1", "AAA1"]
