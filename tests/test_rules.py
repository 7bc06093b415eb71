"""One failing report per rule: the right rule, at the right cell, and nothing else loud."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import CLEAN_ROWS, REPORT_DATE, TODAY, at, loud

from xlpy.contract import schema
from xlpy.contract.messages import say
from xlpy.core import rules
from xlpy.core.rules import RULES
from xlpy.io.reader import address


def only(result, rule):
    """The single loud issue of a result, which must be ``rule``."""
    issues = loud(result.issues)
    assert [i.rule for i in issues] == [rule], [(i.rule, i.cell, i.message("en")) for i in issues]
    return issues[0]


def spoil(rows, index, **changes):
    rows[index].update(changes)
    return rows


def test_clean_report_is_clean(make_report, check):
    [result] = check(make_report())
    assert result.status == "ok"
    assert result.issues == []
    assert result.rows == 5
    table = result.report.tables[0]
    assert table.title["visits"].value == 5 and table.title["calls"].value == 3
    assert set(table.rows["rep"]) == {"张伟"} and set(table.rows["region"]) == {"华东"}
    assert set(table.rows["date"]) == {REPORT_DATE}


# (rule, row index, changes, column whose cell is flagged)
ROW_CASES = [
    ("bad-date", 1, {"date": "2026-13-45"}, "date"),
    ("bad-number", 1, {"qty": "两套"}, "qty"),
    ("bad-number", 2, {"amount": "一万六"}, "amount"),
    ("excel-error", 2, {"amount": "#DIV/0!"}, "amount"),
    ("excel-error", 1, {"received": "#REF!"}, "received"),
    ("excel-error", 0, {"deal_type": "#N/A"}, "deal_type"),
    ("excel-error", 1, {"date": "#VALUE!"}, "date"),
    ("excel-error", 1, {"rep": "#NAME?"}, "rep"),
    ("unknown-rep", 0, {"rep": "赵六"}, "rep"),
    ("inactive-rep", 1, {"rep": "王芳"}, "rep"),
    ("unknown-region", 0, {"region": "华南"}, "region"),
    ("rep-region", 2, {"region": "华北"}, "region"),
    ("unknown-product", 2, {"product": "Z型"}, "product"),
    ("unknown-deal-type", 0, {"deal_type": "预定"}, "deal_type"),
    ("amount-mismatch", 2, {"amount": 17000}, "amount"),
    ("negative", 0, {"qty": -1}, "qty"),
    ("negative", 3, {"received": -3000}, "received"),
    ("received-exceeds-amount", 1, {"received": 6000}, "received"),
    ("future-date", 2, {"date": dt.date(2026, 12, 1)}, "date"),
    ("far-date", 1, {"date": dt.date(2026, 11, 10)}, "date"),
    ("missing-contract-no", 2, {"contract_no": None}, "contract_no"),
    ("missing-contract-no", 4, {"contract_no": None}, "contract_no"),
    ("below-floor", 1, {"unit_price": 4000, "amount": 4000, "received": 500}, "unit_price"),
    ("required-field", 1, {"deal_type": None}, "deal_type"),
]


@pytest.mark.parametrize("rule, index, changes, column", ROW_CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in ROW_CASES])
def test_each_rule_at_its_cell(make_report, check, clean_rows, rule, index, changes, column):
    [result] = check(make_report(spoil(clean_rows, index, **changes)))
    issue = only(result, rule)
    assert (issue.sheet, issue.cell, issue.column) == ("日报", at(column, index), column)
    assert issue.severity == RULES[rule].severity
    assert result.status == ("invalid" if issue.severity == "error" else "ok")


def _needs():
    """Every (deal type, needed column) pair of the schema, with the clean row of that type."""
    rows = {r["deal_type"]: i for i, r in enumerate(CLEAN_ROWS)}
    for deal in (d for d in schema.DEAL_TYPES if not d.units_only):  # a unit office's deals: test_units.py
        for need in deal.needs:
            yield pytest.param(rows[deal.zh], need, id=f"{deal.key}-{need}")


@pytest.mark.parametrize("index, need", list(_needs()))  # a list: pytest 9.2 deprecates a generator here
def test_required_fields_per_deal_type(make_report, check, clean_rows, index, need):
    keys = need.split("|")
    spoil(clean_rows, index, **{k: None for k in keys})
    [result] = check(make_report(clean_rows))
    issue = only(result, "missing-contract-no" if keys == ["contract_no"] else "required-field")
    assert issue.cell == at(keys[0], index)
    assert schema.BY_KEY[keys[0]].zh in issue.message("zh")


def test_blank_rep_everywhere_is_required(make_report, check, clean_rows):
    [result] = check(make_report(clean_rows[:1], title={"rep": None}))
    issue = only(result, "required-field")
    assert issue.column == "rep" and issue.cell == "D2"  # where the title's rep belongs


def test_missing_columns_is_one_file_level_error(make_report, check):
    columns = ("date", "customer", "deal_type", "qty", "amount")
    [result] = check(make_report([{"customer": "客户甲", "deal_type": "意向"}], columns=columns))
    issue = only(result, "missing-columns")
    assert issue.cell is None and result.status == "invalid"
    zh, en = issue.message("zh"), issue.message("en")
    assert "产品" in zh.split("应有")[0] and "客户名称" in zh.split("实际找到")[1]
    assert "Product" in en.split("Expected")[0] and "日期" in en.split("found:")[1]


def test_amount_tolerance_is_configurable(make_report, check, ctx, clean_rows):
    path = make_report(spoil(clean_rows, 2, amount=16010))  # 10 off: over 1 unit, under 0.1 %
    [default] = check(path)
    assert [i.rule for i in loud(default.issues)] == []
    strict = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, amount_tolerance=0,
                                                                   amount_tolerance_pct=0.01))
    [result] = check(path, ctx=strict)
    assert only(result, "amount-mismatch").cell == at("amount", 2)


def test_far_date_days_is_configurable(make_report, check, ctx, clean_rows):
    path = make_report(spoil(clean_rows, 1, date=dt.date(2026, 11, 10)))
    lenient = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, far_date_days=30))
    [result] = check(path, ctx=lenient)
    assert loud(result.issues) == []


def test_duplicate_contract_across_reports(make_report, check, clean_rows):
    first = make_report(name="张伟_20261126.xlsx")
    later = [{"customer": "客户己", "product": "A型", "deal_type": "签约", "qty": 1, "unit_price": 5000,
              "amount": 5000, "contract_no": "HT-001"}]
    second = make_report(later, title={"report_date": TODAY}, name="张伟_20261127.xlsx")
    results = check(second, first)
    assert loud(results[1].issues) == []
    issue = only(results[0], "duplicate-contract")
    assert issue.cell == at("contract_no", 0)
    assert "HT-001" in issue.message("zh") and "张伟_20261126.xlsx" in issue.message("en")


def test_contract_lines_share_a_number_within_a_report(make_report, check, clean_rows):
    second_line = dict(clean_rows[2], product="A型", qty=1, unit_price=5000, amount=5000, received=None)
    [result] = check(make_report([*clean_rows, second_line]))
    assert loud(result.issues) == []


def test_total_row_checked_and_not_a_deal(make_report, check, clean_rows):
    good = {"customer": "合计", "qty": 4, "amount": 29000, "received": 9000}
    [result] = check(make_report([*clean_rows, good]))
    assert result.issues == [] and result.rows == 5
    bad = dict(good, amount=30000)
    [result] = check(make_report([*clean_rows, bad]))
    issue = only(result, "total-mismatch")
    assert issue.cell == at("amount", 5) and "29,000" in issue.message("zh")


def test_subtotals_and_grand_total(make_report, check, clean_rows):
    sub1 = {"customer": "小计", "amount": 21000}
    sub2 = {"customer": "小计", "amount": 8000}
    grand = {"customer": "合计", "amount": 29000}
    [result] = check(make_report([*clean_rows[:3], sub1, *clean_rows[3:], sub2, grand]))
    assert result.issues == []


@pytest.mark.parametrize("visits, rule", [(None, "activity-missing"), ("", "activity-missing"),
                                          (2.5, "activity-invalid"), (-1, "activity-invalid"),
                                          ("很多", "activity-invalid")])
def test_activity_fields(make_report, check, visits, rule):
    [result] = check(make_report(title={"visits": visits}))
    issue = only(result, rule)
    assert (issue.cell, issue.column) == ("B3", "visits")  # write_report: 来访量 in A3, its value in B3


def test_calls_as_text_number_is_fine(make_report, check):
    [result] = check(make_report(title={"calls": "１２"}))
    assert loud(result.issues) == [] and result.report.tables[0].title["calls"].value == 12


# ------------------------------------------------------------------ messages

def test_every_rule_has_both_languages():
    # a rule's messages are now the catalogue's rule.<id> (once Rule.zh and Rule.en)
    for rule in RULES.values():
        zh, en = say(f"rule.{rule.id}", "zh"), say(f"rule.{rule.id}", "en")
        assert zh and en and rule.severity in ("error", "warning", "notice")
        assert zh != en


@pytest.mark.parametrize("rule, index, changes, found, expected", [
    ("unknown-deal-type", 0, {"deal_type": "预定"}, "预定", ("签约", "contract")),
    ("amount-mismatch", 2, {"amount": 17000}, "17,000", ("16,000", "16,000")),
    ("received-exceeds-amount", 1, {"received": 6000}, "6,000", ("5,000", "5,000")),
    ("below-floor", 1, {"unit_price": 4000, "amount": 4000, "received": 500}, "4,000", ("4,500", "4,500")),
    ("rep-region", 2, {"region": "华北"}, "华北", ("华东", "华东")),
    ("unknown-region", 0, {"region": "华南"}, "华南", ("华北", "华北")),
    ("bad-number", 1, {"qty": "两套"}, "两套", ("1234.50", "1234.50")),
    ("bad-date", 1, {"date": "下周三"}, "下周三", ("2026年11月26日", "2026-11-26")),
    ("future-date", 2, {"date": dt.date(2026, 12, 1)}, "2026-12-01", ("2026-11-27", "2026-11-27")),
    ("far-date", 1, {"date": dt.date(2026, 11, 10)}, "2026-11-10", ("2026-11-26", "2026-11-26")),
    ("excel-error", 2, {"amount": "#DIV/0!"}, "#DIV/0!", ("公式", "formula")),
])
def test_messages_name_found_and_expected(make_report, check, clean_rows, rule, index, changes, found, expected):
    [result] = check(make_report(spoil(clean_rows, index, **changes)))
    issue = only(result, rule)
    zh, en = issue.message("zh"), issue.message(lang="en")
    assert found in zh and found in en
    assert expected[0] in zh and expected[1] in en
    assert zh != en


def test_an_issue_renders_in_either_language(make_report, check, clean_rows):
    [result] = check(make_report(spoil(clean_rows, 1, customer=None)))
    issue = only(result, "required-field")
    assert issue.message("zh") == "认购行必须填写“客户名称”，此处为空"
    assert issue.message("en") == "This order row needs “Customer”, which is blank"


def test_header_row_cell_addresses_follow_the_file(make_grid, check):
    """Cells are where Excel shows them, wherever the table starts."""
    path = make_grid([[None], [None, None, "日期", "销售代表", "客户名称", "产品", "业务类型", "数量", "金额"],
                      [None, None, "2026-11-26", "张伟", "客户甲", "A型", "意向", "一套", None]])
    [result] = check(path)
    issue = [i for i in result.issues if i.rule == "bad-number"][0]
    assert issue.cell == address(7, 3) == "H3"


def test_rules_need_no_reference(make_report, check, ctx, clean_rows):
    [result] = check(make_report(spoil(clean_rows, 0, rep="赵六")), ctx=rules.Context(today=TODAY))
    assert [i.rule for i in loud(result.issues)] == []
