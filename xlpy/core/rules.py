"""Validation rules: declared as data in contract/rules.py (id, severity; the message is
`rule.<id>` of the catalogue), checked by small functions over a read report. No file I/O here.

Every message names the value found and what was expected. A cell that did not
parse is reported once, by its parse rule, and no other rule judges it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from xlpy.contract import schema
from xlpy.contract.config import Settings
from xlpy.contract.messages import Msg, say
from xlpy.contract.rules import ERROR, NOTICE, RULES, WARNING  # noqa: F401  (callers take them from here too)
from xlpy.core import units, values
from xlpy.core.reference import Reference
from xlpy.core.report import Report, Table, address

EXCEL_CELL_LIMIT = 32_767  # characters; xlsxwriter cuts longer text short
TEXT_KEYS = tuple(c.key for c in schema.COLUMNS if c.type == "text")
NEEDS = {key: tuple(tuple(need.split("|")) for need in deal.needs) for key, deal in schema.DEALS.items()}  # "a|b": either


@dataclass
class Issue:
    rule: str
    sheet: str | None = None
    cell: str | None = None
    column: str | None = None
    value: object = None
    params: dict = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    def message(self, lang: str = "zh") -> str:
        params = {k: v.render(lang) if isinstance(v, (Msg, Names)) else v for k, v in self.params.items()}
        return say(f"rule.{self.rule}", lang, value=_show(self.value), column=column_name(self.column, lang), **params)


def column_name(key: str | None, lang: str = "zh") -> str:
    col = schema.BY_KEY.get(key) or next((c for c in schema.TITLE_FIELDS if c.key == key), None)
    if col is None:
        return key or ""
    return col.en if lang == "en" else col.zh


def deal_name(key: str | None, lang: str = "zh") -> str:
    deal = schema.DEALS.get(key)
    if deal is None:
        return say("rule.any-deal", lang)
    return deal.en if lang == "en" else deal.zh


@dataclass(frozen=True)
class Names:
    """Schema names in an issue's parameters, rendered in the language the message is read in."""

    keys: tuple
    kind: str = "column"  # or "deal"

    def render(self, lang: str = "zh") -> str:
        name = column_name if self.kind == "column" else deal_name
        return (", " if lang == "en" else "、").join(name(k, lang) for k in self.keys)


def _deal(key: str | None) -> Names:
    return Names((key,), "deal")


def _show(value) -> str:
    if isinstance(value, (int, float)) and abs(value) >= values.LIMIT:
        return f"{value:g}"  # 1e308, not three hundred digits
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return "" if value is None else str(value)


@dataclass(kw_only=True)
class Context:
    """What the rules compare against; ``today`` is the command's day, decided by its caller."""

    today: dt.date
    reference: Reference | None = None
    settings: Settings = field(default_factory=Settings)
    lang: str = "zh"


# ---------------------------------------------------------------- checks


def check_report(report: Report, ctx: Context) -> list[Issue]:
    """Every issue of one report, file-level first, then in sheet and row order."""
    if report.unreadable is not None:
        e = report.unreadable
        return [Issue("unreadable", params={"reason": Msg(e.code, {"detail": e.detail})})]
    if not report.tables:
        return [Issue("no-table", params={"minimum": schema.MIN_HEADERS,
                                          "expected": Names(tuple(c.key for c in schema.COLUMNS if c.required))})]
    issues = []
    for table in report.tables:
        columns = list(_check_columns(table))
        issues += columns
        if any(i.rule == "missing-columns" for i in columns):
            continue
        issues += _check_activity(table)
        issues += _check_cells(table)
        issues += _check_rows(table, report, ctx)
        issues += _check_totals(table, ctx)
    return issues


def _check_columns(table: Table):
    missing = [c for c in schema.COLUMNS if c.required and c.key not in table.columns]
    if not any(k in table.columns for k in schema.PRICE_COLUMNS):
        missing.append(schema.BY_KEY["amount"])
    if missing:
        yield Issue("missing-columns", table.sheet, None, params={
            "missing": Names(tuple(c.key for c in missing)),
            "expected": Names(tuple(c.key for c in schema.COLUMNS if c.required or c.key == "amount")),
            "found": "、".join([*table.headers.values(), *table.extras])})
        return
    for header, col in table.extras.items():
        yield Issue("extra-column", table.sheet, address(col, table.header_row), value=header)


