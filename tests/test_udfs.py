"""The XLPY_ worksheet functions, called as plain Python functions (as xlwings leaves them off
Windows), against real consolidated masters: the demo office and a two-report office whose
figures are worked out by hand."""
from __future__ import annotations

import datetime as dt
import inspect
import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import xlwings
from conftest import TODAY, at, demo_copy
from openpyxl import load_workbook

from xlpy.app import validate
from xlpy.app.consolidate import run_consolidation
from xlpy.contract import config
from xlpy.core import contracts, stats
from xlpy.excel import build, recalc, udfs
from xlpy.excel.book import FileBook
from xlpy.excel.buttons import context
from xlpy.excel.udfs import (
    XLPY_ATTAINMENT,
    XLPY_CHECK,
    XLPY_OUTSTANDING,
    XLPY_RANK,
    XLPY_SALES,
    XLPY_STATS,
    XLPY_UNIT,
)
from xlpy.io import store
from xlpy.io.report_file import write_report

# XLPY_UNIT joined when 函数示例 got its example (the sheet shows every function)
FUNCTIONS = (XLPY_SALES, XLPY_ATTAINMENT, XLPY_RANK, XLPY_OUTSTANDING, XLPY_STATS, XLPY_CHECK, XLPY_UNIT)
LI_NA = {"rep": "李娜", "region": "华北"}
LI_NA_ROWS = [{"customer": "客户己", "product": "A型", "deal_type": "签约", "qty": 3, "unit_price": 5000,
               "amount": 15000, "contract_no": "HT-002", "due_date": dt.date(2026, 12, 31)}]


def consolidate(office: Path, today: dt.date = TODAY):
    settings = config.load(office)
    outcome = run_consolidation(settings, ctx=context(settings, today))
    assert outcome.exit_code == 0, outcome.files
    return outcome


@pytest.fixture(scope="module")
def demo(demo_consolidated, tmp_path_factory) -> Path:
    return demo_copy(demo_consolidated, tmp_path_factory.mktemp("udfs"))  # the run's (conftest)


@pytest.fixture
def at_demo(demo, monkeypatch):
    monkeypatch.setenv(udfs.ENV, str(demo))
    return udfs.record(udfs.office_for(None))


@pytest.fixture
def small(tmp_path, reference_path, make_report, clean_rows, monkeypatch) -> Path:
    """张伟 (华东): a lead, an order (1,000 received) and contract HT-001, 2 × B型 for 16,000
    with 5,000 received; 5 visits, 3 calls. Consolidated; XLPY_OFFICE names it."""
    office = tmp_path / "small"
    (office / "inbox").mkdir(parents=True)
    shutil.copyfile(reference_path, office / "reference.xlsx")
    report = make_report(clean_rows[:3], name="张伟_2026-11-26.xlsx")
    shutil.move(report, office / "inbox" / report.name)
    consolidate(office)
    monkeypatch.setenv(udfs.ENV, str(office))
    # These tests change the files between two calls without a pause: every call a recalculation.
    # One look per recalculation: test_a_recalculation_looks_at_the_files_once_and_the_next_one_again.
    monkeypatch.setattr(recalc, "PAUSE_SECONDS", 0)
    return office


def add_li_na(office: Path, make_report) -> None:
    """李娜 (华北) signs HT-002, 3 × A型 for 15,000, nothing received; 5 visits."""
    report = make_report(LI_NA_ROWS, title=LI_NA, name="李娜_2026-11-26.xlsx")
    shutil.move(report, office / "inbox" / report.name)
    consolidate(office)


# ---------------------------------------------------------------- the module, as Excel sees it


def test_the_functions_are_plain_python_with_a_caller_argument():
    assert (udfs.__name__, xlwings.func(len)) == (build.UDF_MODULES, len)  # here the decorators change nothing
    for f in FUNCTIONS:
        parameters = list(inspect.signature(f).parameters.values())
        assert f.__name__.startswith("XLPY_") and callable(f)
        assert parameters[-1].name == "caller" and parameters[-1].default is None
        assert all(p.annotation is inspect.Parameter.empty for p in parameters)  # xlwings reads hints as converters
    used = {formula[1:formula.index("(")] for formula, _ in build.EXAMPLES}
    assert used == {f.__name__ for f in FUNCTIONS}


