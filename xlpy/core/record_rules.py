"""Rules that need the consolidated record: contracts signed again, cancellations and
payments naming unknown contracts, sales beyond inventory, money beyond what is owed,
a second report of a rep's day.

The batch is walked in report order (report date, then file name), row by row, so
a contract signed earlier in the same batch counts as known. A row whose contract sits
in a report of the batch that is not taken (rejected, or itself waiting) is not judged
unknown: it *waits* for that report (`WAITING_RULES`), and a report whose only errors
are such is `waiting`, judged again once the other is taken. Core: no I/O.
"""
from __future__ import annotations

from array import array
from collections import ChainMap

import pandas as pd

from xlpy.core import balances, rules, units, values
from xlpy.core.contracts import contract_lines, facts, inventory
from xlpy.core.rules import (
    ERROR,
    Context,
    Issue,
    _show,
    deal_name,
    records,
)

# Errors that only wait for another report of the batch to be taken.
WAITING_RULES = {"contract-in-rejected-report", "contract-in-waiting-report"}
ANY = object()  # `_Slots.price` of no item in particular


class Book:
    """Running state: contracts and remaining stock, from the record, then the batch.
    Rows are applied as they are judged, and withdrawn again if their report (or,
    with accept_valid_rows, the row) is rejected, so only what enters the record counts.
    The record's contracts are looked up as given (plain dicts, or the months' balances) and
    never written; a contract the batch signs or changes gets a slot (`_Slots`): a rebuild's
    batch holds over 100,000 of them, as dicts of dicts they took ~77 MB."""

    def __init__(self, history, ctx: Context, activity=None, months: list[balances.Month] | None = None):
        """The book of the record ``history`` (and its ``activity``); with ``months``, the same
        record's balances month by month (`balances.month`, kept in the read cache), combined
        rather than derived from every row where they combine exactly. ``history`` and ``activity``
        are frames or functions giving them: called only where the rows are needed (the months'
        balances do not combine, or the office sells units), so a night leaves the history unread."""
        rows = lambda given: given() if callable(given) else given  # noqa: E731
        self.stock = {}
        ref = ctx.reference
        if ref is not None:
            self.stock = {k: p["opening_stock"] for k, p in ref.product_index.items()
                          if p.get("opening_stock") is not None}
        self.tolerance = ctx.settings.amount_tolerance
        sells_units = ref is not None and ref.sells_units
        self.units = units.Holders(rows(history), set(ref.unit_index)) if sells_units else None
        combined = balances.combine(months) if months is not None else None
        if combined is None:
            history = rows(history)
            self._load(history, ref)
            combined = balances.combine([balances.days_only(history, rows(activity))])
        else:
            self._take(combined, ref)
        self.recorded = self.record_lines  # contracts the master holds (the batch's are in the slots)
        self.batch = _Slots()
        self.held: dict[str, tuple[str, Issue, str]] = {}  # contract → (report not taken, its first error, root)
        self.days: dict[tuple, str] = combined.days  # (rep, day) → the report taken for it

    def _take(self, book: balances.Combined, ref) -> None:
        """The record's contracts and stock from the months' balances combined."""
        self.record_source, self.record_amount, self.record_paid = book.source, book.amount, book.paid
        self.record_lines = ChainMap(*book.lines.maps[1:])  # the months' own (the front is for writes)
        self.prices, self.first_price = book.prices, book.first_price
        if ref is not None:
            for product, opening in zip(ref.products["product"].tolist(), ref.products["opening_stock"].tolist()):
                if product and not pd.isna(opening):
                    self.stock[values.norm(product)] = opening - book.qty.get(product, 0)

    def _load(self, history: pd.DataFrame, ref) -> None:
        """The record's contracts and stock, taken whole from the statistics' view of it."""
        known = facts(history, None, None)  # derived once, for the contracts and the stock
        book = contract_lines(known)
        book = book.assign(key=_keys(book["contract_no"]), item=_keys(book["product"]),
                           paid=book["cancelled"] + book["received"],
                           price=book["amount"] / book["qty"].where(book["qty"] != 0))
        per = book.groupby("key", sort=False).agg(no=("contract_no", "first"), lines=("amount", "size"),
                                                  amount=("amount", "sum"), paid=("paid", "sum"))
        sources = history[history["deal"] == "contract"].groupby("contract_no")["source"].first()
        keys = per.index.tolist()  # plain lists: iterating pandas' string arrays is slow
        self.record_source = dict(zip(keys, per["no"].map(sources).tolist()))  # where each contract was signed
        self.record_lines = dict(zip(keys, per["lines"].tolist()))
        self.record_amount = dict(zip(keys, per["amount"].tolist()))
        self.record_paid = dict(zip(keys, per["paid"].tolist()))  # received plus cancelled
        priced = book.dropna(subset=["item", "price"])
        pairs = zip(priced["key"].tolist(), priced["item"].tolist())
        self.prices = dict(zip(pairs, priced["price"].tolist()))  # the record's (contract, product) → unit price
        self.first_price = dict(zip(priced["key"].tolist()[::-1], priced["price"].tolist()[::-1]))  # its first line's
        if ref is not None and len(history):
            for rec in records(inventory(known, ref)):
                if rec["product"] and rec["remaining"] is not None:
                    self.stock[values.norm(rec["product"])] = rec["remaining"]

    def __contains__(self, key) -> bool:
        """Whether ``key`` names a contract signed, in the record or the batch so far."""
        return key in self.batch.slot or key in self.record_lines

    def source(self, key: str) -> str:
        """The report that signed the contract ``key``."""
        slot = self.batch.slot.get(key)
        return self.record_source[key] if slot is None else self.batch.source[slot]

    def outstanding(self, key: str) -> float:
        slot = self.batch.slot.get(key)
        if slot is None:
            return self.record_amount[key] - self.record_paid[key]
        return self.batch.amount[slot] - self.batch.paid[slot]

    def cancelled_amount(self, key: str, rec: dict) -> float:
        """A cancel typed with only a quantity is worth that many units at its line's price
        (the contract's first line's when it names none of its products)."""
        if rec["amount"] is not None:
            return rec["amount"]
        item = values.norm(rec["product"]) if rec["product"] else None
        price = self.batch.price(key, item)
        if price is None:
            price = self.prices.get((key, item))
        if price is None:
            price = self.first_price.get(key, self.batch.price(key))
        return (rec["qty"] or 0) * (price or 0)

    def _slot(self, key: str) -> int:
        """The batch's slot of the known contract ``key``, taken from the record when it has none yet."""
        slot = self.batch.slot.get(key)
        if slot is None:
            slot = self.batch.add(key, self.record_source[key], self.record_lines[key],
                                  self.record_amount[key], self.record_paid[key])
        return slot

    def apply(self, rec: dict, sign: int = 1) -> None:
        if self.units is not None:
            self.units.apply(rec, sign)
        key = values.norm(rec["contract_no"]) if rec["contract_no"] else None
        deal, batch = rec["deal"], self.batch
        if deal == "contract" and key:
            slot = self._slot(key) if key in self else batch.add(key, rec["source"], 0, 0.0, 0.0)
            amount = rec["amount"] if rec["amount"] is not None else (rec["qty"] or 0) * (rec["unit_price"] or 0)
            batch.amount[slot] += sign * amount
            batch.lines[slot] += sign
            price = rec["unit_price"] or (amount / rec["qty"] if rec["qty"] else None)
            if rec["product"] and sign > 0 and price is not None:
                batch.set_price(slot, values.norm(rec["product"]), price)
            self._move_stock(rec, -sign)
        elif deal == "cancel" and key in self:
            paid = sign * self.cancelled_amount(key, rec)
            batch.paid[self._slot(key)] += paid
            self._move_stock(rec, sign)
        if rec["received"] is not None and key in self:
            batch.paid[self._slot(key)] += sign * rec["received"]
        slot = batch.slot.get(key)
        if slot is not None and batch.lines[slot] <= 0:
            batch.forget(key)  # only a contract of the batch can be forgotten: the record's keep their lines

    def _move_stock(self, rec, sign: int) -> None:
        product = values.norm(rec["product"]) if rec["product"] else None
        if product in self.stock and rec["qty"] is not None:
            self.stock[product] += sign * rec["qty"]


