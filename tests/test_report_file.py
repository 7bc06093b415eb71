"""A daily report written as a rep's file (`xlpy.io.report_file`, used by the tests, the demo and
the template): the layout the reader expects, values kept as given, text never a formula."""
from __future__ import annotations

import datetime as dt

from conftest import CLEAN_ROWS, HEADER_ROW, TITLE, TODAY
from openpyxl import load_workbook

from xlpy.contract import schema
from xlpy.io import reader
from xlpy.io.report_file import write_report


def test_header_row_constant_matches_writer(make_report):
    ws = load_workbook(make_report()).active
    assert ws.cell(HEADER_ROW, 1).value == schema.COLUMNS[0].zh


def test_what_is_written_reads_back(make_report):
    [table] = reader.read_report(make_report(), today=TODAY).tables
    assert {k: v.value for k, v in table.title.items() if v.value is not None} == TITLE
    for written, read in zip(CLEAN_ROWS, table.records, strict=True):
        assert {k: read[k] for k in written} == written


def test_text_that_looks_like_a_formula_stays_text(make_report, clean_rows):
    clean_rows[0]["customer"] = "=HYPERLINK(\"http://x\")"
    path = make_report(clean_rows)
    cell = load_workbook(path).active.cell(HEADER_ROW + 1, schema.PRODUCT_OFFICE_COLUMNS.index("customer") + 1)
    assert cell.data_type == "s" and cell.value == clean_rows[0]["customer"]
    assert reader.read_report(path, today=TODAY).tables[0].records[0]["customer"] == clean_rows[0]["customer"]


def test_the_columns_chosen_in_their_order_and_a_blank_report_with_its_total_row(tmp_path):
    columns = ("customer", "deal_type", "amount")
    path = write_report(tmp_path / "day" / "r.xlsx", {"report_date": dt.date(2026, 11, 26)}, [], columns=columns,
                        data_rows=3, total_row=True)
    ws = load_workbook(path).active
    assert [c.value for c in ws[HEADER_ROW]][:4] == [*(schema.BY_KEY[k].zh for k in columns), None]
    assert ws.cell(HEADER_ROW + 4, 1).value == "合计" and ws.cell(HEADER_ROW + 4, 3).value == \
        f"=SUM(C{HEADER_ROW + 1}:C{HEADER_ROW + 3})"
