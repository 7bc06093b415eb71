"""Per-month figures: what 总表's tables over the whole history (月度汇总, the region performance, the
attainment, 价格分析, 库存) need of one monthly master's rows, summed there, so that a night combines
the months' figures instead of deriving every row of the history again (`contracts.facts`). Core: no
I/O; the read cache keeps each month's figures beside its tables (`store.monthly`).

A month's figures are its rows' own share of the facts: its contract lines, its cancellations and
receipts, derived beside the contract rows (in other months) of the contracts they name, so that a
cancellation is priced and attributed, and a payment shared over the lines, as from every row. They
depend on those other months' contract rows only (`refs`, `resolved`, `sources`): `still_valid` says
whether a month's cached figures still hold after other months changed.

They combine exactly when no row is an exchange (换房: it moves a line, and with it what cancels of it
are worth) and no row is dated after the day of the tables (`usable`); otherwise 总表 is derived from
every row, as before. Only the contracts with a balance left are derived from rows (应收账款), and the
tables of the day's month from that month's rows and their contracts' rows (`History.month_facts`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from xlpy.core import bounded, contracts, stats
from xlpy.core.periods import period_labels

BY = ("rep", "region")
WHOLE = 2  # the newest months whose ``counted`` rows merged figures keep (`without_rows`): rows filed late


@dataclass
class Month:
    """One monthly master's figures (see the module docstring)."""

    by: dict  # "rep" / "region" → `stats.base` of its rows by (month, rep / region), NaN where none
    net_qty: pd.Series  # product → net units
    prices: pd.DataFrame  # its contract rows by (product, unit price): qty, amount, lines
    balance: pd.Series  # contract_no → amount − cancelled − received of its rows
    counted: pd.DataFrame  # distinct (month, rep, region, contract_no, kind) of its contract and cancel rows
    months: frozenset  # the months its rows (ledger and activity) are dated in
    refs: frozenset  # contract numbers its cancel and payment rows name (the merged months': `Numbers`)
    resolved: frozenset  # the other months whose contract rows it was derived beside
    sources: dict  # every month's stamp when it was computed
    digest: str = ""  # of ``counted``: counts over it kept from an earlier night hold while it is the same
    apart: frozenset = frozenset()  # months ``counted`` holds one row of, their rows kept apart (`without_rows`)


class Numbers:
    """Contract numbers (text) as one sorted array of their UTF-8 bytes, asked only whether they meet
    others: a night unpickles the closed months' merged `refs` and every month's outline
    (`app.history.Outline`), sets of 120,000 and 3,500 strings on three years (~0.02 s each way); an
    array unpickles at once."""

    def __init__(self, numbers):
        self.sorted = np.unique(_encoded(numbers))

    def isdisjoint(self, other) -> bool:
        probe = other.sorted if isinstance(other, Numbers) else _encoded(n for n in other if isinstance(n, str))
        if not len(probe) or not len(self.sorted):
            return True
        at = np.minimum(np.searchsorted(self.sorted, probe), len(self.sorted) - 1)
        return not (self.sorted[at] == probe).any()

    def __iter__(self):
        return (n.decode() for n in self.sorted.tolist())


def _encoded(numbers) -> np.ndarray:
    return np.array([n.encode() for n in numbers], dtype=bytes)


def compact(numbers: frozenset):
    """``numbers`` as `Numbers` when all are text (a number typed as a number stays in a set)."""
    return Numbers(numbers) if all(isinstance(n, str) for n in numbers) else numbers


def usable(ledger: pd.DataFrame, activity: pd.DataFrame, as_of) -> bool:
    """Whether the months' figures give 总表 exactly (see the module docstring)."""
    day = pd.Timestamp(as_of)
    return not ((ledger["deal"] == "exchange").any() or (ledger["date"].dt.normalize() > day).any()
                or (activity["date"].dt.normalize() > day).any())


def referenced(ledger: pd.DataFrame) -> frozenset:
    """The contract numbers of ``ledger``'s cancel and payment rows."""
    naming = (ledger["deal"] == "cancel") | (ledger["received"].fillna(0) != 0)
    return frozenset(ledger.loc[naming, "contract_no"].dropna())


def signed_in(ledger: pd.DataFrame) -> frozenset:
    """The contract numbers ``ledger``'s contract rows sign."""
    return frozenset(ledger.loc[ledger["deal"] == "contract", "contract_no"].dropna())


