"""The demo office (`xlpy demo`): three weeks of daily reports filled the way people fill
them, with a handful of deliberate mistakes whose cells are known in advance.

Everything is drawn from one seeded random generator, so a seed and a day give the same
office; the mistakes (kind, file, cell) do not depend on the day.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from openpyxl import load_workbook

from xlpy.app import consolidate, validate
from xlpy.app.demo_data import PRODUCTS, REPS
from xlpy.app.office import init_office
from xlpy.contract import config, schema
from xlpy.contract.messages import pick
from xlpy.core.rules import ERROR, WARNING, Context
from xlpy.io import store
from xlpy.io.annotate import annotate_results
from xlpy.io.reader import address
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

SHEET = "日报"
EXCEL_ERROR = "#NAME?"
WORKING_DAYS = 15
# A dealer network: customers are shops and contractors in the region's cities.
CITIES = {"华东": ("上海", "杭州", "南京", "苏州", "宁波"), "华南": ("广州", "深圳", "东莞", "佛山", "厦门"),
          "华北": ("北京", "天津", "济南", "石家庄", "太原")}
BRANDS = ("恒达", "美家", "新世纪", "百联", "佳乐", "宏图", "万家", "金鼎", "安居", "顺发", "华强", "鑫源")
KINDS = ("电器有限公司", "家电商行", "建材经营部", "装饰工程有限公司", "电器城", "五金机电店")
REMARKS = ("客户比较了几家价格，下周再联系", "要求送货上门并安装", "关注售后服务年限", "希望月底前到货",
           "样品已看过，较满意", "想要更低的批发价", "准备给新楼盘配套", "")
PAYMENT_NOTES = ("银行转账", "对公转账", "承兑汇票", "")
# Columns as some reps rearrange them: rep and region left to the title.
REORDERED = ("customer", "phone", "product", "deal_type", "contract_no", "qty", "unit_price", "amount",
             "received", "due_date", "date", "note")
# Headers written with an alias instead of the canonical name: key → index in the schema's aliases.
ALIASES = {"rep": 0, "customer": 0, "product": 0, "amount": 0, "received": 1, "note": 0}
UNITS = {"unit_price": "（元）", "amount": "（元）", "received": "(元)"}
DEAL_ALIASES = {"lead": (0,), "order": (2, 3), "contract": (0, 1), "cancel": (2,), "payment": (0,)}
TEXT_DATES = ("{d.year}年{d.month}月{d.day}日", "{d.year}/{d.month}/{d.day}", "{d.year}.{d.month:02d}.{d.day:02d}")

# (working day from the start, rule): one file each. -1 is the last day, where a future date is near.
PLANTED = ((1, "unknown-product"), (3, "amount-mismatch"), (4, "bad-number"), (6, "missing-contract-no"),
           (8, "below-floor"), (9, "excel-error"), (10, "duplicate-contract"), (12, "total-mismatch"),
           (-1, "future-date"))


@dataclass(frozen=True)
class Mistake:
    """A planted mistake, where validation must report it."""

    file: str
    rule: str
    sheet: str
    cell: str


@dataclass
class DemoOffice:
    """What build_demo made: the folder, its working days, reps, reports and planted mistakes."""

    dir: Path
    today: dt.date
    days: list[dt.date]
    reps: list[str]
    files: list[Path]
    mistakes: list[Mistake]


@dataclass
class _Line:
    """One product line of a signed contract, with what happened to it since."""

    no: str
    rep: str
    day: dt.date
    customer: str
    product: str
    qty: int
    price: int
    received: float
    cancelled: int = 0

    @property
    def outstanding(self) -> float:
        return (self.qty - self.cancelled) * self.price - self.received


@dataclass
class _Style:
    """How one rep fills one file."""

    columns: tuple[str, ...]
    headers: dict[str, str]
    text_dates: str | None  # a TEXT_DATES pattern, or None for Excel dates
    text_money: bool
    fill_dates: bool
    blank_row: bool
    total_row: bool
    name: str


# ---------------------------------------------------------------- building


def build_demo(dir: Path, today: dt.date, lang: str = "zh", seed: int = 2026,
               days: int = WORKING_DAYS) -> DemoOffice:
    """An office in ``dir`` with one report per active rep per working day, the last
    working day on or before ``today``."""
    if days < WORKING_DAYS:
        raise ValueError(f"the demo needs at least {WORKING_DAYS} working days to plant its mistakes")
    dir = Path(init_office(dir, today, lang))
    reps = [name for name, _, active, *_ in REPS if active == "是"]
    office = DemoOffice(dir, today, working_days(today, days), reps, [], [])
    _Generator(random.Random(seed), office, config.load(dir).path("inbox")).run()
    return office


def working_days(end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` weekdays up to ``end``, oldest first."""
    out, day = [], end
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out[::-1]


