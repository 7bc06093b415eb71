"""The contract book (xlpy.core.contracts): a contract's balance owed or owed back, shared over its
lines; facts derived once and passed down."""
from __future__ import annotations

import pytest

from xlpy.core import contracts
from xlpy.core import ledger as L


def book_of(*rows: dict):
    return contracts.facts(L.frame(list(rows), L.LEDGER), None, None).book.set_index(["contract_no", "product"])


def line(product, amount, **more) -> dict:
    return dict(date="2026-11-02", rep="A", region="R", product=product, deal="contract", qty=1, amount=amount,
                contract_no="C1", **more)


def test_outstanding_is_what_is_owed_on_the_contract():
    book = book_of(line("P", 100, received=30), line("Q", 50))
    assert book["outstanding"].to_dict() == {("C1", "P"): 70, ("C1", "Q"): 50}
    assert book["refund_due"].sum() == 0


def test_overpaid_is_owed_back_not_netted_against_another_contract():
    book = book_of(line("P", 100, received=130), {**line("P", 80), "contract_no": "C2"})
    assert book.loc[("C1", "P"), "refund_due"] == 30 and book.loc[("C1", "P"), "outstanding"] == 0
    assert book.loc[("C2", "P"), "outstanding"] == 80


def test_cancelled_after_payment_is_a_refund_of_the_contract_not_of_a_line():
    """Two lines paid 100 in all (shared 50/50), then line Q cancelled: the customer paid 100 for a
    contract now worth 100, so nothing is owed either way, though line Q alone is 50 overpaid."""
    cancel = dict(date="2026-11-05", rep="A", region="R", product="Q", deal="cancel", qty=1, amount=100,
                  contract_no="C1")
    payment = dict(date="2026-11-03", rep="A", region="R", deal="payment", received=100, contract_no="C1")
    book = book_of(line("P", 100), line("Q", 100), payment, cancel)
    assert book["outstanding"].sum() == pytest.approx(0) and book["refund_due"].sum() == pytest.approx(0)
    more = {**cancel, "product": "P", "amount": 100}  # both lines cancelled: the 100 paid is owed back
    book = book_of(line("P", 100), line("Q", 100), payment, cancel, more)
    assert book["refund_due"].sum() == pytest.approx(100) and book["outstanding"].sum() == 0


def test_facts_are_derived_each_time_and_passed_through():
    ledger = L.frame([line("P", 100)], L.LEDGER)
    first = contracts.facts(ledger, None, None)
    assert contracts.facts(ledger, None, None) is not first  # no module cache to forget
    assert contracts.of(first) is first and contracts.contract_lines(first) is first.book


def test_rows_that_are_all_contract_lines_are_held_once():
    """Every row a paid contract line (a rebuild of the benchmark's office): *net* and *receipts* are
    the rows' own columns, not copies of them; a row of another kind, and they are the lines' alone."""
    import numpy as np
    rows = [line("P", 100, received=30), {**line("Q", 50, received=5), "contract_no": "C2"}]
    f = contracts.facts(L.frame(rows, L.LEDGER), None, None)
    assert np.shares_memory(f.net["amount"].to_numpy(), f.rows["amount"].to_numpy())
    assert np.shares_memory(f.receipts["received"].to_numpy(), f.rows["received"].to_numpy())
    lead = dict(date="2026-11-02", rep="A", region="R", product="P", deal="lead", qty=1)
    f = contracts.facts(L.frame([*rows, lead], L.LEDGER), None, None)
    assert f.net["amount"].tolist() == [100, 50] and f.receipts["received"].tolist() == [30, 5]
    assert list(f.net.index) == [0, 1] and list(f.receipts.index) == [0, 1]
