"""The daily-report contract (spec §1–§2), declared once as data.

Readers, rules, templates and messages all take names, aliases, types and
deal-type requirements from here; nothing else spells a header.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # canonical zh-CN header: what templates write
    en: str
    type: str  # "date" | "text" | "number" | "money"
    aliases: tuple[str, ...] = ()
    required: bool = False  # the table is unusable without this column
    units_only: bool = False  # written on the reports of offices that sell units (spec §4) only


@dataclass(frozen=True)
class DealType:
    key: str
    zh: str
    en: str
    aliases: tuple[str, ...]
    needs: tuple[str, ...]  # each entry a key, or "a|b" for either
    units_only: bool = False  # a deal of offices that sell units (spec §4)


@dataclass(frozen=True)
class Sheet:
    """A sheet of the reference workbook."""

    key: str
    zh: str
    aliases: tuple[str, ...]
    columns: tuple[Column, ...] = field(default=())


COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", "Date", "date", ("成交日期", "業務日期", "业务日期")),
    Column("rep", "销售代表", "Sales Rep", "text", ("业务员", "销售员", "置业顾问", "銷售代表", "Rep")),
    Column("region", "区域", "Region", "text", ("片区", "大区", "區域")),
    Column("customer", "客户名称", "Customer", "text", ("客户", "客户姓名", "客戶名稱"), required=True),
    Column("phone", "联系电话", "Phone", "text", ("电话", "手机", "聯繫電話")),
    Column("product", "产品", "Product", "text", ("产品名称", "房源", "房号", "型号", "產品"), required=True),
    Column("deal_type", "业务类型", "Deal Type", "text", ("类型", "状态", "業務類型", "Type"), required=True),
    Column("qty", "数量", "Qty", "number", ("套数", "件数", "數量", "Quantity"), required=True),
    Column("unit_price", "单价", "Unit Price", "money", ("成交单价", "單價", "Price")),
    Column("amount", "金额", "Amount", "money", ("成交金额", "合同金额", "金額")),
    Column("received", "收款金额", "Received", "money", ("已收款", "本日收款", "收款金額")),
    Column("contract_no", "合同编号", "Contract No", "text", ("合同号", "订单号", "合同編號", "Contract Number")),
    Column("due_date", "约定付款日", "Due Date", "date", ("应付款日期", "約定付款日")),
    Column("note", "备注", "Note", "text", ("客户意见", "備註", "Remarks")),
    Column("from_unit", "原房号", "From Unit", "text", ("原房源", "換房前房號", "换房前房号"), units_only=True),
)
BY_KEY = {c.key: c for c in COLUMNS}
# What a product office's report and template show: every column but the units' own.
PRODUCT_OFFICE_COLUMNS = tuple(c.key for c in COLUMNS if not c.units_only)
# A table needs a price: either column will do, the other is derived.
PRICE_COLUMNS = ("amount", "unit_price")
MONEY = tuple(c.key for c in COLUMNS if c.type in ("number", "money"))
DATES = tuple(c.key for c in COLUMNS if c.type == "date")

# The header row is the first with at least this many known headers.
MIN_HEADERS = 3

TITLE_FIELDS: tuple[Column, ...] = (
    Column("report_date", "报表日期", "Report Date", "date", ("日期", "填报日期", "報表日期", "Date")),
    Column("rep", "销售代表", "Sales Rep", "text", ("填报人", "业务员", "銷售代表", "Rep")),
    Column("region", "区域", "Region", "text", ("片区", "區域")),
    Column("visits", "来访量", "Visits", "number", ("来访客户数", "客户来访量", "來訪量")),
    Column("calls", "来电量", "Calls", "number", ("咨询电话量", "来电数", "來電量")),
)

DEAL_TYPES: tuple[DealType, ...] = (
    DealType("lead", "意向", "lead", ("意向书",), ("customer", "product")),
    DealType("order", "认购", "order", ("定", "定单", "订单", "下单", "認購"),
             ("customer", "product", "qty", "unit_price|amount")),
    DealType("contract", "签约", "contract", ("成交", "合同", "簽約"),
             ("customer", "product", "qty", "unit_price|amount", "contract_no")),
    DealType("cancel", "退订", "cancel", ("退", "退房", "退货", "退訂"), ("contract_no", "qty|amount")),
    DealType("payment", "回款", "payment", ("收款",), ("contract_no", "received")),
    DealType("exchange", "换房", "exchange", ("换", "換房"), ("contract_no", "product", "from_unit", "amount"),
             units_only=True),
)
DEALS = {d.key: d for d in DEAL_TYPES}

TOTAL_LABELS = ("合计", "小计", "总计", "合計", "小計", "總計", "Total", "Subtotal", "Sum")

REFERENCE_SHEETS: tuple[Sheet, ...] = (
    Sheet("reps", "销售代表", ("业务员", "銷售代表", "Reps", "Sales Reps"), (
        Column("name", "姓名", "Name", "text", ("销售代表", "业务员"), required=True),
        Column("region", "区域", "Region", "text", ("片区", "大区", "區域"), required=True),
        Column("active", "在职", "Active", "text", ("是否在职", "在職")),
        Column("hired", "入职日期", "Hired", "date", ("入職日期", "Hire Date")),
        Column("email", "邮箱", "Email", "text", ("电子邮件", "郵箱", "E-mail")),
    )),
    Sheet("products", "产品价目", ("产品", "价目表", "產品價目", "Products", "Price List"), (
        Column("product", "产品", "Product", "text", ("产品名称", "房源", "房号", "型号", "產品"), required=True),
        Column("category", "类别", "Category", "text", ("类型", "類別")),
        Column("list_price", "标准价", "List Price", "money", ("标准单价", "單價", "标准價", "Price"), required=True),
        Column("floor_price", "最低价", "Floor Price", "money", ("底价", "最低價")),
        Column("opening_stock", "期初库存", "Opening Stock", "number", ("库存", "期初庫存", "Inventory")),
    )),
    Sheet("targets", "销售目标", ("目标", "指标", "銷售目標", "Targets"), (
        Column("period", "期间", "Period", "text", ("期間", "月份"), required=True),
        Column("rep", "销售代表", "Sales Rep", "text", ("业务员", "銷售代表", "Rep")),
        Column("region", "区域", "Region", "text", ("片区", "區域")),
        Column("target", "目标金额", "Target", "money", ("目标", "指标", "目標金額", "Amount"), required=True),
    )),
    Sheet("units", "房源表", ("房源", "房源清单", "房源表格", "Units"), (
        Column("unit", "房号", "Unit", "text", ("房源", "单元", "房源编号", "房號"), required=True),
        Column("building", "楼栋", "Building", "text", ("栋号", "楼号", "樓棟")),
        Column("floor", "楼层", "Floor", "number", ("层", "樓層")),
        Column("layout", "户型", "Layout", "text", ("戶型",)),
        Column("area", "面积", "Area", "number", ("建筑面积", "面積", "建築面積")),
        Column("list_price", "标准价", "List Price", "money", ("总价", "表价", "標準價"), required=True),
        Column("floor_price", "最低价", "Floor Price", "money", ("底价", "最低價")),
        Column("status", "状态", "Status", "text", ("狀態",)),
    )),
    Sheet("recipients", "收件人", ("收件人列表", "Recipients"), (
        Column("name", "姓名", "Name", "text", (), required=True),
        Column("title", "职务", "Title", "text", ("職務", "Position")),
        Column("email", "邮箱", "Email", "text", ("电子邮件", "郵箱", "E-mail"), required=True),
    )),
)
YES = ("是", "在职", "y", "yes", "true", "1", "√", "✓")