def month(name: str, ledgers: dict[str, pd.DataFrame], activity: pd.DataFrame, sources: dict) -> Month:
    """The figures of month ``name`` (its ledger ``ledgers[name]``, its ``activity``), beside the
    contract rows of the other months (``ledgers``, in month order) of the contracts it names."""
    refs = referenced(ledgers[name])
    pieces, resolved = [], set()
    for other, rows in ledgers.items():
        if other != name:
            rows = rows[(rows["deal"] == "contract") & rows["contract_no"].isin(refs)]
            if rows.empty:
                continue
            resolved.add(other)
        pieces.append(rows.assign(_mine=other == name))
    derived = contracts.facts(pd.concat(pieces, ignore_index=True), activity, None)
    return _own(derived, refs, frozenset(resolved), sources)


def _own(derived: contracts.Facts, refs: frozenset, resolved: frozenset, sources: dict) -> Month:
    """The figures of the rows ``derived`` marks ``_mine``, beside the others (its activity is the month's)."""
    mine = {k: getattr(derived, k) for k in ("rows", "net", "cancels", "receipts")}
    mine = {k: frame[frame["_mine"].astype(bool)] for k, frame in mine.items()}
    f = contracts.Facts(**mine, book=derived.book.iloc[:0], activity=derived.activity)
    counted = stats.numbers(f, ["month", *BY])
    return Month(by={k: stats.base(f, ["month", k], None) for k in BY},
                 net_qty=f.net.groupby("product")["qty"].sum(), prices=_prices(f.rows), balance=_balance(f),
                 counted=counted, months=frozenset(f.rows["month"].dropna()) | frozenset(f.activity["month"].dropna()),
                 refs=refs, resolved=resolved, sources=dict(sources), digest=_digest(counted))


def of_the_day(ledger: pd.DataFrame, mine, activity: pd.DataFrame, open_contracts, as_of, refs: frozenset,
               resolved: frozenset, sources: dict) -> tuple[contracts.Facts, Month]:
    """(`History.derived`'s facts, the figures of the month whose rows ``mine`` marks in ``ledger``)
    from one derivation, where that month's rows are all of the day's month and it holds all the
    day's activity (``activity``): its rows are then among the day's, with every row of the
    contracts they name (so the contract rows its figures are derived beside: ``refs``, in the
    months ``resolved``). ``open_contracts``: those with a balance left in the other months'
    figures; a contract the month settles or leaves owing is one it names, so the rows are those
    every month's balances give (`History.derived`). The month's figures are its rows' own share,
    as from every row (see the module docstring)."""
    rows, activity = _of_day(ledger.assign(_mine=mine), activity, open_contracts, as_of)
    derived = contracts.facts(rows, activity, as_of)
    own = _own(derived, refs, resolved, sources)
    shown = {k: getattr(derived, k) for k in contracts.Facts.__dataclass_fields__}
    return contracts.Facts(**{k: frame.drop(columns="_mine", errors="ignore") for k, frame in shown.items()}), own


def _of_day(ledger: pd.DataFrame, activity: pd.DataFrame, open_contracts, as_of) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows `History.derived` derives: the month of ``as_of``'s rows and every row of the
    contracts they name or of ``open_contracts``; the activity of that month."""
    first = pd.Timestamp(as_of).to_period("M").start_time
    dated = lambda frame: (frame["date"] >= first) & (frame["date"] < first + pd.offsets.MonthBegin(1))  # noqa: E731
    ours = dated(ledger)
    named = ledger["contract_no"].isin(ledger.loc[ours, "contract_no"].dropna())
    return ledger[ours | named | ledger["contract_no"].isin(open_contracts)], activity[dated(activity)]


def _digest(frame: pd.DataFrame) -> str:
    """A digest of ``frame``'s values and columns, in order."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha1(hashed.tobytes() + repr(list(frame.columns)).encode()).hexdigest()


def _prices(rows: pd.DataFrame) -> pd.DataFrame:
    lines = rows[rows["deal"] == "contract"]
    unit = lines["unit_price"].fillna(lines["amount"] / lines["qty"]).rename("unit")
    return lines.groupby([lines["product"], unit], dropna=False).agg(
        qty=("qty", "sum"), amount=("amount", "sum"), lines=("qty", "size"))


def _balance(f: contracts.Facts) -> pd.Series:
    """Per contract number: its contract rows' amount less its cancellations and receipts; none where
    that is nil (the balances are summed over the months: a nil one adds nothing, and is most)."""
    owed = f.net.groupby("contract_no", sort=False)["amount"].sum()
    paid = f.receipts.groupby("contract_no", sort=False)["received"].sum()
    balance = owed.sub(paid, fill_value=0)
    return balance[balance.abs() > 1e-9]


