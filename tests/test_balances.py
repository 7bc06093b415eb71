"""The record rules' contract book from per-month balances (core/balances.py, kept in the read cache by
store.monthly): the same book as derived from every row, and following a correction of an old month."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlpy.app import consolidate
from xlpy.app.office import init_office
from xlpy.contract import config
from xlpy.core import balances, record_rules
from xlpy.core import ledger as L
from xlpy.core.rules import Context
from xlpy.io import store
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

AC, HEATER = "壁挂空调 KFR-26GW", "新风系统 XF-250"
# The record's side of the book: what the batch changes lives in the book's own slots since memory5.
BOOK = ("record_source", "record_lines", "record_amount", "record_paid", "prices", "first_price", "stock", "days")


def _row(day, deal, no, product=AC, qty=None, amount=None, received=None, source=None, rep="张伟"):
    day = pd.Timestamp(day)
    return {"date": day, "report_date": day, "rep": rep, "region": "华东", "customer": "王", "product": product,
            "deal": deal, "qty": qty, "amount": amount, "received": received, "contract_no": no,
            "source": source or f"{rep}_{day:%m%d}.xlsx", "sheet": "日报", "row": 6, "fingerprint": "f"}


MONTHS = {  # contracts signed in one month, paid, cancelled (by amount, by units, a product not its line) later
    "2026-09": [_row("2026-09-03", "contract", "HT-1", qty=2, amount=5398.0, received=1000.0),
                _row("2026-09-03", "contract", "HT-1", HEATER, qty=1, amount=8999.0),
                _row("2026-09-10", "contract", "ht-2", qty=1, amount=2699.0, rep="李娜")],
    "2026-10": [_row("2026-10-02", "payment", "HT-1", received=2000.0),
                _row("2026-10-05", "cancel", "HT-1", HEATER, qty=1),
                _row("2026-10-06", "contract", "HT-3", HEATER, qty=3, amount=26000.0, received=26000.0)],
    "2026-11": [_row("2026-11-02", "cancel", "ht-2", "没有这行", qty=1),
                _row("2026-11-03", "payment", "HT-404", received=50.0),
                _row("2026-11-04", "cancel", "HT-3", HEATER, amount=-8000.0, qty=1)],
}


@pytest.fixture
def ctx(tmp_path):
    init_office(tmp_path / "office", today=dt.date(2026, 11, 27))
    settings = config.load(tmp_path / "office")
    return Context(reference=read_reference(settings.path("reference"), settings), settings=settings,
                   today=dt.date(2026, 11, 27))


def _books(ctx, months: dict[str, list[dict]]):
    ledgers = {m: L.frame(rows, L.LEDGER) for m, rows in months.items()}
    activity = {m: L.frame([{"date": r["date"], "rep": r["rep"], "visits": 1, "calls": 2, "source": r["source"]}
                            for r in rows], L.ACTIVITY) for m, rows in months.items()}
    history, active = L.append(*ledgers.values(), fields=L.LEDGER), L.append(*activity.values(), fields=L.ACTIVITY)
    by_rows = record_rules.Book(history, ctx, active)
    by_months = record_rules.Book(history, ctx, active, [balances.month(ledgers[m], activity[m]) for m in months])
    return by_rows, by_months


def _same(a: record_rules.Book, b: record_rules.Book) -> None:
    for name in BOOK:
        x, y = getattr(a, name), getattr(b, name)
        assert x.keys() == y.keys(), name
        assert all(x[k] == pytest.approx(y[k]) if isinstance(x[k], float) else x[k] == y[k] for k in x), name


def test_the_months_combined_are_the_book_of_every_row(ctx):
    by_rows, by_months = _books(ctx, MONTHS)
    assert balances.combine([balances.month(L.frame(r, L.LEDGER)) for r in MONTHS.values()]) is not None
    _same(by_rows, by_months)
    assert by_months.outstanding("ht-1") == pytest.approx(5398 + 8999 - 1000 - 2000 - 8999)  # the heater cancelled
    assert by_months.outstanding("ht-2") == 0  # cancelled by units at its line's price, on its first line
    assert by_months.outstanding("ht-3") == pytest.approx(26000 - 26000 - 8000)  # a refund due
    assert "ht-404" not in by_months and by_months.days[("张伟", "2026-10-02")] == "张伟_1002.xlsx"


def test_months_that_do_not_combine_exactly_fall_back_to_the_rows(ctx):
    exchanged = {**MONTHS, "2026-11": [*MONTHS["2026-11"],
                                      _row("2026-11-05", "exchange", "HT-1", HEATER, amount=9500.0)]}
    assert balances.combine([balances.month(L.frame(r, L.LEDGER)) for r in exchanged.values()]) is None
    _same(*_books(ctx, exchanged))
    again = {**MONTHS, "2026-11": [_row("2026-11-06", "contract", "HT-1", qty=1, amount=2699.0)]}  # signed twice
    assert balances.combine([balances.month(L.frame(r, L.LEDGER)) for r in again.values()]) is None
    _same(*_books(ctx, again))


def _report(office, name, day, rows):
    return write_report(office / "inbox" / name, {"report_date": day, "rep": "张伟", "visits": 4, "calls": 9}, rows)


def _contract(no, qty, received=None):
    return dict(customer="王先生", product=AC, deal_type="签约", qty=qty, unit_price=2699.0, amount=qty * 2699.0,
                received=received, contract_no=no)


def test_a_correction_of_an_old_month_a_day_later_is_what_the_next_night_judges_by(tmp_path):
    init_office(tmp_path / "office", today=dt.date(2026, 11, 27))
    office = tmp_path / "office"
    _report(office, "2026-10-30/张伟.xlsx", dt.date(2026, 10, 30), [_contract("HT-1", qty=2)])
    _report(office, "2026-11-25/张伟.xlsx", dt.date(2026, 11, 25), [_contract("HT-2", qty=1)])
    assert consolidate.run_consolidation(config.load(office), now=pd.Timestamp("2026-11-25 20:00")).exit_code == 0
    # the next day the rep corrects October's report: HT-1 was one unit, not two
    _report(office, "2026-10-30/张伟.xlsx", dt.date(2026, 10, 30), [_contract("HT-1", qty=1)])
    outcome = consolidate.run_consolidation(config.load(office), now=pd.Timestamp("2026-11-26 20:00"))
    corrected = next(f for f in outcome.files if f.source == "2026-10-30/张伟.xlsx")
    assert corrected.correction and "2026-10.xlsx" in outcome.written
    master = office / "master"
    parts = store.read_partitions(master)
    kept = store.monthly(master, parts, "balances", lambda p: balances.month(p.ledger, p.activity))
    assert (kept[0].lines["ht-1"], kept[0].amount["ht-1"]) == (1, 2699.0)  # October's balances follow its corrected rows
    # a night later a payment of two units is beyond what HT-1 owes now
    _report(office, "2026-11-27/张伟.xlsx", dt.date(2026, 11, 27),
            [dict(customer="王先生", deal_type="回款", received=2 * 2699.0, contract_no="HT-1")])
    night = consolidate.run_consolidation(config.load(office), now=pd.Timestamp("2026-11-27 20:00"))
    tonight = next(f for f in night.files if f.source == "2026-11-27/张伟.xlsx")
    assert [i.rule for i in tonight.issues] == ["received-beyond-outstanding"]
    assert tonight.issues[0].params["expected"] == "2,699"


def test_the_book_is_a_view_the_night_writes_in_front_of(ctx):
    """The combined book looks the months' own dicts up and writes what the batch changes in front
    of them: the months' balances (kept in the read cache) stay as their rows are."""
    months = [balances.month(L.frame(rows, L.LEDGER)) for rows in MONTHS.values()]
    history = L.append(*(L.frame(rows, L.LEDGER) for rows in MONTHS.values()), fields=L.LEDGER)
    book = record_rules.Book(history, ctx, None, months)
    before = dict(months[0].paid)
    book.apply({**_row("2026-11-20", "payment", "HT-1", received=100.0), "unit_price": None})
    book.apply({**_row("2026-11-20", "contract", "HT-9", qty=1, amount=2699.0), "unit_price": 2699.0})
    assert months[0].paid == before and "ht-9" not in book.recorded and "ht-1" in book.recorded
    assert book.outstanding("ht-1") == pytest.approx(5398 + 8999 - 1000 - 2000 - 8999 - 100)
    book.apply({**_row("2026-11-20", "contract", "HT-9", qty=1, amount=2699.0), "unit_price": 2699.0}, sign=-1)
    assert "ht-9" not in book  # a contract of the batch withdrawn is forgotten
