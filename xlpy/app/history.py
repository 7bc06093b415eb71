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

# Below this many rows in the months as read, deriving every row costs less than a month's figures
# (measured on the benchmark's office: ~0.15 s of CPU for the changed month's, 0.05 s for 3,500 rows).
FROM_ROWS = 20_000


def inputs(parts: dict[str, store.Partition], master: Path | None, ledger: pd.DataFrame, activity: pd.DataFrame,
           reference: Reference, day: dt.date, weights: dict | None) -> stats.Inputs:
    """What 总表's tables are computed from: the months' figures where they give them exactly, and
    where most months are as read and hold enough rows to pay (a rebuild, where every month is new,
    and a short history derive the rows at once: month by month would cost more)."""
    fresh = sum(part.changed for part in parts.values())
    kept = sum(len(part.ledger) for part in parts.values() if not part.changed)
    if (master is None or not parts or fresh * 2 > len(parts) or kept < FROM_ROWS
            or not figures.usable(ledger, activity, day)):
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