def test_excel_describes_each_function_and_its_arguments_in_chinese_from_the_catalogue():
    from declared_udfs import declared_module  # xlwings' Windows decorators, as 导入函数 sees the module
    from xlpy.contract.messages import say
    declared = declared_module()
    described = {f.__name__: getattr(declared, f.__name__).__xlfunc__ for f in FUNCTIONS}
    assert described["XLPY_SALES"]["ret"]["doc"] == say("udf.about-sales") == "销售指标：按区域、销售代表、产品和日期范围汇总（与 xlpy stats 相同）"
    assert described["XLPY_UNIT"]["ret"]["doc"] == say("udf.about-unit")
    args = {a["name"]: a["doc"] for a in described["XLPY_SALES"]["args"]}
    assert args["region"] == say("udf.arg-region") == "区域（可省略）"
    assert args["metric"].startswith("指标：net_amount, ")
    for name, xlfunc in described.items():  # every function and argument described, in Chinese
        assert re.search(r"[\u4e00-\u9fff]", xlfunc["ret"]["doc"]), name
        assert all(re.search(r"[\u4e00-\u9fff]", a["doc"]) for a in xlfunc["args"] if a["name"] != "caller"), name


def test_the_caller_argument_is_part_of_bsd_xlwings():
    # call_udf fills in the reserved `caller` argument; it lives outside xlwings/pro (the licensed part)
    source = (Path(xlwings.__file__).parent / "udfs.py").read_text(encoding="utf-8")
    assert 'info["name"] == "caller"' in source


# ---------------------------------------------------------------- figures worked out by hand


def test_hand_computed_figures(small, make_report):
    assert XLPY_SALES("net_amount") == 16000
    assert XLPY_SALES("net_qty", "华东") == 2
    assert [XLPY_SALES(m) for m in ("leads", "orders", "contracts", "cancellations")] == [1, 1, 1, 0]
    assert XLPY_SALES("received") == 6000  # the order's deposit and the contract's first payment
    assert XLPY_SALES("outstanding", None, "张伟") == 11000
    assert (XLPY_SALES("visits"), XLPY_SALES("calls"), XLPY_SALES("conversion")) == (5, 3, 0.2)
    assert XLPY_SALES("net_amount", None, None, "B型") == 16000
    assert XLPY_SALES("net_amount", None, None, "A型") == 0  # the order is not a sale
    assert XLPY_OUTSTANDING() == 11000 and XLPY_OUTSTANDING("HT-001") == 11000 and XLPY_OUTSTANDING("客户丙") == 11000

    add_li_na(small, make_report)
    assert XLPY_SALES("net_amount") == 31000
    assert XLPY_SALES("net_amount", "华北") == 15000 and XLPY_SALES("net_amount", None, "李娜") == 15000
    assert XLPY_SALES("net_amount", None, None, "A型") == 15000
    assert XLPY_SALES("net_amount", "华东", "李娜") == 0  # 李娜 sells in 华北
    assert XLPY_SALES("contracts", None, None, None, "2026-11-26", "2026-11-26") == 2
    assert XLPY_SALES("net_amount", None, None, None, "2026-11-27") == 0  # a day with nothing
    assert XLPY_SALES("net_amount", None, None, None, None, "2026-11-25") == 0
    assert XLPY_SALES("net_amount", None, None, None, dt.datetime(2026, 11, 1), "2026-11") == 31000
    assert XLPY_SALES("net_amount", None, None, None, 2026.0) == 31000  # a year typed as a number
    assert XLPY_SALES("net_amount", None, None, None, "2026-Q3") == 0
    assert XLPY_SALES("conversion") == 2 / 10
    assert XLPY_OUTSTANDING() == 26000