class _Generator:
    def __init__(self, rng: random.Random, office: DemoOffice, inbox: Path):
        self.rng, self.office, self.inbox = rng, office, inbox
        self.region = {name: region for name, region, *_ in REPS}
        self.customers = {name: [self._customer(self.region[name]) for _ in range(6)] for name in office.reps}
        self.lines: list[_Line] = []
        self.serial = 0
        planted = {(len(office.days) + d) % len(office.days): rule for d, rule in PLANTED}
        self.planted = {day: (rng.choice(office.reps), rule) for day, rule in sorted(planted.items())}

    def run(self) -> None:
        for i, day in enumerate(self.office.days):
            for rep in self.office.reps:
                rows = [self._deal(rep, day) for _ in range(self.rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6)))]
                planted = self.planted.get(i)
                rule = planted[1] if planted and planted[0] == rep else None
                self._write(rep, self.region[rep], day, rows, rule)

    # ------------------------------------------------ deals, in true values

    def _customer(self, region: str) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(CITIES[region]) + rng.choice(BRANDS) + rng.choice(KINDS)
        return name, f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    def _deal(self, rep: str, day: dt.date) -> list[dict]:
        open_lines = [ln for ln in self.lines if ln.rep == rep and ln.day < day]
        kinds = ["lead"] * 6 + ["order"] * 4 + ["contract"] * 5
        if any(ln.outstanding >= 100 for ln in open_lines):
            kinds += ["payment"] * 3
        if any(ln.qty > ln.cancelled for ln in open_lines):
            kinds += ["cancel"]
        kind = self.rng.choice(kinds)
        return getattr(self, "_" + kind)(rep, day, open_lines)

    def _row(self, kind: str, **values) -> dict:
        deal = schema.DEALS[kind]
        words = (deal.zh,) * 5 + tuple(deal.aliases[i] for i in DEAL_ALIASES[kind])
        return {"deal_type": self.rng.choice(words), **values}

    def _price(self, product: tuple) -> int:
        # Discounts stay within 5 %, above every floor price (≈ 92 %).
        return round(product[2] * (1 - self.rng.choice((0, 0, 0.02, 0.03, 0.05))))

    def _lead(self, rep, day, open_lines) -> list[dict]:
        customer, phone = self.rng.choice(self.customers[rep] + [self._customer(self.region[rep])])
        product = self.rng.choice(PRODUCTS)
        return [self._row("lead", customer=customer, phone=phone, product=product[0],
                          qty=self.rng.choice((None, 5, 10, 20)), note=self.rng.choice(REMARKS))]

    def _order(self, rep, day, open_lines) -> list[dict]:
        customer, phone = self.rng.choice(self.customers[rep])
        product = self.rng.choice(PRODUCTS)
        qty, price = self.rng.randint(2, 20), self._price(product)
        amount = qty * price
        return [self._row("order", customer=customer, phone=phone, product=product[0], qty=qty, unit_price=price,
                          amount=amount, received=max(1000, round(amount * 0.1, -3)), note="定金")]

    def _contract(self, rep, day, open_lines, register: bool = True) -> list[dict]:
        customer, phone = self.rng.choice(self.customers[rep])
        self.serial += 1
        no = f"HT{day:%y%m}-{self.serial:04d}"
        rows = []
        for product in self.rng.sample(PRODUCTS, self.rng.choice((1, 1, 1, 1, 2))):
            qty, price = self.rng.randint(5, 40), self._price(product)
            down = round(qty * price * 0.3, -2)
            rows.append(self._row("contract", customer=customer, phone=phone, product=product[0], qty=qty,
                                  unit_price=price, amount=qty * price, received=down, contract_no=no,
                                  due_date=day + dt.timedelta(days=30), note="首付30%"))
            if register:
                self.lines.append(_Line(no, rep, day, customer, product[0], qty, price, down))
        return rows

    def _payment(self, rep, day, open_lines) -> list[dict]:
        line = self.rng.choice([ln for ln in open_lines if ln.outstanding >= 100])
        paid = line.outstanding if self.rng.random() < 0.4 else round(line.outstanding / 2, -2)
        line.received += paid
        return [self._row("payment", customer=line.customer, contract_no=line.no, received=paid,
                          note=self.rng.choice(PAYMENT_NOTES))]

    def _cancel(self, rep, day, open_lines) -> list[dict]:
        line = self.rng.choice([ln for ln in open_lines if ln.qty > ln.cancelled])
        qty = self.rng.randint(1, min(3, line.qty - line.cancelled))
        line.cancelled += qty
        return [self._row("cancel", customer=line.customer, product=line.product, qty=qty, unit_price=line.price,
                          amount=qty * line.price, contract_no=line.no, note="客户退货：型号订错")]

    # ------------------------------------------------ the planted mistakes

    def _plant(self, rule: str, rep: str, day: dt.date, rows: list[dict]) -> tuple[dict | None, str]:
        """Add a row carrying the mistake ``rule``; (that row, the key of its cell).
        A wrong total row returns (None, key): the cell is on the total row."""
        if rule == "unknown-product":
            row = self._order(rep, day, [])[0]
            row["product"] = row["product"].replace("-", "")  # KFR-35GW typed as KFR35GW
            return self._add(rows, row), "product"
        if rule == "amount-mismatch":
            row = self._contract(rep, day, [], register=False)[0]
            row["amount"] += row["unit_price"]  # qty corrected, amount not
            return self._add(rows, row), "amount"
        if rule == "bad-number":
            row = self._order(rep, day, [])[0]
            row["qty"] = f"{row['qty']}台"
            return self._add(rows, row), "qty"
        if rule == "missing-contract-no":
            row = self._contract(rep, day, [], register=False)[0]
            row["contract_no"] = None
            return self._add(rows, row), "contract_no"
        if rule == "below-floor":
            row = self._contract(rep, day, [], register=False)[0]
            floor = next(p[3] for p in PRODUCTS if p[0] == row["product"])
            row["unit_price"] = floor - 100
            row["amount"] = row["qty"] * row["unit_price"]
            row["received"] = round(row["amount"] * 0.3, -2)
            return self._add(rows, row), "unit_price"
        if rule == "excel-error":
            row = self._order(rep, day, [])[0]
            row["received"] = EXCEL_ERROR  # a placeholder: _give_formula writes the real error cell
            return self._add(rows, row), "received"
        if rule == "duplicate-contract":
            row = self._contract(rep, day, [], register=False)[0]
            row["contract_no"] = self.rng.choice([ln.no for ln in self.lines if ln.day < day])
            return self._add(rows, row), "contract_no"
        if rule == "total-mismatch":
            rows += self._order(rep, day, []) + self._order(rep, day, [])
            return None, "amount"
        if rule == "future-date":
            row = self._order(rep, day, [])[0]
            row["date"] = self.office.today + dt.timedelta(days=2)  # the delivery date, in the wrong column
            return self._add(rows, row), "date"
        raise ValueError(rule)

    def _add(self, rows: list[dict], row: dict) -> dict:
        rows.insert(self.rng.randint(0, len(rows)), row)
        return row

    # ------------------------------------------------ the file

    def _style(self, rep: str, day: dt.date, rows: list[dict], rule: str | None) -> _Style:
        rng = self.rng
        columns = REORDERED if rng.random() < 0.3 else tuple(c.key for c in schema.COLUMNS)
        headers = {}
        if rng.random() < 0.2:
            headers.update({k: schema.BY_KEY[k].zh + unit for k, unit in UNITS.items()})
        elif rng.random() < 0.2:
            headers.update({k: schema.BY_KEY[k].aliases[i] for k, i in ALIASES.items()})
        name = rng.choice((f"{rep}_{day:%Y-%m-%d}.xlsx",) * 3 + (f"销售日报-{rep}-{day:%Y%m%d}.xlsx",))
        # A total row only where it cannot meet another planted mistake.
        total = rule == "total-mismatch" or (rule is None and len(rows) >= 2 and rng.random() < 0.25)
        return _Style(columns, headers, rng.choice(TEXT_DATES) if rng.random() < 0.25 else None,
                      rng.random() < 0.2, rng.random() < 0.5, len(rows) >= 2 and rng.random() < 0.15, total, name)

    def _write(self, rep: str, region: str, day: dt.date, deals: list[list[dict]], rule: str | None) -> None:
        rows = [row for deal in deals for row in deal]
        planted, key = self._plant(rule, rep, day, rows) if rule else (None, None)
        style = self._style(rep, day, rows, rule)
        fill_rep = "rep" in style.columns and self.rng.random() < 0.5
        out = [self._shown({"date": day if style.fill_dates else None, "rep": rep if fill_rep else None,
                            "region": region if fill_rep else None, **row}, style) for row in rows]
        at = next((i for i, row in enumerate(rows) if row is planted), None)
        if style.blank_row:
            blank = self.rng.randint(1, len(out) - 1)
            out.insert(blank, {})
            at = at + 1 if at is not None and at >= blank else at
        if style.total_row:
            out.append(self._total(rows, style, wrong=rule == "total-mismatch"))
            at = len(out) - 1 if rule == "total-mismatch" else at
        title = {"report_date": self._date(day, style), "rep": rep, "region": region,
                 "visits": self.rng.randint(0, 8), "calls": self.rng.randint(1, 15)}
        path = write_report(self.inbox / style.name, title, out, style.columns, sheet=SHEET)
        self.office.files.append(path)
        if style.headers or rule:
            header = _relabel(path, style)
        if rule:
            row = header + 1 + at
            cell = address(style.columns.index(key), row)
            if rule == "excel-error":  # a deposit formula copied from a workbook that named a cell 定金比例
                _give_formula(path, cell, address(style.columns.index("amount"), row) + "*定金比例")
            self.office.mistakes.append(Mistake(path.name, rule, SHEET, cell))

    def _date(self, day: dt.date | None, style: _Style):
        return style.text_dates.format(d=day) if style.text_dates and day else day

    def _shown(self, row: dict, style: _Style) -> dict:
        """Values as this rep types them."""
        out = dict(row)
        for key in schema.DATES:
            out[key] = self._date(row.get(key), style)
        if style.text_money:
            for key in ("unit_price", "amount", "received"):
                value = row.get(key)
                if isinstance(value, (int, float)):
                    wan = key == "received" and value >= 10_000 and value % 1000 == 0
                    out[key] = f"{value / 10_000:g}万" if wan else f"¥{value:,.2f}"
        return out

    def _total(self, rows: list[dict], style: _Style, wrong: bool) -> dict:
        def total(key):
            return sum(row[key] for row in rows if isinstance(row.get(key), (int, float)))
        amount = total("amount") + (10_000 if wrong else 0)  # one digit mistyped
        return {style.columns[0]: schema.TOTAL_LABELS[0], "qty": total("qty"), "amount": amount,
                "received": total("received")}


