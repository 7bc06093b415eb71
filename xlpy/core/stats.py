"""Statistics over the consolidated ledger (spec §3): DataFrames in, DataFrames out, no I/O.

Every figure rests on the derived frames of `xlpy.core.contracts`; each function takes the ledger
or, better, its `Facts` derived once per command (`contracts.facts`). What a statistic is — its
columns, labels, kinds, sheet and chart — is declared in `xlpy.contract.statistics`; its function
is here, registered under the same key (`@statistic`, `@metric`).

Rows dated after ``as_of`` are left out everywhere, so a table computed "as of" a day shows what
was known that day. Periods are canonical text: "2026-11", "2026-Q4", "2026".
Names (reps, regions, products) are compared as the ledger spells them: the consolidation gives
them the reference workbook's spelling; target names are brought to that spelling here.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from xlpy.contract import statistics as declared
from xlpy.contract.messages import both
from xlpy.core import units, values
from xlpy.core.bounded import RECENT_MONTHS, by_year_before, earlier, first_recent, recount
from xlpy.core.contracts import Facts, inventory, listed_first
from xlpy.core.contracts import of as _facts
from xlpy.core.periods import month_of, period_kind, within
from xlpy.core.reference import Reference

METRICS = declared.METRICS
ADDITIVE = declared.ADDITIVE
KEYS = ("region", "rep", "product", "day", "month", "quarter", "year")
_NOT_DUE = both("aging.not-due")
AGING = (_NOT_DUE[0], "0–30", "31–60", "61–90", "90+")  # days overdue
AGING_EN = dict(zip(AGING, (_NOT_DUE[1], *AGING[1:])))
DEFAULT_WEIGHTS = {"net_amount": 0.4, "attainment": 0.3, "conversion": 0.15, "collection_rate": 0.15}
LABELS = {k: (c.zh, c.en) for k, c in declared.COLUMNS.items()}
label = declared.label

# -- the tables of 总表: one function each, registered under its declared key ----------------------

TABLES: dict[str, tuple[Callable, bool, dict]] = {}  # key → (function, for the month of as_of, fixed arguments)
FROM_FIGURES: dict[str, Callable] = {}  # key → function(history, inputs): the table from `month_figures.History`


def statistic(key: str, month: bool = False, **fixed):
    """Register the function of a table declared in `declared.TABLES`. `all_tables` calls it with
    the arguments it names: ``ledger`` (the facts), ``activity``, ``reference``, ``as_of``,
    ``weights``, ``period`` (the month of as_of when ``month``, else everything), another table by
    its key, and ``fixed``."""
    def register(function):
        TABLES[key] = (function, month, fixed)
        return function
    return register


@dataclass
class Inputs:
    """What one computation of every table starts from (facts derived once), and the tables done."""

    facts: Facts | None  # None with ``history``: derived from its rows only if a table needs them all
    reference: Reference
    as_of: object
    weights: dict | None = None
    done: dict = field(default_factory=dict)
    month: Facts | None = None  # `month_facts`, once taken
    history: object = None  # `month_figures.History`: the tables of `FROM_FIGURES` from the months' figures

    def table(self, key: str) -> pd.DataFrame:
        if key not in self.done:
            function, month, fixed = TABLES[key]
            if self.history is not None and key in FROM_FIGURES:
                frame = FROM_FIGURES[key](self.history, self)
            else:
                given = {"activity": None, "reference": self.reference, "as_of": self.as_of, "weights": self.weights,
                         "period": month_of(self.as_of) if month else None}
                wanted = [n for n in inspect.signature(function).parameters if n not in fixed]
                if "ledger" in wanted:  # the facts derived only for a table that reads them
                    given["ledger"] = self.month_facts() if month else self.all_facts()
                frame = function(**{n: given[n] if n in given else self.table(n) for n in wanted}, **fixed)
            columns = declared.TABLE[key].columns
            self.done[key] = frame if columns is None else frame[list(columns)]
        return self.done[key]

    def month_facts(self) -> Facts:
        """The facts of the month of as_of alone (each frame by its own month, as `within` keeps
        them), taken once for the tables of that month, rather than by each from all the history."""
        if self.month is None and self.facts is None and self.history is not None:
            self.month = self.history.month_facts(self.as_of)
        elif self.month is None:
            period = month_of(self.as_of)
            self.month = Facts(**{k: within(getattr(self.all_facts(), k), period) for k in Facts.__dataclass_fields__})
        return self.month

    def all_facts(self) -> Facts:
        if self.facts is None:
            self.facts = _facts(self.history.ledger, self.history.activity, self.as_of)
        return self.facts

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of `declared.TABLES`."""
        return {t.key: self.table(t.key) for t in declared.TABLES}


