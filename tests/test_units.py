"""Offices that sell units (spec §4): the 房源表, the rules of a unit, each unit's status through time,
and `xlpy units`. A two-building office is built here; its statuses are worked out by hand."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from xlpy import cli
from xlpy.app.office import init_office
from xlpy.contract import config, schema
from xlpy.core import units
from xlpy.io import store
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

UNITS = [  # 房号, 楼栋, 楼层, 户型, 面积, 标准价, 最低价, 状态
    ("1-101", None, None, "两室一厅", 89.5, 1_000_000, 950_000, None),
    ("1-102", None, None, "三室两厅", 120.0, 1_300_000, None, "可售"),
    ("1-201", None, None, "两室一厅", 89.5, 1_020_000, None, None),
    ("1-202", None, None, "三室两厅", 120.0, 1_320_000, None, "保留"),
    ("2#101", "2", 1, "两室一厅", 90.0, 980_000, None, "已售"),
    ("2#201", "2", 2, "三室两厅", 118.0, 1_200_000, None, None),
    ("2#202", "2", 2, "三室两厅", 118.0, 1_180_000, None, None),
]
REPS = [("张伟", "华东", "是"), ("李娜", "华东", "是")]
COLUMNS = ("date", "rep", "customer", "product", "deal_type", "qty", "amount", "received", "contract_no",
           "from_unit", "note")


def unit_reference(path: Path) -> Path:
    """A unit office's reference workbook: reps and a 房源表, no 产品价目."""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {s.key: s for s in schema.REFERENCE_SHEETS}
    for key, rows in (("reps", [(n, r, a, None, None) for n, r, a in REPS]), ("units", UNITS),
                      ("targets", []), ("recipients", [])):
        ws = wb.create_sheet(sheets[key].zh)
        ws.append([c.zh for c in sheets[key].columns])
        for row in rows:
            ws.append(list(row))
    wb.save(path)
    return path


def deal(day, rep, deal_type, unit, contract, customer="甲", amount=None, **more):
    return {"date": day, "rep": rep, "customer": customer, "product": unit, "deal_type": deal_type,
            "amount": amount, "contract_no": contract, **more}


def report(office: Path, rep: str, day: dt.date, rows: list[dict], name: str | None = None) -> Path:
    path = office / "inbox" / (name or f"{rep}_{day.isoformat()}.xlsx")
    title = {"report_date": day, "rep": rep, "region": "华东", "visits": 3, "calls": 5}
    return write_report(path, title, rows, columns=COLUMNS)


def consolidate(office: Path, day: dt.date) -> int:
    with redirect_stdout(io.StringIO()):
        return cli.main(["consolidate", "--office", str(office), "--date", day.isoformat()])


D = [dt.date(2026, 11, d) for d in range(2, 8)]  # D[0] = 2 Nov … D[5] = 7 Nov


@pytest.fixture()
def office(tmp_path):
    office = init_office(tmp_path / "units", D[0])
    unit_reference(office / "reference.xlsx")
    return office


@pytest.fixture()
def month(office):
    """A week of reservations, a signing, a cancellation, a unit taken again, and two exchanges."""
    report(office, "张伟", D[0], [deal(D[0], "张伟", "认购", "1-101", "HT01", "甲", 1_000_000)])
    report(office, "李娜", D[0], [deal(D[0], "李娜", "认购", "2#201", "HT02", "乙", 1_200_000)])
    report(office, "张伟", D[1], [deal(D[1], "张伟", "签约", "1栋101", "HT01", "甲", 1_000_000)])  # spelt otherwise
    report(office, "李娜", D[1], [deal(D[1], "李娜", "退订", "2#201", "HT02", "乙", 1_200_000)])
    report(office, "李娜", D[2], [deal(D[2], "李娜", "认购", "2-201", "HT03", "丙", 1_200_000)])  # freed yesterday
    report(office, "张伟", D[3], [deal(D[3], "张伟", "换房", "1-102", "HT01", "甲", 1_300_000, from_unit="1-101")])
    report(office, "李娜", D[4], [deal(D[4], "李娜", "换房", "2#202", "HT03", "丙", 1_180_000, from_unit="2#201")])
    assert consolidate(office, D[4]) == 0
    return office


