"""The reader takes the values calamine already typed at once (`reader._typed`): a number in a number
column, a date in a date column, text in a text column. Every value must come out as the per-cell
parse (`reader._parse`, the spec's "values as people type them") gives it: the same typed value,
the same type, and the same entry in the table's bad cells."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from openpyxl import Workbook

from xlpy.contract import schema
from xlpy.core import values
from xlpy.io import reader

NEAR = dt.date(2026, 11, 27)
ODD = [None, "", " ", "\u3000", "\t\n", "0", "1,234.50", "¥1,234.50", "￥1234", "1234元", "1.2万", "１２３４", "(50)",
       "abc", "12abc", "#DIV/0!", " #N/A ", "#REF!", "#div/0!", "2026-11-26", "2026/11/26", "2026年11月26日", "11月26日",
       "20261126", "2026-02-30", "1026-01-01", "  张伟 ", "C-2026-001", "1e308", "nan", "inf", "-inf",
       0.0, -0.0, 1.5, -3.25, 1234.0, 1e12, -1e12, 1e12 - 1, -(1e12 - 1), 1e308, math.nan, math.inf, -math.inf,
       20261126.0, 46000.0, 0.5, 2958466.0, 1, 0, -7, 10**13, True, False,
       dt.date(2026, 11, 26), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.datetime(2026, 11, 26, 9, 30),
       dt.datetime(1899, 12, 31), dt.datetime(1900, 3, 1), dt.time(9, 30), dt.timedelta(days=2)]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("key", [c.key for c in schema.COLUMNS])
def test_typed_at_once_as_parsed_cell_by_cell(key):
    kind = schema.BY_KEY[key].type
    for value in ODD:
        fast, slow = {}, {}
        got, want = reader._typed(kind, key, value, NEAR, fast, 7), reader._parse(key, value, NEAR, slow, 7)
        assert _same(got, want), (key, value, got, want)
        assert list(fast.items()) == list(slow.items()), (key, value)


def test_a_report_of_odd_values_reads_as_cell_by_cell(tmp_path, monkeypatch):
    """A whole report of odd values: the rows, raw cells and bad cells as when every cell is parsed."""
    wb = Workbook()
    ws = wb.active
    ws.append(["报表日期", "2026-11-26", "销售代表", "张伟"])
    ws.append(["来访量", 3, "来电量", 4])
    ws.append([])
    ws.append(["日期", "客户名称", "产品", "业务类型", "数量", "单价", "金额", "合同编号", "备注"])
    odd = [v for v in ODD if not isinstance(v, (dt.time, dt.timedelta)) and not (isinstance(v, int) and abs(v) > 2**53)]
    for i, value in enumerate(odd):
        ws.append([value, f"客户{i}", value, "签约", value, value, value, value, value])
    ws.append(["合计", None, None, None, 10, None, 20.0])
    wb.save(tmp_path / "odd.xlsx")
    fast = reader.read_report(tmp_path / "odd.xlsx", today=NEAR)
    monkeypatch.setattr(reader, "_typed", lambda kind, key, value, near, bad, row: reader._parse(key, value, near, bad, row))
    slow = reader.read_report(tmp_path / "odd.xlsx", today=NEAR)
    [a], [b] = fast.tables, slow.tables
    assert len(a.records) == len(odd)
    for x, y in zip(a.records, b.records, strict=True):
        assert all(_same(x[k], y[k]) or x[k] == y[k] for k in x), (x, y)
    assert a.raw == b.raw and list(a.bad.items()) == list(b.bad.items()) and a.totals == b.totals
    assert {kind for _, kind in a.bad.values()} >= {"bad-number", "bad-date", "too-large", "excel-error"}
    assert values.EARLIEST > dt.date(1900, 2, 28)  # the early date above is a bad date, not a day