def test_names_are_matched_as_the_reference_spells_them(small):
    assert XLPY_SALES("net_amount", " 华东 ", "张 伟") == 16000


def test_a_contract_number_is_found_however_it_is_typed(small, make_report):
    add_li_na(small, make_report)  # HT-002 owes 15,000
    typed = ["HT-002", "ht-002", " HT - 002 ", "ＨＴ－００２", "客户己", "客户 己"]
    assert [XLPY_OUTSTANDING(t) for t in typed] == [15000] * 6
    assert XLPY_OUTSTANDING("ht-001") == 11000 and XLPY_OUTSTANDING("HT-00") == "#XLPY! 没有找到合同号或客户 “HT-00”"


def test_stats_table_has_headers_and_the_figures_of_group_stats(small):
    rows = XLPY_STATS("rep", "2026-11")
    assert rows[0] == [stats.label(c) for c in ("rep", *stats.METRICS)]
    by_rep = {r[0]: dict(zip(["rep", *stats.METRICS], r)) for r in rows[1:]}
    assert by_rep["张伟"]["net_amount"] == 16000 and by_rep["李娜"]["net_amount"] == 0
    assert by_rep["李娜"]["target"] == ""  # no target: an empty cell, not NaN
    assert all(isinstance(v, (str, int, float)) for r in rows for v in r)


# ---------------------------------------------------------------- the demo office, against stats


def test_sales_equals_group_stats_for_every_group_and_metric(at_demo):
    rec = at_demo
    for by in ("region", "rep", "product", "month"):
        for period in (None, "2026-11", "2026-Q4"):
            table = stats.group_stats(rec.ledger, rec.activity, rec.reference, by, period, as_of=dt.date.today())
            for row in table.to_dict("records"):
                for metric in stats.METRICS:
                    expected = row[metric]
                    if pd.isna(expected) or metric in ("target", "attainment") and period is None:
                        continue
                    if by == "month":
                        got = XLPY_SALES(metric, None, None, None, row["month"])
                    else:
                        got = XLPY_SALES(metric, *(row[by] if k == by else None for k in udfs.NAMED), period)
                    assert got == pytest.approx(expected), (by, period, row[by], metric)


def test_attainment_and_rank_equal_the_stats_tables(at_demo):
    rec = at_demo
    by_region = stats.group_stats(rec.ledger, rec.activity, rec.reference, "region", "2026-11", as_of=dt.date.today())
    for row in by_region.to_dict("records"):
        assert XLPY_ATTAINMENT(row["region"], "2026-11") == pytest.approx(row["attainment"])
        assert row["attainment"] == pytest.approx(row["net_amount"] / row["target"])
    targets = stats.attainment(rec.ledger, rec.reference, dt.date.today())
    for row in targets[targets["rep"].notna() & targets["period"].isin(["2026-11", "2026-Q4", "2026"])].to_dict("records"):
        assert XLPY_ATTAINMENT(row["rep"], row["period"]) == pytest.approx(row["attainment"])
    ranking = stats.ranking(rec.ledger, rec.activity, rec.reference, "2026-11", dt.date.today(),
                            rec.settings.ranking_weights)
    assert [XLPY_RANK(rep, "2026-11") for rep in ranking["rep"]] == list(ranking["rank"])
    assert XLPY_RANK(ranking["rep"][0], dt.datetime(2026, 11, 15)) == 1  # a date cell stands for its month


def test_outstanding_equals_the_receivables_table(at_demo):
    owed = stats.receivables(at_demo.ledger, dt.date.today())
    assert XLPY_OUTSTANDING() == pytest.approx(owed["outstanding"].sum())
    first = owed.iloc[0]
    assert XLPY_OUTSTANDING(first["contract_no"]) == pytest.approx(first["outstanding"])
    customer = owed["customer"].iloc[-1]
    assert XLPY_OUTSTANDING(customer) == pytest.approx(owed.loc[owed["customer"] == customer, "outstanding"].sum())


