"""Values as people type them (spec §1)."""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from xlpy.core import values
from xlpy.core.values import BadValue

D = dt.date(2026, 11, 26)


@pytest.mark.parametrize("raw", [
    D, dt.datetime(2026, 11, 26, 9, 30), "2026-11-26", "2026/11/26", "2026.11.26", "2026年11月26日",
    "2026年11月26", "20261126", 20261126, 20261126.0, "２０２６－１１－２６", " 2026-11-26 ", "2026-11-26 14:05",
    "2026/11/26 14:05:09", 46352, 46352.75, "11月26日", "11/26",
])
def test_dates(raw):
    assert values.date(raw, D) == D


@pytest.mark.parametrize("raw", ["2026-02-30", "下周三", "11月26日x", "2026-11", True, 0, -5, float("nan"),
                                 dt.time(9, 30), "26/11/2026x", "1e9",
                                 # a year typed wrong: no workbook could keep it as a date
                                 "1026-11-20", "0026-11-20", "1900-01-01", dt.date(1899, 12, 30), 59])
def test_bad_dates(raw):
    with pytest.raises(BadValue):
        values.date(raw, D)


def test_month_day_needs_a_year():
    with pytest.raises(BadValue):
        values.date("11月26日")


@pytest.mark.parametrize("raw, near, expected", [
    ("12月31日", dt.date(2027, 1, 2), dt.date(2026, 12, 31)),
    ("1月2日", dt.date(2026, 12, 31), dt.date(2027, 1, 2)),
    ("6月30日", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2月29日", dt.date(2027, 6, 1), dt.date(2028, 2, 29)),  # the nearest leap day
])
def test_month_day_takes_the_year_nearest_the_day_given(raw, near, expected):
    assert values.date(raw, near) == expected


@pytest.mark.parametrize("raw, expected", [
    (1234, 1234.0), (1234.5, 1234.5), ("1234", 1234.0), ("1,234.50", 1234.5), ("¥1,234.50", 1234.5),
    ("￥1234", 1234.0), ("1234元", 1234.0), ("¥1234元", 1234.0), ("1.2万", 12000.0), ("1.2万元", 12000.0),
    ("１２３４", 1234.0), ("１，２３４．５", 1234.5), (" 12 ", 12.0), ("-50", -50.0), ("(50)", -50.0),
    ("RMB 800", 800.0), ("3亿", 3e8), ("2千", 2000.0), ("0", 0.0),
])
def test_numbers(raw, expected):
    assert values.number(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["两套", "1.2.3", "万", "¥", "12abc", True, D, float("inf"), float("nan"), "nan",
                                 "inf", "#DIV/0!"])
def test_bad_numbers(raw):
    with pytest.raises(BadValue):
        values.number(raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_blanks(raw):
    assert values.is_blank(raw)
    assert values.number(raw) is None and values.date(raw) is None and values.text(raw) is None


@pytest.mark.parametrize("raw, expected", [
    (13800138000.0, "13800138000"), (12.5, "12.5"), ("  HT-001 ", "HT-001"), (D, "2026-11-26"), (7, "7"),
])
def test_text(raw, expected):
    assert values.text(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("金额（元）", "金额"), ("单价(¥)", "单价"), (" 客户 名称 ", "客户名称"), ("ＤＡＴＥ", "date"),
    ("Unit Price [RMB]", "unitprice"), ("报表日期：", "报表日期"), ("（元）", "(元)"),
])
def test_headers_fold(raw, expected):
    assert values.norm_header(raw) == expected


@pytest.mark.parametrize("raw", ["#DIV/0!", "#REF!", " #N/A ", "#VALUE!", "#NAME?"])
def test_excel_errors(raw):
    assert values.excel_error(raw) == raw.strip()


def test_not_excel_errors():
    assert values.excel_error("#1 客户") is None and values.excel_error(0) is None


@pytest.mark.parametrize("value, kind, text", [
    (4003808.0, "money", "4,003,808.00"), (0.25, "rate", "25.0%"), (0.36, "score", "0.360"),
    (1234, None, "1,234"), (1234.5, "number", "1,234.50"), (8.0, "count", "8"),
    (dt.date(2026, 11, 10), "date", "2026-11-10"), (dt.datetime(2026, 11, 10), "date", "2026-11-10"),
    ("华东", None, "华东"), (True, None, "True"),
])
def test_shown_as_people_read_it_by_kind(value, kind, text):
    assert values.shown(value, kind) == text


def test_ascii_text_folds_as_unicode_text_does():
    """norm's shortcut for ASCII (split/join/lower) against the general NFKC + \\s + casefold fold,
    for every pair of ASCII characters around mixed-case letters."""
    full = lambda t: values._SPACE.sub("", unicodedata.normalize("NFKC", t)).casefold()
    texts = [f"{a}Ht-{b}x Y" for a in map(chr, range(128)) for b in map(chr, range(128))]
    assert [values.norm(t) for t in texts] == [full(t) for t in texts]


def test_the_earliest_date_a_workbook_keeps():
    assert values.date("1900-03-01") == values.EARLIEST == values.date(61)


@pytest.mark.parametrize("name, expected", [
    ("张伟.xlsx", "张伟.xlsx"),
    ("\udcd5\udcc5\udcce\udcb0.xlsx", "张伟.xlsx"),  # GBK bytes, escaped by Linux as lone surrogates
    ("a\ud800b.xlsx", "a?b.xlsx"),  # no encoding reads it: marked
])
def test_a_file_name_is_made_readable(name, expected):
    assert values.readable(name) == expected
