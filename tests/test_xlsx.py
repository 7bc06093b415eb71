"""The one table writer (xlpy.io.xlsx): chunks, blanks, and the same table through both targets —
an xlsxwriter workbook (the masters, 总表) and a Book (刷新统计) — with the same values, formats
and widths."""
from __future__ import annotations

import datetime as dt
import math
import re

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from xlpy.contract.statistics import Chart, Column
from xlpy.core import values
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


# ---------------------------------------------------------------- rows rendered at once, as cells were

ODD = pd.DataFrame({
    "text": ["=HYPERLINK(\"http://x\")", "  两端有空格  ", "", None, 12, "a & <b> \"c\"", "http://x.cn", "1e5",
             float("nan"), "控制\x07字符"],
    "amount": [1234567.891, 0.0, -0.5, None, float("nan"), float("inf"), "12.5", "无", 1e-7, 10**15 + 0.25],
    "count": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    "score": [0.1234567890123456, 1 / 3, None, 2.5, 0, -1, 7, 8, 9, 1e300],
    "day": pd.to_datetime(["2026-11-01", None, "1900-01-15", "1900-02-28", "1900-03-01", "2026-12-31",
                           "2024-02-29", "2026-01-01", "1999-12-31", "2100-06-30"]),
    "when": [pd.Timestamp("2026-11-27 21:05:03.123456"), None, dt.datetime(2026, 1, 1), "2026-03-04 05:06:07",
             "不是日期", pd.Timestamp("2026-11-27"), None, None, None, pd.Timestamp("1900-01-01 12:00")],
    "mixed": [1, 2.5, "三", None, True, dt.date(2026, 1, 2), 3, 4, 5, 6],
})
ODD_COLUMNS = [Column("text", "文本", "Text"), Column("amount", "金额", "Amount", "money"),
               Column("count", "数量", "Count", "count"), Column("score", "得分", "Score", "score"),
               Column("day", "日期", "Day", "date"), Column("when", "时间", "When", "datetime"),
               Column("mixed", "混合", "Mixed"), Column("absent", "无此列", "Absent", "number")]