class _Slots:
    """The contracts the batch signs or changes, each numbered once (``slot``: normalised contract
    number → its slot) and its figures in arrays by slot: where signed, lines, amount, paid
    (received plus cancelled), and the unit prices of its lines signed in the batch — the first
    line's in arrays, any further line's in one flat dict by (slot, item). A contract forgotten
    (every line withdrawn) loses its number; signed again, it takes a new slot."""

    def __init__(self):
        self.slot: dict[str, int] = {}
        self.source: list[str] = []
        self.lines, self.amount, self.paid = array("l"), array("d"), array("d")
        self.first_item: list[str | None] = []  # the item of its first line priced in the batch
        self.first_price = array("d")
        self.more_prices: dict[tuple[int, str], float] = {}  # (slot, item) → price of a further line
        self._items: dict[str, str] = {}  # each item's name held once

    def add(self, key: str, source: str, lines: int, amount: float, paid: float) -> int:
        slot = self.slot[key] = len(self.source)
        self.source.append(source)
        self.lines.append(lines)
        self.amount.append(amount)
        self.paid.append(paid)
        self.first_item.append(None)
        self.first_price.append(0.0)
        return slot

    def forget(self, key: str) -> None:
        del self.slot[key]

    def set_price(self, slot: int, item: str, price: float) -> None:
        first = self.first_item[slot]
        if first is None or first == item:
            self.first_item[slot] = self._items.setdefault(item, item)
            self.first_price[slot] = price
        else:
            self.more_prices[slot, self._items.setdefault(item, item)] = price

    def price(self, key: str, item=ANY) -> float | None:
        """The unit price of the contract ``key``'s line of ``item`` signed in the batch (of its
        first such line without ``item``); None when the batch priced none."""
        slot = self.slot.get(key)
        if slot is None or self.first_item[slot] is None:
            return None
        if item is ANY or item == self.first_item[slot]:
            return self.first_price[slot]
        return self.more_prices.get((slot, item))


