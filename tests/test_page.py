"""How every sheet the product writes prints (`xlpy.io.page`), read back from real workbooks."""
from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from openpyxl import load_workbook

from xlpy.io import page


def printed(tmp_path, widths, **setup):
    """A workbook of one sheet with columns of these widths (None: left as it is), set up by `page.setup`,
    read back."""
    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("明细")
    for c, width in enumerate(widths):
        if width is not None:
            ws.set_column(c, c, width)
        ws.write(0, c, "表头")
    page.setup(ws, **setup)
    book.close()
    return load_workbook(path)["明细"]


@pytest.mark.parametrize("widths, orientation", [([30, 30, 30], "portrait"), ([30, 30, 40], "landscape"),
                                                 ([12] * 12, "landscape"), ([None] * 11 + [10], "landscape")],
                         ids=["narrow", "wide", "many", "columns-left-as-they-are"])
def test_a4_turned_to_landscape_only_when_the_table_is_wider_than_a_portrait_page(tmp_path, widths, orientation):
    ws = printed(tmp_path, widths)
    assert int(ws.page_setup.paperSize) == page.A4 and ws.page_setup.orientation == orientation


def test_one_page_wide_with_the_headers_on_every_page(tmp_path):
    ws = printed(tmp_path, [20, 20], header_rows=2, breaks=[40])
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2" and [b.id for b in ws.row_breaks.brk] == [40]


def test_one_page_in_all_repeats_nothing(tmp_path):
    ws = printed(tmp_path, [20, 20], header_rows=2, one_page=True)
    assert ws.page_setup.fitToHeight in (None, 1) and ws.print_title_rows is None


def test_the_footer_names_the_sheet_the_page_the_office_and_the_day(tmp_path):
    ws = printed(tmp_path, [20], facts=page.Facts("R&D 办公室", dt.date(2026, 11, 27)), lang="en")
    assert ws.oddFooter.left.text == "&A" and ws.oddFooter.center.text == "Page &P of &N"
    assert ws.oddFooter.right.text == "R&&D 办公室 2026-11-27"  # a lone & would start a footer code
    assert page.footer(page.Facts()).endswith("&R&8")  # nothing known: nothing on the right