@statistic("units_monthly")
def units_monthly(ledger: Facts, reference: Reference, as_of) -> pd.DataFrame:
    """An office that sells units: per month and building, net sales, units signed and the units
    remaining (余房) at the month's end (or at ``as_of`` in its month). Empty elsewhere."""
    columns = list(declared.TABLE["units_monthly"].columns)
    if not reference.sells_units or ledger.rows.empty:
        return pd.DataFrame(columns=columns)
    building = {k: u["building"] for k, u in reference.unit_index.items()}
    of_unit = lambda frame: frame.assign(building=frame["product"].map(units.unit_key).map(building))  # noqa: E731
    net = of_unit(ledger.net).dropna(subset=["building"]).groupby(["month", "building"])["amount"].sum()
    signed = of_unit(ledger.rows[ledger.rows["deal"] == "contract"]).dropna(subset=["building"])
    signed = signed.groupby(["month", "building"]).size()
    history = units.events(ledger.rows, set(reference.unit_index))
    ends = pd.period_range(ledger.rows["date"].min(), pd.Timestamp(as_of), freq="M")
    left = {}
    for month in ends:
        day = min(month.end_time.normalize(), pd.Timestamp(as_of))
        board = units.board(reference.units, history, day)
        for name, count in board[board["status"] == "available"].groupby("building").size().items():
            left[(str(month), name)] = count
    index = pd.MultiIndex.from_product([[str(m) for m in ends], sorted(set(building.values()))],
                                       names=["month", "building"])
    table = pd.DataFrame({"net_amount": net, "units_signed": signed, "units_remaining": pd.Series(left)},
                         index=index).fillna(0)
    return table.reset_index()[columns]


def all_tables(ledger, activity, reference: Reference, as_of, weights: dict[str, float] | None = None
               ) -> dict[str, pd.DataFrame]:
    """Every table of `declared.TABLES`, from one derivation of the facts: what 总表, the 刷新统计
    button and the briefing show. The morning check, the region comparison and the ranking cover
    the month of ``as_of``; the other tables cover everything up to ``as_of``."""
    return Inputs(_facts(ledger, activity, as_of), reference, as_of, weights).tables()


def _norm_period(period) -> str | None:
    return None if period is None else str(period).strip().upper()


# -- grouping ------------------------------------------------------------------------------------

_COUNTS_AND_MONEY = tuple(k for k in declared.ADDITIVE if k not in ("visits", "calls"))


def base(f: Facts, keys: list[str], period: str | None, wanted: tuple[str, ...] = ADDITIVE) -> pd.DataFrame:
    """The additive metrics (`declared.ADDITIVE`, or those of them ``wanted``), one row per group of
    ``keys``; activity only where it has those keys. Each frame is grouped once for all its sums."""
    def grouped(frame, deal=None):
        frame = frame if deal is None else frame[frame["deal"] == deal]
        return within(frame, period).groupby(keys)

    @functools.cache
    def sums(frame: str, *columns: str) -> pd.DataFrame:
        return grouped(getattr(f, frame))[list(columns)].sum()

    parts = {
        "net_amount": lambda: sums("net", "amount", "qty")["amount"],
        "net_qty": lambda: sums("net", "amount", "qty")["qty"],
        "leads": lambda: grouped(f.rows, "lead").size(),
        "orders": lambda: grouped(f.rows, "order").size(),
        "contracts": lambda: grouped(f.rows, "contract")["contract_no"].nunique(),
        "cancellations": lambda: grouped(f.cancels)["contract_no"].nunique(),
        "received": lambda: sums("receipts", "received")["received"],
        "outstanding": lambda: sums("book", "outstanding", "refund_due")["outstanding"],
        "refund_due": lambda: sums("book", "outstanding", "refund_due")["refund_due"],
    }
    if "product" not in keys:
        parts["visits"] = lambda: sums("activity", "visits", "calls")["visits"]
        parts["calls"] = lambda: sums("activity", "visits", "calls")["calls"]
    table = pd.concat({k: part() for k, part in parts.items() if k in wanted}, axis=1, sort=True)
    table.index.names = keys
    return table


