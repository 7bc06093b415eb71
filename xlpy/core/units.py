"""Offices that sell units (spec §4): the 房源表, and each unit's status through time.

A unit is sold once. Its status starts from the 房源表 (可售 available, 保留 withheld, 已售 sold
before the office used xlpy) and changes with the ledger's rows in report order: an order (认购)
reserves it, a contract (签约) signs it, a cancellation (退订) of its order or contract makes it
available again, an exchange (换房) frees the old unit and moves the order or contract to the new
one. Every change is an event with its date, report and contract, so a status can be asked as
of any day. Core code: DataFrames in, DataFrames out.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from xlpy.contract.messages import both
from xlpy.core import values

STATUSES = ("available", "reserved", "signed", "withheld", "sold")
STATUS_NAMES = {"available": both("unit.available"), "reserved": both("unit.reserved"), "signed": both("unit.signed"),
                "withheld": both("unit.withheld"), "sold": both("unit.sold")}  # (zh, en)
# How the 房源表's 状态 column may be written, → status.
_INITIAL = {values.norm(n): s for s, names in {
    "available": ("可售", "待售", "available", "open", ""),
    "withheld": ("保留", "不售", "withheld", "reserved by developer"),
    "sold": ("已售", "售出", "sold"),
}.items() for n in names}
_SEPARATORS = re.compile(r"[栋棟#＃\-－—_\s]+")
_SPLIT = re.compile(r"^(.*?)[栋棟#＃\-－—_\s]+(.*)$")
EVENT_COLUMNS = ["date", "unit", "status", "contract_no", "customer", "rep", "amount", "source", "row", "deal"]
BOARD_COLUMNS = ["unit", "building", "floor", "layout", "area", "list_price", "status", "contract_no",
                 "customer", "rep", "amount", "since", "overdue"]


def unit_key(text) -> str:
    """One key for the ways a unit is written: `3-1502`, `3栋1502`, `3#1502`, `３－１５０２` → `31502`."""
    if values.is_blank(text):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    return _SEPARATORS.sub("", s).upper()


def _building_and_number(unit: str) -> tuple[str | None, str]:
    s = unicodedata.normalize("NFKC", str(unit)).strip()
    m = _SPLIT.match(s)
    return (m[1], m[2]) if m and m[1] else (None, s)


def prepare(units: pd.DataFrame) -> pd.DataFrame:
    """The 房源表 with its blanks filled (building from the id before the separator, floor from the
    unit number's leading digits: `1502` → 15), the initial status as a key, and each unit's key."""
    out = units.copy()
    parts = out["unit"].map(_building_and_number)
    out["building"] = out["building"].where(out["building"].notna(), parts.map(lambda p: p[0]))
    numbers = parts.map(lambda p: p[1])
    guessed = numbers.map(lambda n: int(n) // 100 if str(n).isdigit() and len(str(n)) >= 3 else None)
    out["floor"] = out["floor"].where(out["floor"].notna(), guessed)
    out["status"] = out["status"].map(lambda s: _INITIAL.get(values.norm(s or ""), "available"))
    out["key"] = out["unit"].map(unit_key)
    return out.reset_index(drop=True)


@dataclass
class _Holder:
    status: str
    contract_no: str | None
    customer: str | None
    rep: str | None
    amount: float | None
    source: str | None = None  # the report that took the unit


def events(ledger: pd.DataFrame, unit_keys: set[str]) -> pd.DataFrame:
    """Every status change the ledger's rows make to the office's units, in report order."""
    rows = ledger[ledger["deal"].isin(("order", "contract", "cancel", "exchange"))]
    order = [c for c in ("date", "report_date", "source", "row") if c in rows.columns]
    held: dict[str, _Holder] = {}  # unit key → who holds it
    unit_of: dict[str, str] = {}  # contract no → unit key
    out = []

    def change(rec, key, holder: _Holder | None):
        if holder is None:
            held.pop(key, None)
        else:
            held[key] = holder
        h = holder or _Holder("available", None, None, None, None)
        out.append([rec["date"], key, h.status, h.contract_no, h.customer, h.rep, h.amount,
                    rec.get("source"), rec.get("row"), rec["deal"]])

    for rec in rows.sort_values(order, kind="stable").to_dict("records"):
        deal, cno = rec["deal"], rec.get("contract_no")
        if deal in ("order", "contract"):
            key = unit_key(rec["product"])
            if key not in unit_keys:
                continue  # a product (parking, a service), not a unit
            status = "reserved" if deal == "order" else "signed"
            change(rec, key, _Holder(status, cno, rec.get("customer"), rec.get("rep"), rec.get("amount"),
                                     rec.get("source")))
            if cno:
                unit_of[cno] = key
        elif deal == "cancel" and cno in unit_of:
            change(rec, unit_of.pop(cno), None)
        elif deal == "exchange" and cno in unit_of:
            old, new = unit_of[cno], unit_key(rec["product"])
            before = held.get(old, _Holder("reserved", cno, rec.get("customer"), rec.get("rep"), None))
            change(rec, old, None)
            change(rec, new, _Holder(before.status, cno, before.customer, before.rep, rec.get("amount"),
                                     rec.get("source")))
            unit_of[cno] = new
    return pd.DataFrame(out, columns=EVENT_COLUMNS)


def board(units: pd.DataFrame, history: pd.DataFrame, day, sign_within_days: int = 7) -> pd.DataFrame:
    """Every unit as of ``day``: its 房源表 facts, status, contract, customer, rep, since when, and
    whether a reservation is overdue (not signed within ``sign_within_days``). ``units`` as made
    by `prepare`, ``history`` by `events`."""
    day = pd.Timestamp(day)
    known = history[pd.to_datetime(history["date"]) <= day]
    last = known.drop_duplicates("unit", keep="last").set_index("unit").rename(columns={"status": "status_now"})
    table = units.join(last, on="key")
    fixed = table["status"].isin(("withheld", "sold"))
    moved = table["status_now"].notna() & ~fixed
    table["status"] = table["status"].where(~moved, table["status_now"])
    table["since"] = pd.to_datetime(table["date"]).dt.date.where(moved, None)
    for column in ("contract_no", "customer", "rep", "amount"):
        table[column] = table[column].where(moved & (table["status"] != "available"), None)
    waited = (day - pd.to_datetime(table["date"])).dt.days
    table["overdue"] = (table["status"] == "reserved") & (waited > sign_within_days)
    table = table[BOARD_COLUMNS].reset_index(drop=True)
    text = ["contract_no", "customer", "rep", "amount", "since"]
    table[text] = table[text].astype(object).where(table[text].notna(), None)  # blanks are blank, not NaN
    return table


def remaining(board_table: pd.DataFrame, by: str = "building") -> pd.DataFrame:
    """余房数量: units available, and the count of each status, per ``by`` (building or layout)."""
    counts = pd.crosstab(board_table[by].fillna(""), board_table["status"])
    counts = counts.reindex(columns=list(STATUSES), fill_value=0)
    counts.insert(0, "remaining", counts["available"])
    return counts.rename_axis(by).reset_index()


class Holders:
    """Who holds each unit while a batch is judged in report order: the record's holders first,
    then each row as it is applied (and withdrawn again when its report is rejected)."""

    def __init__(self, history: pd.DataFrame, unit_keys: set[str]):
        self.keys = unit_keys
        self.held: dict[str, _Holder] = {}
        self.unit_of: dict[str, str] = {}  # normalised contract no → unit key
        self._undo: dict[tuple, list] = {}
        for ev in events(history, unit_keys).to_dict("records"):
            if ev["status"] == "available":
                self.held.pop(ev["unit"], None)
            else:
                self.held[ev["unit"]] = _Holder(ev["status"], ev["contract_no"], ev["customer"], ev["rep"],
                                                ev["amount"], ev["source"])
                if ev["contract_no"]:
                    self.unit_of[values.norm(ev["contract_no"])] = ev["unit"]

    def judge(self, rec: dict) -> list[tuple[str, str, object, dict]]:
        """(rule, column, value, params) for a row that takes a unit someone else holds."""
        deal, unit = rec["deal"], unit_key(rec.get("product"))
        if deal not in ("order", "contract", "exchange") or unit not in self.keys:
            return []
        holder = self.held.get(unit)
        mine = values.norm(rec["contract_no"]) if rec.get("contract_no") else None
        if holder is None or (holder.contract_no and values.norm(holder.contract_no) == mine):
            return []
        params = {"other": holder.contract_no or "", "report": holder.source or ""}
        if deal == "exchange":
            return [("exchange-to-taken", "product", rec["product"], params)]
        if deal == "contract" and holder.status == "reserved":
            return [("unit-held-by-order", "product", rec["product"], params)]
        return [("unit-taken", "product", rec["product"], params)]

    def apply(self, rec: dict, sign: int = 1) -> None:
        """Take in a row (sign 1) or withdraw it again (sign -1)."""
        ident = (rec.get("source"), rec.get("sheet"), rec.get("row"))
        if sign < 0:
            for unit, holder, contract, unit_before in reversed(self._undo.pop(ident, [])):
                self._put(unit, holder)
                if contract is not None:
                    self._map(contract, unit_before)
            return
        deal, cno = rec["deal"], values.norm(rec["contract_no"]) if rec.get("contract_no") else None
        changes = []

        def take(unit, holder):
            changes.append((unit, self.held.get(unit), cno, self.unit_of.get(cno) if cno else None))
            self._put(unit, holder)

        unit = unit_key(rec.get("product"))
        if deal in ("order", "contract") and unit in self.keys:
            status = "reserved" if deal == "order" else "signed"
            take(unit, _Holder(status, rec["contract_no"], rec.get("customer"), rec.get("rep"), rec.get("amount"),
                               rec.get("source")))
            if cno:
                self.unit_of[cno] = unit
        elif deal == "cancel" and cno in self.unit_of:
            take(self.unit_of[cno], None)
            self.unit_of.pop(cno)
        elif deal == "exchange" and cno in self.unit_of and unit in self.keys:
            old = self.unit_of[cno]
            before = self.held.get(old) or _Holder("reserved", rec["contract_no"], None, None, None)
            take(old, None)
            take(unit, _Holder(before.status, rec["contract_no"], before.customer, before.rep, rec.get("amount"),
                               rec.get("source")))
            self.unit_of[cno] = unit
        if changes:
            self._undo[ident] = changes

    def _put(self, unit: str, holder: _Holder | None) -> None:
        if holder is None:
            self.held.pop(unit, None)
        else:
            self.held[unit] = holder

    def _map(self, contract: str, unit: str | None) -> None:
        if unit is None:
            self.unit_of.pop(contract, None)
        else:
            self.unit_of[contract] = unit
