"""The master's writing side (xlpy.io.store through the one table writer, xlpy.io.xlsx): a month
written and read back whole, formats and widths by kind, inert text, the memory trick; and the read
cache, each table unpickled when first used."""
from __future__ import annotations

import datetime as dt
import pickle

import openpyxl
import pandas as pd
import pytest

from xlpy.core import ledger as L
from xlpy.io import store, xlsx

DAY = pd.Timestamp("2026-11-26")


def rows(n: int) -> list[dict]:
    return [{"date": DAY, "report_date": DAY, "rep": "张伟", "region": "华东", "customer": f"客户{i}",
             "product": "A型", "deal_type": "签约", "deal": "contract", "qty": 1.5, "unit_price": 10_000.0,
             "amount": 15_000.0 + i, "received": None, "contract_no": f"HT{i:03d}", "source": "张伟.xlsx",
             "sheet": "日报", "row": 6 + i, "fingerprint": "f", "imported_at": DAY + pd.Timedelta(hours=21),
             "note": "=HYPERLINK(\"http://x\")" if i == 0 else None} for i in range(n)]


@pytest.fixture
def month(tmp_path):
    part = store.Partition("2026-11", ledger=L.frame(rows(3), L.LEDGER))
    path = tmp_path / "2026-11.xlsx"
    store.write_partition(path, part)
    return path, part


def test_a_month_reads_back_as_written(month):
    path, part = month
    back = store.read_partition(path, "2026-11")
    pd.testing.assert_frame_equal(back.ledger, part.ledger, check_dtype=False)
    assert back.ledger.loc[0, "note"] == '=HYPERLINK("http://x")'  # text, never a live formula


def test_formats_widths_and_the_table_by_kind(month):
    ws = openpyxl.load_workbook(month[0])["明细"]
    header = {c.value: c.column for c in ws[1]}
    at = lambda key: ws.cell(2, header[next(f.zh for f in L.LEDGER if f.key == key)])  # noqa: E731
    assert at("amount").number_format == xlsx.KINDS["money"].num_format
    assert at("date").number_format == "yyyy-mm-dd" and isinstance(at("date").value, dt.datetime)
    assert at("imported_at").number_format == "yyyy-mm-dd hh:mm:ss"
    assert at("qty").value == 1.5 and at("qty").number_format == "General"
    assert at("note").data_type == "s"
    assert at("received").value is None  # a blank stays blank
    assert ws.freeze_panes == "A2" and len(ws.tables) == 1
    for column in ("amount", "date", "customer"):
        letter = at(column).column_letter
        assert ws.column_dimensions[letter].width >= xlsx.KINDS["text"].width


def test_an_empty_table_still_is_an_excel_table(tmp_path):
    path = tmp_path / "empty.xlsx"
    store.write_partition(path, store.Partition("2026-11"))
    wb = openpyxl.load_workbook(path)
    assert all(len(ws.tables) == 1 for ws in wb.worksheets)
    assert store.read_partition(path, "2026-11").ledger.empty


def test_the_worksheet_keeps_no_note_of_table_cells(tmp_path):
    """The memory trick the masters rely on (docs/design.md): xlsxwriter would note every cell
    of every table; ours notes none, and the table is still written."""
    book = xlsx.new_workbook(tmp_path / "t.xlsx")
    store.write_table(book, "明细", L.frame(rows(50), L.LEDGER), L.LEDGER)
    assert len(book.worksheets()[0].table_cells) == 0
    book.close()
    assert openpyxl.load_workbook(tmp_path / "t.xlsx")["明细"].tables


# ---------------------------------------------------------------- the read cache, read lazily


def test_a_cached_month_is_read_table_by_table_when_first_used(tmp_path, month):
    path, part = month
    master = path.parent
    store.read_partitions(master)  # the first read: from the master, every table cached
    cached = store.read_partitions(master)["2026-11"]
    assert not any(cached.loaded(what) for what in store.TABLES)  # nothing unpickled yet
    assert cached.imports.empty and cached.loaded("imports") and not cached.loaded("ledger")
    pd.testing.assert_frame_equal(cached.ledger, store.read_partition(path, "2026-11").ledger)
    cached.ledger = cached.ledger.iloc[:1]  # a table set stays as set
    assert len(cached.ledger) == 1 and len(store.read_partitions(master)["2026-11"].ledger) == 3


def test_a_master_replaced_under_the_cache_is_read_again(tmp_path, month):
    path, _ = month
    master = path.parent
    store.read_partitions(master)
    before = store.read_partitions(master)["2026-11"]  # from the cache, its tables not loaded yet
    store.write_partition(path, store.Partition("2026-11", ledger=L.frame(rows(5), L.LEDGER)))
    assert len(store.read_partitions(master)["2026-11"].ledger) == 5
    # read before the master was replaced, used after: a table pickled for the old stamp is never
    # served, the master is read (a consolidation holds the lock, so no master changes under it)
    assert len(before.ledger) == 5