def still_valid(name: str, cached: Month, stamps: dict, signed) -> bool:
    """Whether ``cached`` figures of month ``name`` hold with the months as ``stamps`` has them now
    (None: changed in this run): no month they were derived beside has changed, and no changed month
    signs a contract they name. ``signed(month)`` gives a month's `signed_in`."""
    for other in set(stamps) | set(cached.sources):
        if other == name or (stamps.get(other) is not None and stamps.get(other) == cached.sources.get(other)):
            continue
        if other in cached.resolved or (other in stamps and not cached.refs.isdisjoint(signed(other))):
            return False
    return True


@dataclass
class History:
    """The months' figures combined, and the rows the tables still derive (the day's month, the
    contracts with a balance left)."""

    by: dict  # "rep" / "region" → the additive figures by (month, rep / region), NaN where none
    net_qty: pd.Series
    prices: pd.DataFrame
    open_contracts: pd.Index
    counted: pd.DataFrame  # the months' `counted`, for the distinct counts of a year
    ledger: pd.DataFrame
    activity: pd.DataFrame
    count: object = None  # gives the counts of a year (`bounded.recount`): kept between nights (`app.history`)
    facts: dict = field(default_factory=dict)  # as_of → `derived`
    # contracts with a balance left that no row derived names, as `stats.per_contract` gives them (kept
    # between nights by `app.history`): ``open_contracts`` leaves them out
    standing: pd.DataFrame | None = None

    def month_facts(self, as_of) -> contracts.Facts:
        """The facts of the month of ``as_of`` (each frame by its own month), from `derived`."""
        derived, period = self.derived(as_of), stats.month_of(as_of)
        return contracts.Facts(**{k: stats.within(getattr(derived, k), period) for k in contracts.Facts.__dataclass_fields__})

    def derived(self, as_of) -> contracts.Facts:
        """The facts of the rows the tables still derive, once: the month of ``as_of``'s rows and every
        row of the contracts they name or with a balance left, not every row. The facts of a contract
        come from its own rows only, and the rows of each of these are all here (`app.history`)."""
        if as_of not in self.facts:
            self.facts[as_of] = contracts.facts(*_of_day(self.ledger, self.activity, self.open_contracts, as_of), as_of)
        return self.facts[as_of]


def merged(months: dict[str, Month]) -> Month:
    """The figures of ``months`` (name → figures) as those of one month, which `combine` takes as it
    takes theirs; what they were derived from is what any of them was (a month another saw at another
    stamp is taken as changed)."""
    stamps: dict = {}
    for m in months.values():
        for other, stamp in m.sources.items():
            if other not in months:
                stamps.setdefault(other, set()).add(stamp)
    digests = [m.digest for m in months.values()]
    return _summed(list(months.values()),
                   refs=compact(frozenset().union(*(m.refs for m in months.values()))),
                   resolved=frozenset().union(*(m.resolved for m in months.values())) - set(months),
                   sources={other: seen.pop() if len(seen) == 1 else "seen at two stamps" for other, seen in stamps.items()},
                   digest=hashlib.sha1("".join(digests).encode()).hexdigest() if all(digests) else "")


def without_rows(m: Month) -> tuple[Month, pd.DataFrame]:
    """(``m`` whose ``counted`` holds one row of each of its months but the last `WHOLE`, its
    ``counted``): the rest is counted only when the counts of a year are not kept (`app.history`), or
    when one of those months is in two masters (`shared`), then given back whole (`with_rows`)."""
    apart = frozenset(sorted(m.counted["month"].dropna().unique())[:-WHOLE])
    held = m.counted["month"].isin(apart)
    marks = m.counted[held].drop_duplicates("month").assign(rep=None, region=None, contract_no=None)
    return replace(m, counted=pd.concat([marks, m.counted[~held]], ignore_index=True), apart=apart), m.counted


def with_rows(m: Month, counted: pd.DataFrame) -> Month:
    return replace(m, counted=counted, apart=frozenset())


def shared(months: list[Month]) -> set:
    """The months whose rows are in two of ``months`` (filed late in the next master)."""
    seen = pd.Series([mo for m in months for mo in m.months]).value_counts()
    return set(seen.index[seen > 1])