def board(office: Path, day: dt.date) -> pd.DataFrame:
    settings = config.load(office)
    ref = read_reference(settings.path("reference"), settings)
    ledger, _ = store.read_record(settings.path("master"))
    return units.board(ref.units, units.events(ledger, set(ref.unit_index)), day).set_index("unit")


# ---------------------------------------------------------------- the 房源表


@pytest.mark.parametrize("written", ["3-1502", "3栋1502", "3#1502", "３－１５０２", " 3 - 1502 ", "3＃1502"])
def test_a_unit_is_one_unit_however_it_is_written(written):
    assert units.unit_key(written) == "31502"


def test_the_unit_list_fills_building_and_floor_and_knows_the_office_sells_units(office):
    ref = read_reference(office / "reference.xlsx")
    assert ref.sells_units and ref.products.empty  # no 产品价目 sheet is needed
    table = ref.units.set_index("unit")
    assert (table.loc["1-201", "building"], table.loc["1-201", "floor"]) == ("1", 2)
    assert list(table["status"]) == ["available"] * 3 + ["withheld", "sold", "available", "available"]
    assert ref.unit("1栋201")["unit"] == "1-201"


def test_a_product_office_does_not_sell_units(tmp_path):
    assert not read_reference(init_office(tmp_path / "p", D[0]) / "reference.xlsx").sells_units


# ---------------------------------------------------------------- status through time


def test_every_unit_status_after_a_week_equals_the_hand_worked_one(month):
    table = board(month, D[4])
    expected = {  # unit: (status, contract, customer, since)
        "1-101": ("available", None, None, D[3]),  # exchanged away on the 5th
        "1-102": ("signed", "HT01", "甲", D[3]),  # the signed contract moved here
        "1-201": ("available", None, None, None),
        "1-202": ("withheld", None, None, None),
        "2#101": ("sold", None, None, None),
        "2#201": ("available", None, None, D[4]),  # reserved again on the 4th, exchanged away on the 6th
        "2#202": ("reserved", "HT03", "丙", D[4]),
    }
    got = {u: (r["status"], r["contract_no"], r["customer"], r["since"]) for u, r in table.iterrows()}
    assert got == expected


def test_a_status_can_be_asked_as_of_any_day(month):
    assert board(month, D[0] - dt.timedelta(days=1))["status"].value_counts().to_dict() == \
        {"available": 5, "withheld": 1, "sold": 1}
    day2 = board(month, D[1])
    assert day2.loc["1-101", "status"] == "signed" and day2.loc["2#201", "status"] == "available"
    assert board(month, D[2]).loc["2#201", ["status", "contract_no"]].tolist() == ["reserved", "HT03"]


def test_a_reservation_not_signed_in_time_is_overdue(month):
    assert not board(month, D[4]).loc["2#202", "overdue"]
    later = board(month, D[4] + dt.timedelta(days=8))
    assert later.loc["2#202", "overdue"] and not later.loc["1-102", "overdue"]


def test_remaining_units_by_building_and_layout(month):
    table = board(month, D[4]).reset_index()
    by_building = units.remaining(table).set_index("building")
    assert by_building.loc["1", ["remaining", "signed", "withheld"]].tolist() == [2, 1, 1]
    assert by_building.loc["2", ["remaining", "reserved", "sold"]].tolist() == [1, 1, 1]
    assert units.remaining(table, "layout").set_index("layout").loc["两室一厅", "remaining"] == 2


# ---------------------------------------------------------------- the rules, one failing report each


