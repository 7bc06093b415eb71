"""The closed months' contract balances on disk (io/closed_book.py): the same book as from every row,
built again whenever one of the closed months' masters changes (a correction, a master replaced by
hand), and a cache: deleted, the nights judge the same."""
from __future__ import annotations

import datetime as dt
import shutil
from contextlib import ExitStack

import pandas as pd
import pytest

from test_balances import BOOK, MONTHS, _row, _same  # noqa: F401 - BOOK names what _same compares
from xlpy.app import consolidate
from xlpy.app.office import init_office
from xlpy.contract import config
from xlpy.core import balances, record_rules
from xlpy.core import ledger as L
from xlpy.core.rules import Context
from xlpy.io import closed_book, store
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

AC = "壁挂空调 KFR-26GW"
TODAY = dt.date(2026, 11, 27)
FOUR = {**MONTHS, "2026-12": [_row("2026-12-01", "payment", "HT-3", received=10.0),
                              _row("2026-12-01", "contract", "HT-5", qty=1, amount=2699.0)]}


@pytest.fixture
def ctx(tmp_path):
    init_office(tmp_path / "office", today=TODAY)
    settings = config.load(tmp_path / "office")
    return Context(reference=read_reference(settings.path("reference"), settings), settings=settings, today=TODAY)


def _master(folder, months: dict[str, list[dict]]):
    folder.mkdir()
    for name, rows in months.items():
        activity = L.frame([{"date": r["date"], "rep": r["rep"], "visits": 1, "source": r["source"]} for r in rows],
                           L.ACTIVITY)
        store.write_partition(folder / f"{name}.xlsx", store.Partition(name, L.frame(rows, L.LEDGER), activity))
    return store.read_partitions(folder)


def _month(part):
    return balances.month(part.ledger, part.activity)


def test_the_closed_months_on_disk_are_the_book_of_every_row(ctx, cache, tmp_path):
    parts = _master(tmp_path / "master", FOUR)
    names = closed_book.closed_months(parts)
    assert names == ["2026-09", "2026-10"]  # all but the two newest
    closed = closed_book.read(tmp_path / "master", parts, names, _month)
    assert closed.closed and len(list(cache.glob("*.book.*.sqlite"))) == 1
    again = closed_book.read(tmp_path / "master", parts, names, lambda part: pytest.fail("built again"))
    history, activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    by_rows = record_rules.Book(history, ctx, activity)
    newest = [_month(parts[name]) for name in ("2026-11", "2026-12")]
    for given in (closed, again, balances.closed(**balances.close([_month(parts[n]) for n in names]))):
        by_disk = record_rules.Book(lambda: pytest.fail("rows read"), ctx, None, [given, *newest])
        _same(by_rows, by_disk)
    assert by_disk.outstanding("ht-3") == pytest.approx(26000 - 26000 - 8000 - 10)


def test_a_contract_of_a_closed_month_signed_again_falls_back_to_the_rows(ctx, cache, tmp_path):
    again = {**FOUR, "2026-12": [_row("2026-12-02", "contract", "HT-1", qty=1, amount=2699.0)]}
    parts = _master(tmp_path / "master", again)
    closed = closed_book.read(tmp_path / "master", parts, closed_book.closed_months(parts), _month)
    assert balances.combine([closed, *(_month(parts[n]) for n in ("2026-11", "2026-12"))]) is None
    history, activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    _same(record_rules.Book(history, ctx, activity),
          record_rules.Book(history, ctx, activity, [closed, _month(parts["2026-11"]), _month(parts["2026-12"])]))


def _report(office, name, day, rows):
    return write_report(office / "inbox" / name, {"report_date": day, "rep": "张伟", "visits": 4, "calls": 9}, rows)


def _contract(no, qty):
    return dict(customer="王先生", product=AC, deal_type="签约", qty=qty, unit_price=2699.0, amount=qty * 2699.0,
                contract_no=no)


def _night(office, day: int):
    return consolidate.run_consolidation(config.load(office), now=pd.Timestamp(f"2026-11-{day} 20:00"))


def _pay(office, day: int, amount: float):
    """A payment on HT-1 (signed in August, a closed month): its verdict's rules."""
    name = f"2026-11-{day}/张伟.xlsx"
    _report(office, name, dt.date(2026, 11, day), [dict(customer="王先生", deal_type="回款", received=amount,
                                                        contract_no="HT-1")])
    return [i.rule for i in next(f for f in _night(office, day).files if f.source == name).issues]