def _summed(months: list[Month], **provenance) -> Month:
    """The figures of ``months`` summed, each month filed in two of them counted again over both."""
    by = {k: pd.concat([m.by[k] for m in months]).groupby(level=[0, 1]).sum(min_count=1) for k in BY}
    shared_months = shared(months)
    if any(shared_months & m.apart for m in months):
        raise ValueError("a month in two masters is counted over rows kept apart: give them back (with_rows)")
    counted = pd.concat([m.counted for m in months], ignore_index=True)
    if shared_months:  # a month whose rows are in two masters: its distinct contracts counted over both
        for k in BY:
            by[k] = bounded.recount(by[k].reset_index(), k, counted, {m: m for m in shared_months}).set_index(
                ["month", k])
    balance = pd.concat([m.balance for m in months]).groupby(level=0, sort=False).sum()
    return Month(by=by, net_qty=pd.concat([m.net_qty for m in months]).groupby(level=0).sum(),
                 prices=pd.concat([m.prices for m in months]).groupby(level=[0, 1], dropna=False).sum(),
                 balance=balance[balance.abs() > 1e-9], counted=counted,
                 months=frozenset().union(*(m.months for m in months)), **provenance)


def combine(months: list[Month], ledger: pd.DataFrame, activity: pd.DataFrame) -> History:
    """The figures of all ``months`` (with ``ledger`` and ``activity``: every row, for what is
    derived from rows)."""
    m = _summed(months, refs=frozenset(), resolved=frozenset(), sources={})
    return History(by=m.by, net_qty=m.net_qty, prices=m.prices, open_contracts=_open(m.balance),
                   counted=m.counted, ledger=ledger, activity=activity)


def open_contracts(months: list[Month]) -> pd.Index:
    """The contracts with a balance left over ``months`` (as `combine` finds them)."""
    return _open(pd.concat([m.balance for m in months]).groupby(level=0, sort=False).sum())


def _open(balance: pd.Series) -> pd.Index:
    return balance.index[balance.abs() > 0.001]


# -- the tables from the combined figures -------------------------------------------------------------

def _monthly(h: History, inputs: stats.Inputs, by: str) -> pd.DataFrame:
    return stats.monthly_table(h.by[by].sort_index(), by, inputs.as_of, bounded.RECENT_MONTHS, h.counted, h.count)


def _net(h: History, level: str) -> pd.Series:
    return h.by[level]["net_amount"].dropna()


def _region_performance(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    sums = _net(h, "region").swaplevel().sort_index()
    return stats.performance(sums, inputs.as_of, bounded.RECENT_MONTHS)


def _attainment(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    def actual(level: str, periods: set) -> pd.Series:
        net = _net(h, level)
        # the months of the targets' years only (a month's, quarter's and year's label starts with its year)
        net = net[net.index.get_level_values("month").str[:4].isin({str(p)[:4] for p in periods})]
        days = pd.to_datetime(net.index.get_level_values("month") + "-01")
        parts = []
        for kind in ("month", "quarter", "year"):
            period = pd.Index(period_labels(pd.Series(days), kind), name="period")
            sums = net.groupby([period, net.index.get_level_values(level)]).sum()
            parts.append(sums[sums.index.get_level_values("period").isin(periods)])
        return pd.concat(parts)
    return stats.attainment_table(inputs.reference, actual)


def _receivables(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    """From the facts of the contracts with a balance left and of those the day's month names (their
    balances are their own: a nil one is not listed), and the ``standing`` ones no row derived names."""
    derived = stats.per_contract(h.derived(inputs.as_of).book)
    rest = None if h.standing is None else h.standing[~h.standing["contract_no"].isin(derived["contract_no"])]
    if rest is not None and len(rest):
        derived = pd.concat([derived, rest], ignore_index=True) if len(derived) else rest
    return stats.aged(stats.owing(derived), inputs.as_of)


def _prices_table(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    p = h.prices.reset_index()
    floor = p["product"].map(inputs.reference.products.set_index("product")["floor_price"])
    signed = p.assign(below_floor=p["lines"].where(p["unit"] < floor, 0)).groupby("product")[
        ["qty", "amount", "below_floor"]].sum().rename(columns={"qty": "contract_qty"})
    return stats.price_table(inputs.reference, signed)


def _inventory(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    return contracts.inventory_table(h.net_qty.rename("net_qty"), inputs.reference)


def _units(h: History, inputs: stats.Inputs) -> pd.DataFrame:
    """Units remaining follow every unit's events: derived from every row, in an office that sells units."""
    return stats.units_monthly(inputs.all_facts() if inputs.reference.sells_units else None, inputs.reference,
                               inputs.as_of)


stats.FROM_FIGURES.update({
    "monthly_rep": lambda h, i: _monthly(h, i, "rep"), "monthly_region": lambda h, i: _monthly(h, i, "region"),
    "region_performance": _region_performance, "attainment": _attainment, "receivables": _receivables,
    "collection": lambda h, i: stats.collection_list(None, i.as_of, i.table("receivables")),
    "prices": _prices_table, "inventory": _inventory, "units_monthly": _units,
})
