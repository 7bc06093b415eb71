"""Per-month contract balances: what the record rules' contract book (`record_rules.Book`) needs
of one month's rows, in plain dicts, so that a night combines the months' balances instead of
deriving every contract line of the history again (`contracts.facts`). Core: no I/O; the read cache
keeps each month's balances beside its tables (`store.monthly`), valid while the month is unchanged.

A month's balances hold the contracts *signed* in it (by normalised number: lines, amount, unit
prices, where signed) and what its rows add to any contract (received, cancelled) and to the stock.
They combine exactly when no contract is signed in two months and no row is an exchange (换房) or
a contract or cancel row without a number (`separable`); otherwise the book is derived from the
rows, as before, and the combination is not used.

The closed months (all but the newest, `io.closed_book`) are combined once per change of one of
them (`close`) and kept on disk, looked up by key: a night reads only the contracts it names, not
every month's balances (unpickling them was the cost: tens of thousands of strings a month).
"""
from __future__ import annotations

from collections import ChainMap
from collections.abc import KeysView, Mapping
from dataclasses import dataclass, field

import pandas as pd

from xlpy.core import values


@dataclass
class Month:
    """One month's share of the contract book (see the module docstring)."""

    source: dict = field(default_factory=dict)  # key → where it was signed (of the contracts signed here)
    lines: dict = field(default_factory=dict)  # key → its lines
    amount: dict = field(default_factory=dict)  # key → its amount
    paid: dict = field(default_factory=dict)  # key → received on it in this month's rows
    first_price: dict = field(default_factory=dict)  # key → its first line's unit price
    prices: dict = field(default_factory=dict)  # (key, item) → unit price of its line
    raw: dict = field(default_factory=dict)  # contract number as typed → key, of the contracts signed here
    line_price: dict = field(default_factory=dict)  # (contract_no, product) → amount / qty
    first_product: dict = field(default_factory=dict)  # contract_no → its first line's product
    received: dict = field(default_factory=dict)  # contract_no → received on contracts signed in other months
    cancels: list = field(default_factory=list)  # (contract_no, product, amount, qty) of its cancel rows
    qty: dict = field(default_factory=dict)  # product → units contracted in its rows
    ledger_days: dict = field(default_factory=dict)  # (rep, day) → first report of its ledger rows
    activity_days: dict = field(default_factory=dict)  # (rep, day) → first report of its activity rows
    separable: bool = True
    closed: bool = False  # months combined already (`closed`): looked up by key, never walked


def month(ledger: pd.DataFrame, activity: pd.DataFrame | None = None) -> Month:
    """The balances of one month's ledger (and activity) rows."""
    out = days_only(ledger, activity)
    deals = ledger["deal"]
    contracts, cancels = ledger[deals == "contract"], ledger[deals == "cancel"]
    out.separable = not ((deals == "exchange").any() or contracts["contract_no"].isna().any()
                         or cancels["contract_no"].isna().any())
    out.qty = contracts.groupby("product")["qty"].sum().to_dict()
    paying = ledger[ledger["received"].fillna(0) != 0].dropna(subset=["contract_no"])
    received = paying.groupby("contract_no", sort=False)["received"].sum().to_dict()
    out.cancels = list(zip(*(cancels[c].tolist() for c in ("contract_no", "product", "amount", "qty"))))
    _signed(contracts.dropna(subset=["contract_no"]), out)
    out.paid = dict.fromkeys(out.lines, 0.0)
    for no, amount in received.items():
        if no in out.raw:
            out.paid[out.raw[no]] += amount
        else:
            out.received[no] = amount
    return out


def _signed(contracts: pd.DataFrame, out: Month) -> None:
    """The month's contract lines (contract number × product, in order of first appearance)."""
    out.first_product = contracts.drop_duplicates("contract_no").set_index("contract_no")["product"].to_dict()
    sources = contracts.dropna(subset=["source"]).groupby("contract_no", sort=False)["source"].first()
    lines = contracts.groupby(["contract_no", "product"], sort=False)[["amount", "qty"]].sum()
    out.raw = {no: values.norm(no) for no in out.first_product}
    for (no, product), amount, qty in zip(lines.index, lines["amount"].tolist(), lines["qty"].tolist()):
        price = amount / qty if qty else None
        out.line_price[no, product] = price
        key, item = out.raw[no], values.norm(product)
        if key not in out.lines:
            out.source[key], out.lines[key], out.amount[key] = sources.get(no), 0, 0.0
        out.lines[key] += 1
        out.amount[key] += amount
        if price is not None and not pd.isna(price):
            out.prices[key, item] = price
            out.first_price.setdefault(key, price)


