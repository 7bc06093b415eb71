"""The statistics of 总表 from the months' figures kept in the read cache (`core.month_figures`): each
month's figures computed once while its master (and the months it was derived beside) stay as they
are, then combined; derived from every row, as before, where the figures do not combine exactly."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from xlpy.core import contracts, stats
from xlpy.core import month_figures as figures
from xlpy.core.reference import Reference
from xlpy.io import store


def inputs(parts: dict[str, store.Partition], master: Path | None, ledger: pd.DataFrame, activity: pd.DataFrame,
           reference: Reference, day: dt.date, weights: dict | None) -> stats.Inputs:
    """What 总表's tables are computed from: the months' figures where they give them exactly, and
    where most months are as read (a rebuild, where every month is new, derives the rows at once:
    month by month would cost more)."""
    fresh = sum(part.changed for part in parts.values())
    if master is None or not parts or fresh * 2 > len(parts) or not figures.usable(ledger, activity, day):
        return stats.Inputs(contracts.facts(ledger, activity, day), reference, day, weights)
    ledgers = {name: part.ledger for name, part in parts.items()}
    now, signed = store.stamps(master, parts), {}

    def signed_in(name: str) -> frozenset:
        if name not in signed:
            signed[name] = figures.signed_in(ledgers[name])
        return signed[name]

    months = store.monthly(master, parts, "figures",
                           lambda part: figures.month(part.name, ledgers, part.activity, now),
                           valid=lambda name, cached: figures.still_valid(name, cached, now, signed_in))
    return stats.Inputs(None, reference, day, weights, history=figures.combine(months, ledger, activity))