def _one_error(office: Path, day: dt.date, row: dict) -> dict:
    path = report(office, "张伟", day, [row], name=f"bad_{day.isoformat()}.xlsx")
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["validate", str(path), "--office", str(office), "--date", day.isoformat(),
                         "--master", str(office / "master"), "--format", "json"])
    assert code == 1
    [result] = json.loads(out.getvalue())["files"]
    errors = [i for i in result["issues"] if i["severity"] == "error"]
    assert len(errors) == 1, errors
    [error] = errors
    return error


PRODUCT_CELL = f"{chr(ord('A') + COLUMNS.index('product'))}6"  # write_report puts the header on row 5


@pytest.mark.parametrize("row, rule, words", [
    (deal(D[5], "张伟", "认购", "1-102", "HT09", "丁", 1_300_000), "unit-taken", ("HT01", "张伟_2026-11-05.xlsx")),  # where it moved
    (deal(D[5], "张伟", "认购", "9-999", "HT09", "丁", 1_300_000), "unknown-unit", ("9-999",)),
    (deal(D[5], "张伟", "认购", "1-202", "HT09", "丁", 1_320_000), "unit-not-for-sale", ("保留",)),
    (deal(D[5], "张伟", "换房", "1-102", "HT03", "丙", 1_300_000, from_unit="2#202"), "exchange-to-taken", ("HT01",)),
    (deal(D[5], "张伟", "签约", "2#202", "HT10", "丁", 1_180_000), "unit-held-by-order", ("HT03",)),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_unit_rule_at_the_units_cell(month, row, rule, words):
    error = _one_error(month, D[5], row)
    assert (error["rule"], error["cell"]) == (rule, PRODUCT_CELL)
    assert all(w in error["message"] for w in words), error["message"]


def test_a_cancelled_reservation_frees_its_unit_for_the_next_day(office):
    report(office, "李娜", D[0], [deal(D[0], "李娜", "认购", "1-201", "HT05", "乙", 1_020_000)])
    report(office, "李娜", D[1], [deal(D[1], "李娜", "退订", "1-201", "HT05", "乙", 1_020_000)])
    report(office, "张伟", D[2], [deal(D[2], "张伟", "认购", "1栋201", "HT06", "丙", 1_020_000)])
    assert consolidate(office, D[2]) == 0
    assert board(office, D[2]).loc["1-201", ["status", "contract_no", "customer"]].tolist() == \
        ["reserved", "HT06", "丙"]


def test_a_unit_taken_twice_in_one_batch_is_refused_with_the_first_report_named(office):
    report(office, "李娜", D[0], [deal(D[0], "李娜", "认购", "1-201", "HT05", "乙", 1_020_000)])
    report(office, "张伟", D[1], [deal(D[1], "张伟", "认购", "1-201", "HT06", "丙", 1_020_000)])
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["consolidate", "--office", str(office), "--date", D[1].isoformat(),
                         "--format", "json"]) == 1
    text = out.getvalue()
    assert "unit-taken" in text and "李娜_2026-11-02.xlsx" in text
    assert board(office, D[1]).loc["1-201", "contract_no"] == "HT05"


def test_a_blank_quantity_is_one_unit(month):
    ledger, _ = store.read_record(month / "master")
    assert set(ledger.loc[ledger["deal"].isin(("order", "contract")), "qty"]) == {1.0}


# ---------------------------------------------------------------- xlpy units


def _units_cli(office: Path, *args) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["units", "--office", str(office), "--date", D[4].isoformat(), *args]) == 0
    return out.getvalue()


def test_xlpy_units_as_json_csv_and_a_table(month):
    rows = json.loads(_units_cli(month, "--format", "json"))
    assert [r["unit"] for r in rows] == [u[0] for u in UNITS]
    signed = next(r for r in rows if r["unit"] == "1-102")
    assert signed | {"area": None} == {
        "unit": "1-102", "building": "1", "floor": 1, "layout": "三室两厅", "area": None, "list_price": 1_300_000,
        "status": "signed", "contract_no": "HT01", "customer": "甲", "rep": "张伟", "amount": 1_300_000,
        "since": "2026-11-05",
        "overdue": False}
    table = list(csv.DictReader(io.StringIO(_units_cli(month, "--format", "csv", "--building", "2"))))
    assert [r["unit"] for r in table] == ["2#101", "2#201", "2#202"]
    assert "2#202" in _units_cli(month, "--status", "reserved") and "1-102" not in _units_cli(month, "--status",
                                                                                                  "reserved")