def _check_activity(table: Table):
    for key in ("visits", "calls"):
        tv = table.title.get(key)
        if tv is None or values.is_blank(tv.raw):
            yield Issue("activity-missing", table.sheet, tv.cell if tv else None, key)
        elif tv.value is None or tv.value < 0 or tv.value != int(tv.value):
            yield Issue("activity-invalid", table.sheet, tv.cell, key, tv.raw)


def _check_cells(table: Table):
    for (row, key), (raw, kind) in table.bad.items():
        limit = {"limit": f"{values.LIMIT:,.0f}"} if kind == "too-large" else {}
        yield Issue(kind, table.sheet, table.cell(key, row), key, raw, limit)


def _check_rows(table: Table, report: Report, ctx: Context):
    bad = {(row, key) for row, key in table.bad}
    ref, tol = ctx.reference, ctx.settings
    sells_units = ref is not None and ref.sells_units
    for rec in table.records:
        row = rec["row"]
        if sells_units and rec["qty"] is None and (row, "qty") not in bad \
                and rec["product"] and values.norm(rec["product"]) not in ref.product_index:
            rec["qty"] = 1.0  # a unit is sold one at a time (spec §4); the reader cannot know it is a unit

        def issue(rule, key, value=None, **params):
            return Issue(rule, table.sheet, table.cell(key, row), key, value, params)

        def present(key):
            return rec.get(key) is not None or (row, key) in bad

        for key in TEXT_KEYS:
            if rec[key] is not None and len(rec[key]) > EXCEL_CELL_LIMIT:
                yield issue("text-too-long", key, rec[key][:20] + "…", length=len(rec[key]), limit=EXCEL_CELL_LIMIT)
        deal = rec["deal"]
        for key in ("date", "rep"):
            if not present(key):
                yield issue("required-field", key, deal=_deal(None))
        if not present("deal_type"):
            yield issue("required-field", "deal_type", deal=_deal(None))
        elif rec["deal_type"] is not None and deal is None:
            yield issue("unknown-deal-type", "deal_type", rec["deal_type"],
                        expected=Names(tuple(schema.DEALS), "deal"))
        elif deal is not None:
            for keys in NEEDS[deal]:
                if keys == ("contract_no",):
                    if not present("contract_no"):
                        yield issue("missing-contract-no", "contract_no", deal=_deal(deal))
                elif not any(present(k) for k in keys):
                    yield issue("required-field", keys[0], deal=_deal(deal))
        yield from _check_money(rec, deal, issue, tol)
        yield from _check_dates(rec, report, issue, ctx)
        if ref is not None:
            yield from _check_reference(rec, deal, issue, ref, sells_units)


def _tolerance(amount: float, settings: Settings) -> float:
    return max(settings.amount_tolerance, abs(amount) * settings.amount_tolerance_pct / 100)


def _check_money(rec, deal, issue, settings: Settings):
    for key in schema.MONEY:
        if rec.get(key) is not None and rec[key] < 0:
            yield issue("negative", key, rec[key])
    qty, price, amount, received = rec["qty"], rec["unit_price"], rec["amount"], rec["received"]
    if None not in (qty, price, amount):
        expected = qty * price
        if abs(expected - amount) > _tolerance(amount, settings):
            yield issue("amount-mismatch", "amount", amount, expected=_show(expected),
                        tolerance=_show(_tolerance(amount, settings)))
    row_amount = amount if amount is not None else (qty * price if None not in (qty, price) else None)
    if deal in ("lead", "order", "contract") and received is not None and row_amount is not None \
            and received > row_amount + settings.amount_tolerance:
        yield issue("received-exceeds-amount", "received", received, expected=_show(row_amount))


def _check_dates(rec, report: Report, issue, ctx: Context):
    day = rec["date"]
    if day is None:
        return
    if day > ctx.today:
        yield issue("future-date", "date", day, expected=ctx.today.isoformat())
    elif report.report_date and abs((day - report.report_date).days) > ctx.settings.far_date_days:
        yield issue("far-date", "date", day, expected=report.report_date.isoformat(),
                    days=abs((day - report.report_date).days))


