"""The record's tables (`xlpy.core.ledger`): one representation of each whether rows come from
reports or back from a master, a report's rows and activity as records, the month they are kept
in, spellings as the reference writes them, and a fingerprint of what a report says."""
from __future__ import annotations

import json
import shutil

import pandas as pd
from conftest import REPORT_DATE, TODAY
from openpyxl import load_workbook

from xlpy.core import ledger as L
from xlpy.io import reader


def read(path):
    return reader.read_report(path, today=TODAY)


def test_conform_gives_the_columns_in_order_with_their_types():
    rows = L.conform(pd.DataFrame({"rows_read": ["3", None], "source": ["a.xlsx", float("nan")], "rep": [1024, "张伟"],
                                   "junk": [1, 2],
                                   "report_date": ["2026-11-26 15:30", "not a date"]}), L.IMPORTS)
    assert list(rows.columns) == [f.key for f in L.IMPORTS]
    assert rows["rows_read"].tolist() == [3, 0] and rows["rows_read"].dtype == int
    assert rows["source"].tolist() == ["a.xlsx", None]  # None, not NaN, for a blank
    assert rows["rep"].tolist() == ["1024", "张伟"]  # text is text, a name typed as a number too
    assert rows["report_date"].iloc[0] == pd.Timestamp(2026, 11, 26) and pd.isna(rows["report_date"].iloc[1])
    assert rows["reason"].tolist() == [None, None]  # a column missing is a blank one


def test_equal_texts_are_held_once():
    # cells read from thousands of files are a str each: a repeated rep or source is kept as one object
    typed = ["".join(["张", "伟"]) for _ in range(3)] + [None]
    assert len({id(v) for v in typed[:3]}) == 3  # as a reader hands them over: distinct objects
    for rows in (L.frame([{"rep": v, "source": "a.xlsx"} for v in typed], L.ACTIVITY),
                 L.conform(pd.DataFrame({"rep": typed}), L.ACTIVITY)):
        assert rows["rep"].tolist() == ["张伟", "张伟", "张伟", None]
        assert len({id(v) for v in rows["rep"].iloc[:3]}) == 1


def test_empty_and_append_keep_the_shape():
    empty = L.empty(L.ACTIVITY)
    empty["added"] = []  # a caller changing it changes no later empty table
    assert L.empty(L.ACTIVITY).empty and list(L.empty(L.ACTIVITY).columns) == [f.key for f in L.ACTIVITY]
    one = L.frame([{"date": REPORT_DATE, "rep": "张伟", "visits": 5}], L.ACTIVITY)
    both = L.append(one, L.empty(L.ACTIVITY), one, fields=L.ACTIVITY)
    assert both["rep"].tolist() == ["张伟", "张伟"] and both.index.tolist() == [0, 1]
    assert L.append(fields=L.ACTIVITY).columns.tolist() == [f.key for f in L.ACTIVITY]


def test_a_reports_rows_become_ledger_records(make_report, clean_rows):
    clean_rows[1]["amount"] = None  # qty 1 × 5000: completed
    report = read(make_report(clean_rows, name="张伟.xlsx"))
    at = pd.Timestamp(2026, 11, 27, 9)
    records = L.ledger_records(report, at)
    assert len(records) == 5 and records[1]["amount"] == 5000
    assert {(r["source"], r["report_date"], r["imported_at"]) for r in records} == {("张伟.xlsx", REPORT_DATE, at)}
    assert all(r["fingerprint"] == report.fingerprint for r in records)
    table = L.frame(records, L.LEDGER)
    assert table["row"].tolist() == [r["row"] for r in report.tables[0].records]


def test_extra_columns_are_kept_as_json(make_grid, make_report):
    path = make_report()
    book = load_workbook(path)
    book.active.cell(5, 20, "推荐人")
    book.active.cell(6, 20, "老客户王")
    book.save(path)
    [first, *rest] = L.ledger_records(read(path), pd.Timestamp(TODAY))
    assert json.loads(first["extra"]) == {"推荐人": "老客户王"} and rest[0]["extra"] is None


def test_the_month_of_a_report_is_its_date_else_its_first_deal(make_report, clean_rows):
    assert L.partition_of(read(make_report())) == "2026-11"
    undated = make_report(clean_rows, title={"report_date": None}, name="undated.xlsx")
    assert L.partition_of(read(undated)) == REPORT_DATE.strftime("%Y-%m")  # the one dated deal
    for row in clean_rows:
        row.pop("date", None)
    assert L.partition_of(read(make_report(clean_rows, title={"report_date": None}, name="none.xlsx"))) == "undated"


def test_activity_comes_from_the_title_area(make_report):
    [activity] = L.activity_records(read(make_report(name="a.xlsx")))
    assert activity == {"date": REPORT_DATE, "rep": "张伟", "region": "华东", "visits": 5, "calls": 3,
                        "source": "a.xlsx", "fingerprint": activity["fingerprint"]}
    assert L.activity_records(read(make_report(title={"visits": None, "calls": None}))) == []


def test_names_as_the_reference_spells_them(reference):
    records = [{"rep": "张 伟", "region": "华东", "product": "ａ型"}, {"rep": "无名", "product": None}]
    assert L.spell_as_reference(records, reference) == [{"rep": "张伟", "region": "华东", "product": "A型"},
                                                          {"rep": "无名", "product": None}]
    assert L.spell_as_reference([{"rep": "张 伟"}], None) == [{"rep": "张 伟"}]  # no reference: as typed


def test_the_content_print_is_of_what_a_report_says_not_of_its_bytes(make_report, clean_rows, tmp_path):
    path = make_report()
    renamed = tmp_path / "renamed.xlsx"
    book = load_workbook(path)
    book.active.column_dimensions["A"].width = 40  # saved again, looking different,
    book.active.insert_rows(7)  # its rows after the first one moved down a row
    book.save(renamed)
    assert read(renamed).fingerprint != read(path).fingerprint
    assert L.content_print(read(renamed)) == L.content_print(read(path))
    clean_rows[0]["customer"] = "客户甲乙"
    assert L.content_print(read(make_report(clean_rows))) != L.content_print(read(path))
    shutil.copy(path, tmp_path / "copy.xlsx")
    assert L.content_print(read(tmp_path / "copy.xlsx")) == L.content_print(read(path))