def test_xlpy_units_in_a_product_office_says_it_sells_none(tmp_path, capsys):
    office = init_office(tmp_path / "p", D[0])
    assert cli.main(["units", "--office", str(office)]) == 2
    assert "房源表" in capsys.readouterr().err


# ---------------------------------------------------------------- the sales status board


def test_the_status_board_in_the_summary_workbook(month):
    from openpyxl import load_workbook
    ws = load_workbook(month / "master" / store.SUMMARY)["销控表"]
    cells = {str(c.value).split("\n")[0]: c for row in ws.iter_rows() for c in row if c.value}
    signed, free = cells["1-102"], cells["1-201"]
    assert signed.value == "1-102\n¥1,300,000\n甲" and free.value == "1-201\n¥1,020,000"
    fills = {name: cells[name].fill.fgColor.rgb[-6:] for name in ("1-102", "2#202", "1-201", "1-202", "2#101")}
    assert fills == {"1-102": "F8CBAD", "2#202": "FFF2CC", "1-201": "E2EFDA", "1-202": "D9D9D9", "2#101": "A6A6A6"}
    assert cells["1-201"].row < signed.row  # floors top-down: floor 2 above floor 1
    assert len(ws.row_breaks.brk) == 1  # building 2 starts a page of its own
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage


# ---------------------------------------------------------------- the launch


def test_the_price_list_has_a_page_per_building_with_prices_per_square_metre(office, capsys):
    from openpyxl import load_workbook
    assert cli.main(["pricelist", "--office", str(office)]) == 0
    path = Path(capsys.readouterr().out.strip())
    wb = load_workbook(path)
    assert wb.sheetnames == ["1 栋", "2 栋"]
    ws = wb["1 栋"]
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["2 层", "1 层"]  # floors top-down
    assert ws.cell(4, 2).value == "1-101\n两室一厅\n89.5 ㎡\n¥1,000,000\n单价 ¥11,173/㎡"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight in (None, 1)  # one page tall (1 is the default, left out of the file)


# ---------------------------------------------------------------- statistics


def _stats(office: Path, by: str, day: dt.date) -> list[dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["stats", "--office", str(office), "--by", by, "--format", "json",
                         "--date", day.isoformat()]) == 0
    return json.loads(out.getvalue())


def test_an_exchange_after_signing_changes_net_sales_by_the_price_difference_on_its_date(month):
    by_day = {r["day"][:10]: r["net_amount"] for r in _stats(month, "day", D[4]) if r["net_amount"]}
    assert by_day == {"2026-11-03": 1_000_000, "2026-11-05": 300_000}  # HT03's exchange came before its signing
    [region] = _stats(month, "region", D[4])
    assert region["outstanding"] == 1_300_000 and region["contracts"] == 1


def test_an_exchange_to_a_cheaper_unit_lowers_net_sales(month):
    report(month, "张伟", D[5], [deal(D[5], "张伟", "换房", "1-201", "HT01", "甲", 1_020_000, from_unit="1-102")])
    assert consolidate(month, D[5]) == 0
    by_day = {r["day"][:10]: r["net_amount"] for r in _stats(month, "day", D[5]) if r["net_amount"]}
    assert by_day["2026-11-07"] == -280_000
    assert board(month, D[5]).loc[["1-102", "1-201"], "status"].tolist() == ["available", "signed"]


# ---------------------------------------------------------------- the unit demo