def _check_reference(rec, deal, issue, ref: Reference, sells_units: bool):
    rep = ref.rep_index.get(values.norm(rec["rep"])) if rec["rep"] else None
    if rec["rep"] and rep is None:
        yield issue("unknown-rep", "rep", rec["rep"])
    elif rep is not None and not rep["active"]:
        yield issue("inactive-rep", "rep", rec["rep"])
    region = rec["region"]
    if region and values.norm(region) not in ref.regions:
        yield issue("unknown-region", "region", region, expected="、".join(ref.regions.values()))
    elif region and rep is not None and values.norm(region) != values.norm(rep["region"]):
        yield issue("rep-region", "region", region, rep=rec["rep"], expected=rep["region"])
    for key in ("product", "from_unit") if sells_units else ():
        yield from _check_unit(rec, key, ref, issue)
    if rec["product"]:
        product = ref.product_index.get(values.norm(rec["product"])) or ref.unit(rec["product"])
        if product is None:
            if deal != "payment" and not sells_units:
                yield issue("unknown-product", "product", rec["product"])
        elif deal in ("order", "contract") and product.get("floor_price") is not None:
            price = rec["unit_price"]
            if price is None and rec["amount"] is not None and rec["qty"]:
                price = rec["amount"] / rec["qty"]
            if price is not None and price < product["floor_price"]:
                yield issue("below-floor", "unit_price", price, product=rec["product"],
                            expected=_show(product["floor_price"]))


def _check_unit(rec: dict, key: str, ref: Reference, issue):
    """In an office that sells units, a unit named on a row must be one of the 房源表 and for sale."""
    text = rec.get(key)
    if not text or key == "product" and (rec["deal"] == "payment" or values.norm(text) in ref.product_index):
        return
    unit = ref.unit(text)
    if unit is None:
        yield issue("unknown-unit", key, text)
    elif unit["status"] in ("withheld", "sold") and rec["deal"] in ("order", "contract", "exchange"):
        yield issue("unit-not-for-sale", key, text, status=units.STATUS_NAMES[unit["status"]][0])


def _check_totals(table: Table, ctx: Context):
    """A total row adds up the rows since the previous total row (a subtotal), or all
    rows above it (a grand total under subtotals)."""
    start = 0
    for total_row, totals in table.totals:
        since = [r for r in table.records if start < r["row"] < total_row]
        above = [r for r in table.records if r["row"] < total_row]
        for key, value in totals.items():
            if value is None:
                continue
            sums = [sum(r[key] or 0 for r in part) for part in (since, above)]
            if all(abs(s - value) > _tolerance(value, ctx.settings) for s in sums):
                yield Issue("total-mismatch", table.sheet, address(table.columns[key], total_row), key, value,
                            {"expected": _show(sums[0])})
        start = total_row


def records(frame) -> list[dict]:
    """Rows as dicts with None (not NaN) for blanks."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def report_order(report: Report) -> tuple[str, str]:
    """The order the rules across reports walk a batch in: report date, then file name."""
    return str(report.report_date or ""), report.path.name


def check_batch(reports: list[Report], signed: dict[str, str] | None = None) -> dict[str, list[Issue]]:
    """Rules across the reports of one batch: a contract number signed in two reports
    is flagged in the later one (by report date, then file name). ``signed`` (contract →
    report) carries what earlier parts of a batch signed, and is updated."""
    out: dict[str, list[Issue]] = {}
    signed = {} if signed is None else signed
    for report in sorted(reports, key=report_order):
        for table in report.tables:
            first_rows = {}
            for rec in table.records:
                if rec["deal"] == "contract" and rec["contract_no"]:
                    first_rows.setdefault(rec["contract_no"], rec["row"])
            for no, first in first_rows.items():
                key = values.norm(no)
                if key in signed and signed[key] != report.source:
                    out.setdefault(str(report.path), []).append(Issue(
                        "duplicate-contract", table.sheet, table.cell("contract_no", first), "contract_no", no,
                        {"other": signed[key]}))
                signed.setdefault(key, report.source)
    return out


# Errors that concern the whole file, not one deal row: they reject the whole report
# even when valid rows may be accepted.
FILE_LEVEL = {"unreadable", "no-table", "missing-columns", "activity-invalid", "total-mismatch"}


def accepted_rows(report: Report, issues: list[Issue], accept_valid_rows: bool = False) -> set[tuple[str, int]]:
    """(sheet, row) of the deal rows that may enter the record: all of them when there is
    no error; with ``accept_valid_rows``, those without an error unless an error concerns
    the whole file (a file-level rule, or a title cell every row defaults from); else none."""
    rows = {(rec["sheet"], rec["row"]) for t in report.tables for rec in t.records}
    bad = set()
    for issue in issues:
        if issue.severity != ERROR:
            continue
        digits = "".join(ch for ch in (issue.cell or "") if ch.isdigit())
        key = (issue.sheet, int(digits)) if digits else None
        if key not in rows or issue.rule in FILE_LEVEL or not accept_valid_rows:
            return set()
        bad.add(key)
    return rows - bad