def _filled(table: pd.DataFrame) -> pd.DataFrame:
    """Absent means none for counts and money; activity has no meaning by product (NaN)."""
    table = table.copy()
    table[list(_COUNTS_AND_MONEY)] = table[list(_COUNTS_AND_MONEY)].fillna(0)
    for column in ("visits", "calls"):
        table[column] = table[column].fillna(0) if column in table else float("nan")
    for column in ("leads", "orders", "contracts", "cancellations"):
        table[column] = table[column].astype(int)
    return table


# -- the metrics computed from the additive ones: one function each, under its declared key --------

DERIVED: dict[str, Callable] = {}  # key → function(figures) of the additive metrics (a table or a row)


def metric(key: str):
    """Register the function of a metric declared in `declared.METRICS`."""
    def register(function):
        DERIVED[key] = function
        return function
    return register


def _per(amount, count):
    """amount / count, blank where count is not positive (works on tables and on single figures)."""
    if isinstance(count, pd.Series):
        return amount / count.where(count > 0)
    return amount / count if count and count > 0 else float("nan")


@metric("conversion")
def _conversion(t):
    return _per(t["contracts"], t["visits"])


@metric("attainment")
def _attainment(t):
    return _per(t["net_amount"], t["target"])


@metric("avg_deal")
def _avg_deal(t):
    """客单价: net sales per contract signed."""
    return _per(t["net_amount"], t["contracts"])


def derive(table: pd.DataFrame, keys=None) -> pd.DataFrame:
    """``table`` with the derived metrics (those of ``keys`` it has the inputs for) added."""
    table = table.copy()
    for key in keys or DERIVED:
        table[key] = DERIVED[key](table)
    return table


def _known(reference: Reference, by: str) -> list:
    """Groups that belong in a table even without a deal: active reps, their regions, listed products."""
    if by == "rep":
        return list(reference.reps.loc[reference.reps["active"].astype(bool), "name"])
    if by == "region":
        return list(reference.reps["region"].dropna().unique())
    if by == "product":
        return list(reference.products["product"].dropna())
    return []


def group_stats(ledger: pd.DataFrame, activity: pd.DataFrame | None, reference: Reference, by: str,
                period: str | None = None, as_of=None) -> pd.DataFrame:
    """One row per ``by`` group (region | rep | product | day | month | quarter | year), columns METRICS:
    what `xlpy stats`, `XLPY_STATS` and `XLPY_TABLE` show.

    ``period`` ("2026-11", "2026-Q4", "2026"; None = all) keeps rows dated in it; outstanding counts
    the contracts signed in it, less everything cancelled and received up to ``as_of``.
    Targets: by rep or region, the target of that rep/region for ``period`` (a region without its own
    target: the sum of its reps' targets); by month/quarter/year, each row's own period, its target the
    sum of the regions' targets of that period; NaN by day or product, or without a period.
    Visits, calls and conversion are NaN by product: reports count visits per rep, not per product.
    """
    if by not in KEYS:
        raise ValueError(f"by must be one of {KEYS}, not {by!r}")
    return _group(_facts(ledger, activity, as_of), reference, by, _norm_period(period))


def _group(f: Facts, reference: Reference, by: str, period: str | None) -> pd.DataFrame:
    table = base(f, [by], period)
    table = table.reindex(table.index.union(pd.Index(_known(reference, by), dtype=table.index.dtype), sort=False))
    table = _filled(table.sort_index())
    table["target"] = _targets_for(reference, by, table.index, period)
    return derive(table)[list(METRICS)].rename_axis(by).reset_index()


# -- targets -------------------------------------------------------------------------------------