# ---------------------------------------------------------------- running


TEXT = {
    "exists": ("{dir} 已经是一个办公文件夹；演示不会改动它，请换一个文件夹（或先删除它）",
               "{dir} already holds an office; the demo leaves it alone. Choose another folder (or delete it first)"),
    "built": ("演示办公文件夹：{dir}\n{files} 份日报（{reps} 名销售代表 × {days} 个工作日，{start} 至 {end}），"
              "其中 {planted} 处故意埋下的错误",
              "Demo office: {dir}\n{files} daily reports ({reps} reps × {days} working days, {start} to {end}), "
              "with {planted} deliberate mistakes"),
    "found": ("校验发现的错误和警告：", "Errors and warnings found by validation:"),
    "all-found": ("埋下的 {planted} 处错误全部找到，没有误报", "All {planted} planted mistakes found, nothing else"),
    "differs": ("与埋下的错误不一致：漏报 {missed}，多报 {extra}",
                "Differs from the planted mistakes: missed {missed}, extra {extra}"),
    "open": ("请打开：", "Open:"),
    "open-reference": ("基础资料（销售代表、产品价目、销售目标、收件人），可在 Excel 中编辑",
                       "the reference workbook (reps, price list, targets, recipients), edit it in Excel"),
    "open-inbox": ("销售代表交来的日报", "the reps' daily reports"),
    "open-annotated": ("标注后的副本：错误标红、警告标黄，并附“校验结果”工作表",
                       "marked-up copies: errors red, warnings yellow, with a 校验结果 sheet"),
    "open-summary": ("总表：统计表与图表（日报汇总、月度汇总、区域业绩、目标完成、销售排名、应收账款、库存、价格分析）",
                     "the summary workbook: statistics and charts (daily, monthly, regions, targets, ranking, "
                     "receivables, inventory, prices)"),
    "open-month": ("月度总表：明细、活动、导入记录、问题清单", "a monthly master: ledger, activity, import log, problems"),
}


