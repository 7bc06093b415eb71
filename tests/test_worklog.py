"""The work log's content (`xlpy.core.worklog`), apart from its figures (test_figures compares
those with the statistics): the day's deals and comments, who is missing, reasons in plain words."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlpy.core import worklog
from xlpy.io.reference import read_reference

DAY = dt.date(2026, 11, 27)


def test_an_exchange_is_a_cancellation_and_a_new_deal_of_one_customer():
    rows = pd.DataFrame({"deal": ["cancel", "order", "contract", "lead"], "customer": ["甲", "甲", "乙", "丙"],
                         "product": ["A", "B", "C", "D"], "rep": ["张伟"] * 4, "qty": [1, 1, 2, 3],
                         "amount": [100.0, 120.0, 200.0, None], "contract_no": ["HT1", None, "HT2", None]})
    deals = worklog.deals_of_day(rows)
    assert deals["kind"].tolist() == ["exchange", "exchange", "sign"]


def test_missing_reps_respects_hire_dates_and_leavers(demo_built):
    reference = read_reference(demo_built.dir / "reference.xlsx")  # the run's demo office (conftest)
    assert "周强" not in worklog.missing_reps(reference, DAY, set())  # has left
    assert worklog.missing_reps(reference, dt.date(2019, 1, 2), set()) == ["杨磊"]  # the only one hired by then
    assert worklog.missing_reps(reference, DAY, {"张伟", "杨磊"})[:2] == ["王芳", "李娜"]


def test_comments_leave_out_how_people_paid_and_say_each_thing_once():
    rows = pd.DataFrame({"deal": ["lead", "order", "payment", "order", "lead", "lead"],
                         "rep": ["李娜", "张伟", "张伟", "张伟", "张伟", "张伟"],
                         "customer": ["乙", "甲", "甲", "丙", "丁", "丁"],
                         "note": ["想看样板间", "定金 20%", "微信转账", " ", "下周再来", "下周再来"]})
    comments = worklog.comments_of_day(rows)
    assert comments.values.tolist() == [["张伟", "丁", "下周再来"], ["李娜", "乙", "想看样板间"]]


@pytest.mark.parametrize("cell, lang, said", [
    ("K9", "zh", "第 9 行 收款金额：超出"), ("K9", "en", "row 9 收款金额: 超出"),
    ("Z9", "zh", "第 9 行：超出"), (None, "zh", "超出"), ("日报!K9", "zh", "超出"),
])
def test_a_reason_names_the_row_and_the_column_never_the_cell(cell, lang, said):
    assert worklog.plain_reason(cell, "超出", {"K": "收款金额"}, lang) == said


def test_a_files_latest_entry_is_the_later_of_two_stamped_alike():
    # One run stamps all its log entries with the same second; of a file's two entries in it, the
    # later one is its verdict (an unstable sort picked either, and the pending list and the work
    # log's rejected reports could disagree). 200 entries: numpy's quicksort is stable on few.
    stamp = pd.Timestamp("2026-11-27 20:00")
    entries = [{"source": f"2026-11-27/{i % 7}.xlsx", "imported_at": stamp + pd.Timedelta(seconds=i % 3),
                "report_date": pd.Timestamp("2026-11-27"), "status": "rejected", "fingerprint": f"fp{i}"}
               for i in range(200)]
    for entry in entries[-7:]:
        entry["imported_at"], entry["status"] = stamp + pd.Timedelta(seconds=2), "accepted"
    imports = pd.DataFrame(entries)
    assert set(worklog.latest(imports)["status"]) == {"accepted"}
    assert worklog.rejected_reports(imports, None, dt.date(2026, 11, 27)).empty
