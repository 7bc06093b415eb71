"""总表's tables by month do not grow with history: the last 13 months by month, the months before
summed by year (the year the 13 months start in: its months before them, as a range)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlpy.core import contracts, stats
from xlpy.core import ledger as L
from xlpy.core.reference import Reference

AS_OF = dt.date(2026, 11, 27)
REGIONS = ("华东", "华南")


def _history() -> pd.DataFrame:
    """A contract a month in each region from 2023-11 (the ledger's start) to 2026-11, worth the month's number."""
    rows = []
    for i, month in enumerate(pd.period_range("2023-11", "2026-11", freq="M")):
        for r, region in enumerate(REGIONS):
            day = month.start_time + pd.Timedelta(days=2)
            rows.append({"date": day, "report_date": day, "rep": f"代表{r}", "region": region, "customer": "王",
                         "product": "A", "deal": "contract", "qty": 1, "amount": 100.0 * (i + 1) + r,
                         "received": None, "contract_no": f"C{i}-{r}", "source": f"{month}.xlsx", "sheet": "日报",
                         "row": 6, "fingerprint": "f"})
    return L.frame(rows, L.LEDGER)


@pytest.fixture(scope="module")
def inputs():
    return stats.Inputs(contracts.facts(_history(), None, AS_OF), Reference.empty(), AS_OF)


def test_monthly_tables_hold_13_months_and_the_years_before(inputs):
    table = inputs.table("monthly_region")
    periods = list(dict.fromkeys(table["month"]))
    assert periods == ["2023", "2024", "2025-01-01..2025-10-31",
                       *[str(m) for m in pd.period_range("2025-11", "2026-11", freq="M")]]
    full = stats.monthly_summary(inputs.facts, None, inputs.reference, "region", as_of=AS_OF)  # not bounded
    assert len(full) == 37 * len(REGIONS) and len(table) == 16 * len(REGIONS)
    assert table["net_amount"].sum() == pytest.approx(full["net_amount"].sum())
    by_year = stats.group_stats(inputs.facts, None, inputs.reference, "region", "2024", AS_OF).set_index("region")
    year = table[table["month"] == "2024"].set_index("region")
    assert year["net_amount"].to_dict() == pytest.approx(by_year["net_amount"].to_dict())
    assert year["contracts"].tolist() == [12, 12]
    assert len(inputs.table("monthly_rep")) == 16 * len(REGIONS)  # one rep per region here


def test_region_performance_compares_whole_years_only(inputs):
    table = inputs.table("region_performance").set_index(["region", "month"])
    east = table.loc["华东"]
    assert east.loc["2024", "net_amount"] == pytest.approx(sum(100.0 * (i + 1) for i in range(2, 14)))
    assert pd.isna(east.loc["2024", "prev_year"])  # 2023 holds two months only: the ledger starts in November
    assert pd.isna(east.loc["2025-01-01..2025-10-31", "yoy"]) and pd.isna(east.loc["2024", "mom"])
    assert east.loc["2026-11", "prev_year"] == pytest.approx(100.0 * 25)  # a month still against its month last year
    trend = inputs.table("region_trend")
    assert trend["month"].tolist() == [str(m) for m in pd.period_range("2025-11", "2026-11", freq="M")]


def test_a_short_history_is_shown_as_it_is(inputs):
    recent = _history()
    recent = recent[recent["date"] >= pd.Timestamp("2026-01-01")]
    short = stats.Inputs(contracts.facts(recent, None, AS_OF), Reference.empty(), AS_OF)
    assert list(dict.fromkeys(short.table("monthly_region")["month"])) == [
        str(m) for m in pd.period_range("2026-01", "2026-11", freq="M")]