def _targets(reference: Reference) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Targets by (period, rep), by (period, region) and by period, in the reference's spelling:
    summed once per reference, as its indexes are (a run asks in several tables and the briefing)."""
    if getattr(reference, "_target_sums", None) is None:
        reference._target_sums = _sum_targets(reference)
    return reference._target_sums


def _sum_targets(reference: Reference) -> tuple[pd.Series, pd.Series, pd.Series]:
    t = reference.targets.dropna(subset=["period", "target"])
    reps = {k: r["name"] for k, r in reference.rep_index.items()}
    home = {r["name"]: r["region"] for r in reference.rep_index.values()}
    rep_names = t["rep"].map(lambda n: reps.get(values.norm(n), n), na_action="ignore")
    region_names = t["region"].map(lambda n: reference.regions.get(values.norm(n), n), na_action="ignore")
    by_rep = t[rep_names.notna()]
    rep = by_rep.groupby([by_rep["period"], rep_names.rename("rep")])["target"].sum()
    own = t[rep_names.isna() & region_names.notna()]
    region = own.groupby([own["period"], region_names.rename("region")])["target"].sum()
    from_reps = by_rep.groupby([by_rep["period"], rep_names.map(home).rename("region")])["target"].sum()
    region = region.combine_first(from_reps)
    return rep, region, region.groupby(level="period").sum()


def _targets_for(reference: Reference, by: str, index: pd.Index, period: str | None) -> pd.Series:
    rep, region, total = _targets(reference)
    if by in ("rep", "region") and period is not None:
        source = rep if by == "rep" else region
        wanted = pd.MultiIndex.from_arrays([[period] * len(index), index])
        return pd.Series(source.reindex(wanted).to_numpy(), index=index, dtype=float)
    if by in ("month", "quarter", "year"):
        return pd.Series(total.reindex(index).to_numpy(), index=index, dtype=float)
    return pd.Series(float("nan"), index=index)


# -- the tables behind the statistic sheets -------------------------------------------------------

@statistic("daily", month=True)
def daily_summary(ledger, activity, reference: Reference, period: str | None = None, as_of=None) -> pd.DataFrame:
    """Day × rep, for the morning check: who reported (``reports`` = 0 for an active rep who filed
    nothing on a day others did) and what they recorded."""
    f = _facts(ledger, activity, as_of)
    period = _norm_period(period)
    keys = ["day", "rep"]
    table = base(f, keys, period)
    table["reports"] = within(f.activity, period).groupby(keys).size()
    days = table.index.get_level_values("day").unique()
    reps = reference.reps[reference.reps["active"].astype(bool)]
    expected = [(d, r) for d in days for r, hired in zip(reps["name"], reps["hired"])
                if pd.isna(hired) or pd.Timestamp(hired) <= d]
    table = table.reindex(table.index.union(pd.MultiIndex.from_tuples(expected, names=keys))).sort_index()
    table = _filled(table)
    table["reports"] = table["reports"].fillna(0).astype(int)
    table = table.reset_index()
    table.insert(2, "region", table["rep"].map(_rep_regions(f.rows, reference)))
    return table[["day", "rep", "region", "reports", "leads", "orders", "contracts", "cancellations",
                  "net_qty", "net_amount", "received", "visits", "calls"]]


@statistic("monthly_region", by="region", recent=RECENT_MONTHS)
@statistic("monthly_rep", by="rep", recent=RECENT_MONTHS)
def monthly_summary(ledger, activity, reference: Reference, by: str = "region", period: str | None = None,
                    as_of=None, recent: int | None = None) -> pd.DataFrame:
    """Month × region (or rep): counts, net units and sales, received, visits, calls, conversion.
    With ``recent`` (and ``as_of``), the months before the last ``recent`` are summed by year (`earlier`)."""
    if by not in ("region", "rep"):
        raise ValueError(f"by must be region or rep, not {by!r}")
    f, period = _facts(ledger, activity, as_of), _norm_period(period)
    return monthly_table(base(f, ["month", by], period), by, as_of, recent, numbers(f, ["month", by], period))


def monthly_table(sums: pd.DataFrame, by: str, as_of=None, recent: int | None = None,
                  counted: pd.DataFrame | None = None, count=None) -> pd.DataFrame:
    """The monthly summary from the additive figures by (month, ``by``) (`base`); an earlier
    year's contracts and cancellations counted over its months' ``counted`` (`numbers`; ``count``:
    see `bounded.recount`)."""
    keys = ["month", by]
    table = _filled(sums).reset_index()
    if recent and as_of is not None:
        first = first_recent(as_of, recent)
        table = by_year_before(table, by, first, list(_GROUPED))
        if counted is not None:
            old = counted["month"][counted["month"] < first].unique()
            table = recount(table, by, counted, {m: earlier(m, first) for m in old}, count)
    return derive(table, ["conversion"])[[*keys, *_GROUPED, "conversion"]]


_GROUPED = ("leads", "orders", "contracts", "cancellations", "net_qty", "net_amount", "received", "visits", "calls")
def numbers(f: Facts, keys: list[str], period: str | None = None) -> pd.DataFrame:
    """What `contracts` and `cancellations` count: the distinct ``keys``, contract number and kind
    of the contract and cancel rows."""
    keys = [*keys, "contract_no"]
    return pd.concat([within(f.rows[f.rows["deal"] == "contract"], period)[keys].assign(kind="contracts"),
                      within(f.cancels, period)[keys].assign(kind="cancellations")], ignore_index=True).drop_duplicates()


@statistic("region_performance", recent=RECENT_MONTHS)
def region_performance(ledger, as_of=None, recent: int | None = None) -> pd.DataFrame:
    """Per region and month (every month from the first to the last with a deal): net sales, the
    previous month's and the same month last year's, and the changes (relative to the earlier
    figure's size; NaN when that figure is 0 or before the ledger starts). With ``recent`` (and
    ``as_of``), the months before the last ``recent`` are summed by year (`earlier`), each year beside
    the year before it."""
    net = _facts(ledger, None, as_of).net.dropna(subset=["region"])
    return performance(net.groupby(["region", "month"])["amount"].sum(), as_of, recent)


def performance(sums: pd.Series, as_of=None, recent: int | None = None) -> pd.DataFrame:
    """The region performance from net sales by (region, month)."""
    columns = ["region", "month", "net_amount", "prev_month", "mom", "prev_year", "yoy"]
    if sums.empty:
        return pd.DataFrame(columns=columns)
    regions, months = sums.index.get_level_values("region"), sums.index.get_level_values("month")
    months = pd.period_range(months.min(), months.max(), freq="M")
    index = pd.MultiIndex.from_product([sorted(regions.unique()), months.strftime("%Y-%m")],
                                       names=["region", "month"])
    current = sums.reindex(index, fill_value=0)  # a month inside the range without a deal sold nothing
    periods = pd.PeriodIndex(index.get_level_values("month"), freq="M")

    def earlier(lag: int) -> pd.Series:
        wanted = pd.MultiIndex.from_arrays([index.get_level_values("region"), (periods - lag).strftime("%Y-%m")])
        return pd.Series(current.reindex(wanted).to_numpy(), index=index)

    table = current.rename("net_amount").to_frame()
    table["prev_month"], table["prev_year"] = earlier(1), earlier(12)
    table["mom"] = _change(table["net_amount"], table["prev_month"])
    table["yoy"] = _change(table["net_amount"], table["prev_year"])
    table = table.reset_index()[columns]
    return _years_before(table, first_recent(as_of, recent)) if recent and as_of is not None else table


def _years_before(table: pd.DataFrame, first: str) -> pd.DataFrame:
    """Region performance with its months before ``first`` as years, each against the year before
    when both are whole years of the ledger (a year it starts in is not compared)."""
    months = table["month"].drop_duplicates()
    whole = {y for y, n in months[months < first].str[:4].value_counts().items() if n == 12}
    years = by_year_before(table, "region", first, ["net_amount"])
    old = years["month"] < first
    by_year = years[old].set_index(["region", "month"])["net_amount"]
    before = [(r, str(int(m) - 1) if m in whole and str(int(m) - 1) in whole else None) for r, m in by_year.index]
    years.loc[old, ["prev_month", "mom"]] = float("nan")
    years.loc[old, "prev_year"] = by_year.reindex(before).to_numpy()
    years.loc[old, "yoy"] = _change(years.loc[old, "net_amount"], years.loc[old, "prev_year"])
    return years


def _change(now: pd.Series, before: pd.Series) -> pd.Series:
    return (now - before) / before.abs().where(before != 0)


@statistic("region_trend")
def region_trend(region_performance: pd.DataFrame) -> pd.DataFrame:
    """Month × region net sales (a column per region): the data of the monthly line chart (months
    only: not the years a bounded region performance sums the earlier months into)."""
    region_performance = region_performance[region_performance["month"].map(period_kind) == "month"]
    wide = region_performance.pivot(index="month", columns="region", values="net_amount")
    return wide.rename_axis(columns=None).reset_index()


@statistic("attainment")
def attainment(ledger, reference: Reference, as_of=None) -> pd.DataFrame:
    """One row per target of 销售目标 (rep targets, and region targets — a region without its own
    target for a period its reps have targets in: the sum of theirs), with net sales of that rep or
    region in that month, quarter or year up to ``as_of``, and attainment = net sales / target."""
    net = _facts(ledger, None, as_of).net

    def actual(level: str, periods: set) -> pd.Series:
        return pd.concat([net[net[kind].isin(periods)].groupby([kind, level])["amount"].sum()  # not all history
                          .rename_axis(["period", level]) for kind in ("month", "quarter", "year")])
    return attainment_table(reference, actual)


def attainment_table(reference: Reference, actual: Callable) -> pd.DataFrame:
    """The attainment table, ``actual(level, periods)`` giving net sales by (period, rep / region)."""
    rep_targets, region_targets, _ = _targets(reference)
    periods = {*rep_targets.index.get_level_values("period"), *region_targets.index.get_level_values("period")}
    tables = []
    for level, targets in (("rep", rep_targets), ("region", region_targets)):
        table = targets.rename("target").to_frame()
        table["net_amount"] = actual(level, periods).reindex(table.index, fill_value=0)
        tables.append(table.reset_index())
    table = pd.concat(tables, ignore_index=True)
    homes = {r["name"]: r["region"] for r in reference.rep_index.values()}
    table["region"] = table["region"].fillna(table["rep"].map(homes))
    table = derive(table, ["attainment"]).sort_values(["period", "region", "rep"], na_position="first", ignore_index=True)
    return table[["period", "rep", "region", "target", "net_amount", "attainment"]]


@statistic("ranking", month=True)
def ranking(ledger, activity, reference: Reference, period: str | None = None, as_of=None,
            weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Reps ranked by a score.

    Score = Σ weight × scaled metric, over net_amount, attainment (against the rep's target for
    ``period``), conversion (contracts / visits) and collection_rate (of the contracts the rep signed
    in ``period``, the share of their net amount received up to ``as_of``). Default weights: 0.4, 0.3,
    0.15, 0.15, used as given. Each metric is min-max scaled across the reps of the table,
    (x − min) / (max − min), so the best rep scores 1 and the weakest 0 on it; when every rep has the
    same value they all score 1; a rep without the figure (no target, no visits, nothing sold) scores 0.
    Rank 1 is the highest score; equal scores share a rank.
    """
    weights = DEFAULT_WEIGHTS if weights is None else weights
    unknown = set(weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise ValueError(f"unknown ranking metric(s): {sorted(unknown)}; use {sorted(DEFAULT_WEIGHTS)}")
    f, period = _facts(ledger, activity, as_of), _norm_period(period)
    table = _group(f, reference, "rep", period).set_index("rep")
    signed = within(f.book, period).groupby("rep")
    net = signed["amount"].sum() - signed["cancelled"].sum()
    table["collection_rate"] = signed["received"].sum() / net.where(net > 0)
    table["score"] = sum(w * _minmax(table[metric]) for metric, w in weights.items())
    table["rank"] = table["score"].rank(method="min", ascending=False).astype(int)
    table["region"] = table.index.map(_rep_regions(f.rows, reference))
    table = table.sort_values(["rank", "rep"]).reset_index()
    return table[["rank", "rep", "region", "net_amount", "attainment", "conversion", "collection_rate", "score"]]


def _minmax(metric: pd.Series) -> pd.Series:
    low, high = metric.min(), metric.max()
    scaled = (metric - low) / (high - low) if high > low else metric * 0 + 1
    return scaled.fillna(0)


@statistic("receivables")
def receivables(ledger, as_of) -> pd.DataFrame:
    """Contracts with money still owed as of ``as_of`` (outstanding: amount − cancelled − received,
    when positive) or owed back (refund_due, when negative), the due date, days past it and the
    aging bucket (未到期 when not yet due or no due date; blank for a refund)."""
    return aged(owing(per_contract(_facts(ledger, None, as_of).book)), as_of)


def per_contract(book: pd.DataFrame) -> pd.DataFrame:
    """``book``'s lines as one row per contract: what the receivables show of it but the days overdue."""
    return book.groupby("contract_no", as_index=False, sort=False).agg(
        customer=("customer", "first"), phone=("phone", "first"), rep=("rep", "first"), region=("region", "first"),
        signed=("date", "min"), amount=("amount", "sum"), cancelled=("cancelled", "sum"),
        received=("received", "sum"), outstanding=("outstanding", "sum"), refund_due=("refund_due", "sum"),
        due_date=("due_date", "min"))


def owing(contracts: pd.DataFrame) -> pd.DataFrame:
    """The contracts (`per_contract`) with money owed either way. Taken before the rest is computed:
    the table of every contract goes first (on three years 131,000 contracts, 12 MB a copy; a third
    copy set 总表's high-water mark)."""
    return contracts[(contracts["outstanding"].round(2) > 0) | (contracts["refund_due"].round(2) > 0)]


def aged(owed: pd.DataFrame, as_of) -> pd.DataFrame:
    """The receivables of the contracts ``owed`` (`owing`): their days past due as of ``as_of`` and aging."""
    owes = owed["outstanding"].round(2) > 0
    late = (pd.Timestamp(as_of) - owed["due_date"]).dt.days.where(owes)  # a refund is never overdue
    days = late.clip(lower=0).fillna(0).astype(int)
    aging = pd.cut(days, [-1, 0, 30, 60, 90, float("inf")], labels=AGING).astype(str)
    return owed.assign(days_overdue=days, aging=aging.where(owes, None)).sort_values(
        ["signed", "contract_no"], ignore_index=True)


@statistic("collection")
def collection_list(ledger, as_of, receivables: pd.DataFrame | None = None) -> pd.DataFrame:
    """The contracts to chase: past due with money owed, the largest amounts first; from the
    ``receivables`` table when it is computed already."""
    owed = _receivables(ledger, as_of) if receivables is None else receivables
    overdue = owed[owed["days_overdue"] > 0].sort_values(["outstanding", "days_overdue"], ascending=False)
    return overdue[["contract_no", "customer", "phone", "rep", "region", "outstanding", "due_date",
                    "days_overdue", "aging"]].reset_index(drop=True)


_receivables = receivables


@statistic("aging")
def aging_by_region(receivables: pd.DataFrame) -> pd.DataFrame:
    """Region × aging bucket outstanding (a column per bucket): the data of the aging chart."""
    wide = receivables.pivot_table(index="region", columns="aging", values="outstanding",
                                         aggfunc="sum", fill_value=0, observed=False)
    return wide.reindex(columns=list(AGING), fill_value=0).rename_axis(columns=None).reset_index()


@statistic("prices")
def price_analysis(ledger, reference: Reference, period: str | None = None, as_of=None) -> pd.DataFrame:
    """Per product, over contract lines (as signed, before cancellations): units, the average
    contracted unit price (amount / qty), list and floor price, discount = 1 − average / list price,
    and the number of lines signed below the floor price."""
    lines = within(_facts(ledger, None, as_of).rows.query("deal == 'contract'"), _norm_period(period))
    prices = reference.products.set_index("product")[["list_price", "floor_price"]]
    unit = lines["unit_price"].fillna(lines["amount"] / lines["qty"])
    lines = lines.assign(below=unit < lines["product"].map(prices["floor_price"]))
    signed = lines.groupby("product").agg(contract_qty=("qty", "sum"), amount=("amount", "sum"),
                                          below_floor=("below", "sum"))
    return price_table(reference, signed)


def price_table(reference: Reference, signed: pd.DataFrame) -> pd.DataFrame:
    """The price analysis from the contract lines by product: contract_qty, amount, below_floor."""
    prices = reference.products.set_index("product")[["list_price", "floor_price"]]
    table = prices.join(signed, how="outer").reindex(listed_first(prices.index, signed.index))
    table["avg_price"] = table["amount"] / table["contract_qty"].where(table["contract_qty"] > 0)
    table["discount"] = 1 - table["avg_price"] / table["list_price"].where(table["list_price"] > 0)
    table[["contract_qty", "below_floor"]] = table[["contract_qty", "below_floor"]].fillna(0)
    return table.rename_axis("product").reset_index()[
        ["product", "contract_qty", "avg_price", "list_price", "floor_price", "discount", "below_floor"]]


def _rep_regions(rows: pd.DataFrame, reference: Reference) -> dict:
    """Each rep's region: the reference's, else the one the rep's rows name."""
    from_rows = rows.dropna(subset=["rep", "region"]).drop_duplicates("rep").set_index("rep")["region"]
    return {**from_rows.to_dict(), **{r["name"]: r["region"] for r in reference.rep_index.values()}}


statistic("inventory")(inventory)
statistic("region_compare", month=True, by="region")(group_stats)
