"""The XLPY_ worksheet functions (xlwings UDFs, imported into Excel by 导入函数).

Each function reads the office's consolidated record, loaded once and kept until one of its
files changes, looked at once per recalculation (`xlpy.excel.recalc`). It answers from the same
code as `xlpy stats` (`xlpy.stats`). Figures computed once for a record are remembered with it,
and indexed (`xlpy.excel.day_index`), so that a sheet full of formulas recalculates quickly.

The office is the one the calling workbook names (its OfficeFolder cell), else the folder in
the environment variable XLPY_OFFICE, else the current folder. A bad argument gives a line of
text in the cell, "#XLPY! …", never a Python error.

xlwings passes the calling cell as the reserved argument ``caller`` (BSD xlwings, Windows);
elsewhere the decorators leave the functions as they are, plain Python functions.
The parameters carry no annotations on purpose: xlwings would take them as converters.
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
from pathlib import Path

import numpy as np
import pandas as pd
import xlwings as xw
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from xlpy.contract.messages import say, voice
from xlpy.core import contracts, periods, rules, stats, units, values
from xlpy.core.rules import Context
from xlpy.excel import errors
from xlpy.excel.book import Book, XwBook
from xlpy.excel.day_index import NUMBER, DayIndex, code_numbers
from xlpy.excel.recalc import ENV, Bad, Record, office_for, recalculation, record  # noqa: F401 - ENV: udfs.ENV
from xlpy.io import annotate, clock, reader

PREFIX = "#XLPY! "
NAMED = ("region", "rep", "product")  # the things XLPY_SALES can be narrowed to
COUNTS = ("leads", "orders", "contracts", "cancellations")  # whole numbers


text = voice("udf")


# ---------------------------------------------------------------- the wrapper


def _book_of(caller) -> Book | None:
    """The workbook of the calling cell (an xlwings Range), if Excel called."""
    return XwBook(caller.sheet.book) if caller is not None else None


def udf(func):
    """A worksheet function from ``func(record, *arguments)``: Excel sees the arguments and
    ``caller`` (xlwings fills it in), the function gets the caller's office record, and any
    failure becomes "#XLPY! …" text."""
    inner = inspect.signature(func)
    shown = inner.replace(parameters=[*list(inner.parameters.values())[1:],
                                      inspect.Parameter("caller", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)])

    @functools.wraps(func)
    def run(*args, **kwargs):
        lang, office, looked = "zh", None, recalculation.call()
        try:
            bound = shown.bind(*args, **kwargs)
            bound.apply_defaults()
            caller = bound.arguments.pop("caller")
            office = office_for(_book_of(caller), looked)
            rec = record(office, looked).as_of(clock.today())  # the call's day, decided once
            lang = rec.lang
            return func(rec, *bound.arguments.values())
        except Bad as e:  # an argument the user can fix: said in the cell, nothing to log
            return PREFIX + text(e.code, lang, **e.params)
        except Exception as e:  # noqa: BLE001 - a cell shows one line, never a traceback: that goes to the log
            logged = errors.write_failure(f"{func.__name__}{args!r}", office)
            return PREFIX + text("failed", lang, detail=f"{type(e).__name__}: {e}") + \
                (text("logged", lang, path=logged) if logged else "")
        finally:
            recalculation.done()

    run.__signature__ = shown  # what xlwings reads to declare the function to Excel
    return run


# ---------------------------------------------------------------- arguments


def period(value) -> str:
    """A canonical period ("2026-11", "2026-Q4", "2026") from text, a year, or a date (its month)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return periods.month_of(value)
    if _is_year(value):
        return str(int(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return periods.month_of(values.date(value))  # an Excel date serial
        except values.BadValue:
            raise Bad("bad-period", value=value) from None
    try:
        label = periods.parse(value)  # the parser of `xlpy stats --period`
    except periods.BadPeriod:
        raise Bad("bad-period", value=value) from None
    return periods.month_of(label) if periods.period_kind(label) == "day" else label


def _is_year(value) -> bool:
    """A whole number such as 2026 (a year, never the Excel date serial 2026, in 1905)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer() \
        and 1900 <= value <= 2999


def _is_period(value) -> bool:
    """A year or the text of a month, quarter or year (a day is a day, not a period)."""
    if _is_year(value):
        return True
    try:
        return isinstance(value, str) and periods.period_kind(periods.parse(value)) != "day"
    except periods.BadPeriod:
        return False


def window(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None, str | None]:
    """First and last day from ``start`` and ``end`` (dates or periods; blank = open), and the
    period when the window is exactly one (start a period, end blank or the same)."""
    first = last = one = None
    if not values.is_blank(start):
        first, last_of_start, one = _bounds(start)
        if values.is_blank(end):
            last = last_of_start
    if not values.is_blank(end):
        _, last, end_period = _bounds(end)
        one = one if one is not None and one == end_period else None
    if first is not None and last is not None and first > last:
        raise Bad("backwards", start=first.date(), end=last.date())
    return first, last, one


def _bounds(value) -> tuple[pd.Timestamp, pd.Timestamp, str | None]:
    """A period's first and last day and its label; a date is a day, and no period."""
    if _is_period(value):
        label = period(value)
        p = pd.Period(label.replace("-Q", "Q"))
        return p.start_time.normalize(), p.end_time.normalize(), label
    try:
        day = pd.Timestamp(values.date(value))
    except values.BadValue:
        raise Bad("bad-date", value=value) from None
    return day, day, None


def _spellings(rec: Record, kind: str) -> dict[str, str]:
    """Folded name → the spelling the record uses: the ledger's names and the reference's (whose spelling wins)."""
    def build():
        listed = {"rep": rec.reference.reps["name"], "region": rec.reference.reps["region"],
                  "product": rec.reference.products["product"]}[kind]
        spelled = {}
        for n in rec.ledger[kind].dropna()[::-1].unique():  # each distinct name once; the last row's spelling first
            spelled.setdefault(values.norm(n), n)
        return spelled | {values.norm(n): n for n in listed.dropna()}
    return rec.remember(("names", kind), build)


def name(rec: Record, kind: str, value) -> str:
    """The record's spelling of a region, rep or product; Bad when it knows no such name."""
    found = _spellings(rec, kind).get(values.norm(value))
    if found is None:
        choices = "、".join(sorted(set(_spellings(rec, kind).values()))) if kind == "region" else ""
        raise Bad(f"unknown-{kind}", value=value, choices=choices)
    return found


def _cell(value):
    """A value of a returned table: blanks empty, dates as dates, numpy numbers as Python ones."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------- the figures (plain functions)


def _record_facts(rec: Record):
    return rec.remember("facts", lambda: contracts.facts(rec.ledger, rec.activity, rec.day))


def _daily(rec: Record, dims: tuple[str, ...]) -> DayIndex:
    """The additive metrics per day and per ``dims`` (stats' own grouping), indexed by group."""
    def build():  # contracts and cancellations are counted over a window's distinct numbers (`_numbers`)
        summed = tuple(k for k in stats.ADDITIVE if k not in ("contracts", "cancellations"))
        table = stats.base(_record_facts(rec), [*dims, "day"], None, summed).reset_index()
        return DayIndex(table, dims, [k for k in summed if k in table])  # no visits by product
    return rec.remember(("daily", dims), build)


def _numbers(rec: Record, dims: tuple[str, ...]) -> dict[str, DayIndex]:
    """The contract numbers that contracts and cancellations count (as stats counts them: distinct
    numbers over the whole window, so a contract with rows on two days counts once)."""
    def coded():
        f, columns = _record_facts(rec), [*NAMED, "day", "contract_no"]  # not every column copied
        frames = {"contracts": f.rows.loc[f.rows["deal"] == "contract", columns], "cancellations": f.cancels[columns]}
        codes, count = code_numbers(*(frame["contract_no"] for frame in frames.values()))
        return {k: frame.assign(**{NUMBER: c}) for (k, frame), c in zip(frames.items(), codes)}, count

    def build():
        frames, count = rec.remember("numbers", coded)  # one coding for every grouping
        return {k: DayIndex(frame[[*dims, "day", NUMBER]], dims, [NUMBER], count) for k, frame in frames.items()}
    return rec.remember(("numbers", dims), build)


def _facts_in(rec: Record, period_: str | None) -> contracts.Facts:
    """The record's facts dated in ``period_`` (all of them for None), picked by day with one array
    comparison a frame, so that stats' own pick by period label looks at a month's rows, not at the
    whole history's: the same rows, ten times faster on three years."""
    if period_ is None:
        return _record_facts(rec)

    def build():
        f, (first, last) = _record_facts(rec), (np.datetime64(d) for d in periods.bounds(period_))
        return contracts.Facts(**{k: frame[(frame["day"].to_numpy() >= first) & (frame["day"].to_numpy() <= last)]
                                  for k, frame in vars(f).items()})
    return rec.remember(("facts", period_), build)


def _group(rec: Record, by: str, period_: str | None) -> pd.DataFrame:
    return rec.remember(("group", by, period_), lambda: stats.group_stats(
        _facts_in(rec, period_), None, rec.reference, by, period_, as_of=rec.day))


def sales(rec: Record, metric, region=None, rep=None, product=None, start=None, end=None):
    """A metric (one of stats.METRICS) of the record, narrowed to a region, rep and product and
    to the days from ``start`` to ``end``: the figure `xlpy stats` gives for the same group."""
    metric = str(metric or "").strip()
    if metric not in stats.METRICS:
        raise Bad("unknown-metric", value=metric, choices=", ".join(stats.METRICS))
    given = {kind: name(rec, kind, v) for kind, v in zip(NAMED, (region, rep, product)) if not values.is_blank(v)}
    first, last, one = window(start, end)
    if metric in ("target", "attainment"):
        return _against_target(rec, metric, given, one)
    if "product" in given and metric in ("visits", "calls", "conversion"):
        raise Bad("by-product")
    dims = tuple(k for k in NAMED if k in given)
    key = tuple(given[k] for k in dims)
    if metric in ("contracts", "cancellations"):
        return _numbers(rec, dims)[metric].distinct_numbers(key, first, last)
    if metric in stats.DERIVED:  # computed from the additive figures of the same group, as stats does
        figures = _Figures(lambda k: sales(rec, k, region, rep, product, start, end))
        value = stats.DERIVED[metric](figures)
        if pd.isna(value):
            raise Bad("no-visits" if metric == "conversion" else "no-figure", metric=stats.label(metric, rec.lang))
        return float(value)
    figures = _daily(rec, dims).window(key, first, last).get(metric, np.empty(0))
    total = np.nansum(figures.astype(float))
    return int(total) if metric in COUNTS else float(total)


class _Figures(dict):
    """The additive figures of one group, each computed when a derived metric first asks for it."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, key):
        self[key] = self.compute(key)
        return self[key]


def _against_target(rec: Record, metric: str, given: dict, one: str | None):
    """Target or attainment: of one rep or region (or everyone) for one period, as group_stats has it."""
    if one is None or "product" in given or len(given) > 1:
        raise Bad("needs-period")
    by, key = next(iter(given.items()), (periods.period_kind(one), one))
    value = _indexed(rec, ("group", by, one), _group(rec, by, one), by).get(key, {}).get(metric)
    if value is None or pd.isna(value):
        raise Bad("no-target", who=key if given else text("the-office", rec.lang), period=one)
    return float(value)


def _indexed(rec: Record, name: str, table: pd.DataFrame, by: str) -> dict:
    """A table's rows by their ``by`` value, kept with the record under ``name``."""
    return rec.remember(("rows", name), lambda: {r[by]: r for r in table.to_dict("records")})


def attainment(rec: Record, who, period_):
    """Net sales ÷ target of a rep or a region for a period."""
    p = period(period_)
    for kind in ("rep", "region"):
        try:
            key = name(rec, kind, who)
        except Bad:
            continue
        return _against_target(rec, "attainment", {kind: key}, p)
    raise Bad("rep-or-region", value=who)


def rank(rec: Record, rep, period_):
    """A rep's place in the ranking of a period (stats.ranking, the office's weights)."""
    p, rep = period(period_), name(rec, "rep", rep)
    # From the period's rows alone: the ranks are the same; its column of regions, named from any
    # ledger row, would not be, but is not read here.
    table = rec.remember(("ranking", p), lambda: stats.ranking(
        _facts_in(rec, p), None, rec.reference, p, rec.day, rec.settings.ranking_weights))
    row = _indexed(rec, ("ranking", p), table, "rep").get(rep)
    if row is None:
        raise Bad("not-ranked", rep=rep, period=p)
    return int(row["rank"])


def unit_status(rec: Record, unit, as_of=None) -> str:
    """A unit's status in words, as of ``as_of`` (default: the recalculation's day)."""
    found = rec.reference.unit(unit)
    if found is None:
        raise Bad("unknown-unit", value=unit)
    day = values.date(as_of, rec.day) if not values.is_blank(as_of) else rec.day
    history = rec.remember("unit-events", lambda: units.events(rec.ledger, set(rec.reference.unit_index)))
    board = units.board(rec.reference.units[rec.reference.units["key"] == found["key"]], history, day,
                        rec.settings.sign_within_days)
    row = board.iloc[0]
    status = units.STATUS_NAMES["reserved" if row["status"] == "reserved" else row["status"]][rec.lang == "en"]
    if row["overdue"]:
        status += say("unit.overdue-suffix", rec.lang)
    if row["contract_no"] is None:
        return status
    return text("unit-held", rec.lang, status=status, contract=row["contract_no"], customer=row["customer"] or "-",
                since=row["since"])


def outstanding(rec: Record, contract_or_customer=None):
    """Money still owed (stats.receivables): on everything, one contract, or one customer's contracts.
    A name is matched folded (`values.norm`); a customer's name before a contract number; a known
    name owing nothing owes 0."""
    def build():
        owed = stats.receivables(_owing(_record_facts(rec)), rec.day)
        by = {c: owed.groupby(owed[c].map(values.norm))["outstanding"].sum().to_dict() for c in ("contract_no", "customer")}
        return float(owed["outstanding"].sum()), by
    total, owed_by = rec.remember("receivables", build)
    if values.is_blank(contract_or_customer):
        return total
    key = values.norm(contract_or_customer)
    if key in owed_by["customer"] or key in _known(rec, "customer", None):
        return float(owed_by["customer"].get(key, 0.0))
    if key in owed_by["contract_no"] or key in _known(rec, "contract_no", contract_or_customer):
        return float(owed_by["contract_no"].get(key, 0.0))
    raise Bad("unknown-contract", value=contract_or_customer)


def _owing(f: contracts.Facts) -> contracts.Facts:
    """The facts with only the book lines of contracts that owe or are owed something: the
    receivables table sums each contract's lines and keeps those (the same rows, from the contracts
    still open rather than from every contract of the history)."""
    book = f.book
    owing = book["contract_no"][(book["outstanding"].to_numpy() > 0) | (book["refund_due"].to_numpy() > 0)]
    return contracts.Facts(**{**vars(f), "book": book[book["contract_no"].isin(owing.unique())]})


def _known(rec: Record, column: str, as_typed) -> set:
    """The folded names of a ledger column, each distinct name folded once; for a contract number
    typed exactly as recorded, the number as is (three years hold 100,000 of them: folding them
    all waits for a number typed otherwise)."""
    if column == "contract_no" and isinstance(as_typed, str) and as_typed in rec.remember(
            "numbers-as-recorded", lambda: set(rec.ledger[column].dropna().unique())):
        return {values.norm(as_typed)}
    return rec.remember(("folded", column), lambda: set(map(values.norm, rec.ledger[column].dropna().unique())))


def stats_table(rec: Record, by, period_=None) -> list[list]:
    """group_stats as rows under headers, in the office's language."""
    by = str(by or "").strip()
    if by not in stats.KEYS:
        raise Bad("unknown-by", value=by, choices=", ".join(stats.KEYS))
    p = None if values.is_blank(period_) else period(period_)

    def build():
        table = _group(rec, by, p)
        return [[stats.label(c, rec.lang) for c in table.columns],
                *([_cell(v) for v in row] for row in table.itertuples(index=False, name=None))]
    return rec.remember(("spilled", by, p), build)


def check(rec: Record, cells, sheet: str = "", origin: tuple[int, int] = (1, 1)) -> list[list] | str:
    """The issues `xlpy validate` finds in a report table given as a grid of cell values, cells
    named as on the sheet whose ``origin`` (row, column) the grid starts at."""
    grid = [list(row) if isinstance(row, (list, tuple)) else [row] for row in
            (cells if isinstance(cells, (list, tuple)) else [[cells]])]
    ctx = Context(reference=rec.reference, settings=rec.settings, today=rec.day, lang=rec.lang)
    report = reader.report_from_grids(Path(f"{sheet or 'XLPY_CHECK'}.xlsx"), [(sheet, grid)], rec.reference.rep_index,
                                     today=rec.day)
    issues = rules.check_report(report, ctx)
    if not issues:
        return text("no-issues", rec.lang)
    for issue in issues:
        issue.cell = _shift(issue.cell, origin)
    return [[_cell(v) for v in row] for row in annotate.issue_rows(issues, rec.lang)]


def _shift(cell: str | None, origin: tuple[int, int]) -> str | None:
    if not cell:
        return cell
    letters, row = coordinate_from_string(cell)
    return reader.address(column_index_from_string(letters) - 1 + origin[1] - 1, row + origin[0] - 1)


# ---------------------------------------------------------------- the worksheet functions


def described(about: str):
    """Give the function ``about`` as its description in Excel's function wizard (xlwings reads the
    docstring when the first `xw.arg` applies, so this goes right above `udf`)."""
    def describe(func):
        func.__doc__ = about
        return func
    return describe


@xw.func
@xw.arg("metric", doc=text("arg-metric", metrics=", ".join(stats.METRICS)))
@xw.arg("region", doc=text("arg-region"))
@xw.arg("rep", doc=text("arg-rep-optional"))
@xw.arg("product", doc=text("arg-product"))
@xw.arg("date_from", doc=text("arg-date-from"))
@xw.arg("date_to", doc=text("arg-date-to"))
@described(text("about-sales"))
@udf
def XLPY_SALES(rec, metric, region=None, rep=None, product=None, date_from=None, date_to=None):
    # Parameter names become VBA names in the wrapper 导入函数 writes: `end`, `to`, `date`... do not compile.
    return sales(rec, metric, region, rep, product, date_from, date_to)


@xw.func
@xw.arg("rep_or_region", doc=text("arg-rep-or-region"))
@xw.arg("period", doc=text("arg-period-any"))
@described(text("about-attainment"))
@udf
def XLPY_ATTAINMENT(rec, rep_or_region, period):
    return attainment(rec, rep_or_region, period)


@xw.func
@xw.arg("rep", doc=text("arg-rep"))
@xw.arg("period", doc=text("arg-period"))
@described(text("about-rank"))
@udf
def XLPY_RANK(rec, rep, period):
    return rank(rec, rep, period)


@xw.func
@xw.arg("contract_or_customer", doc=text("arg-contract-or-customer"))
@described(text("about-outstanding"))
@udf
def XLPY_OUTSTANDING(rec, contract_or_customer=None):
    return outstanding(rec, contract_or_customer)


@xw.func
@xw.arg("unit", doc=text("arg-unit"))
@xw.arg("as_of", doc=text("arg-as-of"))
@described(text("about-unit"))
@udf
def XLPY_UNIT(rec, unit, as_of=None):
    return unit_status(rec, unit, as_of)


@xw.func
@xw.arg("by", doc=text("arg-by", keys=", ".join(stats.KEYS)))
@xw.arg("period", doc=text("arg-period-optional"))
@described(text("about-stats"))
@udf
def XLPY_STATS(rec, by, period=None):
    # A plain list: Excel's dynamic arrays spill it; xlwings' expand= would turn the
    # formula into a legacy array formula instead.
    return stats_table(rec, by, period)


@xw.func
@xw.arg("cells", xw.Range, doc=text("arg-cells"))
@described(text("about-check"))
@udf
def XLPY_CHECK(rec, cells):
    if isinstance(cells, xw.Range):  # from Excel: its values, and where it is, so that cells are named as seen
        return check(rec, cells.options(ndim=2).value, cells.sheet.name, (cells.row, cells.column))
    return check(rec, cells)