def days_only(ledger: pd.DataFrame, activity: pd.DataFrame | None) -> Month:
    """Balances holding only the reps' days the rows are reports of; none without ``activity``."""
    if activity is None:
        return Month()
    return Month(ledger_days=_days(ledger, "report_date"), activity_days=_days(activity, "date"))


def _days(frame: pd.DataFrame, column: str) -> dict:
    """(rep, day) → the first report of it among ``frame``'s rows, as `record_rules.rep_day` spells them."""
    kept = frame[frame["rep"].notna() & (frame["rep"] != "") & frame[column].notna()]
    reps = {rep: values.norm(str(rep)) for rep in kept["rep"].unique()}
    days = pd.to_datetime(kept[column]).dt.strftime("%Y-%m-%d")
    out: dict = {}
    for rep, day, source in zip(kept["rep"].map(reps).tolist(), days.tolist(), kept["source"].tolist()):
        out.setdefault((rep, day), source)
    return out


@dataclass
class Combined:
    """The months' balances as one contract book (by normalised contract number): views over the
    months' own dicts (`ChainMap`: a night looks up a few hundred contracts of 100,000), what the
    night changes written to a dict of its own in front."""

    source: ChainMap
    lines: ChainMap
    amount: ChainMap
    paid: ChainMap
    prices: ChainMap
    first_price: ChainMap
    qty: dict  # product → net units contracted (contracts less cancellations of them)
    days: ChainMap  # (rep, day) → the first report of it


def combine(months: list[Month]) -> Combined | None:
    """The book of all ``months``, in month order; None when they do not combine exactly. A closed
    Month (`closed`) is looked up only: the others' contracts are checked against it key by key."""
    own, shut = [m for m in months if not m.closed], [m for m in months if m.closed]
    if not all(m.separable for m in months) or not _disjoint([m.lines for m in own]) \
            or not _disjoint([m.raw for m in own]) or _overlap(own, shut):
        return None
    view = lambda name: ChainMap({}, *(getattr(m, name) for m in months))  # noqa: E731
    book = Combined(view("source"), view("lines"), view("amount"), view("paid"), view("prices"),
                    view("first_price"), {}, {})
    raw, line_price, first_product = (ChainMap(*(getattr(m, name) for m in months))
                                      for name in ("raw", "line_price", "first_product"))
    for m in months:
        for product, qty in m.qty.items():
            book.qty[product] = book.qty.get(product, 0) + qty
        for no, received in m.received.items():
            if no in raw:
                book.paid[raw[no]] += received
        for no, product, amount, qty in m.cancels:
            if no in raw:
                line = (no, product) if (no, product) in line_price else (no, first_product[no])
                _cancel(book, raw[no], line[1], amount, qty, line_price.get(line))
    # a day's first report: by its ledger rows before its activity, the earliest month first
    book.days = ChainMap({}, *(m.ledger_days for m in months), *(m.activity_days for m in months))
    return book


def _overlap(own: list[Month], shut: list[Month]) -> bool:
    """Whether a contract of ``own`` is signed (or a number typed) in the closed months too."""
    return any(not s.lines.keys().isdisjoint(m.lines) or not s.raw.keys().isdisjoint(m.raw) for s in shut for m in own)