_say = partial(pick, TEXT)


@dataclass
class DemoRun:
    """What the steps of `xlpy demo` share: each reads what earlier ones left."""

    office: DemoOffice
    ctx: Context
    results: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    to_open: list[tuple[Path, str]] = field(default_factory=list)


def run_demo(dir: Path, today: dt.date, lang: str = "zh") -> int:
    """Build the demo office in ``dir`` (refused when ``dir`` already holds an office,
    even a demo one: nothing a user may have changed is ever deleted), run every step
    on it and print what to open."""
    dir = Path(dir)
    if (dir / config.CONFIG_NAME).exists():
        raise ValueError(_say("exists", lang, dir=dir))
    office = build_demo(dir, today, lang)
    settings = config.load(dir)
    run = DemoRun(office, Context(reference=read_reference(settings.path("reference"), settings), settings=settings,
                                  today=office.today, lang=lang))
    run.to_open.append((settings.path("reference"), _say("open-reference", lang)))
    run.to_open.append((settings.path("inbox"), _say("open-inbox", lang)))
    print(_say("built", lang, dir=dir.resolve(), files=len(office.files), reps=len(office.reps),
               days=len(office.days), start=office.days[0], end=office.days[-1], planted=len(office.mistakes)))
    for step in STEPS:
        step(run)
    print("\n".join(run.lines))
    print(_say("open", lang))
    for path, what in run.to_open:
        print(f"  {path}  {what}")
    return 0