def test_stats_spills_the_same_table_as_xlpy_stats(at_demo):
    rec = at_demo
    table = stats.group_stats(rec.ledger, rec.activity, rec.reference, "region", "2026-11", as_of=dt.date.today())
    expected = [["" if pd.isna(v) else v for v in row] for row in table.itertuples(index=False)]
    assert XLPY_STATS("region", "2026-11")[1:] == expected


# ---------------------------------------------------------------- two months, against every row

WINDOWS = {  # XLPY_SALES' date_from and date_to → the same days as a period of stats
    (None, None): None, ("2026-10", None): "2026-10", ("2026-11", None): "2026-11", ("2026-Q4", None): "2026-Q4",
    ("2026-10-15", "2026-11-10"): "2026-10-15..2026-11-10", (None, "2026-10-31"): "..2026-10-31",
    ("2026-11-05", None): "2026-11-05"}


@pytest.fixture(scope="module")
def two_months(demo_office, tmp_path_factory) -> Path:
    """The demo office of October and November (to TODAY), consolidated."""
    office = demo_copy(demo_office(TODAY, months=2).dir, tmp_path_factory.mktemp("months"))
    settings = config.load(office)
    assert run_consolidation(settings, ctx=context(settings, TODAY)).exit_code in (0, 1)  # 1: its planted mistakes
    return office


def same_as_every_row() -> int:
    """Every XLPY_ function with varied arguments equals its figure derived from every row of the
    record (stats' own tables over the whole ledger); returns how many calls were compared."""
    rec = udfs.record(udfs.office_for(None))
    f, ref, day = contracts.facts(rec.ledger, rec.activity, TODAY), rec.reference, TODAY
    calls = 0

    def check(got, expected, *about):
        nonlocal calls
        calls += 1
        if pd.isna(expected):
            assert isinstance(got, str) and got.startswith(udfs.PREFIX), about
        else:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-6), about

    for (start, end), window in WINDOWS.items():
        one = window if window and ".." not in window and window.count("-") < 2 else None
        for by in udfs.NAMED:
            for row in stats.group_stats(f, None, ref, by, window, as_of=day).to_dict("records"):
                for metric in stats.METRICS:
                    if metric in ("target", "attainment") and one is None or by == "product" and metric in ("visits", "calls", "conversion"):
                        continue
                    given = [row[by] if k == by else None for k in udfs.NAMED]
                    check(XLPY_SALES(metric, *given, start, end), row[metric], by, window, metric, row[by])
        combined = stats.base(f, list(udfs.NAMED), window, ("net_amount", "contracts", "cancellations", "received"))
        for key, row in combined.iterrows():  # a region, a rep and a product at once
            for metric, expected in row.items():
                check(XLPY_SALES(metric, *key, start, end), 0 if pd.isna(expected) else expected, key, window, metric)
    for period in ("2026-10", "2026-11", "2026-Q4", "2026"):
        for by in ("rep", "region"):
            for row in stats.group_stats(f, None, ref, by, period, as_of=day).to_dict("records"):
                check(XLPY_ATTAINMENT(row[by], period), row["attainment"], by, period)
        ranking = stats.ranking(f, None, ref, period, day, rec.settings.ranking_weights)
        for rep, rank in zip(ranking["rep"], ranking["rank"]):
            check(XLPY_RANK(rep, period), rank, rep, period)
        for by in stats.KEYS:
            table = stats.group_stats(f, None, ref, by, period, as_of=day)
            assert XLPY_STATS(by, period)[1:] == [["" if pd.isna(v) else v for v in r] for r in table.itertuples(index=False)]
    owed = stats.receivables(f, day)
    check(XLPY_OUTSTANDING(), owed["outstanding"].sum())
    for column in ("contract_no", "customer"):
        by = owed.groupby(column)["outstanding"].sum()
        for name in rec.ledger[column].dropna().unique():
            check(XLPY_OUTSTANDING(name), by.get(name, 0.0), column, name)
    return calls


