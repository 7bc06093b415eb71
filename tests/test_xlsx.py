"""The one table writer (xlpy.io.xlsx): chunks, blanks, and the same table through both targets —
an xlsxwriter workbook (the masters, 总表) and a Book (刷新统计) — with the same values, formats
and widths."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from xlpy.contract.statistics import Chart, Column
from xlpy.excel.book import FileBook
from xlpy.io import xlsx

FRAME = pd.DataFrame({"rep": ["张伟", "李娜", None], "amount": [1234567.891, 0.0, float("nan")],
                      "rate": [0.5, float("inf"), 1.0], "day": pd.to_datetime(["2026-11-01", None, "2026-11-03"])})
COLUMNS = [Column("rep", "销售代表", "Sales Rep"), Column("amount", "金额", "Amount", "money"),
           Column("rate", "比率", "Rate", "rate"), Column("day", "日期", "Date", "date")]


def cells(ws, top: int, rows: int, cols: int) -> list[list]:
    return [[ws.cell(r, c).value for c in range(1, cols + 1)] for r in range(top, top + rows)]


def test_rows_are_written_chunk_by_chunk_and_none_is_lost(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK", 7)  # 50 rows: 8 chunks, the last one short
    book = xlsx.new_workbook(tmp_path / "c.xlsx")
    frame = pd.DataFrame({"n": range(50), "when": pd.date_range("2026-01-01", periods=50),
                          "rate": [float("inf")] + [0.5] * 49})
    columns = [Column("n", "编号", "No", "count"), Column("when", "日期", "Date", "date"),
               Column("rate", "比率", "Rate", "rate"), Column("absent", "无", "None")]
    placed = xlsx.write_table(xlsx.XlsxTarget(book), "s", frame, columns, top=1, title="标题", name="t")
    book.close()
    assert (placed.top, placed.bottom, placed.right) == (1, 51, 3)
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx")["s"]
    assert ws["A1"].value == "标题" and [c.value for c in ws[2]] == ["编号", "日期", "比率", "无"]
    assert [ws.cell(r, 1).value for r in range(3, 53)] == list(range(50))
    assert ws["B52"].value == dt.datetime(2026, 2, 19) and ws["C3"].value is None  # inf is never a cell
    assert ws["C4"].number_format == "0.0%" and ws["D3"].value is None


def test_the_same_table_through_both_targets(tmp_path):
    direct = tmp_path / "direct.xlsx"
    book = xlsx.new_workbook(direct)
    target = xlsx.XlsxTarget(book)
    target.sheet("s")
    placed = xlsx.write_table(target, "s", FRAME, COLUMNS, top=1, left=2, title="标题", name="stats_t")
    target.chart(placed, 1, 8, Chart("column", series=("amount",), labels="rep"), "图", None)
    book.close()
    via_book = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(via_book)
    fb = FileBook(via_book)
    book_target = xlsx.BookTarget(fb)
    book_target.sheet("s")
    again = xlsx.write_table(book_target, "s", FRAME, COLUMNS, top=1, left=2, title="标题", name="stats_t")
    book_target.chart(again, 1, 8, Chart("column", series=("amount",), labels="rep"), "图", None)
    fb.save()
    assert placed == again
    a, b = openpyxl.load_workbook(direct)["s"], openpyxl.load_workbook(via_book)["s"]
    assert cells(a, 1, 5, 6) == cells(b, 1, 5, 6)
    assert cells(a, 3, 1, 6)[0][2:] == ["张伟", 1234567.891, 0.5, dt.datetime(2026, 11, 1)]
    assert a.cell(4, 5).value is None  # inf: blank, never an error cell
    for col in range(3, 7):
        assert a.cell(3, col).number_format == b.cell(3, col).number_format
        letter = a.cell(3, col).column_letter
        # xlsxwriter stores a width with its padding (10 → 10.71): the same width in Excel
        assert a.column_dimensions[letter].width == pytest.approx(b.column_dimensions[letter].width, abs=1)
    assert a.cell(3, 4).number_format == xlsx.KINDS["money"].num_format
    assert a.column_dimensions["D"].width >= len("1,234,567.89") + 2
    assert a.tables["stats_t"].ref == b.tables["stats_t"].ref == "C2:F5"
    assert len(b._charts) == 1
