"""The report model (`xlpy.core.report`): cell addresses, and where a row's value stands, its own
cell or the title cell it defaulted from, so an issue points at the cell to correct."""
from __future__ import annotations

import pytest
from conftest import HEADER_ROW, TODAY, at

from xlpy.core.report import Report, address
from xlpy.io import reader


@pytest.mark.parametrize("col, row, cell", [(0, 1, "A1"), (25, 7, "Z7"), (26, 7, "AA7"), (51, 2, "AZ2"),
                                            (52, 2, "BA2"), (701, 3, "ZZ3"), (702, 3, "AAA3"),
                                            (16383, 1048576, "XFD1048576")])
def test_addresses_as_excel_writes_them(col, row, cell):
    assert address(col, row) == cell


def test_a_value_stands_in_its_own_cell_or_in_the_title_it_defaulted_from(make_report, clean_rows):
    clean_rows[0]["rep"] = "李娜"  # the first row names its rep; the others take the title's
    [table] = reader.read_report(make_report(clean_rows), today=TODAY).tables
    first, second = (r["row"] for r in table.records[:2])
    assert first == HEADER_ROW + 1
    assert table.records[0]["rep"] == "李娜" and table.records[1]["rep"] == "张伟"
    assert table.cell("rep", first) == at("rep", 0)
    assert table.cell("rep", second) == table.title["rep"].cell != at("rep", 1)
    assert table.cell("amount", second) == at("amount", 1)  # blank, and no title to default from


def test_a_report_counts_its_rows_and_is_known_by_its_name(make_report, tmp_path):
    report = reader.read_report(make_report(name="张伟.xlsx"), today=TODAY)
    assert report.rows == 5 == len(report.tables[0].rows) and report.source == "张伟.xlsx"
    assert Report(tmp_path / "day" / "a.xlsx", source="day/a.xlsx").source == "day/a.xlsx"
    assert Report(tmp_path / "none.xlsx").rows == 0