def test_many_calls_on_two_months_equal_the_figures_from_every_row_before_and_after_october_is_corrected(
        two_months, monkeypatch):
    monkeypatch.setenv(udfs.ENV, str(two_months))
    monkeypatch.setattr(recalc, "PAUSE_SECONDS", 0)  # every call a recalculation: it sees the correction at once
    monkeypatch.setattr(udfs.clock, "today", lambda: TODAY)
    assert XLPY_SALES("net_amount", None, None, None, "2026-10") > 0  # figures of October built and kept
    assert same_as_every_row() > 3000
    ledger = udfs.record(udfs.office_for(None)).ledger
    october = ledger[(ledger["date"] < "2026-11-01") & (ledger["deal"] == "contract")].iloc[0]
    rep = {"report_date": dt.date(2026, 10, 30), "rep": october["rep"], "region": october["region"], "visits": 3}
    report = two_months / "inbox" / "2026-10-30" / "late.xlsx"
    report.parent.mkdir(parents=True)

    def send(amount: float) -> None:  # October, late: a cancellation of one of its contracts and a new contract
        write_report(report, rep, [
            {"customer": october["customer"], "product": october["product"], "deal_type": "退订", "qty": 1,
             "contract_no": october["contract_no"]},
            {"customer": "客户晚", "product": october["product"], "deal_type": "签约", "qty": 2, "amount": amount,
             "received": 1000, "contract_no": "HT-LATE-1"}])
        settings = config.load(two_months)
        assert run_consolidation(settings, ctx=context(settings, TODAY)).exit_code in (0, 1)

    send(9000)
    assert XLPY_OUTSTANDING("HT-LATE-1") == 8000
    assert same_as_every_row() > 3000
    send(7000)  # the same report again, corrected: it replaces the first
    assert XLPY_OUTSTANDING("HT-LATE-1") == 6000
    assert same_as_every_row() > 3000


# ---------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("call, words", [
    (lambda: XLPY_SALES("foo"), ["未知指标 “foo”", "net_amount, net_qty"]),
    (lambda: XLPY_SALES(None), ["未知指标"]),
    (lambda: XLPY_SALES("net_amount", "华中"), ["未知区域 “华中”", "华东"]),
    (lambda: XLPY_SALES("net_amount", None, "无名氏"), ["未知销售代表 “无名氏”"]),
    (lambda: XLPY_SALES("net_amount", None, None, "C型"), ["未知产品 “C型”"]),
    (lambda: XLPY_SALES("net_amount", None, None, None, "2026-13"), ["“2026-13”"]),
    (lambda: XLPY_SALES("net_amount", None, None, None, "下周"), ["“下周” 不是日期"]),
    (lambda: XLPY_SALES("net_amount", None, None, None, "2026-11-20", "2026-11-01"), ["晚于"]),
    (lambda: XLPY_SALES("visits", None, None, "A型"), ["不按产品"]),
    (lambda: XLPY_SALES("target", "华东"), ["需要一个期间"]),
    (lambda: XLPY_SALES("attainment", "华东", "张伟", None, "2026-11"), ["需要一个期间"]),
    (lambda: XLPY_SALES("target", "华东", None, None, "2026-11"), ["华东 在 2026-11 没有目标"]),
    (lambda: XLPY_SALES("conversion", "华北"), ["没有来访"]),
    (lambda: XLPY_ATTAINMENT("火星", "2026-11"), ["既不是销售代表也不是区域"]),
    (lambda: XLPY_ATTAINMENT("华东", "明年"), ["期间 “明年” 无法识别"]),
    (lambda: XLPY_RANK("王芳", "2026-11"), ["王芳 不在 2026-11 的排名中"]),
    (lambda: XLPY_OUTSTANDING("HT-999"), ["没有找到合同号或客户 “HT-999”"]),
    (lambda: XLPY_STATS("city"), ["未知分组 “city”", "region, rep"]),
])
def test_bad_arguments_give_a_clear_message_in_the_cell(small, call, words):
    result = call()
    assert isinstance(result, str) and result.startswith("#XLPY! ")
    assert all(w in result for w in words), result
    assert "Traceback" not in result