def close(months: list[Month]) -> dict | None:
    """The plain data of ``months`` combined (`combine`), kept on disk and looked up by key as one
    closed Month (`io.closed_book`); None when they do not combine. What their rows add to contracts
    signed in none of them (received, cancelled) is kept apart, for a later month that signs them."""
    book = combine(months)
    if book is None:
        return None
    source, lines, amount, paid, first_price, by_line = (
        _flat(getattr(book, name).maps) for name in ("source", "lines", "amount", "paid", "first_price", "prices"))
    raw = _flat(m.raw for m in months)
    prices: dict = {}
    for (key, item), price in by_line.items():
        prices.setdefault(key, {})[item] = price
    contracts = {key: (source[key], count, amount[key], paid[key], first_price.get(key), prices.get(key, {}))
                 for key, count in lines.items()}
    numbers = {no: [key, None, {}] for m in months for no, key in m.raw.items()}
    for m in months:
        for no, product in m.first_product.items():
            numbers[no][1] = product
        for (no, product), price in m.line_price.items():
            numbers[no][2][product] = price
    received: dict = {}
    for m in months:
        for no, amount in m.received.items():
            if no not in raw:
                received[no] = received.get(no, 0) + amount
    return {"contracts": contracts, "numbers": {no: tuple(v) for no, v in numbers.items()}, "qty": book.qty,
            "received": received, "cancels": [c for m in months for c in m.cancels if c[0] not in raw],
            "ledger_days": _flat(m.ledger_days for m in months),
            "activity_days": _flat(m.activity_days for m in months)}


def _flat(maps) -> dict:
    """``maps`` as one dict, each key's value from the first holding it, as a ChainMap looks it up:
    built with C's `dict.update`, where a key looked up through a ChainMap walks every month's dict
    (on three years, 700,000 lookups cost 4.7 s)."""
    out: dict = {}
    for mapping in reversed(list(maps)):
        out.update(mapping)
    return out


def closed(contracts: Mapping, numbers: Mapping, qty: dict, received: dict, cancels: list,
           ledger_days: Mapping, activity_days: Mapping) -> Month:
    """The closed months as one Month, over the mappings of what `close` gave (kept on disk):
    ``contracts`` key → (source, lines, amount, paid, first price, {item: price}), ``numbers``
    contract number as typed → (key, first product, {product: line price})."""
    return Month(_Field(contracts, 0), _Field(contracts, 1), _Field(contracts, 2), _Field(contracts, 3),
                 _Given(contracts, 4), _Inner(contracts, 5), _Field(numbers, 0), _Inner(numbers, 2),
                 _Field(numbers, 1), received, cancels, qty, ledger_days, activity_days, closed=True)


class _Field(Mapping):
    """One field of a mapping's tuples, as a mapping."""

    def __init__(self, table: Mapping, index: int):
        self.table, self.index = table, index

    def __getitem__(self, key):
        return self.table[key][self.index]

    def __contains__(self, key) -> bool:
        return key in self.table

    def __iter__(self):
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def keys(self):
        return self.table.keys()  # a table on disk checks many keys in one query (`isdisjoint`)


class _Given(_Field):
    """A field that a contract may lack (None in its tuple, as `close` keeps a first price never
    given): absent from the mapping then, as from the dict it was taken from."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __iter__(self):
        return (key for key in self.table if self.table[key][self.index] is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def keys(self):
        return KeysView(self)


class _Inner(_Field):
    """(key, inner) → the ``inner`` entry of the dict in a field of ``key``'s tuple."""

    def __getitem__(self, pair):
        key, inner = pair
        return self.table[key][self.index][inner]

    def __contains__(self, pair) -> bool:
        try:
            self[pair]
        except (KeyError, TypeError, ValueError):
            return False
        return True

    def __iter__(self):
        return ((key, inner) for key in self.table for inner in self.table[key][self.index])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _disjoint(dicts: list[dict]) -> bool:
    """Whether no key is in two of ``dicts`` (hashed at once, not a set of every key grown in Python)."""
    keys = [k for d in dicts for k in d]
    return pd.Index(keys, dtype=object).is_unique


def _cancel(book: Combined, key: str, product, amount, qty, price) -> None:
    """A cancellation of a signed contract: paid back its amount (else units × the line's price),
    its units back in stock."""
    qty = None if qty is None or pd.isna(qty) else abs(qty)
    if amount is None or pd.isna(amount):
        amount = qty * price if qty is not None and price is not None and not pd.isna(price) else None
    if amount is not None:
        book.paid[key] += abs(amount)
    if qty is not None and product is not None and not pd.isna(product):
        book.qty[product] = book.qty.get(product, 0) - qty
