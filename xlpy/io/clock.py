"""The one place that asks the system what day it is.

Each command (a CLI call, a button click, a worksheet recalculation) asks once, at its entry,
and passes the day down; nothing below asks again, so a test pins "today" by passing it.
"""
from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    """The wall-clock moment, for stamps (import times, backup names, mail headers) only."""
    return dt.datetime.now()