def test_messages_in_the_office_language(small):
    (small / "xlpy.toml").write_text('language = "en"\n', encoding="utf-8")
    assert XLPY_SALES("foo").startswith("#XLPY! unknown metric “foo”; use one of: net_amount")
    assert XLPY_STATS("rep")[0][:2] == ["Sales Rep", "Net Sales"]


def test_a_missing_office_is_told_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv(udfs.ENV, str(tmp_path / "nowhere"))
    assert XLPY_OUTSTANDING() == f"#XLPY! 找不到办公文件夹：{tmp_path / 'nowhere'}"


# ---------------------------------------------------------------- where the office is


def test_the_office_comes_from_the_workbook_then_the_environment_then_here(small, tmp_path, monkeypatch):
    control = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, control)
    book = FileBook(control)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv(udfs.ENV, str(elsewhere))
    assert udfs.office_for(book) == elsewhere.resolve()  # 设置!B2 blank
    book.write("设置", [["small"]], at="B2")  # relative: from the workbook's folder
    assert udfs.office_for(book) == small.resolve()
    monkeypatch.delenv(udfs.ENV)
    monkeypatch.chdir(elsewhere)
    assert udfs.office_for(None) == elsewhere.resolve()


# ---------------------------------------------------------------- the cache


def test_the_record_is_read_once_and_again_after_a_consolidation(small, make_report):
    office = udfs.office_for(None)
    first = udfs.record(office)
    assert XLPY_SALES("net_amount") == 16000
    assert udfs.record(office) is first and first.memo  # figures kept with the record
    add_li_na(small, make_report)
    second = udfs.record(office)
    assert second is not first and not second.memo
    assert XLPY_SALES("net_amount") == 31000 and XLPY_OUTSTANDING() == 26000


class Clock:
    """recalc's clock, moved by hand: far ahead of the real one, so that earlier calls are long past."""

    def __init__(self):
        self.now = time.monotonic() + 1e6

    def __call__(self) -> float:
        return self.now


def test_a_recalculation_looks_at_the_files_once_and_the_next_one_again(small, make_report, monkeypatch):
    """Calls with no pause between them are one recalculation: one look at the share. A consolidation
    between two recalculations is seen by the next one, however soon it follows."""
    small, clock = small.resolve(), Clock()
    monkeypatch.setattr(recalc, "monotonic", clock)
    monkeypatch.setattr(recalc, "PAUSE_SECONDS", 0.2)  # the fixture's 0 made every call a recalculation
    recalc._offices.clear()
    recalc._records.clear()
    listed = []
    real = store.partition_files
    monkeypatch.setattr(store, "partition_files", lambda master: listed.append(master) or real(master))
    assert XLPY_SALES("net_amount") == 16000
    reading = len(listed)  # the look before reading, and the reading
    looked = []  # every stat of a file or folder of the office (is_dir, is_file, exists go through it)
    stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda p, **kw: (looked.append(p) if small in p.parents or p == small
                                                       else None) or stat(p, **kw))
    results = []
    for rep in ("张伟", "李娜") * 150:  # 300 formulas a millisecond apart
        clock.now += 0.001
        results.append(XLPY_SALES("net_amount", None, rep))
    assert results[:2] == [16000, 0] and len(listed) == reading and looked == []  # no look at the share
    monkeypatch.setattr(Path, "stat", stat)

    add_li_na(small, make_report)  # on this clock no time passes: the same recalculation goes on
    before = len(listed)
    assert XLPY_SALES("net_amount") == 16000 and len(listed) == before  # within it: as it was
    clock.now += 0.25  # a pause: the next recalculation, 0.55 s after the first began
    assert XLPY_SALES("net_amount") == 31000 and len(listed) == before + 1 + reading  # looked, changed: read

    before = len(listed)
    for _ in range(20):  # a recalculation of 2.5 s, a call every 0.125 s: it looks again every second
        clock.now += 0.125
        assert XLPY_SALES("net_amount") == 31000
    assert len(listed) == before + 2  # looked twice, nothing changed: nothing read


