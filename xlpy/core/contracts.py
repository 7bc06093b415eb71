"""The contract book: deals, cancellations and receipts matched to contract lines.

Every figure rests on four derived frames (see `Facts`):
- *net*: contract lines (+amount, +qty) and the cancellations of those contracts (−amount, −qty),
  each on its own row's date, rep and region;
- *cancels*: every cancel row (`cancellations` counts their contract numbers, an order's too; only
  cancellations of signed contracts reduce net sales), its product filled from the line it cancels;
- *receipts*: every received amount on its own row's date; a payment that names no line of its
  contract is shared across the contract's lines in proportion to their contracted amounts, so
  that received by product still adds up to received;
- *book*: one row per contract line (contract number × product): amount, cancelled, received,
  outstanding and refund_due, attributed to the contract's signing date, rep, region and product.

A contract's balance is amount − cancelled − received over all its lines: what is owed when
positive (*outstanding*), what the office owes back when negative (*refund_due*: paid more than
owed, or cancelled after payment). Each is shared over the contract's lines in proportion to the
lines' own balances of that sign, so that by product they still add up to the contract's figure.

Rows dated after ``as_of`` are left out everywhere. The statistics and the record rules both
start from here.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlpy.core import units
from xlpy.core.periods import with_periods
from xlpy.core.reference import Reference

# Ledger columns no figure reads: left out of every frame here (each frame is a copy of its rows).
UNREAD = ("deal_type", "note", "fingerprint", "imported_at", "extra")
# Columns only the contract lines and the unit events read, left out of *net* and *receipts*, which
# are summed by period, rep, region, customer and product (a caller's own columns are kept).
UNSUMMED = ("phone", "due_date", "unit_price", "from_unit", "report_date", "source", "sheet", "row")


@dataclass
class Facts:
    """The derived frames of the module docstring, plus the ledger rows and activity, up to as_of."""

    rows: pd.DataFrame
    net: pd.DataFrame
    cancels: pd.DataFrame
    receipts: pd.DataFrame
    book: pd.DataFrame
    activity: pd.DataFrame


def facts(ledger: pd.DataFrame, activity: pd.DataFrame | None, as_of) -> Facts:
    """The derived tables every statistic starts from. Derive them once per command and pass
    them down: every function here and in `xlpy.core.stats` takes a `Facts` where it takes a ledger."""
    return Facts(*_derive_deals(ledger, as_of), activity=_derive_activity(activity, as_of))


def of(ledger, activity: pd.DataFrame | None = None, as_of=None) -> Facts:
    """``ledger`` as facts: as given when it is a `Facts` already (derived once by the caller)."""
    return ledger if isinstance(ledger, Facts) else facts(ledger, activity, as_of)


def _derive_deals(ledger: pd.DataFrame, as_of) -> tuple:
    rows = with_periods(_upto(ledger.drop(columns=list(UNREAD), errors="ignore"), as_of))
    lines = _kept(rows, rows["deal"] == "contract")
    # each contract's first line, of what the cancels and payments take from it (not a copy of every line)
    first = lines[["contract_no", "product", "rep", "region"]].drop_duplicates("contract_no").set_index("contract_no")
    signed = lines.groupby(["contract_no", "product"], sort=False).agg(  # one row per contract line
        date=("date", "min"), rep=("rep", "first"), region=("region", "first"), customer=("customer", "first"),
        phone=("phone", "first"), due_date=("due_date", "min"), amount=("amount", "sum"), qty=("qty", "sum"))
    exchanges = rows[rows["deal"] == "exchange"]
    exchanges = exchanges[exchanges["contract_no"].isin(first.index)]  # not every row looked up
    signed, first, repriced = _exchanged(exchanges, signed, first) if len(exchanges) else (signed, first, None)
    cancels = _attributed_cancels(rows[rows["deal"] == "cancel"], signed, first)
    of_contracts = cancels[cancels["contract_no"].isin(first.index)]
    net = _stacked([_summed(lines), None if repriced is None else _summed(repriced),
                    _summed(of_contracts).assign(amount=-of_contracts["amount"].abs(), qty=-of_contracts["qty"].abs())])
    receipts = _receipts(rows, signed, first)
    return rows, net, cancels, receipts, _book(signed, of_contracts, receipts)


def _kept(frame: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    """The rows of ``frame`` where ``keep``; the frame itself when that is every row (no copy: a
    rebuild's rows are held once, not again as its contract lines and its receipts)."""
    return frame if keep.all() else frame[keep]


def _stacked(frames: list) -> pd.DataFrame:
    """The frames one under the other, renumbered; the first frame as it is (its columns, not a copy
    of them) when the others have no rows and stacking them changes none of its columns' types."""
    first, *rest = [frame for frame in frames if frame is not None]
    if not any(map(len, rest)):
        typed = pd.concat([frame.iloc[:0] for frame in (first, *rest)])
        if list(typed.columns) == list(first.columns) and typed.dtypes.equals(first.dtypes):
            return first.reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def _summed(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the statistics read of *net* and *receipts*."""
    return frame.drop(columns=list(UNSUMMED), errors="ignore")


def _exchanged(exchanges: pd.DataFrame, signed: pd.DataFrame, first: pd.DataFrame):
    """An exchange (换房, spec §4) of a signed contract moves its line to the new unit at the new price.
    Returns the contract lines and first lines as moved, and the net change of each exchange on its
    own date (new price − old price; negative when the new unit is cheaper)."""
    signed, first, changes = signed.copy(), first.copy(), []
    for ex in exchanges.sort_values(["date", "source", "row"], kind="stable").to_dict("records"):
        cno, old = ex["contract_no"], units.unit_key(ex["from_unit"])
        lines = [k for k in signed.index if k[0] == cno]
        line = next((k for k in lines if units.unit_key(k[1]) == old), lines[0] if len(lines) == 1 else None)
        if line is None:
            continue
        moved = signed.loc[line].copy()
        changes.append({**ex, "amount": ex["amount"] - moved["amount"], "qty": 0.0})
        moved["amount"] = ex["amount"]
        signed = signed.drop(index=line)
        signed.loc[(cno, ex["product"]), :] = moved
        first.loc[cno, "product"] = ex["product"]
    return signed, first, pd.DataFrame(changes, columns=exchanges.columns)


def _derive_activity(activity: pd.DataFrame | None, as_of) -> pd.DataFrame:
    if activity is None:
        activity = pd.DataFrame({"date": pd.to_datetime([]), "rep": [], "region": [], "visits": [], "calls": []})
    return with_periods(_upto(activity, as_of))


def _upto(frame: pd.DataFrame, as_of) -> pd.DataFrame:
    """The rows dated up to ``as_of`` (not the undated); the frame itself when that is every row:
    a copy of a rebuild's 131,000 rows would be held beside the ledger 总表 stacks."""
    return frame if as_of is None else _kept(frame, frame["date"].dt.normalize() <= pd.Timestamp(as_of))


def _is_line(frame: pd.DataFrame, signed: pd.DataFrame):
    """Whether each row's (contract_no, product) is a line of a signed contract: one of ``signed``'s
    index (contract rows always name their product: the rules require it)."""
    return pd.MultiIndex.from_frame(frame[["contract_no", "product"]]).isin(signed.index)


def _attributed_cancels(cancels: pd.DataFrame, signed: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """A cancel row's product is the contract line it names, else the contract's first line (spec §1)."""
    known = cancels["contract_no"].isin(first.index).to_numpy()
    fallback = cancels["contract_no"].map(first["product"])
    out = cancels.assign(product=cancels["product"].where(_is_line(cancels, signed) | ~known, fallback))
    for column in ("rep", "region"):
        out[column] = out[column].fillna(out["contract_no"].map(first[column]))
    # A cancel typed with only a quantity is worth that many units at its line's price.
    price = (signed["amount"] / signed["qty"].where(signed["qty"] != 0)).rename("line_price")
    priced = out.join(price, on=["contract_no", "product"])
    out["amount"] = out["amount"].fillna(priced["qty"].abs() * priced["line_price"])
    return out


def _line_shares(signed: pd.DataFrame) -> pd.DataFrame:
    """Each line's share of its contract's amount (equal shares when the amounts are missing)."""
    by_contract = signed["amount"].groupby(level="contract_no", sort=False)
    total, count = by_contract.transform("sum"), by_contract.transform("size")
    share = (signed["amount"] / total).where(total != 0, 1 / count)
    return share.rename("share").reset_index()


def _receipts(rows: pd.DataFrame, signed: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    paid = _summed(_kept(rows, rows["received"].fillna(0) != 0))
    loose = paid["contract_no"].isin(first.index).to_numpy() & ~_is_line(paid, signed)
    split = paid[loose].drop(columns="product").merge(_line_shares(signed), on="contract_no")
    split["received"] = split["received"] * split.pop("share")
    return _stacked([_kept(paid, ~loose), split])


def _book(signed: pd.DataFrame, cancels: pd.DataFrame, receipts: pd.DataFrame) -> pd.DataFrame:
    keys = ["contract_no", "product"]
    book = signed.copy(deep=False)  # its own columns added, the lines' shared (copy on write)
    cancelled = cancels["amount"].abs().groupby([cancels[k] for k in keys], sort=False).sum()
    book["cancelled"] = cancelled.reindex(book.index, fill_value=0)
    book["received"] = receipts.groupby(keys, sort=False)["received"].sum().reindex(book.index, fill_value=0)
    balance = book["amount"] - book["cancelled"] - book["received"]
    book["outstanding"] = _shared(balance)
    book["refund_due"] = _shared(-balance)
    return with_periods(book.reset_index())


def _shared(balance: pd.Series) -> pd.Series:
    """The contract's positive balance, shared over its lines by their positive balances."""
    line = balance.clip(lower=0)
    by_contract = balance.groupby(level="contract_no", sort=False)  # unsorted: aligned all the same
    share = line / line.groupby(level="contract_no", sort=False).transform("sum")
    return (by_contract.transform("sum").clip(lower=0) * share).fillna(0)


def contract_lines(ledger) -> pd.DataFrame:
    """Per contract line (contract_no, product) as the ledger (or its `Facts`) stands: date, rep,
    region, customer, amount, qty, cancelled, received, outstanding, refund_due."""
    return of(ledger).book


def inventory(ledger, reference: Reference, as_of=None) -> pd.DataFrame:
    """Per product: opening stock − net units contracted = remaining (NaN without an opening stock)."""
    return inventory_table(of(ledger, None, as_of).net.groupby("product")["qty"].sum().rename("net_qty"), reference)


def inventory_table(sold: pd.Series, reference: Reference) -> pd.DataFrame:
    """The inventory from the net units contracted by product."""
    products = reference.products.set_index("product")[["category", "opening_stock"]]
    table = products.join(sold, how="outer").reindex(listed_first(products.index, sold.index))
    table["net_qty"] = table["net_qty"].fillna(0)
    table["remaining"] = table["opening_stock"] - table["net_qty"]
    return table.rename_axis("product").reset_index()


def listed_first(listed: pd.Index, seen: pd.Index) -> list:
    """The reference's products in its order, then products only the ledger knows."""
    return [*listed, *sorted(set(seen) - set(listed))]