def test_a_month_is_never_given_from_two_versions_of_its_master(tmp_path, month):
    path, _ = month
    master = path.parent
    store.read_partitions(master)
    before = store.read_partitions(master)["2026-11"]
    assert len(before.ledger) == 3  # one table served from the version whose stamp was checked
    store.write_partition(path, store.Partition("2026-11", ledger=L.frame(rows(5), L.LEDGER)))
    store.read_partitions(master)  # another process caches the new master's tables
    with pytest.raises(store.MasterError) as raised:
        before.activity  # the old version's activity is gone: not the new one beside the old ledger
    assert raised.value.code == "master-changed"
    assert len(store.read_partitions(master)["2026-11"].ledger) == 5  # reading again cures it


def test_the_record_is_read_again_when_a_master_is_replaced_while_it_is_read(tmp_path, month, monkeypatch):
    path, _ = month
    master = path.parent
    store.read_partitions(master)
    concat, replaced = store.concat, []

    def night_writes_meanwhile(parts, what):  # the ledger stacked, then the night replaces the month
        if what == "activity" and not replaced:
            replaced.append(store.write_partition(path, store.Partition("2026-11", ledger=L.frame(rows(5), L.LEDGER))))
            store.read_partitions(master)
        return concat(parts, what)
    monkeypatch.setattr(store, "concat", night_writes_meanwhile)
    ledger, _ = store.read_record(master)
    assert replaced and len(ledger) == 5  # the new version whole, not the old ledger beside the new activity


def test_a_master_replaced_while_read_is_cached_under_the_stamp_seen_before(tmp_path, month, monkeypatch):
    path, _ = month
    master = path.parent
    store.read_partitions(master)
    cached = store.read_partitions(master)["2026-11"]
    store._cache_file(path, "ledger").unlink()
    read = store.read_partition

    def replaced_while_read(at, name):  # the night replaces the master while this process reads it
        part = read(at, name)
        store.write_partition(path, store.Partition("2026-11", ledger=L.frame(rows(5), L.LEDGER)))
        return part
    monkeypatch.setattr(store, "read_partition", replaced_while_read)
    assert len(cached.ledger) == 3
    monkeypatch.setattr(store, "read_partition", read)
    # the old rows were kept under the old stamp, so the new master is read, not the old rows served
    assert len(store.read_partitions(master)["2026-11"].ledger) == 5


def test_a_master_gone_since_it_was_listed_is_said_unreadable(tmp_path, month, monkeypatch):
    path, _ = month
    monkeypatch.setattr(store, "partition_files", lambda master: {"2026-11": path.with_name("2026-10.xlsx")})
    with pytest.raises(store.MasterError) as raised:
        store.read_partitions(path.parent)
    assert raised.value.code == "master-unreadable"


def test_a_table_whose_cache_file_went_is_read_from_the_master(tmp_path, month):
    path, _ = month
    master = path.parent
    store.read_partitions(master)
    cached = store.read_partitions(master)["2026-11"]
    store._cache_file(path, "ledger").unlink()
    assert cached.ledger["customer"].tolist() == ["客户0", "客户1", "客户2"]
    assert store.read_partitions(master)["2026-11"].ledger["customer"].tolist() == ["客户0", "客户1", "客户2"]


def test_a_cache_from_before_the_lazy_layout_is_never_read(tmp_path, month):
    path, _ = month
    master = path.parent
    old = store.cache_dir() / f"{store._cache_key(path)}.pkl"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"\x80\x05N.")  # the one pickle of the old layout: not looked at
    assert len(store.read_partitions(master)["2026-11"].ledger) == 3
    assert "a file per table" in store.file_stamp(path)[0] and not old.exists()  # and it goes


@pytest.mark.parametrize("content", [b"", b"garbage", "stamp", "stale"])
def test_what_a_month_keeps_beside_its_tables_is_computed_again_from_a_broken_or_foreign_entry(tmp_path, month,
                                                                                             content):
    path, _ = month
    master = path.parent
    parts = store.read_partitions(master)
    assert store.monthly(master, parts, "rows", lambda part: len(part.ledger)) == [3]  # kept
    assert store.monthly(master, parts, "rows", lambda part: pytest.fail("computed again")) == [3]
    with open(store._cache_file(path, "rows"), "wb") as f:
        if isinstance(content, bytes):
            f.write(content)
        else:  # the right stamp and then no value, or another master's stamp with a value
            pickle.dump(store.file_stamp(path) if content == "stamp" else ("old", 1), f)
            if content == "stale":
                pickle.dump(99, f)
    assert store.monthly(master, parts, "rows", lambda part: len(part.ledger) + 1) == [4]


def test_staged_pickles_left_by_a_killed_run_are_swept_once_a_process(tmp_path, month, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("XLPY_CACHE", str(cache))
    cache.mkdir()
    killed = cache / "0123abcd.ledger.pkl.4242.tmp"  # a run killed while writing the table
    book = cache / "0123abcd.book.9-9.sqlite.4242.tmp"  # the closed book stages its own and sweeps it itself
    killed.write_bytes(b"half")
    book.write_bytes(b"half")
    path, _ = month
    assert len(store.read_partitions(path.parent)["2026-11"].ledger) == 3  # read and kept
    assert not killed.exists() and book.exists()
    assert store._cache_file(path, "ledger").exists()
    killed.write_bytes(b"half")  # once a process: no listing of the folder for every file kept
    store.monthly(path.parent, store.read_partitions(path.parent), "rows", lambda part: len(part.ledger))
    assert killed.exists()