def _keys(names: pd.Series) -> pd.Series:
    """Names normalised as `values.norm` does, blanks left blank."""
    return names.map(values.norm, na_action="ignore")


def rep_day(rep, day) -> tuple:
    return values.norm(str(rep)), str(pd.Timestamp(day).date())


def report_reps(report) -> set[str]:
    """The reps a report is of: its title's rep, else its rows' reps."""
    reps = {t.title["rep"].value for t in report.tables if "rep" in t.title and t.title["rep"].value}
    return reps or {rec["rep"] for t in report.tables for rec in t.records if rec["rep"]}


def report_days(report) -> set[tuple]:
    """The (rep, day) a report is of, on its report date."""
    if report.report_date is None:
        return set()
    return {rep_day(rep, report.report_date) for rep in report_reps(report)}


def is_waiting(issues: list[Issue]) -> bool:
    """Every error only waits for another report to be taken."""
    errors = [i.rule for i in issues if i.severity == ERROR]
    return bool(errors) and set(errors) <= WAITING_RULES


def taken_rows(report, issues: list[Issue], accept_valid_rows: bool) -> set[tuple[str, int]]:
    """The rows that enter the record: none of a waiting report (it is taken whole, later)."""
    return set() if is_waiting(issues) else rules.accepted_rows(report, issues, accept_valid_rows)


def check(results, book: Book, ctx: Context) -> None:
    """Add the issues of the rules that need the record to each readable result, in
    report order (report date, then file name); ``book`` is the record, and takes in
    what the results add to it."""
    readable = [r for r in results if r.report is not None and r.report.unreadable is None]
    for result in sorted(readable, key=lambda r: rules.report_order(r.report)):
        applied = []
        for table in result.report.tables:
            for rec in table.records:
                rec = {**rec, "source": result.report.source}
                result.issues += _judge(rec, table, book, ctx)
                book.apply(rec)
                applied.append(rec)
        keep = taken_rows(result.report, result.issues, ctx.settings.accept_valid_rows)
        for rec in applied:
            if (rec["sheet"], rec["row"]) not in keep:
                book.apply(rec, sign=-1)
                _hold(rec, result, book)
        _claim_days(result, book)