def validate_step(run: DemoRun) -> None:
    """Validate the inbox and compare what was found with what was planted."""
    lang = run.ctx.lang
    run.results, _ = validate.run([run.ctx.settings.path("inbox")], run.ctx)
    run.lines.append(validate.summary_line(run.results, lang))
    run.lines.append(_say("found", lang))
    found = set()
    for result in run.results:
        for issue in result.issues:
            if issue.severity in (ERROR, WARNING):
                found.add(Mistake(result.path.name, issue.rule, issue.sheet, issue.cell))
                run.lines.append(f"  {result.path.name}  {issue.sheet}!{issue.cell}  {issue.message(lang)}")
    planted = set(run.office.mistakes)
    if found == planted:
        run.lines.append(_say("all-found", lang, planted=len(planted)))
    else:
        run.lines.append(_say("differs", lang, missed=sorted(planted - found), extra=sorted(found - planted)))


def annotate_step(run: DemoRun) -> None:
    """Marked-up copies in `annotated/`."""
    out = run.office.dir / "annotated"
    if annotate_results(run.results, out, run.ctx.lang):
        run.to_open.append((out.resolve(), _say("open-annotated", run.ctx.lang)))


def consolidate_step(run: DemoRun) -> None:
    """Merge the good reports into the masters (the reports with planted errors are rejected)."""
    outcome = consolidate.run_consolidation(run.ctx.settings, ctx=run.ctx)
    run.lines.append(consolidate.to_text(outcome, run.ctx.lang))
    master = run.ctx.settings.path("master")
    run.to_open.append((master / store.SUMMARY, _say("open-summary", run.ctx.lang)))
    months = sorted(store.partition_files(master).values())
    if months:
        run.to_open.append((months[-1], _say("open-month", run.ctx.lang)))


def briefing_step(run: DemoRun) -> None:
    """The day's briefing (工作日志): a sheet in the summary workbook and an .eml in the outbox, not sent."""
    from xlpy.app.briefing import make_briefing
    written = make_briefing(run.ctx.settings, run.office.today, run.ctx.reference)
    run.to_open.append((written.eml, written.message["Subject"]))


# The steps `xlpy demo` runs, in order.
STEPS = [validate_step, annotate_step, consolidate_step, briefing_step]


def _relabel(path: Path, style: _Style) -> int:
    """Rewrite the headers this rep writes differently; the header row (1-based)."""
    wb = load_workbook(path)
    ws = wb[SHEET]
    canonical = [schema.BY_KEY[k].zh for k in style.columns]
    header = next(r for r in range(1, ws.max_row + 1)
                  if [ws.cell(r, c + 1).value for c in range(len(canonical))] == canonical)
    if style.headers:
        for c, key in enumerate(style.columns, start=1):
            ws.cell(header, c).value = style.headers.get(key, canonical[c - 1])
        wb.save(path)
    return header


def _give_formula(path: Path, cell: str, formula: str) -> None:
    """Make ``cell`` an error cell with the formula that produced it, as Excel saves one
    (openpyxl cannot write a formula's cached result)."""
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    element = re.compile(rf'<c r="{cell}"( s="\d+")?[^>]*?(?:/>|>.*?</c>)'.encode(), re.S)
    error = rb'<c r="%s"\1 t="e"><f>%s</f><v>%s</v></c>' % (cell.encode(), formula.encode(), EXCEL_ERROR.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename.startswith("xl/worksheets/"):
                data = element.sub(error, data)
            zout.writestr(info, data)
