"""The statistics of 总表 from the months' figures kept in the read cache (`core.month_figures`): each
month's figures computed once while its master (and the months it was derived beside) stay as they
are, then combined; derived from every row, as before, where the figures do not combine exactly.

On that path a night reads only the rows it needs (`summary_inputs`): a month's rows stay unread in
the read cache unless they hold rows of the day's month, of a contract named there, of a contract
with a balance left, or of a contract that a changed month's figures are derived beside. What month
holds what is kept beside each month's tables too (`Outline`, in the read cache)."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from xlpy.core import bounded, contracts, stats
from xlpy.core import ledger as L
from xlpy.core import month_figures as figures
from xlpy.core.reference import Reference
from xlpy.io import closed_book, store

# Below this many rows in the months as read, deriving every row costs less than a month's figures
# (measured on the benchmark's office: ~0.15 s of CPU for the changed month's, 0.05 s for 3,500 rows).
FROM_ROWS = 20_000
# Ledger columns neither 总表's tables nor the day's work log read (the log shows the notes): every
# month's rows are stacked without them (a rebuild's 131,000 rows, stacked on top of what judging left).
UNSTACKED = [column for column in contracts.UNREAD if column != "note"]


@dataclass(frozen=True)
class Outline:
    """What one monthly master holds, so that a night knows which months' rows it needs unread."""

    rows: int  # its ledger rows
    exchange: bool  # a 换房 row: the figures do not combine (`month_figures.usable`)
    last: object  # the latest day its rows (ledger and activity) are dated, or None
    months: frozenset  # the months its ledger rows (date and report date) and activity rows are of
    numbers: frozenset  # the contract numbers its ledger rows name (`month_figures.Numbers`: unpickled at once)
    signed: frozenset  # those its contract rows sign (`month_figures.signed_in`; the same object when all)


def outline(part: store.Partition) -> Outline:
    ledger, activity = part.ledger, part.activity
    days = pd.concat([ledger["date"], ledger["report_date"], activity["date"]]).dropna()
    dated = pd.concat([ledger["date"], activity["date"]]).dropna()
    numbers, signed = frozenset(ledger["contract_no"].dropna()), figures.signed_in(ledger)
    compact = figures.compact(numbers)
    return Outline(len(ledger), bool((ledger["deal"] == "exchange").any()),
                   dated.max().normalize() if len(dated) else None, frozenset(days.dt.strftime("%Y-%m")),
                   compact, compact if signed == numbers else figures.compact(signed))


def summary_inputs(parts: dict[str, store.Partition], master: Path | None, reference: Reference, day: dt.date,
                   weights: dict | None) -> tuple[stats.Inputs, pd.DataFrame, pd.DataFrame]:
    """(inputs, ledger, activity): what 总表 is computed from, and the rows the day's work log reads:
    every row where the tables derive from rows (`inputs`), else those of the months holding what
    the tables derive from rows (see the module docstring)."""
    outlines = store.monthly(master, parts, "outline", outline) if master is not None and parts else []
    kept = sum(o.rows for o, part in zip(outlines, parts.values()) if not part.changed)
    if not outlines or not _by_figures(parts, kept) or reference.sells_units or any(o.exchange for o in outlines) \
            or any(o.last is not None and o.last > pd.Timestamp(day) for o in outlines):
        ledger, activity = _stacked(parts), store.concat(parts, "activity")
        return inputs(parts, master, ledger, activity, reference, day, weights), ledger, activity
    held = dict(zip(parts, outlines))
    month = pd.Timestamp(day).strftime("%Y-%m")
    of_day = [name for name, o in held.items() if month in o.months]
    tonight = _derived_apart(parts, held, month, of_day)
    months, whole = _figures(parts, master, held, apart=tonight)
    owing = figures.open_contracts([m for m in months if m is not None])  # without tonight's: the same rows named
    standing = _standing(parts, master, held, month, of_day, owing, day)
    if standing is not None:  # derived on an earlier night: not derived again
        owing = owing[~owing.isin(standing["contract_no"])]
    named = figures.compact(frozenset(owing).union(*(held[name].numbers for name in of_day)))
    wanted = {name: part for name, part in parts.items() if name in of_day or not held[name].numbers.isdisjoint(named)}
    ledger, activity = store.concat(wanted, "ledger"), store.concat({name: parts[name] for name in of_day}, "activity")
    facts = None
    if tonight is not None and ledger["date"].notna().all():
        facts, months[months.index(None)] = _of_the_day(tonight, parts, held, wanted, ledger, activity, owing, day)
    elif tonight is not None:  # an undated row beside: the day's facts leave it out, the month's figures not
        months[months.index(None)] = _month(parts[tonight], parts, held, store.stamps(parts))
    combined = _combined(master, months, whole, ledger, activity)
    if facts is not None:
        combined.facts[day] = facts
    if standing is not None:
        combined.standing = standing
        combined.open_contracts = combined.open_contracts[~combined.open_contracts.isin(standing["contract_no"])]
    return stats.Inputs(None, reference, day, weights, history=combined), ledger, activity


