"""The rules that need the record (`xlpy.core.record_rules`), judged against a ledger made from a
real earlier report: contracts signed again or unknown, stock and money beyond what is left, a row
that waits for a rejected report of the batch, and a rep's day reported twice."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import REPORT_DATE, TODAY, at, loud

from xlpy.app import validate
from xlpy.core import ledger as L
from xlpy.core import record_rules
from xlpy.core.rules import ERROR, WARNING, Issue
from xlpy.io import reader

EARLIER = REPORT_DATE - dt.timedelta(days=1)


def contract(no, qty=1, price=5000, received=1000, product="A型"):
    return {"customer": "客户丙", "product": product, "deal_type": "签约", "qty": qty, "unit_price": price,
            "amount": qty * price, "received": received, "contract_no": no, "due_date": dt.date(2026, 12, 31)}


def payment(no, received):
    return {"customer": "客户丙", "deal_type": "回款", "received": received, "contract_no": no}


@pytest.fixture
def history(make_report):
    """The record: HT-1 signed the day before (5,000, 1,000 of it paid), and 张伟's day of EARLIER."""
    path = make_report([contract("HT-1")], title={"report_date": EARLIER}, name="earlier.xlsx")
    report = reader.read_report(path, today=TODAY)
    return (L.frame(L.ledger_records(report, pd.Timestamp(TODAY)), L.LEDGER),
            L.frame(L.activity_records(report), L.ACTIVITY))


def judged(ctx, history, *paths):
    ledger, activity = history
    return {r.path.name: r for r in validate.validate_files(list(paths), ctx, ledger, activity=activity)}


@pytest.mark.parametrize("row, rule, column", [
    (contract("HT-1"), "contract-signed-before", "contract_no"),
    (payment("HT-404", 100), "unknown-contract", "contract_no"),
    ({"customer": "客户丙", "deal_type": "退订", "qty": 1, "contract_no": "HT-404"}, "unknown-contract", "contract_no"),
    (payment("HT-1", 4100), "received-beyond-outstanding", "received"),
    (contract("HT-2", qty=11, price=8000, received=0, product="B型"), "beyond-inventory", "qty"),
], ids=["signed-again", "payment-unknown", "cancel-unknown", "paid-beyond", "beyond-stock"])
def test_each_rule_at_its_cell(ctx, history, make_report, row, rule, column):
    [result] = judged(ctx, history, make_report([row])).values()
    assert [(i.rule, i.cell) for i in loud(result.issues)] == [(rule, at(column, 0))]
    assert result.status == "invalid"
    [alone] = validate.validate_files([result.path], ctx)  # without the record, nothing to say
    assert loud(alone.issues) == []


def test_what_the_record_allows_is_fine(ctx, history, make_report):
    rows = [payment("HT-1", 4000), contract("HT-2", qty=10, price=8000, received=0, product="B型")]
    [result] = judged(ctx, history, make_report(rows)).values()
    assert loud(result.issues) == [] and result.status == "ok"


def test_a_contract_signed_earlier_in_the_batch_is_known(ctx, history, make_report):
    signs = make_report([contract("HT-3")], title={"report_date": EARLIER}, name="a.xlsx")
    pays = make_report([payment("HT-3", 4000)], name="b.xlsx")
    results = judged(ctx, [frame.iloc[0:0] for frame in history], pays, signs)  # an empty record; named out of order
    assert [loud(r.issues) for r in results.values()] == [[], []]


def test_a_row_naming_a_contract_of_a_rejected_report_waits_for_it(ctx, history, make_report):
    spoilt = dict(contract("HT-3"), amount=4000)  # amount ≠ qty × price: the report is rejected
    rejected = make_report([spoilt], title={"report_date": EARLIER}, name="a.xlsx")
    pays = make_report([payment("HT-3", 100)], name="b.xlsx")
    results = judged(ctx, history, rejected, pays)
    assert results["a.xlsx"].status == "invalid"
    [waits] = loud(results["b.xlsx"].issues)
    assert (waits.rule, waits.params["other"]) == ("contract-in-rejected-report", "a.xlsx")
    assert results["b.xlsx"].status == "waiting" and record_rules.is_waiting(results["b.xlsx"].issues)


def test_a_second_report_of_a_reps_day_is_a_warning_on_its_title(ctx, history, make_report):
    again = make_report([payment("HT-1", 100)], title={"report_date": EARLIER}, name="again.xlsx")
    [result] = judged(ctx, history, again).values()
    [warning] = loud(result.issues)
    assert (warning.rule, warning.severity, warning.params["other"]) == ("same-rep-day", WARNING, "earlier.xlsx")
    assert warning.cell == reader.read_report(again, today=TODAY).tables[0].title["report_date"].cell
    assert result.status == "ok"  # its deal rows are taken


def test_waiting_is_only_errors_that_wait():
    waits = Issue("contract-in-rejected-report", "日报", "L6", "contract_no", "HT-3", {})
    wrong = Issue("amount-mismatch", "日报", "J6", "amount", 1, {})
    assert waits.severity == ERROR
    assert record_rules.is_waiting([waits]) and not record_rules.is_waiting([waits, wrong])
    assert not record_rules.is_waiting([])


def test_a_cancel_by_units_is_worth_its_own_lines_price_signed_in_the_batch(ctx, history, make_report):
    """The batch's prices are held per contract and line (`record_rules._Slots`): a cancel naming
    the second line's product counts that line's units, one naming none the first line's."""
    lines = [contract("HT-5", qty=2, price=5000, received=0), contract("HT-5", price=8000, received=0, product="B型")]
    signs = make_report(lines, title={"report_date": EARLIER}, name="a.xlsx")
    cancel = {"customer": "客户丙", "deal_type": "退订", "qty": 1, "contract_no": "HT-5"}
    by_line = make_report([{**cancel, "product": "B型"}, payment("HT-5", 10_500)], name="b.xlsx")
    results = judged(ctx, [frame.iloc[0:0] for frame in history], signs, by_line)
    [beyond] = loud(results["b.xlsx"].issues)  # 18,000 − 8,000 is owed, not 18,000 − 5,000
    assert (beyond.rule, beyond.params["expected"]) == ("received-beyond-outstanding", "10,000")
    by_first = make_report([cancel, payment("HT-5", 13_000)], name="c.xlsx")
    results = judged(ctx, [frame.iloc[0:0] for frame in history], signs, by_first)
    assert loud(results["c.xlsx"].issues) == []  # 18,000 − 5,000 owed: its first line's price


def test_a_contract_of_the_batch_withdrawn_and_signed_again_keeps_only_its_new_prices(ctx, history):
    book = record_rules.Book(history[0].iloc[0:0], ctx, history[1].iloc[0:0])
    row = {"deal": "contract", "contract_no": "HT-7", "product": "A型", "qty": 1, "amount": 5000.0,
           "unit_price": 5000.0, "received": None, "source": "a.xlsx"}
    book.apply(row)
    book.apply(row, sign=-1)  # its report rejected: forgotten
    assert "ht-7" not in book
    book.apply({**row, "product": "B型", "amount": 3000.0, "unit_price": 3000.0, "source": "b.xlsx"})
    cancel = {"deal": "cancel", "contract_no": "HT-7", "product": "A型", "qty": 1, "amount": None}
    assert book.cancelled_amount("ht-7", cancel) == 3000.0  # A型's price of the withdrawn row is gone
    assert book.source("ht-7") == "b.xlsx" and book.outstanding("ht-7") == 3000.0
