"""The demo of an office that sells units (`xlpy demo --units`): two buildings, three months of
daily reports with reservations, signings, cancellations, exchanges and payments, and a few
planted rule breaks whose rule and report are known in advance. Seeded: a seed and a day give
the same office."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from xlpy.app import consolidate
from xlpy.app.office import init_office
from xlpy.contract import config, schema
from xlpy.contract.messages import voice
from xlpy.core import units
from xlpy.io import store
from xlpy.io.pricelist import write_pricelist
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

REPS = (("陈静", "一期"), ("周磊", "一期"), ("孙悦", "二期"), ("吴昊", "二期"))
BUILDINGS = ("1", "2")
FLOORS, PER_FLOOR = 12, 4
LAYOUTS = (("两室一厅", 89.0), ("三室两厅", 118.0), ("三室两厅", 126.0), ("四室两厅", 143.0))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("先生", "女士")
NOTES = ("客户关注学区", "想要高楼层", "对价格有顾虑，下周复访", "带父母来看房", "询问车位", "")
COLUMNS = ("date", "rep", "customer", "phone", "product", "deal_type", "qty", "amount", "received", "contract_no",
           "from_unit", "note")
# (working day from the start, rule): one report each, rejected.
PLANTED = ((20, "unit-taken"), (35, "unknown-unit"), (50, "unit-not-for-sale"))


_say = voice("unitdemo")


@dataclass
class UnitDemo:
    dir: Path
    today: dt.date
    days: list[dt.date]
    files: list[Path] = field(default_factory=list)
    planted: dict[str, str] = field(default_factory=dict)  # file name → rule


def unit_list() -> list[tuple]:
    """The 房源表: 2 buildings × 12 floors × 4 units; two units withheld, three sold before."""
    rows = []
    for b in BUILDINGS:
        for floor in range(1, FLOORS + 1):
            for n, (layout, area) in enumerate(LAYOUTS, start=1):
                price = round(area * (16_000 + 150 * floor + (800 if b == "1" else 0)), -3)
                status = "保留" if (floor, n) == (FLOORS, 4) else "已售" if b == "2" and floor <= 1 and n <= 3 else None
                rows.append((f"{b}-{floor}{n:02d}", b, floor, layout, area, price, round(price * 0.95, -3), status))
    return rows


def _reference(path: Path) -> None:
    sheets = {s.key: s for s in schema.REFERENCE_SHEETS}
    wb = Workbook()
    wb.remove(wb.active)
    content = {"reps": [(n, r, "是", None, None) for n, r in REPS], "units": unit_list(), "targets": [],
               "recipients": [("张总", "董事长", "chairman@example.com")]}
    for key, rows in content.items():
        ws = wb.create_sheet(sheets[key].zh)
        ws.append([c.zh for c in sheets[key].columns])
        for row in rows:
            ws.append(list(row))
    wb.save(path)


def working_days(end: dt.date, start: dt.date) -> list[dt.date]:
    out, day = [], start
    while day <= end:
        if day.weekday() < 6:  # a sales office opens on Saturdays
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def build_unit_demo(dir: Path, today: dt.date, seed: int = 2026) -> UnitDemo:
    """The office in ``dir``: three months of reports up to ``today``."""
    dir = init_office(Path(dir), today)
    _reference(dir / "reference.xlsx")
    start = today.replace(day=1)
    for _ in range(2):  # the current month to date and the two before it
        start = (start - dt.timedelta(days=1)).replace(day=1)
    demo = UnitDemo(dir, today, working_days(today, start))
    _Sales(random.Random(seed), demo).run()
    return demo


class _Sales:
    """Day by day: who reserves, signs, cancels, exchanges and pays, as the board allows."""

    def __init__(self, rng: random.Random, demo: UnitDemo):
        self.rng, self.demo = rng, demo
        self.free = [u[0] for u in unit_list() if u[7] is None]
        self.price = {u[0]: u[5] for u in unit_list()}
        self.reserved: dict[str, tuple] = {}  # contract → (unit, customer, rep, day, price)
        self.signed: dict[str, tuple] = {}
        self.number = 0
        self.freed: list[str] = []  # free again from tomorrow: the same day, report order is only by file name

    def run(self) -> None:
        planted = dict(PLANTED)
        for i, day in enumerate(self.demo.days):
            self.free += self.freed
            self.freed = []
            for rep, _ in REPS:
                rows = self._day(rep, day)
                if i in planted and rep == REPS[0][0]:
                    rows.append(self._planted(planted[i], rep, day))
                name = f"{rep}_{day.isoformat()}.xlsx"
                if i in planted and rep == REPS[0][0]:
                    self.demo.planted[name] = planted[i]
                title = {"report_date": day, "rep": rep, "visits": self.rng.randint(2, 12),
                         "calls": self.rng.randint(3, 20)}
                self.demo.files.append(write_report(self.demo.dir / "inbox" / name, title, rows, columns=COLUMNS))

    def _row(self, day, rep, deal_type, unit, contract, customer, amount=None, **more) -> dict:
        return {"date": day, "rep": rep, "customer": customer, "product": unit, "deal_type": deal_type,
                "amount": amount, "contract_no": contract, "note": self.rng.choice(NOTES), **more}

    def _day(self, rep: str, day: dt.date) -> list[dict]:
        rng, rows = self.rng, []
        if self.free and rng.random() < 0.12:
            unit = self.free.pop(rng.randrange(len(self.free)))
            self.number += 1
            cno = f"RG{day:%y%m}-{self.number:03d}"
            customer = rng.choice(SURNAMES) + rng.choice(GIVEN)
            price = self.price[unit] * rng.choice((1, 0.99, 0.98))
            self.reserved[cno] = (unit, customer, rep, day, price)
            rows.append(self._row(day, rep, "认购", unit, cno, customer, price, received=50_000,
                                  phone=f"13{rng.randint(100000000, 999999999)}"))
        for cno, (unit, customer, owner, since, price) in list(self.reserved.items()):
            if owner != rep or since == day:
                continue
            waited = (day - since).days
            if rng.random() < 0.03 and self.free:  # a customer changes their mind about the unit
                new = self.free.pop(rng.randrange(len(self.free)))
                self.freed.append(unit)
                self.reserved[cno] = (new, customer, owner, since, self.price[new])
                rows.append(self._row(day, rep, "换房", new, cno, customer, self.price[new], from_unit=unit))
            elif rng.random() < 0.04:
                del self.reserved[cno]
                self.freed.append(unit)
                rows.append(self._row(day, rep, "退订", unit, cno, customer, price))
            elif waited >= rng.randint(3, 12):  # some wait past the signing period: 逾期未签
                del self.reserved[cno]
                self.signed[cno] = (unit, customer, owner, day, price)
                rows.append(self._row(day, rep, "签约", unit, cno, customer, price, received=price * 0.3,
                                      due_date=day + dt.timedelta(days=30)))
        for cno, (unit, customer, owner, since, price) in list(self.signed.items()):
            if owner == rep and (day - since).days == 30 and rng.random() < 0.7:
                rows.append(self._row(day, rep, "回款", unit, cno, customer, received=price * 0.4))
        return rows

    def _planted(self, rule: str, rep: str, day: dt.date) -> dict:
        if rule == "unit-taken":
            taken = next(iter(self.signed.values()), None) or next(iter(self.reserved.values()))
            return self._row(day, rep, "认购", taken[0], "RG-TWICE", "重复客户", taken[4])
        if rule == "unknown-unit":
            return self._row(day, rep, "认购", "9-9999", "RG-NOUNIT", "错号客户", 1_000_000)
        withheld = next(u[0] for u in unit_list() if u[7] == "保留")
        return self._row(day, rep, "认购", withheld, "RG-HELD", "保留房客户", 2_000_000)


def run_unit_demo(dir: Path, today: dt.date, lang: str = "zh") -> int:
    """Build the unit demo in ``dir``, consolidate it, write the price list, and say what to open."""
    if (Path(dir) / config.CONFIG_NAME).exists():
        raise ValueError(f"{Path(dir) / config.CONFIG_NAME} exists")
    demo = build_unit_demo(dir, today)
    settings = config.load(demo.dir)
    print(_say("built", lang, dir=demo.dir.resolve(), units=len(unit_list()), buildings=len(BUILDINGS),
               reps=len(REPS), days=len(demo.days), start=demo.days[0], end=demo.days[-1], files=len(demo.files),
               planted=len(demo.planted)))
    outcome = consolidate.run_consolidation(settings, today=today)
    rejected = {f.source: f for f in outcome.files if f.status == "rejected"}
    found = [name for name, rule in demo.planted.items()
             if name in rejected and any(i.rule == rule for i in rejected[name].issues)]
    print("\n".join(consolidate.to_text(outcome, lang).splitlines()[-2:]))
    print(_say("found", lang, found=len(found), planted=len(demo.planted)))
    reference = read_reference(settings.path("reference"))
    ledger, _ = store.read_record(settings.path("master"))
    board = units.board(reference.units, units.events(ledger, set(reference.unit_index)), today,
                        settings.sign_within_days)
    counts = board["status"].value_counts()
    print(_say("status", lang, day=today, counts="，".join(
        f"{units.STATUS_NAMES[s][lang == 'en']} {counts.get(s, 0)}" for s in units.STATUSES)))
    prices = write_pricelist(demo.dir / "价格一览表.xlsx", reference.units, lang)
    print(_say("open", lang))
    print(f"  {settings.path('master') / store.SUMMARY}  {_say('open-summary', lang)}")
    print(f"  {prices}  {_say('open-prices', lang)}")
    return 0