@pytest.fixture
def four_months(tmp_path, cache):
    """An office whose masters hold August to November, the index of the closed months (August,
    September) built by a night with nothing new."""
    init_office(tmp_path / "office", today=TODAY)
    office = tmp_path / "office"
    for month in (8, 9, 10):
        _report(office, f"2026-{month:02d}-10/张伟.xlsx", dt.date(2026, month, 10), [_contract(f"HT-{month - 7}", 2)])
    _report(office, "2026-11-02/张伟.xlsx", dt.date(2026, 11, 2), [_contract("HT-9", 1)])
    assert _night(office, 2).exit_code == 0
    _night(office, 3)
    assert len(list(cache.glob("*.book.*.sqlite"))) == 1
    return office


def test_a_closed_month_corrected_is_judged_corrected_the_night_after(four_months, cache):
    built = set(cache.glob("*.book.*.sqlite"))
    _report(four_months, "2026-08-10/张伟.xlsx", dt.date(2026, 8, 10), [_contract("HT-1", 1)])  # two units were one
    assert [f.correction for f in _night(four_months, 4).files if f.source.startswith("2026-08")] == [True]
    assert _pay(four_months, 5, 2 * 2699.0) == ["received-beyond-outstanding"]  # against the corrected contract
    assert set(cache.glob("*.book.*.sqlite")).isdisjoint(built)  # built again, the old one gone


def test_a_closed_master_replaced_by_hand_is_judged_as_it_is_now(four_months, cache):
    master = four_months / "master"
    august = store.read_partition(master / "2026-08.xlsx", "2026-08")
    august.ledger.loc[august.ledger["contract_no"] == "HT-1", ["qty", "amount"]] = [1, 2699.0]
    store.write_partition(master / "2026-08.xlsx", august)  # edited outside xlpy: a new file
    assert _pay(four_months, 5, 2699.0 + 100) == ["received-beyond-outstanding"]
    shutil.rmtree(cache)  # a cache: without it the night judges the same
    assert _pay(four_months, 6, 2699.0 + 100) == ["received-beyond-outstanding"]
    assert _pay(four_months, 7, 2699.0) == []
    assert _pay(four_months, 8, 100.0) == ["received-beyond-outstanding"]  # and with it, built again
    assert len(list(cache.glob("*.book.*.sqlite"))) == 1


def test_a_broken_index_is_built_again(four_months, cache):
    for index in cache.glob("*.book.*.sqlite"):
        index.write_bytes(b"not sqlite")
    assert _pay(four_months, 5, 2 * 2699.0) == []
    assert _pay(four_months, 6, 100.0) == ["received-beyond-outstanding"]  # HT-1 (5,398) is paid up now


def test_a_damaged_page_found_while_judging_is_built_again_from_the_months(four_months, cache):
    # The file opens (its first pages are whole) but a lookup meets a damaged page, as after a disk
    # error or a backup tool restoring part of it: the night judges from the months' balances and
    # the file is deleted, then built again the night after.
    for index in cache.glob("*.book.*.sqlite"):
        data, page = bytearray(index.read_bytes()), 4096
        data[2 * page:] = b"\xff" * (len(data) - 2 * page)
        index.write_bytes(bytes(data))
    assert _pay(four_months, 5, 2 * 2699.0) == []
    assert _pay(four_months, 6, 100.0) == ["received-beyond-outstanding"]
    assert len(list(cache.glob("*.book.*.sqlite"))) == 1


@pytest.mark.parametrize("book_deleted", [False, True])  # True: the months' balances (`store.monthly`) alone
def test_a_closed_master_saved_while_a_night_reads_is_never_kept_under_its_new_stamp(four_months, cache, book_deleted):
    master = four_months / "master"
    parts = store.read_partitions(master)  # as a night reads them
    august = store.read_partition(master / "2026-08.xlsx", "2026-08")
    august.ledger.loc[august.ledger["contract_no"] == "HT-1", ["qty", "amount"]] = [1, 2699.0]
    store.write_partition(master / "2026-08.xlsx", august)  # saved in Excel meanwhile
    with ExitStack() as files:
        consolidate._balances(master, parts, set(), files)  # the night goes on with what it read
    for index in cache.glob("*.book.*.sqlite") if book_deleted else ():
        index.unlink()
    with ExitStack() as files:  # the next night reads the saved master
        book = balances.combine(consolidate._balances(master, store.read_partitions(master), set(), files))
        assert book.amount["ht-1"] == 2699.0


def test_a_closed_contract_without_a_first_price_has_none_as_in_its_months(ctx, cache, tmp_path):
    months = {name: rows for name, rows in FOUR.items()}
    months["2026-09"] = [*months["2026-09"], _row("2026-09-05", "contract", "HT-7", qty=0, amount=100.0)]
    parts = _master(tmp_path / "master", months)
    names = closed_book.closed_months(parts)
    with ExitStack() as files:
        closed = closed_book.read(tmp_path / "master", parts, names, _month, files)
        every = balances.combine([_month(parts[n]) for n in names])
        key = next(k for k in every.lines if k not in every.first_price)
        assert closed.first_price.get(key, "none") == "none" and key not in closed.first_price