@pytest.fixture(scope="module")
def unit_demo(tmp_path_factory):
    from xlpy.app.unit_demo import run_unit_demo
    folder = tmp_path_factory.mktemp("unit-demo") / "office"
    with redirect_stdout(io.StringIO()) as out:
        assert run_unit_demo(folder, dt.date(2026, 11, 27)) == 0
    return folder, out.getvalue()


def test_the_unit_demo_finds_its_planted_mistakes_and_nothing_else(unit_demo):
    folder, printed = unit_demo
    assert "埋下的错误：3/3" in printed
    problems = store.concat(store.read_partitions(folder / "master"), "problems")
    assert sorted(problems["rule"]) == ["unit-not-for-sale", "unit-taken", "unknown-unit"]


def test_the_unit_demos_board_agrees_with_xlpy_units(unit_demo):
    from openpyxl import load_workbook
    folder, _ = unit_demo
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["units", "--office", str(folder), "--date", "2026-11-27", "--format", "json"]) == 0
    rows = json.loads(out.getvalue())
    assert {"available", "signed", "withheld", "sold"} <= {r["status"] for r in rows}
    fill = {"available": "E2EFDA", "reserved": "FFF2CC", "signed": "F8CBAD", "withheld": "D9D9D9", "sold": "A6A6A6"}
    ws = load_workbook(folder / "master" / store.SUMMARY)["销控表"]
    on_board = {str(c.value).split("\n")[0]: c.fill.fgColor.rgb[-6:] for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and "\n" in c.value}
    expected = {r["unit"]: "F4B183" if r["overdue"] else fill[r["status"]] for r in rows}
    assert on_board == expected


def test_xlpy_units_before_any_report_lists_every_unit_for_sale(office):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["units", "--office", str(office), "--format", "json", "--date", D[0].isoformat()]) == 0
    assert [r["status"] for r in json.loads(out.getvalue())] == [
        "available", "available", "available", "withheld", "sold", "available", "available"]


# ---------------------------------------------------------------- the work log and the blank report


def test_the_work_log_lists_the_days_exchanges_and_the_reservations_not_signed_in_time(month):
    from xlpy.app import briefing
    settings = config.load(month)
    late = D[4] + dt.timedelta(days=8)  # HT03 reserved 2#202 on the 6th (its exchange): 8 days on, overdue
    written = briefing.make_briefing(settings, late)
    log = written.briefing
    assert log.unsigned[["rep", "unit", "customer", "contract_no"]].values.tolist() == [["李娜", "2#202", "丙", "HT03"]]
    text = briefing.to_text(log)
    assert "逾期未签的认购" in text and "2#202" in text.split("逾期未签的认购")[1]
    exchange_day = briefing.make_briefing(settings, D[3]).briefing
    assert exchange_day.deals[["kind", "product", "contract_no"]].values.tolist() == [["exchange", "1-102", "HT01"]]


def test_a_product_offices_work_log_has_no_unit_section(tmp_path):
    from xlpy.app import briefing
    from xlpy.core.reference import Reference
    log = briefing.compute(store.concat({}, "ledger"), store.concat({}, "activity"), Reference.empty(), D[0])
    assert log.unsigned is None and "逾期未签" not in briefing.to_text(log)


def test_a_unit_offices_blank_report_has_the_units_and_the_exchange(office):
    from openpyxl import load_workbook
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["template", "--office", str(office), "--rep", "张伟", "--date", D[0].isoformat()]) == 0
    wb = load_workbook(out.getvalue().strip())
    headers = [c.value for row in wb["日报"].iter_rows(max_row=10) for c in row if c.value]
    assert "原房号" in headers
    lists = [c.value for row in wb["lists"].iter_rows() for c in row if c.value]
    assert {"1-101", "2#202", "换房"} <= set(lists)


