"""总表's tables by month bounded: the last `RECENT_MONTHS` months by month, the months before
summed by year (the year the recent months start in: its months before them, as a range), so that
总表 does not grow with history. Core: no file I/O."""
from __future__ import annotations

import functools

import pandas as pd

from xlpy.core.periods import between

RECENT_MONTHS = 13

COUNTED = ("contracts", "cancellations")  # distinct contract numbers: counted over a period's rows, not summed


def recount(table: pd.DataFrame, by: str, counted: pd.DataFrame, period: dict, count=None) -> pd.DataFrame:
    """``table`` (a row per month or period and ``by``) with the contracts and cancellations of each
    period that ``period`` (month → period) names counted again over all its months' ``counted``:
    a contract cancelled in two months of a year is one of that year's cancellations. ``count``:
    what gives those counts (`counts`, or counts kept from an earlier night: `History.count`)."""
    found = (count or counts)(counted, by, period)
    index = pd.MultiIndex.from_frame(table[["month", by]])
    rows = table["month"].isin(set(period.values())).to_numpy()
    for column in COUNTED:
        fresh = found[column] if column in found else pd.Series(dtype=float)
        table.loc[rows, column] = fresh.reindex(index[rows]).to_numpy()
    return table


def counts(counted: pd.DataFrame, by: str, period: dict) -> pd.DataFrame:
    """The distinct contracts and cancellations of ``counted`` by (period, ``by``) (see `recount`)."""
    found = counted[counted["month"].isin(list(period))].dropna(subset=[by, "contract_no"])
    return (found.assign(month=found["month"].map(period)).drop_duplicates(["month", by, "contract_no", "kind"])
            .groupby(["month", by, "kind"]).size().unstack("kind"))


def first_recent(as_of, recent: int) -> str:
    """The first of the last ``recent`` months up to the month of ``as_of``."""
    return (pd.Period(pd.Timestamp(as_of), "M") - (recent - 1)).strftime("%Y-%m")


def earlier(month: str, first: str) -> str:
    """The period a month before ``first`` is summed into: its year, or, for the months of ``first``'s
    own year before it, those months (a range, "2025-01-01..2025-10-31")."""
    return month[:4] if month[:4] < first[:4] else _year_before(first)


@functools.lru_cache(maxsize=8)
def _year_before(first: str) -> str:
    """The months of ``first``'s year before it, as a range: the same for each of them (asked ~50
    times a night on three years, ~5 ms of parsing when each was worked out)."""
    return between(f"{first[:4]}-01", (pd.Period(first, "M") - 1).strftime("%Y-%m"))


def by_year_before(table: pd.DataFrame, by: str, first: str, additive: list[str]) -> pd.DataFrame:
    """``table`` (a row per month and ``by``) with its months before ``first`` summed by year (`earlier`)."""
    old = table["month"] < first
    if not old.any():
        return table
    periods = table.loc[old, "month"].map({m: earlier(m, first) for m in table.loc[old, "month"].unique()})
    years = table[old].groupby([periods.rename("month"), table.loc[old, by]], sort=False)[additive].sum()
    order = ["month", by] if table.columns[0] == "month" else [by, "month"]  # a year sorts before its months
    joined = pd.concat([years.reset_index(), table[~old]], ignore_index=True)[list(table.columns)]
    return joined.sort_values(order, kind="stable", ignore_index=True)