def _hold(rec: dict, result, book: Book) -> None:
    """Remember where a contract not taken sits, and why, for the rows that name it later."""
    holding = ("contract", "order") if book.units is not None else ("contract",)  # a unit office's order: 认购书编号
    if rec["deal"] not in holding or not rec["contract_no"]:
        return
    errors = [i for i in result.issues if i.severity == ERROR]
    own = [i for i in errors if i.rule not in WAITING_RULES]
    if not errors:
        return
    first = (own or errors)[0]  # a report waiting on another names the report at the root of the chain
    root = "" if own else first.params.get("root") or first.params["other"]
    book.held.setdefault(values.norm(rec["contract_no"]), (result.report.source, first, root))


def _claim_days(result, book: Book) -> None:
    """A report of a rep's day already in the record (or earlier in the batch) is a second one."""
    days = report_days(result.report)
    others = sorted({book.days[d] for d in days if d in book.days and book.days[d] != result.report.source})
    if others:
        rep, day = sorted(report_reps(result.report))[0], str(pd.Timestamp(result.report.report_date).date())
        table = result.report.tables[0] if result.report.tables else None
        result.issues.append(Issue("same-rep-day", table.sheet if table else None,
                                   _title_cell(table), "rep", None,
                                   {"rep": rep, "day": day, "other": others[0]}))
    if not any(i.severity == ERROR for i in result.issues):
        for d in days:
            book.days.setdefault(d, result.report.source)


def _title_cell(table) -> str | None:
    if table is None:
        return None
    cell = table.title.get("report_date") or table.title.get("rep")
    return cell.cell if cell is not None else None


def _judge(rec: dict, table, book: Book, ctx: Context) -> list[Issue]:
    row, deal, no = rec["row"], rec["deal"], rec["contract_no"]
    key = values.norm(no) if no else None
    out = []

    def issue(rule, column, value, **params):
        out.append(Issue(rule, table.sheet, table.cell(column, row), column, value, params))

    if deal == "contract" and key in book.recorded:  # earlier in this batch: check_batch says so
        issue("contract-signed-before", "contract_no", no, other=book.source(key))
    taken = key in book or book.units is not None and key in book.units.unit_of
    if deal in ("cancel", "payment", "exchange") and key in book.held and not taken:
        source, first, root = book.held[key]
        if root:
            issue("contract-in-waiting-report", "contract_no", no, other=source, root=root, cell=first.params["cell"])
        else:
            issue("contract-in-rejected-report", "contract_no", no, other=source, cell=first.cell or first.rule)
        return out
    held = book.units is not None and key in book.units.unit_of  # a unit office's order carries its number too
    if deal in ("cancel", "payment") and key and key not in book and not held:
        issue("unknown-contract", "contract_no", no, deal=deal_name(deal, ctx.lang))
    if deal == "contract" and rec["product"] and rec["qty"] is not None:
        left = book.stock.get(values.norm(rec["product"]))
        if left is not None and rec["qty"] > left:
            issue("beyond-inventory", "qty", rec["qty"], product=rec["product"], expected=_show(left))
    for rule, column, value, params in book.units.judge(rec) if book.units is not None else ():
        issue(rule, column, value, **params)
    if _beyond(rec, key, book):
        issue("received-beyond-outstanding", "received", rec["received"], contract=no,
              expected=_show(book.outstanding(key)))
    return out


def _beyond(rec: dict, key: str | None, book: Book) -> bool:
    """A payment over what its contract still owes."""
    return (rec["deal"] == "payment" and key in book and rec["received"] is not None
            and rec["received"] > book.outstanding(key) + book.tolerance)