def _standing(parts: dict[str, store.Partition], master: Path, held: dict[str, Outline], month: str, of_day: list,
              owing: pd.Index, day: dt.date) -> pd.DataFrame | None:
    """The contracts of ``owing`` that no row of the day's ``month`` names, one row each as the
    receivables show them (`stats.per_contract`), kept in the read cache while every other month's
    master is the same: their rows are then the same. Deriving them each night from their rows cost
    ~0.045 s on three years owing their last two months (the one before the day's is open: the closed
    book does not hold it). None when a month other than the day's changed in this run, or another
    master holds rows of the day's month."""
    others = {name: stamp for name, stamp in store.stamps(parts).items() if name != month}
    if of_day != [month] or None in others.values():
        return None

    def derived() -> pd.DataFrame:
        standing = owing[~owing.isin(parts[month].ledger["contract_no"])]
        asked = figures.compact(frozenset(standing))
        rows = store.concat({name: parts[name] for name in others if not held[name].numbers.isdisjoint(asked)},
                            "ledger")
        return stats.per_contract(contracts.facts(rows[rows["contract_no"].isin(standing)], None, day).book)
    return store.kept(master, "standing", ("standing 1", month, tuple(others.items())), derived)


def _derived_apart(parts: dict[str, store.Partition], held: dict[str, Outline], month: str, of_day: list) -> str | None:
    """The month whose figures are taken from the day's facts (`month_figures.of_the_day`), if any:
    the day's month, changed in this run, the only one holding the day's month's rows, all its rows
    of that month. Deriving a changed month's figures apart cost as much as the day's facts
    (~0.04 s of a night of 50 reports, most of it the fixed cost of deriving facts)."""
    part = parts.get(month)
    if part is None or not part.changed or of_day != [month] or held[month].months != {month}:
        return None
    dated = part.ledger["date"].notna().all() and part.activity["date"].notna().all()
    return month if dated else None


def _of_the_day(name: str, parts: dict[str, store.Partition], held: dict[str, Outline], wanted: dict,
                ledger: pd.DataFrame, activity: pd.DataFrame, owing: pd.Index, day: dt.date) -> tuple:
    """(the day's facts, month ``name``'s figures), from one derivation (`month_figures.of_the_day`)."""
    mine, at = np.zeros(len(ledger), dtype=bool), 0
    for other, part in wanted.items():
        if other == name:
            mine[at:at + len(part.ledger)] = True
        at += len(part.ledger)
    refs = figures.referenced(parts[name].ledger)
    asked = figures.compact(refs)
    resolved = frozenset(other for other in parts if other != name and not held[other].signed.isdisjoint(asked))
    return figures.of_the_day(ledger, mine, activity, owing, day, refs, resolved, store.stamps(parts))


def _stacked(parts: dict[str, store.Partition]) -> pd.DataFrame:
    """Every month's ledger rows, without the columns nothing of 总表 reads (`UNSTACKED`)."""
    return L.append(*(part.ledger.drop(columns=UNSTACKED) for part in parts.values()), fields=L.LEDGER)


def _by_figures(parts: dict[str, store.Partition], kept: int) -> bool:
    """Whether 总表 is worth taking from the months' figures: most months are as read and hold enough
    rows to pay (a rebuild, where every month is new, and a short history derive the rows at once)."""
    return sum(part.changed for part in parts.values()) * 2 <= len(parts) and kept >= FROM_ROWS


def inputs(parts: dict[str, store.Partition], master: Path | None, ledger: pd.DataFrame, activity: pd.DataFrame,
           reference: Reference, day: dt.date, weights: dict | None) -> stats.Inputs:
    """What 总表's tables are computed from, given every row: the months' figures where they give
    them exactly and pay (`_by_figures`), else the rows."""
    kept = sum(len(part.ledger) for part in parts.values() if not part.changed)
    if master is None or not parts or not _by_figures(parts, kept) or not figures.usable(ledger, activity, day):
        return stats.Inputs(contracts.facts(ledger, activity, day), reference, day, weights)
    months, whole = _figures(parts, master)
    return stats.Inputs(None, reference, day, weights, history=_combined(master, months, whole, ledger, activity))