def written_cell_by_cell(path, placements) -> None:
    """The writer as it was before rows were rendered at once (commit f6a367c): each value converted
    and written on its own through xlsxwriter's public calls, widths from the first 200 values."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False, "nan_inf_to_errors": True})
    formats = {k: book.add_format({"num_format": v.num_format}) if v.num_format else None for k, v in xlsx.KINDS.items()}
    ws = book.add_worksheet("s")
    for left, frame, columns in placements:
        for i, c in enumerate(columns):
            spec, col = xlsx.KINDS[c.kind], left + i
            shown = []
            for r, v in enumerate(frame[c.key].tolist() if c.key in frame else [None] * len(frame), start=1):
                if spec.numeric:
                    v = pd.to_numeric(pd.Series([v], dtype=object), errors="coerce").astype(float)[0]
                    v = float(v) if math.isfinite(v) else None
                    v is not None and ws.write_number(r, col, v, formats[c.kind])
                elif spec.dated:
                    v = pd.to_datetime(pd.Series([v], dtype=object), errors="coerce")[0]
                    v = None if pd.isna(v) else v.to_pydatetime()
                    v is not None and ws.write_datetime(r, col, v, formats[c.kind])
                else:
                    v = None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                    v is not None and ws.write_string(r, col, v)
                if v is not None and r <= xlsx.SAMPLE and c.kind != "date":
                    shown.append(f"{v:,.2f}" if c.kind == "money" else str(v))
            ws.set_column(col, col, max(spec.width, values.display_width(c.zh) + 2,
                                        *(min(values.display_width(t) + 2, xlsx.MAX_WIDTH) for t in shown)))
        ws.add_table(0, left, max(len(frame), 1), left + len(columns) - 1,
                     {"columns": [{"header": c.zh} for c in columns], "style": "Table Style Medium 2",
                      "name": f"odd_{left}_"})
    book.close()


def test_rows_rendered_at_once_hold_what_cells_written_one_by_one_held(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK", 3)  # rendered in chunks, the last one short
    short = ODD.iloc[:4]  # a shorter table beside the first, in the same rows
    placements = [(0, ODD, ODD_COLUMNS), (len(ODD_COLUMNS) + 1, short, ODD_COLUMNS[:3])]
    book = xlsx.new_workbook(tmp_path / "rows.xlsx", in_memory=True)
    target = xlsx.XlsxTarget(book)
    for left, frame, columns in placements:
        xlsx.write_table(target, "s", frame, columns, left=left, name=f"odd_{left}_")
    book.close()
    written_cell_by_cell(tmp_path / "cells.xlsx", placements)

    new, old = openpyxl.load_workbook(tmp_path / "rows.xlsx")["s"], openpyxl.load_workbook(tmp_path / "cells.xlsx")["s"]
    assert (new.max_row, new.max_column) == (old.max_row, old.max_column) == (len(ODD) + 1, 12)
    for a, b in zip(new.iter_rows(), old.iter_rows()):
        for x, y in zip(a, b):
            assert (x.coordinate, x.value, x.data_type) == (y.coordinate, y.value, y.data_type)
            if y.value is not None:
                assert x.number_format == y.number_format, x.coordinate
    for letter, dim in old.column_dimensions.items():
        assert new.column_dimensions[letter].width == pytest.approx(dim.width), letter
    assert dict(new.tables.items()) == dict(old.tables.items()) == {"odd_0_": "A1:H11", "odd_9_": "J1:L5"}
    assert new["A2"].value == '=HYPERLINK("http://x")' and new["A2"].data_type == "s"  # text, never a formula
    assert new["E4"].value == dt.datetime(1900, 1, 15) and new["F2"].value == dt.datetime(2026, 11, 27, 21, 5, 3, 123000)  # openpyxl: ms
    # what calamine (the masters' reader, the UDFs') sees is the same too
    grid = lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name("s").to_python()
    assert grid(tmp_path / "rows.xlsx") == grid(tmp_path / "cells.xlsx")


def test_a_text_repeated_in_a_column_is_one_shared_string_and_every_cell_counted(tmp_path):
    import zipfile
    frame, columns = pd.DataFrame({"who": ["甲", "乙", "甲", None, "甲"]}), [Column("who", "谁", "Who")]
    book = xlsx.new_workbook(tmp_path / "rows.xlsx", in_memory=True)
    xlsx.write_table(xlsx.XlsxTarget(book), "s", frame, columns, name="odd_0_")
    book.close()
    written_cell_by_cell(tmp_path / "cells.xlsx", [(0, frame, columns)])
    strings = lambda p: zipfile.ZipFile(p).read("xl/sharedStrings.xml")  # noqa: E731
    assert strings(tmp_path / "rows.xlsx") == strings(tmp_path / "cells.xlsx")
    assert re.search(rb'count="5" uniqueCount="3"', strings(tmp_path / "rows.xlsx"))  # the header and four cells


def test_shared_strings_written_as_xlsxwriter_writes_them():
    """Strings that need nothing done are written as they are; every other goes through xlsxwriter's
    escapes (control characters, `_x0041_` look-alikes, markup, spaces at either end, rich-looking text)."""
    import io

    from xlsxwriter.sharedstrings import SharedStrings, SharedStringTable
    odd = ["客户甲", "", " lead", "trail ", "a\tb", "x\n", "\x00nul", "_x0041_", "a_b", "<r>rich</r>", "a & b",
           "1 < 2", 'say "hi"', "\u3000全角空格", "全角空格\u3000", "\x1f", "plain text", "=SUM(A1)"]
    table = SharedStringTable()
    for s in odd:
        table._get_shared_string_index(s)
    table._sort_string_data()

    def xml(cls) -> str:
        sst = cls()
        sst.string_table = table
        sst.fh = io.StringIO()
        sst._write_sst_strings()
        return sst.fh.getvalue()

    class Theirs(SharedStrings):
        _xml_rich_si_element = xlsx._PlainStrings._xml_rich_si_element
    assert xml(xlsx._PlainStrings) == xml(Theirs)
    assert "<si><t>客户甲</t></si>" in xml(xlsx._PlainStrings)


def test_rows_and_spans_written_as_xlsxwriter_writes_them(tmp_path, monkeypatch):
    """`_Worksheet` visits each row's cells, not every column of the sheet: the sheet XML is xlsxwriter's
    own, byte for byte (two tables side by side, a title, a taller row, rows past a 16-row span block)."""
    import zipfile

    from xlsxwriter.worksheet import Worksheet

    def sheet_xml(path) -> bytes:
        book = xlsx.new_workbook(path)
        target = xlsx.XlsxTarget(book)
        xlsx.write_table(target, "s", ODD, ODD_COLUMNS, top=1, title="标题", name="odd")
        xlsx.write_table(target, "s", pd.concat([ODD] * 3).iloc[:, :3], ODD_COLUMNS[:3], top=2,
                         left=len(ODD_COLUMNS) + 2, name="beside")
        target.sheet("s").set_row(40, 30)  # a row with a height and no cell
        target.sheet("s").set_row(3, 25)  # a table's row with a height of its own
        target.sheet("s").write_string(45, 20, "far")  # a cell written by xlsxwriter itself
        book.close()
        return zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")

    class Run:  # a table's row as a cell of xlsxwriter's own table (how rows were held before memory6)
        def __init__(self, xml: str):
            self.xml = xml

    def their_rows(ws) -> None:  # each table's rows put in xlsxwriter's table, which it then writes itself
        for block in ws.blocks:
            for r in (i + block.first for i, filled in enumerate(block.filled) if filled):
                for col, cell in block.cells:
                    ws.table[r][col] = Run(block.rows.xml(r) if cell is block else "")
        ws.blocks = []
        Worksheet._write_rows(ws)

    def their_cell(ws, row, col, cell) -> None:
        ws.fh.write(cell.xml) if isinstance(cell, Run) else Worksheet._write_cell(ws, row, col, cell)

    ours = sheet_xml(tmp_path / "ours.xlsx")
    monkeypatch.setattr(xlsx._Worksheet, "_write_rows", their_rows)
    monkeypatch.setattr(xlsx._Worksheet, "_write_cell", their_cell, raising=False)
    monkeypatch.setattr(xlsx._Worksheet, "_calculate_spans", Worksheet._calculate_spans)
    assert ours == sheet_xml(tmp_path / "theirs.xlsx")
    assert b'<row r="17" spans="11:13">' in ours and b'<row r="41" spans="11:21" ht="30"' in ours
    assert b'<row r="4" spans="1:13" ht="24.75" customHeight="1"><c r=' in ours


def test_a_tables_rows_are_rendered_only_when_the_sheet_is_written(tmp_path):
    """A long table (总表's receivables: 130,000 rows) is held as its columns' arrays, not as its rows'
    XML, until the workbook is closed (memory of a rebuild, docs/benchmarks.md "memory4"), and not as an
    entry a row in xlsxwriter's table of cells either ("memory6": ~300 bytes a row)."""
    book = xlsx.new_workbook(tmp_path / "later.xlsx")
    target = xlsx.XlsxTarget(book)
    xlsx.write_table(target, "s", ODD, ODD_COLUMNS, name="odd")
    ws = target.sheet("s")
    assert not any(r in ws.table for r in range(1, len(ODD) + 1))  # under the header: no cell held a row
    [block] = ws.blocks
    assert (block.first, block.last) == (1, len(ODD)) and block.rows.start is None  # none rendered yet
    book.close()
    grid = CalamineWorkbook.from_path(str(tmp_path / "later.xlsx")).get_sheet_by_name("s").to_python()
    assert len(grid) == len(ODD) + 1 and block.rows.start == 0