def test_an_unexpected_failure_is_logged_and_the_cell_names_the_log(small, monkeypatch, user_log_dir):
    metrics = udfs.stats.METRICS
    monkeypatch.setattr(udfs.stats, "METRICS", None)  # a defect: `metric not in None` raises TypeError
    result = XLPY_SALES("net_amount")
    log = small / "logs" / "excel.log"
    assert result.startswith("#XLPY! 出错了：TypeError") and str(log) in result
    assert "XLPY_SALES" in log.read_text(encoding="utf-8") and "Traceback" in log.read_text(encoding="utf-8")
    monkeypatch.setattr(udfs.stats, "METRICS", metrics)
    size = log.stat().st_size
    assert XLPY_SALES("foo").startswith("#XLPY! 未知指标") and log.stat().st_size == size  # the user's to fix: not logged


def test_a_master_replaced_by_another_version_is_read_again(small, make_report, tmp_path):
    master = small / "master" / "2026-11.xlsx"
    before = master.read_bytes()
    add_li_na(small, make_report)
    assert XLPY_SALES("net_amount") == 31000
    master.write_bytes(before)  # e.g. restored from master/backup
    assert XLPY_SALES("net_amount") == 16000
    os.utime(master, ns=(0, 0))
    assert XLPY_SALES("net_amount") == 16000


def test_a_changed_reference_is_read_again(small):
    assert "没有目标" in XLPY_ATTAINMENT("华东", "2026-11")
    wb = load_workbook(small / "reference.xlsx")
    targets = wb.create_sheet("销售目标")
    targets.append(["期间", "销售代表", "区域", "目标金额"])
    targets.append(["2026-11", None, "华东", 20000])
    wb.save(small / "reference.xlsx")
    assert XLPY_ATTAINMENT("华东", "2026-11") == 16000 / 20000
    assert XLPY_SALES("target", None, None, None, "2026-11") == 20000


# ---------------------------------------------------------------- XLPY_CHECK


def grid_of(path: Path) -> list[list]:
    """A report's cells as Excel would pass a selected range (blank cells None)."""
    return [list(r) for r in load_workbook(path)["日报"].iter_rows(values_only=True)]


def test_check_finds_the_planted_mistake_where_validate_does(small, make_report, clean_rows, ctx):
    rows = clean_rows[:3]
    rows[1]["qty"] = "两套"
    path = make_report(rows, name="张伟_2026-11-26.xlsx")
    result = XLPY_CHECK(grid_of(path))
    assert result[0] == ["级别", "规则", "工作表", "单元格", "列", "值", "说明"]
    found = [(r[1], r[3]) for r in result[1:]]
    assert ("bad-number", at("qty", 1)) in found
    expected = validate.validate_files([path], ctx)[0].issues
    assert found == [(i.rule, i.cell) for i in expected]


def test_check_names_cells_as_on_the_sheet_the_range_sits_on(small, make_report, clean_rows):
    rows = clean_rows[:3]
    rows[1]["qty"] = "两套"
    grid = grid_of(make_report(rows))
    rec = udfs.record(udfs.office_for(None)).as_of(TODAY)
    shifted = udfs.check(rec, grid, "粘贴", origin=(3, 2))  # the range starts at B3
    row = next(r for r in shifted[1:] if r[1] == "bad-number")
    column, number = at("qty", 1)[0], int(at("qty", 1)[1:])
    assert row[2:4] == ["粘贴", f"{chr(ord(column) + 1)}{number + 2}"]


def test_check_of_a_clean_table_and_of_no_table(small, make_report, clean_rows):
    assert XLPY_CHECK(grid_of(make_report(clean_rows[:3], name="张伟_2026-11-26.xlsx"))) == "✓ 没有发现问题"
    result = XLPY_CHECK([["hello", None], [None, 3]])
    assert [r[1] for r in result[1:]] == ["no-table"]
    assert isinstance(XLPY_CHECK("just one cell"), list)
