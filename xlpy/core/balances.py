"""Per-month contract balances: what the record rules' contract book (`record_rules.Book`) needs
of one month's rows, in plain dicts, so that a night combines the months' balances instead of
deriving every contract line of the history again (`contracts.facts`). Core: no I/O; the read cache
keeps each month's balances beside its tables (`store.monthly`), valid while the month is unchanged.

A month's balances hold the contracts *signed* in it (by normalised number: lines, amount, unit
prices, where signed) and what its rows add to any contract (received, cancelled) and to the stock.
They combine exactly when no contract is signed in two months and no row is an exchange (换房) or
a contract or cancel row without a number (`separable`); otherwise the book is derived from the
rows, as before, and the combination is not used.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from xlpy.core import values


@dataclass
class Month:
    """One month's share of the contract book (see the module docstring)."""

    signed: dict = field(default_factory=dict)  # key → [no, source, lines, amount, first price]
    prices: dict = field(default_factory=dict)  # (key, item) → unit price of its line
    raw: dict = field(default_factory=dict)  # contract number as typed → key, of the contracts signed here
    line_price: dict = field(default_factory=dict)  # (contract_no, product) → amount / qty
    first_product: dict = field(default_factory=dict)  # contract_no → its first line's product
    received: dict = field(default_factory=dict)  # contract_no → received in this month's rows
    cancels: list = field(default_factory=list)  # (contract_no, product, amount, qty) of its cancel rows
    qty: dict = field(default_factory=dict)  # product → units contracted in its rows
    ledger_days: dict = field(default_factory=dict)  # (rep, day) → first report of its ledger rows
    activity_days: dict = field(default_factory=dict)  # (rep, day) → first report of its activity rows
    separable: bool = True


def month(ledger: pd.DataFrame, activity: pd.DataFrame | None = None) -> Month:
    """The balances of one month's ledger (and activity) rows."""
    out = days_only(ledger, activity)
    deals = ledger["deal"]
    contracts, cancels = ledger[deals == "contract"], ledger[deals == "cancel"]
    out.separable = not ((deals == "exchange").any() or contracts["contract_no"].isna().any()
                         or cancels["contract_no"].isna().any())
    out.qty = contracts.groupby("product")["qty"].sum().to_dict()
    paying = ledger[ledger["received"].fillna(0) != 0].dropna(subset=["contract_no"])
    out.received = paying.groupby("contract_no", sort=False)["received"].sum().to_dict()
    out.cancels = list(zip(*(cancels[c].tolist() for c in ("contract_no", "product", "amount", "qty"))))
    _signed(contracts.dropna(subset=["contract_no"]), out)
    return out


def _signed(contracts: pd.DataFrame, out: Month) -> None:
    """The month's contract lines (contract number × product, in order of first appearance)."""
    out.first_product = contracts.drop_duplicates("contract_no").set_index("contract_no")["product"].to_dict()
    sources = contracts.dropna(subset=["source"]).groupby("contract_no", sort=False)["source"].first()
    lines = contracts.groupby(["contract_no", "product"], sort=False)[["amount", "qty"]].sum()
    keys = {no: values.norm(no) for no in out.first_product}
    out.raw = keys
    for (no, product), amount, qty in zip(lines.index, lines["amount"].tolist(), lines["qty"].tolist()):
        price = amount / qty if qty else None
        out.line_price[no, product] = price
        key, item = keys[no], values.norm(product)
        entry = out.signed.get(key)
        if entry is None:
            out.signed[key] = entry = [no, sources.get(no), 0, 0.0, None]
        entry[2] += 1
        entry[3] += amount
        if price is not None and not pd.isna(price):
            out.prices[key, item] = price
            entry[4] = price if entry[4] is None else entry[4]


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
    """The months' balances as one contract book (by normalised contract number)."""

    source: dict
    lines: dict
    amount: dict
    paid: dict
    prices: dict
    first_price: dict
    qty: dict  # product → net units contracted (contracts less cancellations of them)
    days: dict


def combine(months: list[Month]) -> Combined | None:
    """The book of all ``months``, in month order; None when they do not combine exactly."""
    signed, raw, line_price, first_product = {}, {}, {}, {}
    for m in months:
        if not m.separable or not signed.keys().isdisjoint(m.signed) or not raw.keys().isdisjoint(m.raw):
            return None
        signed.update(m.signed)
        raw.update(m.raw)
        line_price.update(m.line_price)
        first_product.update(m.first_product)
    book = Combined({k: e[1] for k, e in signed.items()}, {k: e[2] for k, e in signed.items()},
                    {k: e[3] for k, e in signed.items()}, dict.fromkeys(signed, 0.0), {}, {}, {}, {})
    book.first_price = {k: e[4] for k, e in signed.items() if e[4] is not None}
    for m in months:
        book.prices.update(m.prices)
        for product, qty in m.qty.items():
            book.qty[product] = book.qty.get(product, 0) + qty
        for no, received in m.received.items():
            if no in raw:
                book.paid[raw[no]] += received
        for no, product, amount, qty in m.cancels:
            if no in raw:
                _cancel(book, raw[no], product if (no, product) in line_price else first_product[no],
                        amount, qty, line_price.get((no, product)) if (no, product) in line_price else
                        line_price.get((no, first_product[no])))
    for m in months:
        for key, source in m.ledger_days.items():
            book.days.setdefault(key, source)
    for m in months:
        for key, source in m.activity_days.items():
            book.days.setdefault(key, source)
    return book


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