def test_xlpy_unit_gives_a_units_status_in_words(month):
    from xlpy.excel import udfs
    rec = udfs.record(month).as_of(D[4])
    assert udfs.unit_status(rec, "1栋102") == "已签约（HT01，甲，自 2026-11-05）"
    assert udfs.unit_status(rec, "1-102", "2026-11-03") == "可售"  # before the exchange moved HT01 there
    assert udfs.unit_status(rec, "1-202") == "保留"
    assert udfs.unit_status(rec, "2#202", "2026-11-20") == "已认购，逾期未签（HT03，丙，自 2026-11-06）"
    with pytest.raises(udfs.Bad):
        udfs.unit_status(rec, "9-999")


def test_the_monthly_summary_has_sales_and_remaining_units_by_building(month):
    from xlpy.core import stats
    from xlpy.core.contracts import of as facts_of
    settings = config.load(month)
    ref = read_reference(settings.path("reference"), settings)
    ledger, activity = store.read_record(month / "master")
    table = stats.Inputs(facts_of(ledger, activity, D[4]), ref, D[4]).table("units_monthly").set_index("building")
    # building 1: HT01 signed 1,000,000 and moved to a dearer unit (+300,000); 4 units less 1-202 (withheld)
    # less the signed one; building 2: one sold before, one reserved
    assert table.loc["1", ["month", "net_amount", "units_signed", "units_remaining"]].tolist() == \
        ["2026-11", 1_300_000, 1, 2]
    assert table.loc["2", ["net_amount", "units_signed", "units_remaining"]].tolist() == [0, 0, 1]
    from openpyxl import load_workbook
    ws = load_workbook(month / "master" / store.SUMMARY)["月度汇总"]
    assert "房源月度汇总（按楼栋）" in [c.value for c in ws[1]]


def test_a_product_office_has_no_unit_rows_in_its_monthly_summary(tmp_path):
    from xlpy.core import stats
    from xlpy.core.contracts import of as facts_of
    from xlpy.core.reference import Reference
    empty = store.concat({}, "ledger")
    assert stats.Inputs(facts_of(empty, None, D[0]), Reference.empty(), D[0]).table("units_monthly").empty


def test_an_exchange_of_a_reservation_in_a_rejected_report_waits_for_it(office):
    bad = [deal(D[0], "张伟", "认购", "1-101", "HT01", "甲", 1_000_000),
           deal(D[0], "张伟", "意向", "1-201", None, "乙", qty="两套")]  # a typo rejects the report
    first = report(office, "张伟", D[0], bad)
    report(office, "张伟", D[1], [deal(D[1], "张伟", "换房", "1-102", "HT01", "甲", 1_300_000, from_unit="1-101")])
    out = io.StringIO()
    with redirect_stdout(out):
        # nothing taken yet: the reservation rejected, the exchange waiting for it
        assert cli.main(["consolidate", "--office", str(office), "--date", D[1].isoformat(), "--format", "json"]) == 2
    files = {f["source"]: f for f in json.loads(out.getvalue())["files"]}
    assert files["张伟_2026-11-03.xlsx"]["status"] == "waiting"
    report(office, "张伟", D[0], bad[:1], name=first.name)  # the typo fixed
    assert consolidate(office, D[1]) == 0  # both taken in one run
    assert board(office, D[1]).loc[["1-101", "1-102"], "status"].tolist() == ["available", "reserved"]


def test_the_refresh_stats_button_draws_the_board_as_总表_does(month, tmp_path):
    from openpyxl import load_workbook

    from xlpy.excel import build, buttons
    from xlpy.excel.book import FileBook
    workbook = build.build_workbook(tmp_path / "SalesDesk.xlsm")
    book = FileBook(workbook)
    assert buttons.refresh_stats(book, office=month, today=D[4]) == 0
    book.save()
    on_button = load_workbook(workbook)["销控表"]
    in_summary = load_workbook(month / "master" / store.SUMMARY)["销控表"]

    def units_and_fills(ws):
        return {str(c.value).split("\n")[0]: (c.value, c.fill.fgColor.rgb[-6:]) for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and "\n" in c.value}
    assert units_and_fills(on_button) == units_and_fills(in_summary) and len(units_and_fills(on_button)) == 7
