"""The master's writing side (xlpy.io.store through the one table writer, xlpy.io.xlsx): a month
written and read back whole, formats and widths by kind, inert text, the memory trick."""
from __future__ import annotations

import datetime as dt

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
