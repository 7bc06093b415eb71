"""Property-based: random clean reports validate clean; one random mistake is caught at its cell."""
from __future__ import annotations

import datetime as dt

import pytest
from conftest import PRODUCTS, REPORT_DATE, at, loud
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from xlpy.core import values

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FLOOR = {name: floor for name, _, _, floor, _ in PRODUCTS}
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")

money_form = st.sampled_from([
    lambda v: v, str, lambda v: f"{v:,}", lambda v: f"¥{v:,}", lambda v: f"￥{v}", lambda v: f"{v}元",
    lambda v: f"{v:,}".translate(FULL_WIDTH),
])
date_form = st.sampled_from([
    lambda d: None, lambda d: d, lambda d: d.isoformat(), lambda d: d.strftime("%Y/%m/%d"),
    lambda d: d.strftime("%Y.%m.%d"), lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
])


@st.composite
def deal_row(draw, n: int) -> dict:
    deal = draw(st.sampled_from(["意向", "认购", "签约", "退订", "回款", "lead", "order", "签约", "定单"]))
    product = draw(st.sampled_from(sorted(FLOOR)))
    money = draw(money_form)
    row = {"date": draw(date_form)(REPORT_DATE), "customer": f"客户{n}", "product": product, "deal_type": deal}
    if deal in ("认购", "签约", "order", "定单"):
        qty = draw(st.integers(1, 5))
        price = draw(st.integers(FLOOR[product], FLOOR[product] * 2))
        amount = qty * price
        row.update(qty=qty, unit_price=money(price), amount=money(amount),
                   received=money(draw(st.integers(0, amount))))
        if deal == "签约":
            row["contract_no"] = f"HT-{n:03d}"
    elif deal == "退订":
        row.update(qty=1, amount=money(draw(st.integers(1, 10**6))), contract_no=f"HT-9{n:02d}")
    elif deal == "回款":
        row.update(product=None, received=money(draw(st.integers(1, 10**6))), contract_no=f"HT-8{n:02d}")
    return row


@st.composite
def clean_report(draw) -> tuple[dict, list[dict]]:
    n = draw(st.integers(1, 8))
    rows = [draw(deal_row(i)) for i in range(n)]
    title = {"visits": draw(st.integers(0, 99)), "calls": draw(st.one_of(st.integers(0, 99), st.just("12")))}
    return title, rows


@SETTINGS
@pytest.mark.slow
@given(clean_report())
def test_random_clean_reports_are_clean(make_report, check, report):
    title, rows = report
    [result] = check(make_report(rows, title=title))
    assert loud(result.issues) == [], [(i.rule, i.cell, i.message("en")) for i in result.issues]
    assert result.status == "ok" and result.rows == len(rows)


def _priced(row):
    return row["deal_type"] in ("认购", "签约", "order", "定单")


# name → (applies to the row?, the change, the rule, the column flagged)
MUTATIONS = {
    "text in a number": (lambda r: True, {"qty": "两套"}, "bad-number", "qty"),
    "unknown product": (lambda r: r["product"] is not None, {"product": "Z型"}, "unknown-product", "product"),
    "broken date": (lambda r: True, {"date": "2026-02-30"}, "bad-date", "date"),
    "future date": (lambda r: True, {"date": dt.date(2027, 1, 5)}, "future-date", "date"),
    "negative money": (lambda r: True, {"received": -100}, "negative", "received"),
    "negative qty": (lambda r: r["deal_type"] in ("意向", "lead"), {"qty": -1}, "negative", "qty"),
    "unknown deal type": (lambda r: True, {"deal_type": "预约看房"}, "unknown-deal-type", "deal_type"),
    "unknown rep": (lambda r: True, {"rep": "查无此人"}, "unknown-rep", "rep"),
    "unknown region": (lambda r: True, {"region": "火星"}, "unknown-region", "region"),
    "excel error": (lambda r: True, {"amount": "#DIV/0!"}, "excel-error", "amount"),
    "amount off": (_priced, "amount-off", "amount-mismatch", "amount"),
}


@SETTINGS
@pytest.mark.slow
@given(clean_report(), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_one_mistake_is_caught_at_its_cell(make_report, check, report, mutation, data):
    title, rows = report
    applies, change, rule, column = MUTATIONS[mutation]
    candidates = [i for i, r in enumerate(rows) if applies(r)]
    assume(candidates)
    index = data.draw(st.sampled_from(candidates))
    if change == "amount-off":  # twice qty × unit price: far beyond any tolerance, received still within it
        change = {"amount": 2 * rows[index]["qty"] * values.number(rows[index]["unit_price"])}
    rows[index].update(change)
    [result] = check(make_report(rows, title=title))
    got = [(i.rule, i.cell) for i in loud(result.issues)]
    assert got == [(rule, at(column, index))], [i.message("en") for i in loud(result.issues)]