def _combined(master: Path, months: list, whole, ledger: pd.DataFrame, activity: pd.DataFrame) -> figures.History:
    """The months' figures combined (`figures.combine`), the distinct counts of the years before the
    recent months kept between nights (`store.kept`) while the figures they count are the same (by
    their digests): counting them again took 0.14 s a night on three years, and grew with them.
    ``whole()``: the months with every row of their ``counted`` (`_figures`), for what counts them."""
    if any(figures.shared(months) & m.apart for m in months):
        months = whole()
    history = figures.combine(months, ledger, activity)
    counted = functools.cache(lambda: pd.concat([m.counted for m in whole()], ignore_index=True))

    def count(_, by: str, period: dict) -> pd.DataFrame:
        digests = [m.digest for m in months if not m.months.isdisjoint(period)]
        if not all(digests):  # figures kept by a version before the digests
            return bounded.counts(counted(), by, period)
        key = (by, sorted(period.items()), digests)
        return store.kept(master, f"counts-{by}", key, lambda: bounded.counts(counted(), by, period))
    history.count = count
    return history


def _figures(parts: dict[str, store.Partition], master: Path, held: dict[str, Outline] | None = None,
             apart: str | None = None) -> tuple[list, object]:
    """(each month's figures, from the read cache where they still hold; a function giving them with
    every row of their ``counted``). A month computed again is derived beside the contract rows of
    the months ``held`` says name its contracts (every month's without ``held``). Month ``apart``'s
    are left to the caller: None in its place."""
    now, signed = store.stamps(parts), {}

    def signed_in(name: str) -> frozenset:
        if name not in signed:
            signed[name] = held[name].signed if held else figures.signed_in(parts[name].ledger)
        return signed[name]

    def month(part: store.Partition) -> figures.Month | None:
        return None if part.name == apart else _month(part, parts, held, now)

    def each(chosen: dict[str, store.Partition]) -> list:
        return store.monthly(master, chosen, "figures", month,
                             valid=lambda name, cached: figures.still_valid(name, cached, now, signed_in))

    shut = closed_book.closed_months(parts)
    key = ("closed months' figures", tuple((name, now[name]) for name in shut))
    if len(shut) < 2 or any(now[name] is None for name in shut):
        months = each(parts)
        return months, lambda: months
    # The closed months' figures merged once per change of one of their masters (the key) and kept:
    # unpickling and summing every month's took ~0.2 s a night on three years. Between themselves
    # they hold as they did when merged (their stamps are the key); against the open months they
    # hold as each month's own would.
    outside = {name: stamp for name, stamp in now.items() if name not in shut}
    merge = lambda: figures.merged(dict(zip(shut, each({name: parts[name] for name in shut}))))  # noqa: E731
    closed = store.kept(master, "figures-closed", key, lambda: _apart(master, merge()),
                        valid=lambda cached: figures.still_valid("", cached, outside, signed_in))
    months = [closed, *each({name: part for name, part in parts.items() if name not in shut})]

    def whole() -> list:
        if not closed.apart:
            return months
        rows = store.kept(master, "figures-closed-counted", closed.digest, lambda: merge().counted)
        return [figures.with_rows(closed, rows), *months[1:]]
    return months, whole


def _apart(master: Path, merged: figures.Month) -> figures.Month:
    """The closed months' merged figures, their ``counted`` (120,000 rows on three years, ~0.02 s to
    unpickle) kept apart under its digest: a night counts over it only when the counts of a year
    are not kept (`_combined`) or when one of its older months is in an open month's master too."""
    if not merged.digest:
        return merged
    held, counted = figures.without_rows(merged)
    store.kept(master, "figures-closed-counted", merged.digest, lambda: counted)
    return held


def _month(part: store.Partition, parts: dict[str, store.Partition], held: dict[str, Outline] | None, now: dict):
    """Month ``part``'s figures, beside the contract rows of the months naming its contracts."""
    refs = figures.referenced(part.ledger)
    asked = figures.compact(refs)
    beside = {name: other.ledger for name, other in parts.items()
              if name == part.name or held is None or not held[name].numbers.isdisjoint(asked)}
    return figures.month(part.name, beside, part.activity, now)
