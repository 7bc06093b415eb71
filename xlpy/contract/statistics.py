"""The statistics, declared once: every column a statistic shows (its zh and en label and its kind)
and every table of 总表 (its sheet, title, columns and chart).

A kind decides how a column is written everywhere (`xlpy.io.xlsx.KINDS`: number format and
width) and shown in the mail. The function that computes a table or a metric lives in
`xlpy.core.stats` under the same key; the sheets, the JSON of `xlpy stats`, the `XLPY_` formulas,
the 刷新统计 button and the mail take everything else from here. docs/design.md shows how a
statistic is added ("adding 客单价").
"""
from __future__ import annotations

from dataclasses import dataclass

from xlpy.contract import schema

KINDS = ("money", "count", "rate", "score", "number", "date", "datetime", "text")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"  # one of KINDS


def _columns(*specs) -> dict[str, Column]:
    return {s[0]: Column(*s) for s in specs}


# the kind of a column of the report schema or the master's tables, by its type
KIND_OF_TYPE = {"money": "money", "number": "number", "date": "date", "datetime": "datetime", "text": "text",
                "int": "count"}
_PRODUCT_COLUMNS = next(s.columns for s in schema.REFERENCE_SHEETS if s.key == "products")

COLUMNS: dict[str, Column] = {
    # the report's and the reference's own columns keep the schema's headers
    **{c.key: Column(c.key, c.zh, c.en, KIND_OF_TYPE.get(c.type, "text"))
       for c in (*schema.TITLE_FIELDS, *schema.COLUMNS, *_PRODUCT_COLUMNS)},
    **_columns(
        ("day", "日期", "Date", "date"), ("month", "月份", "Month"), ("quarter", "季度", "Quarter"),
        ("year", "年度", "Year"), ("period", "期间", "Period"),
        ("reports", "日报份数", "Reports", "count"),
        ("leads", "意向数", "Leads", "count"), ("orders", "认购数", "Orders", "count"),
        ("contracts", "签约数", "Contracts", "count"), ("cancellations", "退订数", "Cancellations", "count"),
        ("net_qty", "净销量", "Net Units", "number"), ("net_amount", "净销售额", "Net Sales", "money"),
        ("outstanding", "未收金额", "Outstanding", "money"), ("refund_due", "应退金额", "Refund Due", "money"),
        ("conversion", "转化率", "Conversion", "rate"), ("target", "目标金额", "Target", "money"),
        ("attainment", "完成率", "Attainment", "rate"), ("avg_deal", "客单价", "Average Deal", "money"),
        ("prev_month", "上月净销售额", "Previous Month", "money"), ("mom", "环比", "MoM Change", "rate"),
        ("prev_year", "去年同期", "Same Month Last Year", "money"), ("yoy", "同比", "YoY Change", "rate"),
        ("rank", "排名", "Rank", "count"), ("score", "综合得分", "Score", "score"),
        ("collection_rate", "回款率", "Collection Rate", "rate"),
        ("signed", "签约日期", "Signed", "date"), ("amount", "合同金额", "Contract Amount", "money"),
        ("cancelled", "已退金额", "Cancelled", "money"), ("days_overdue", "逾期天数", "Days Overdue", "count"),
        ("aging", "账龄", "Aging"), ("remaining", "剩余库存", "Remaining", "number"),
        ("building", "楼栋", "Building"), ("units_signed", "签约套数", "Units Signed", "count"),
        ("units_remaining", "月末余房", "Units Remaining", "count"),
        ("contract_qty", "签约数量", "Contracted Qty", "number"),
        ("avg_price", "平均成交单价", "Avg Unit Price", "money"), ("discount", "折扣率", "Discount", "rate"),
        ("below_floor", "低于最低价笔数", "Lines Below Floor", "count"),
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


SHEETS = (  # (zh, en), in the workbook's order
    ("日报汇总", "Daily Summary"), ("月度汇总", "Monthly Summary"), ("区域业绩", "Regions"), ("目标完成", "Attainment"),
    ("销售排名", "Ranking"), ("应收账款", "Receivables"), ("库存", "Inventory"), ("价格分析", "Prices"),
)
_GROUP = ("leads", "orders", "contracts", "cancellations", "net_qty", "net_amount", "received", "visits", "calls")

TABLES: tuple[Table, ...] = (
    Table("daily", "日报汇总", "日报汇总（每日 × 销售代表）", "Daily summary (day × rep)",
          ("day", "rep", "region", "reports", *_GROUP)),
    Table("monthly_region", "月度汇总", "月度汇总（按区域）", "Monthly summary by region",
          ("month", "region", *_GROUP, "conversion")),
    Table("monthly_rep", "月度汇总", "月度汇总（按销售代表）", "Monthly summary by rep",
          ("month", "rep", *_GROUP, "conversion")),
    Table("units_monthly", "月度汇总", "房源月度汇总（按楼栋）", "Units by month and building",
          ("month", "building", "net_amount", "units_signed", "units_remaining")),
    Table("region_performance", "区域业绩", "区域业绩（环比、同比）", "Regional performance (MoM, YoY)",
          ("region", "month", "net_amount", "prev_month", "mom", "prev_year", "yoy")),
    Table("region_trend", "区域业绩", "各区域月度净销售额", "Monthly net sales by region", None,
          Chart("line", axis="net_amount")),
    Table("region_compare", "区域业绩", "本月各区域对比", "Regions this month",
          ("region", "net_amount", "target", "attainment", "contracts", "avg_deal"),
          Chart("column", series=("net_amount", "target"))),
    Table("attainment", "目标完成", "目标完成情况", "Target attainment",
          ("period", "rep", "region", "target", "net_amount", "attainment")),
    Table("ranking", "销售排名", "销售排名", "Sales ranking",
          ("rank", "rep", "region", "net_amount", "attainment", "conversion", "collection_rate", "score"),
          Chart("bar", series=("score",), labels="rep")),
    Table("receivables", "应收账款", "应收账款", "Receivables",
          ("contract_no", "customer", "phone", "rep", "region", "signed", "amount", "cancelled", "received",
           "outstanding", "refund_due", "due_date", "days_overdue", "aging")),
    Table("collection", "应收账款", "催款名单", "Collection list",
          ("contract_no", "customer", "phone", "rep", "region", "outstanding", "due_date", "days_overdue", "aging")),
    Table("aging", "应收账款", "账龄分布（按区域）", "Aging by region", None,
          Chart("stacked_bar", axis="outstanding")),
    Table("inventory", "库存", "库存", "Inventory",
          ("product", "category", "opening_stock", "net_qty", "remaining")),
    Table("prices", "价格分析", "价格分析", "Price analysis",
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
