"""The demo office (`xlpy demo`): daily reports filled the way people fill them — three months up
to today for `xlpy demo`, three weeks for the tests — with a handful of deliberate mistakes in the
last three weeks whose cells are known in advance, a few cancellations and exchanges, payments
that come late, and targets that put a full month between 70 % and 130 %.

Everything is drawn from seeded random generators, so a seed and a day give the same office; the
mistakes (kind, file, cell) do not depend on the day.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from xlpy.app.demo_data import PRODUCTS, REPS, reference_data
from xlpy.app.office import init_office, write_reference
from xlpy.contract import config, schema
from xlpy.io.reader import address
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
    settled: bool = False  # whether its due date has come (paid then, or late)

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
               days: int = WORKING_DAYS, months: int | None = None) -> DemoOffice:
    """An office in ``dir`` with one report per active rep per working day, the last working
    day on or before ``today``: ``days`` of them, or every one of the last ``months`` months
    (the current month to date)."""
    span = month_days(today, months) if months else working_days(today, days)
    if len(span) < WORKING_DAYS:
        raise ValueError(f"the demo needs at least {WORKING_DAYS} working days to plant its mistakes")
    dir = Path(init_office(dir, today, lang))
    reps = [name for name, _, active, *_ in REPS if active == "是"]
    office = DemoOffice(dir, today, span, reps, [], [])
    generator = _Generator(random.Random(seed), office, config.load(dir).path("inbox"), random.Random(seed + 1))
    generator.run()
    years = {d.year for d in span} | {today.year}
    # stock for as many months as the reports cover (the sample office's holds a month's sales)
    write_reference(config.load(dir).path("reference"), reference_data(years, generator.targets(), months or 1))
    return office


def month_days(today: dt.date, months: int) -> list[dt.date]:
    """Every weekday from the first of the month ``months - 1`` before ``today``'s, up to ``today``."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return [d for d in (first + dt.timedelta(days=i) for i in range((today - first).days + 1)) if d.weekday() < 5]


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def working_days(end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` weekdays up to ``end``, oldest first."""
    out, day = [], end
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out[::-1]


class _Generator:
    """``rng`` draws the reports; ``extra`` what came later (exchanges, targets), so that adding
    those left every report of an office as it was."""

    def __init__(self, rng: random.Random, office: DemoOffice, inbox: Path, extra: random.Random):
        self.rng, self.office, self.inbox, self.extra = rng, office, inbox, extra
        self.net: dict[tuple[str, str], float] = {}  # (rep, YYYY-MM) → net sales of the reports accepted
        self.region = {name: region for name, region, *_ in REPS}
        self.customers = {name: [self._customer(self.region[name]) for _ in range(6)] for name in office.reps}
        self.lines: list[_Line] = []
        self.serial = 0
        # in the last WORKING_DAYS days, wherever the office starts
        last = len(office.days) - WORKING_DAYS
        planted = {(last + d if d >= 0 else len(office.days) + d): rule for d, rule in PLANTED}
        self.planted = {day: (rng.choice(office.reps), rule) for day, rule in sorted(planted.items())}

    def run(self) -> None:
        for i, day in enumerate(self.office.days):
            for rep in self.office.reps:
                rows = [self._deal(rep, day) for _ in range(self.rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6)))]
                planted = self.planted.get(i)
                rule = planted[1] if planted and planted[0] == rep else None
                self._write(rep, self.region[rep], day, rows, rule)
                if rule is None:  # a report with a mistake is rejected: its sales do not count
                    self._count(rep, day, [row for deal in rows for row in deal])

    def _count(self, rep: str, day: dt.date, rows: list[dict]) -> None:
        sign = {"contract": 1, "cancel": -1}
        month = f"{day:%Y-%m}"
        self.net[(rep, month)] = self.net.get((rep, month), 0) + sum(
            sign.get(row["_kind"], 0) * row.get("amount", 0) for row in rows)

    def targets(self) -> dict[tuple[str, str], float]:
        """(rep, YYYY-MM) → a target that this month's sales meet by 85–115 % (the current
        month: as if it went on at the same pace), rounded to ten thousand yuan."""
        days = self.office.days
        out = {}
        for (rep, month), net in sorted(self.net.items()):
            worked = sum(f"{d:%Y-%m}" == month for d in days)
            first = dt.date(int(month[:4]), int(month[5:]), 1)
            in_month = len(month_days(_month_end(first), 1))
            pace = net * in_month / worked
            if pace > 0:
                out[(rep, month)] = max(10_000, round(pace / self.extra.uniform(0.85, 1.15), -4))
        return out

    # ------------------------------------------------ deals, in true values

    def _customer(self, region: str) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(CITIES[region]) + rng.choice(BRANDS) + rng.choice(KINDS)
        return name, f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"

    def _deal(self, rep: str, day: dt.date) -> list[dict]:
        open_lines = [ln for ln in self.lines if ln.rep == rep and ln.day < day]
        kinds = ["lead"] * 6 + ["order"] * 4 + ["contract"] * 5
        if self._owing(open_lines):
            kinds += ["payment"] * 3
        if any(ln.qty > ln.cancelled for ln in open_lines):
            kinds += ["cancel"]
        kind = self.rng.choice(kinds)
        return getattr(self, "_" + kind)(rep, day, open_lines)

    def _row(self, kind: str, rng: random.Random | None = None, **values) -> dict:
        deal = schema.DEALS[kind]
        words = (deal.zh,) * 5 + tuple(deal.aliases[i] for i in DEAL_ALIASES[kind])
        return {"deal_type": (rng or self.rng).choice(words), "_kind": kind, **values}

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

    def _owing(self, open_lines: list[_Line]) -> list[_Line]:
        """Lines still owing, of contracts still owing: the record nets a contract's lines (a line
        overpaid after a cancellation lowers what its contract owes)."""
        owed = {}
        for ln in self.lines:
            owed[ln.no] = owed.get(ln.no, 0) + ln.outstanding
        return [ln for ln in open_lines if min(ln.outstanding, owed[ln.no]) >= 100]

    def _payment(self, rep, day, open_lines) -> list[dict]:
        line = self.rng.choice(self._owing(open_lines))
        owed = min(line.outstanding, sum(ln.outstanding for ln in self.lines if ln.no == line.no))
        paid = owed if self.rng.random() < 0.4 else round(owed / 2, -2)
        line.received += paid
        return [self._row("payment", customer=line.customer, contract_no=line.no, received=paid,
                          note=self.rng.choice(PAYMENT_NOTES))]

    def _cancel(self, rep, day, open_lines) -> list[dict]:
        line = self.rng.choice([ln for ln in open_lines if ln.qty > ln.cancelled])
        qty = self.rng.randint(1, min(3, line.qty - line.cancelled))
        line.cancelled += qty
        return [self._row("cancel", customer=line.customer, product=line.product, qty=qty, unit_price=line.price,
                          amount=qty * line.price, contract_no=line.no, note="客户退货：型号订错")]

    def _settlements(self, rep: str, day: dt.date) -> list[dict]:
        """Most customers pay the balance as it falls due (within the next two days); a few pay
        late or not yet, which is what 催款名单 is for."""
        due = {}
        for line in self.lines:
            if line.rep == rep and line.day < day and not line.settled and 0 <= (line.day - day).days + 30 <= 2:
                line.settled = True
                due.setdefault(line.no, []).append(line)
        out = []
        for no, lines in due.items():
            owed = sum(line.outstanding for line in lines)
            if owed >= 100 and self.extra.random() < 0.85:
                for line in lines:
                    line.received += line.outstanding  # a line overpaid after a cancellation is netted here
                out.append(self._row("payment", self.extra, customer=lines[0].customer, contract_no=no,
                                     received=owed, note="到期结清"))
        return out

    def _exchanges(self, rows: list[dict]) -> list[dict]:
        """Some customers who send a model back order the right one the same day (换)."""
        out = []
        for row in rows:
            if row["_kind"] == "cancel" and self.extra.random() < 0.5:
                product = self.extra.choice([p for p in PRODUCTS if p[0] != row["product"]])
                price = round(product[2] * 0.98)
                out.append(self._row("order", self.extra, customer=row["customer"], product=product[0],
                                     qty=row["qty"], unit_price=price, amount=row["qty"] * price,
                                     received=0, note=f"换货：{row['product']} 换为 {product[0]}"))
        return out

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
        columns = REORDERED if rng.random() < 0.3 else schema.PRODUCT_OFFICE_COLUMNS
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
        # after the rows' layout is drawn, which they leave as it was
        exchanges = self._exchanges(rows) + self._settlements(rep, day)
        out += [self._shown({"date": day if style.fill_dates else None, **row}, style) for row in exchanges]
        if style.total_row:
            out.append(self._total(rows + exchanges, style, wrong=rule == "total-mismatch"))
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
