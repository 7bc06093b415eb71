"""A record's figures indexed by group and by day, for the XLPY_ functions.

XLPY_SALES narrows a metric to a region, a rep and a product (any of them) and to a range of
days. A `DayIndex` keeps each group's rows in day order, so that a formula's window is a
dictionary lookup and two binary searches, and its figure a sum over a slice: microseconds however
long the history, where a mask over every row of three years took milliseconds a formula.
Contract numbers are kept as integer codes, so that counting the distinct ones of a window is
setting flags, not building a Python set.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from xlpy.core import values

NUMBER = "number"  # the code of a row's contract number; -1 when blank


class DayIndex:
    """The rows of ``frame`` grouped by the ``dims`` columns, each group in day order."""

    def __init__(self, frame: pd.DataFrame, dims: tuple[str, ...], columns: list[str], numbers: int = 0):
        """``numbers``: how many distinct contract numbers the codes of a NUMBER column count. Rows
        with a blank name in ``dims`` are in no group (a name asked for is never blank)."""
        self.numbers, day, named = numbers, frame["day"].to_numpy(), [frame[d].to_numpy() for d in dims]
        group, blank = np.zeros(len(frame), dtype=np.int64), np.zeros(len(frame), dtype=bool)
        for names in named:  # each row's group as one number, the dims' codes in mixed radix
            codes, uniques = pd.factorize(names)
            group, blank = group * len(uniques) + codes, blank | (codes < 0)
        kept = np.flatnonzero(~blank)
        order = kept[np.lexsort((day[kept], group[kept]))]  # by group, then day; stable: sums add up alike
        starts = np.flatnonzero(np.diff(group[order], prepend=-1))
        day, arrays = day[order], {c: frame[c].to_numpy()[order] for c in columns}
        self.groups = {tuple(names[order[start]] for names in named): (day[start:end], {c: a[start:end] for c, a in arrays.items()})
                       for start, end in zip(starts, [*starts[1:], len(order)])}

    def window(self, key: tuple, first: pd.Timestamp | None, last: pd.Timestamp | None) -> dict[str, np.ndarray]:
        """The columns of group ``key``'s rows dated from ``first`` to ``last`` (None: open); empty
        arrays for a group without rows."""
        day, arrays = self.groups.get(key, (None, None))
        if day is None:
            return {}
        start = 0 if first is None else np.searchsorted(day, first.to_datetime64(), "left")
        end = len(day) if last is None else np.searchsorted(day, last.to_datetime64(), "right")
        return {c: a[start:end] for c, a in arrays.items()}

    def distinct_numbers(self, key: tuple, first, last) -> int:
        """How many distinct non-blank contract numbers the window holds."""
        codes = self.window(key, first, last).get(NUMBER)
        if codes is None or not len(codes):
            return 0
        seen = np.zeros(self.numbers + 1, dtype=bool)
        seen[codes] = True  # a blank number's code, -1, flags the extra last place
        return int(seen[:-1].sum())


def code_numbers(*columns: pd.Series) -> tuple[list[np.ndarray], int]:
    """Contract numbers as codes 0..n-1, the same number the same code in every column; a blank
    (None, NaN, empty text) as -1. Returns the codes of each column and n."""
    codes, uniques = pd.factorize(pd.concat(columns, ignore_index=True))
    blank = np.fromiter((values.is_blank(u) for u in uniques), dtype=bool, count=len(uniques))
    codes = np.where(np.append(blank, True)[codes], -1, codes)  # NaN's code, -1, picks the appended True
    ends = np.cumsum([len(c) for c in columns])
    return np.split(codes, ends[:-1]), len(uniques)
