"""Rules that need the consolidated record: contracts signed again, cancellations and
payments naming unknown contracts, sales beyond inventory, money beyond what is owed.

The batch is walked in report order (report date, then file name), row by row, so
a contract signed earlier in the same batch counts as known. Core: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import rules, stats, values
from .rules import ERROR, RULES, Context, Issue, Rule, _show, deal_name, records

RECORD_RULES = (
    Rule("contract-signed-before", ERROR, "合同编号 {value} 已在 {other} 中签约过", "Contract number {value} was already signed in {other}"),
    Rule("unknown-contract", ERROR, "{deal}所指的合同编号 {value} 在本批日报和总表中都不存在",
         "The {deal} names contract number {value}, which neither this batch nor the master knows"),
    Rule("beyond-inventory", ERROR, "产品“{product}”剩余库存 {expected}，本行签约数量 {value} 超出",
         "Product “{product}” has {expected} left; this row contracts {value}"),
    Rule("received-beyond-outstanding", ERROR, "回款 {value} 超过合同 {contract} 的未收余额 {expected}",
         "Payment {value} exceeds the outstanding {expected} of contract {contract}"),
)
RULES.update({r.id: r for r in RECORD_RULES})


@dataclass
class _Contract:
    source: str
    lines: int = 0  # contract rows applied: a contract whose rows are all withdrawn is forgotten
    amount: float = 0.0
    unit_prices: dict = field(default_factory=dict)  # normalised product → unit price
    paid: float = 0.0  # received plus cancelled

    def cancelled_amount(self, rec: dict) -> float:
        if rec["amount"] is not None:
            return rec["amount"]
        prices = self.unit_prices
        price = prices.get(values.norm(rec["product"])) if rec["product"] else None
        if price is None and prices:
            price = next(iter(prices.values()))
        return (rec["qty"] or 0) * (price or 0)

    @property
    def outstanding(self) -> float:
        return self.amount - self.paid


class _Book:
    """Running state: contracts and remaining stock, from the record, then the batch.
    Rows are applied as they are judged, and withdrawn again if their report (or,
    with accept_valid_rows, the row) is rejected, so only what enters the record counts."""

    def __init__(self, history: pd.DataFrame, ctx: Context):
        self.contracts: dict[str, _Contract] = {}
        self.stock = {}
        ref = ctx.reference
        if ref is not None:
            self.stock = {k: p["opening_stock"] for k, p in ref.product_index.items() if p.get("opening_stock") is not None}
        self.tolerance = ctx.settings.amount_tolerance
        self._load(history, ref)
        self.recorded = set(self.contracts)  # contracts the master already holds

    def _load(self, history: pd.DataFrame, ref) -> None:
        """The record's contracts and stock, taken whole from the statistics' view of it."""
        lines = stats.contract_lines(history).assign(paid=lambda t: t["cancelled"] + t["received"])
        per = lines.groupby("contract_no", sort=False).agg(lines=("amount", "size"), amount=("amount", "sum"),
                                                           paid=("paid", "sum"))
        sources = history[history["deal"] == "contract"].groupby("contract_no")["source"].first()
        for no, n, amount, paid in zip(per.index, per["lines"], per["amount"], per["paid"]):
            self.contracts[values.norm(no)] = _Contract(sources.get(no), int(n), amount, {}, paid)
        for no, product, amount, qty in zip(lines["contract_no"], lines["product"], lines["amount"], lines["qty"]):
            if product and qty:
                self.contracts[values.norm(no)].unit_prices[values.norm(product)] = amount / qty
        if ref is not None and len(history):
            for rec in records(stats.inventory(history, ref)):
                if rec["product"] and rec["remaining"] is not None:
                    self.stock[values.norm(rec["product"])] = rec["remaining"]

    def apply(self, rec: dict, sign: int = 1) -> None:
        key = values.norm(rec["contract_no"]) if rec["contract_no"] else None
        deal = rec["deal"]
        if deal == "contract" and key:
            c = self.contracts.setdefault(key, _Contract(rec["source"]))
            amount = rec["amount"] if rec["amount"] is not None else (rec["qty"] or 0) * (rec["unit_price"] or 0)
            c.amount += sign * amount
            c.lines += sign
            if rec["product"] and sign > 0:
                c.unit_prices[values.norm(rec["product"])] = rec["unit_price"] or (amount / rec["qty"] if rec["qty"] else None)
            self._move_stock(rec, -sign)
        elif deal == "cancel" and key in self.contracts:
            self.contracts[key].paid += sign * self.contracts[key].cancelled_amount(rec)
            self._move_stock(rec, sign)
        if key in self.contracts and rec["received"] is not None:
            self.contracts[key].paid += sign * rec["received"]
        if key in self.contracts and self.contracts[key].lines <= 0:
            del self.contracts[key]

    def _move_stock(self, rec, sign: int) -> None:
        product = values.norm(rec["product"]) if rec["product"] else None
        if product in self.stock and rec["qty"] is not None:
            self.stock[product] += sign * rec["qty"]


def check(results, history: pd.DataFrame, ctx: Context) -> None:
    """Add the issues of the rules that need the record to each readable result, in
    report order (report date, then file name)."""
    book = _Book(history, ctx)
    readable = [r for r in results if r.report is not None and r.report.unreadable is None]
    for result in sorted(readable, key=lambda r: (str(r.report.report_date or ""), r.path.name)):
        applied = []
        for table in result.report.tables:
            for rec in table.records:
                rec = {**rec, "source": result.report.source}
                result.issues += _judge(rec, table, book, ctx)
                book.apply(rec)
                applied.append(rec)
        keep = rules.accepted_rows(result.report, result.issues, ctx.settings.accept_valid_rows)
        for rec in applied:
            if (rec["sheet"], rec["row"]) not in keep:
                book.apply(rec, sign=-1)


def _judge(rec: dict, table, book: _Book, ctx: Context) -> list[Issue]:
    row, deal, no = rec["row"], rec["deal"], rec["contract_no"]
    key = values.norm(no) if no else None
    out = []

    def issue(rule, column, value, **params):
        out.append(Issue(rule, table.sheet, table.cell(column, row), column, value, params))

    if deal == "contract" and key in book.recorded:  # earlier in this batch: check_batch says so
        issue("contract-signed-before", "contract_no", no, other=book.contracts[key].source)
    if deal in ("cancel", "payment") and key and key not in book.contracts:
        issue("unknown-contract", "contract_no", no, deal=deal_name(deal, ctx.lang))
    if deal == "contract" and rec["product"] and rec["qty"] is not None:
        left = book.stock.get(values.norm(rec["product"]))
        if left is not None and rec["qty"] > left:
            issue("beyond-inventory", "qty", rec["qty"], product=rec["product"], expected=_show(left))
    if deal == "payment" and key in book.contracts and rec["received"] is not None:
        owed = book.contracts[key].outstanding
        if rec["received"] > owed + book.tolerance:
            issue("received-beyond-outstanding", "received", rec["received"], contract=no, expected=_show(owed))
    return out
