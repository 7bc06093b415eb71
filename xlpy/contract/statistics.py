"""The statistics, declared once: every column a statistic shows (its kind; its label is
`column.<key>` of the catalogue) and every table of 总表 (its sheet, title, columns and chart).

A kind decides how a column is written everywhere (`xlpy.io.xlsx.KINDS`: number format and
width) and shown in the mail. The function that computes a table or a metric lives in
`xlpy.core.stats` under the same key; the sheets, the JSON of `xlpy stats`, the `XLPY_` formulas,
the 刷新统计 button and the mail take everything else from here. docs/design.md shows how a
statistic is added ("adding 客单价").
"""
from __future__ import annotations

from dataclasses import dataclass

from xlpy.contract import schema
from xlpy.contract.messages import both, say

KINDS = ("money", "count", "rate", "score", "number", "date", "datetime", "text")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # one of KINDS


def _columns(*specs) -> dict[str, Column]:
    """(key, kind) → the column, its labels `column.<key>` of the catalogue."""
    return {key: Column(key, *both(f"column.{key}"), *kind) for key, *kind in specs}


# the kind of a column of the report schema or the master's tables, by its type
KIND_OF_TYPE = {"money": "money", "number": "number", "date": "date", "datetime": "datetime", "text": "text",
                "int": "count"}
_PRODUCT_COLUMNS = next(s.columns for s in schema.REFERENCE_SHEETS if s.key == "products")

COLUMNS: dict[str, Column] = {
    # the report's and the reference's own columns keep the schema's headers
    **{c.key: Column(c.key, c.zh, c.en, KIND_OF_TYPE.get(c.type, "text"))
       for c in (*schema.TITLE_FIELDS, *schema.COLUMNS, *_PRODUCT_COLUMNS)},
    **_columns(
        ("day", "date"), ("month",), ("quarter",), ("year",), ("period",), ("reports", "count"),
        ("leads", "count"), ("orders", "count"), ("contracts", "count"), ("cancellations", "count"),
        ("net_qty", "number"), ("net_amount", "money"), ("outstanding", "money"), ("refund_due", "money"),
        ("conversion", "rate"), ("target", "money"), ("attainment", "rate"), ("avg_deal", "money"),
        ("prev_month", "money"), ("mom", "rate"), ("prev_year", "money"), ("yoy", "rate"),
        ("rank", "count"), ("score", "score"), ("collection_rate", "rate"),
        ("signed", "date"), ("amount", "money"), ("cancelled", "money"), ("days_overdue", "count"),
        ("aging",), ("remaining", "number"), ("building",), ("units_signed", "count"), ("units_remaining", "count"),
        ("contract_qty", "number"), ("avg_price", "money"), ("discount", "rate"), ("below_floor", "count"),
    ),
}

# The metrics of one group (`xlpy stats --by …`, `XLPY_STATS`, `XLPY_TABLE`), in their order.
# The first ones add up over rows (stats.base); the rest are computed from them (stats.DERIVED).
ADDITIVE = ("net_amount", "net_qty", "leads", "orders", "contracts", "cancellations", "received",
            "outstanding", "refund_due", "visits", "calls")
METRICS = (*ADDITIVE, "conversion", "target", "attainment", "avg_deal")


@dataclass(frozen=True)
class Chart:
    """A native chart beside its table: ``kind`` line | column | bar | stacked_bar; ``series`` the
    columns drawn (None: every column after the first); ``labels`` the category column (None: the
    first); ``axis`` the column whose label titles the value axis."""

    kind: str
    series: tuple[str, ...] | None = None
    labels: str | None = None
    axis: str | None = None


@dataclass(frozen=True)
class Table:
    """A table of 总表: computed by the function `xlpy.core.stats` registers under ``key``, shown
    on ``sheet`` under its title with ``columns`` (None: as computed — a pivot, whose columns after
    the first are money)."""

    key: str
    sheet: str
    zh: str
    en: str
    columns: tuple[str, ...] | None
    chart: Chart | None = None

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


SHEET_KEYS = ("daily", "monthly", "regions", "attainment", "ranking", "receivables", "inventory", "prices")
SHEETS = tuple(both(f"sheet.{k}") for k in SHEET_KEYS)  # (zh, en), in the workbook's order
_GROUP = ("leads", "orders", "contracts", "cancellations", "net_qty", "net_amount", "received", "visits", "calls")


def _table(key: str, sheet: str, *rest) -> Table:
    """A table on the sheet `sheet.<sheet>`, titled `table.<key>` of the catalogue."""
    return Table(key, say(f"sheet.{sheet}", "zh"), *both(f"table.{key}"), *rest)


TABLES: tuple[Table, ...] = (
    _table("daily", "daily", ("day", "rep", "region", "reports", *_GROUP)),
    _table("monthly_region", "monthly", ("month", "region", *_GROUP, "conversion")),
    _table("monthly_rep", "monthly", ("month", "rep", *_GROUP, "conversion")),
    _table("units_monthly", "monthly", ("month", "building", "net_amount", "units_signed", "units_remaining")),
    _table("region_performance", "regions",
           ("region", "month", "net_amount", "prev_month", "mom", "prev_year", "yoy")),
    _table("region_trend", "regions", None, Chart("line", axis="net_amount")),
    _table("region_compare", "regions", ("region", "net_amount", "target", "attainment", "contracts", "avg_deal"),
           Chart("column", series=("net_amount", "target"))),
    _table("attainment", "attainment", ("period", "rep", "region", "target", "net_amount", "attainment")),
    _table("ranking", "ranking",
           ("rank", "rep", "region", "net_amount", "attainment", "conversion", "collection_rate", "score"),
           Chart("bar", series=("score",), labels="rep")),
    _table("receivables", "receivables",
           ("contract_no", "customer", "phone", "rep", "region", "signed", "amount", "cancelled", "received",
            "outstanding", "refund_due", "due_date", "days_overdue", "aging")),
    _table("collection", "receivables",
           ("contract_no", "customer", "phone", "rep", "region", "outstanding", "due_date", "days_overdue", "aging")),
    _table("aging", "receivables", None, Chart("stacked_bar", axis="outstanding")),
    _table("inventory", "inventory", ("product", "category", "opening_stock", "net_qty", "remaining")),
    _table("prices", "prices",
           ("product", "contract_qty", "avg_price", "list_price", "floor_price", "discount", "below_floor")),
)
TABLE = {t.key: t for t in TABLES}


def column(key) -> Column:
    """A column's declaration; keys not declared (a region's name heading a pivot) are money."""
    return COLUMNS.get(key) or Column(str(key), str(key), str(key), "money")


def label(key, lang: str = "zh") -> str:
    """A column's header; keys without a label (region names in a pivot) stand as they are."""
    c = COLUMNS.get(key)
    return str(key) if c is None else (c.en if lang == "en" else c.zh)


def sheet_name(zh: str, lang: str) -> str:
    return dict(SHEETS)[zh] if lang == "en" else zh
