"""Statistics over a small office's ledger, each figure checked against arithmetic done by hand.

The office (as of 2026-11-30): regions 华东 (张伟, 李娜) and 华南 (王强); 赵六 has left.
  Oct 10  张伟  lead      客户甲 A型
  Oct 12  张伟  contract  HT001 客户甲: A型 2 × 10,000 = 20,000 (5,000 down) and B型 1 × 20,000 = 20,000; due Oct 31
  Oct 15  王强  order     客户乙 B型 1 × 19,000, deposit 2,000
  Oct 20  王强  contract  HT002 客户丙 A型 3 × 9,000 = 27,000; due Nov 15
  Nov 03  张伟  cancel    HT001, qty 1 only (no product → the first line, A型, at 10,000: amount 10,000)
  Nov 05  张伟  payment   HT001 10,000 (no product → shared A/B by 20,000 : 20,000 = 5,000 each)
  Nov 08  李娜  contract  HT003 客户丁 B型 1 × 18,500, fully paid on the spot; due Nov 8
  Nov 10  王强  payment   HT002 7,000
  Nov 12  李娜  lead      客户戊 C型
  Nov 20  王强  contract  HT004 客户己 A型 1 × 8,800 (under the 9,000 floor); due Dec 20
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from conftest import demo_copy
from xlpy.core import contracts, stats
from xlpy.io.reference import Reference

AS_OF = dt.date(2026, 11, 30)
COLUMNS = ["date", "report_date", "rep", "region", "customer", "phone", "product", "deal_type", "deal", "qty",
           "unit_price", "amount", "received", "contract_no", "due_date", "note",
           "source", "sheet", "row", "fingerprint", "imported_at", "extra"]
TYPED = {"lead": "意向", "order": "认购", "contract": "签约", "cancel": "退订", "payment": "回款"}
NAN = float("nan")


def deal(date, rep, region, kind, customer=None, product=None, qty=NAN, unit_price=NAN, amount=NAN,
         received=NAN, contract_no=None, due_date=None, phone=None):
    return {"date": pd.Timestamp(date), "report_date": pd.Timestamp(date), "rep": rep, "region": region,
            "customer": customer, "phone": phone, "product": product, "deal_type": TYPED[kind], "deal": kind,
            "qty": qty, "unit_price": unit_price, "amount": amount, "received": received,
            "contract_no": contract_no, "due_date": pd.Timestamp(due_date) if due_date else pd.NaT, "note": None,
            "source": f"{rep}.xlsx", "sheet": "日报", "row": 5, "fingerprint": "x", "imported_at": pd.Timestamp(AS_OF),
            "extra": None}


def office_ledger() -> pd.DataFrame:
    rows = [
        deal("2026-10-10", "张伟", "华东", "lead", "客户甲", "A型"),
        deal("2026-10-12", "张伟", "华东", "contract", "客户甲", "A型", 2, 10000, 20000, 5000, "HT001", "2026-10-31",
             phone="13800000001"),
        deal("2026-10-12", "张伟", "华东", "contract", "客户甲", "B型", 1, 20000, 20000, NAN, "HT001", "2026-10-31",
             phone="13800000001"),
        deal("2026-10-15", "王强", "华南", "order", "客户乙", "B型", 1, 19000, 19000, 2000),
        deal("2026-10-20", "王强", "华南", "contract", "客户丙", "A型", 3, 9000, 27000, NAN, "HT002", "2026-11-15",
             phone="13900000002"),
        # qty only: the consolidation derived the amount from HT001's first line (1 × 10,000)
        deal("2026-11-03", "张伟", "华东", "cancel", "客户甲", None, 1, NAN, 10000, NAN, "HT001"),
        deal("2026-11-05", "张伟", "华东", "payment", "客户甲", None, received=10000, contract_no="HT001"),
        deal("2026-11-08", "李娜", "华东", "contract", "客户丁", "B型", 1, 18500, 18500, 18500, "HT003", "2026-11-08"),
        deal("2026-11-10", "王强", "华南", "payment", "客户丙", None, received=7000, contract_no="HT002"),
        deal("2026-11-12", "李娜", "华东", "lead", "客户戊", "C型"),
        deal("2026-11-20", "王强", "华南", "contract", "客户己", "A型", 1, 8800, 8800, NAN, "HT004", "2026-12-20"),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def office_activity() -> pd.DataFrame:
    rows = [("2026-10-10", "张伟", "华东", 5, 8), ("2026-10-12", "张伟", "华东", 4, 2),
            ("2026-10-15", "王强", "华南", 3, 1), ("2026-10-20", "王强", "华南", 2, 4),
            ("2026-11-03", "张伟", "华东", 1, 3), ("2026-11-05", "张伟", "华东", 2, 2),
            ("2026-11-08", "李娜", "华东", 4, 5), ("2026-11-10", "王强", "华南", 0, 6),
            ("2026-11-12", "李娜", "华东", 3, 1), ("2026-11-20", "王强", "华南", 5, 2)]
    frame = pd.DataFrame(rows, columns=["date", "rep", "region", "visits", "calls"])
    return frame.assign(date=pd.to_datetime(frame["date"]), visits=frame["visits"].astype(float),
                        calls=frame["calls"].astype(float))


def office_reference() -> Reference:
    reps = pd.DataFrame({"name": ["张伟", "李娜", "王强", "赵六"], "region": ["华东", "华东", "华南", "华南"],
                         "active": [True, True, True, False],
                         "hired": [dt.date(2025, 3, 1), dt.date(2026, 11, 1), dt.date(2024, 1, 1), dt.date(2020, 1, 1)],
                         "email": [None] * 4})
    products = pd.DataFrame({"product": ["A型", "B型", "C型"], "category": ["住宅", "住宅", "车位"],
                             "list_price": [10000.0, 20000.0, 5000.0], "floor_price": [9000.0, 18000.0, 4500.0],
                             "opening_stock": [10.0, 5.0, 3.0]})
    targets = pd.DataFrame([("2026-10", "张伟", None, 50000.0), ("2026-11", "张伟", None, 60000.0),
                            ("2026-11", "李娜", None, 40000.0), ("2026-11", "王强", None, 30000.0),
                            ("2026-11", None, "华东", 100000.0), ("2026-Q4", None, "华南", 100000.0),
                            ("2026", None, "华东", 1000000.0)], columns=["period", "rep", "region", "target"])
    recipients = pd.DataFrame(columns=["name", "title", "email"])
    return Reference(reps, products, targets, recipients)


@pytest.fixture
def office():
    return office_ledger(), office_activity(), office_reference()


def by_key(table: pd.DataFrame, key: str) -> dict:
    return table.set_index(key).to_dict("index")


def close(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) if isinstance(b, float) and math.isnan(b) else a == pytest.approx(b)


# -- group_stats ------------------------------------------------------------------------------------

def test_group_stats_by_rep_all_time(office):
    t = by_key(stats.group_stats(*office, by="rep", as_of=AS_OF), "rep")
    assert list(t) == sorted(["张伟", "李娜", "王强"])  # 赵六 left and sold nothing
    zhang, li, wang = t["张伟"], t["李娜"], t["王强"]
    assert zhang["net_amount"] == 40000 - 10000  # HT001 − the cancelled A型 unit
    assert li["net_amount"] == 18500 and wang["net_amount"] == 27000 + 8800
    assert (zhang["net_qty"], li["net_qty"], wang["net_qty"]) == (3 - 1, 1, 3 + 1)
    assert (zhang["leads"], li["leads"], wang["leads"]) == (1, 1, 0)
    assert (zhang["orders"], wang["orders"]) == (0, 1)
    assert (zhang["contracts"], li["contracts"], wang["contracts"]) == (1, 1, 2)  # HT001 has two lines, one contract
    assert (zhang["cancellations"], wang["cancellations"]) == (1, 0)
    assert zhang["received"] == 5000 + 10000 and li["received"] == 18500 and wang["received"] == 2000 + 7000
    # HT001: 40,000 − 10,000 − 15,000; HT002: 27,000 − 7,000 and HT004: 8,800 unpaid; HT003 paid
    assert (zhang["outstanding"], li["outstanding"], wang["outstanding"]) == (15000, 0, 20000 + 8800)
    assert (zhang["visits"], zhang["calls"]) == (5 + 4 + 1 + 2, 8 + 2 + 3 + 2)
    assert zhang["conversion"] == pytest.approx(1 / 12) and wang["conversion"] == pytest.approx(2 / 10)
    assert math.isnan(zhang["target"]) and math.isnan(zhang["attainment"])  # no period, no target


def test_group_stats_by_rep_for_a_month(office):
    t = by_key(stats.group_stats(*office, by="rep", period="2026-11", as_of=AS_OF), "rep")
    zhang, li, wang = t["张伟"], t["李娜"], t["王强"]
    assert (zhang["net_amount"], li["net_amount"], wang["net_amount"]) == (-10000, 18500, 8800)
    assert (zhang["contracts"], zhang["cancellations"]) == (0, 1)
    assert zhang["received"] == 10000 and wang["received"] == 7000
    assert zhang["outstanding"] == 0  # signed nothing in November
    assert wang["outstanding"] == 8800  # HT004 only; HT002 was signed in October
    assert zhang["conversion"] == 0 and li["conversion"] == pytest.approx(1 / (4 + 3))
    assert wang["conversion"] == pytest.approx(1 / (0 + 5))
    assert (zhang["target"], li["target"], wang["target"]) == (60000, 40000, 30000)
    assert li["attainment"] == pytest.approx(18500 / 40000) and zhang["attainment"] == pytest.approx(-10000 / 60000)


def test_group_stats_by_region_uses_own_target_else_its_reps(office):
    t = by_key(stats.group_stats(*office, by="region", period="2026-11", as_of=AS_OF), "region")
    assert t["华东"]["net_amount"] == -10000 + 18500 and t["华南"]["net_amount"] == 8800
    assert t["华东"]["target"] == 100000  # 华东's own November target
    assert t["华南"]["target"] == 30000  # none of its own: 王强's
    assert t["华南"]["attainment"] == pytest.approx(8800 / 30000)
    assert t["华东"]["visits"] == 1 + 2 + 4 + 3 and t["华东"]["conversion"] == pytest.approx(1 / 10)
    quarter = by_key(stats.group_stats(*office, by="region", period="2026-Q4", as_of=AS_OF), "region")
    assert math.isnan(quarter["华东"]["target"])
    assert quarter["华南"]["attainment"] == pytest.approx((27000 + 8800) / 100000)
    year = by_key(stats.group_stats(*office, by="region", period="2026", as_of=AS_OF), "region")
    assert year["华东"]["attainment"] == pytest.approx((40000 - 10000 + 18500) / 1000000)


def test_group_stats_by_product_allocates_payments_and_has_no_activity(office):
    t = by_key(stats.group_stats(*office, by="product", as_of=AS_OF), "product")
    assert list(t) == ["A型", "B型", "C型"]
    a, b, c = t["A型"], t["B型"], t["C型"]
    assert a["net_amount"] == 20000 + 27000 - 10000 + 8800 and a["net_qty"] == 2 + 3 - 1 + 1
    assert b["net_amount"] == 20000 + 18500 and b["net_qty"] == 2
    assert (a["contracts"], b["contracts"], c["contracts"]) == (3, 2, 0)  # HT001 counts for both of its lines
    assert (a["cancellations"], b["cancellations"]) == (1, 0)  # the cancel named no product: HT001's first line
    assert a["received"] == 5000 + 5000 + 7000  # the HT001 payment split 20,000 : 20,000
    assert b["received"] == 2000 + 5000 + 18500
    assert a["outstanding"] == (20000 - 10000 - 10000) + 20000 + 8800 and b["outstanding"] == 20000 - 5000
    assert (c["leads"], c["net_amount"]) == (1, 0)
    for metric in ("visits", "calls", "conversion", "target", "attainment"):
        assert math.isnan(a[metric])


def test_group_stats_by_product_for_a_month(office):
    t = by_key(stats.group_stats(*office, by="product", period="2026-11", as_of=AS_OF), "product")
    assert t["A型"]["net_amount"] == -10000 + 8800 and t["A型"]["net_qty"] == 0
    assert t["A型"]["received"] == 5000 + 7000 and t["B型"]["received"] == 5000 + 18500
    assert t["A型"]["outstanding"] == 8800 and t["B型"]["outstanding"] == 0


@pytest.mark.parametrize("by, key, expected", [
    ("month", "2026-10", {"net_amount": 40000 + 27000, "received": 7000, "visits": 14, "contracts": 2, "target": 50000}),
    ("month", "2026-11", {"net_amount": 17300, "received": 35500, "visits": 15, "contracts": 2, "target": 130000}),
    ("quarter", "2026-Q4", {"net_amount": 84300, "received": 42500, "visits": 29, "target": 100000}),
    ("year", "2026", {"net_amount": 84300, "leads": 2, "orders": 1, "contracts": 4, "target": 1000000}),
])
def test_group_stats_by_time(office, by, key, expected):
    # November's total target: 华东's own 100,000 + 华南's from 王强 30,000; October's: 华东 from 张伟 50,000
    row = by_key(stats.group_stats(*office, by=by, as_of=AS_OF), by)[key]
    for metric, value in expected.items():
        assert row[metric] == pytest.approx(value), metric
    assert row["attainment"] == pytest.approx(row["net_amount"] / expected["target"])


def test_group_stats_by_day(office):
    t = stats.group_stats(*office, by="day", as_of=AS_OF)
    assert len(t) == 10  # ten days with a deal or a report
    day = by_key(t, "day")[pd.Timestamp("2026-10-12")]
    assert (day["net_amount"], day["received"], day["outstanding"]) == (40000, 5000, 15000)
    assert (day["visits"], day["calls"]) == (4, 2) and day["conversion"] == pytest.approx(1 / 4)
    assert math.isnan(day["target"])


def test_period_filter_and_as_of_cut(office):
    october = by_key(stats.group_stats(*office, by="region", period="2026-10", as_of=AS_OF), "region")
    assert october["华东"]["net_amount"] == 40000 and october["华东"]["outstanding"] == 15000
    assert october["华东"]["target"] == 50000  # from 张伟's October target
    # As of Oct 31 nothing of November is known: HT001 still owes 40,000 − 5,000
    early = by_key(stats.group_stats(*office, by="region", as_of=dt.date(2026, 10, 31)), "region")
    assert early["华东"]["outstanding"] == 35000 and early["华东"]["cancellations"] == 0
    with pytest.raises(ValueError):
        stats.group_stats(*office, by="customer")


def test_group_stats_on_an_empty_ledger(office):
    ledger, activity, reference = office
    t = stats.group_stats(ledger.iloc[0:0], activity.iloc[0:0], reference, by="rep", period="2026-11")
    assert set(t["rep"]) == {"张伟", "李娜", "王强"} and (t["net_amount"] == 0).all()
    assert t["conversion"].isna().all()


# -- the sheet tables -------------------------------------------------------------------------------

def test_daily_summary_shows_who_did_not_report(office):
    t = stats.daily_summary(*office, period="2026-11", as_of=AS_OF)
    assert len(t) == 6 * 3  # six November days × three active reps
    rows = t.set_index(["day", "rep"]).to_dict("index")
    zhang = rows[(pd.Timestamp("2026-11-03"), "张伟")]
    assert (zhang["reports"], zhang["cancellations"], zhang["net_amount"], zhang["net_qty"]) == (1, 1, -10000, -1)
    assert (zhang["visits"], zhang["calls"], zhang["region"]) == (1, 3, "华东")
    missing = rows[(pd.Timestamp("2026-11-03"), "王强")]
    assert (missing["reports"], missing["net_amount"], missing["visits"]) == (0, 0, 0)
    october = stats.daily_summary(*office, period="2026-10", as_of=AS_OF)
    assert "李娜" not in set(october["rep"])  # hired Nov 1


def test_monthly_summary_by_region_and_rep(office):
    t = stats.monthly_summary(*office, by="region", as_of=AS_OF).set_index(["month", "region"]).to_dict("index")
    east_nov = t[("2026-11", "华东")]
    # 李娜's lead; HT003; HT001's cancel; −1 + 1 units; −10,000 + 18,500; 10,000 + 18,500; visits 1+2+4+3
    assert (east_nov["leads"], east_nov["contracts"], east_nov["cancellations"]) == (1, 1, 1)
    assert (east_nov["net_qty"], east_nov["net_amount"], east_nov["received"]) == (0, 8500, 28500)
    assert (east_nov["visits"], east_nov["calls"], east_nov["conversion"]) == (10, 11, pytest.approx(0.1))
    south_oct = t[("2026-10", "华南")]
    assert (south_oct["orders"], south_oct["received"], south_oct["conversion"]) == (1, 2000, pytest.approx(1 / 5))
    reps = stats.monthly_summary(*office, by="rep", as_of=AS_OF)
    assert list(reps.columns[:2]) == ["month", "rep"] and len(reps) == 2 + 3  # October: 张伟, 王强; November: all three


def test_region_performance_changes(office):
    t = stats.region_performance(office[0], AS_OF).set_index(["region", "month"]).to_dict("index")
    assert len(t) == 2 * 2
    east_nov = t[("华东", "2026-11")]
    assert (east_nov["net_amount"], east_nov["prev_month"]) == (8500, 40000)
    assert east_nov["mom"] == pytest.approx((8500 - 40000) / 40000)
    assert t[("华南", "2026-11")]["mom"] == pytest.approx((8800 - 27000) / 27000)
    assert math.isnan(t[("华东", "2026-10")]["prev_month"])  # before the ledger starts
    assert math.isnan(east_nov["prev_year"]) and math.isnan(east_nov["yoy"])
    trend = stats.region_trend(stats.region_performance(office[0], AS_OF))
    assert list(trend.columns) == ["month", "华东", "华南"] and list(trend["华南"]) == [27000, 8800]


def test_region_performance_year_on_year():
    ledger = pd.DataFrame([deal("2025-11-02", "王强", "华南", "contract", "甲", "A型", 1, 100, 100, NAN, "C1"),
                           deal("2026-11-02", "王强", "华南", "contract", "乙", "A型", 1, 150, 150, NAN, "C2")],
                          columns=COLUMNS)
    t = stats.region_performance(ledger).set_index("month")
    assert len(t) == 13  # every month between, the empty ones at 0
    assert t.loc["2026-11", "prev_year"] == 100 and t.loc["2026-11", "yoy"] == pytest.approx(0.5)
    assert t.loc["2026-10", "net_amount"] == 0 and math.isnan(t.loc["2026-11", "mom"])  # from 0: no ratio


def test_attainment_table(office):
    t = stats.attainment(office[0], office[2], AS_OF)
    rows = {(r.period, r.rep if isinstance(r.rep, str) else r.region): r for r in t.itertuples()}
    assert len(rows) == 4 + 5  # four rep targets; 华东 for 2026, 2026-10 (from 张伟), 2026-11; 华南 2026-11, 2026-Q4
    assert rows[("2026-10", "张伟")].attainment == pytest.approx(40000 / 50000)
    assert rows[("2026-11", "李娜")].region == "华东"
    assert rows[("2026-11", "华南")].target == 30000 and rows[("2026-11", "华南")].net_amount == 8800
    assert rows[("2026-Q4", "华南")].attainment == pytest.approx(35800 / 100000)
    assert rows[("2026", "华东")].net_amount == 40000 - 10000 + 18500
    assert list(t["period"]) == sorted(t["period"])


def test_ranking_scores_by_the_documented_formula(office):
    t = stats.ranking(*office, period="2026-11", as_of=AS_OF).set_index("rep")
    # scaled across reps, November:
    #   net:        张伟 −10,000 → 0; 李娜 18,500 → 1; 王强 8,800 → 18,800 / 28,500
    #   attainment: −1/6 → 0; 0.4625 → 1; 0.29333 → (0.29333 + 1/6) / (0.4625 + 1/6)
    #   conversion: 0/3 → 0; 1/7 → (1/7) / 0.2; 1/5 → 1
    #   collection: 张伟 signed nothing → 0; 李娜 18,500/18,500 → 1; 王强 0/8,800 → 0
    wang = 0.4 * 18800 / 28500 + 0.3 * (8800 / 30000 + 1 / 6) / (0.4625 + 1 / 6) + 0.15
    assert t.loc["李娜", "score"] == pytest.approx(0.4 + 0.3 + 0.15 * (1 / 7) / 0.2 + 0.15)
    assert t.loc["王强", "score"] == pytest.approx(wang)
    assert t.loc["张伟", "score"] == 0
    assert list(t.index) == ["李娜", "王强", "张伟"] and list(t["rank"]) == [1, 2, 3]
    assert t.loc["李娜", "collection_rate"] == 1 and t.loc["王强", "collection_rate"] == 0
    only_sales = stats.ranking(*office, period="2026-11", as_of=AS_OF, weights={"net_amount": 1})
    assert list(only_sales["rep"]) == ["李娜", "王强", "张伟"]
    with pytest.raises(ValueError):
        stats.ranking(*office, weights={"charm": 1})


@pytest.mark.parametrize("as_of, buckets", [
    (dt.date(2026, 10, 31), {"HT001": (0, "未到期"), "HT002": (0, "未到期")}),  # due today: not yet past
    (dt.date(2026, 11, 30), {"HT001": (30, "0–30"), "HT002": (15, "0–30"), "HT004": (0, "未到期")}),
    (dt.date(2027, 1, 20), {"HT001": (81, "61–90"), "HT002": (66, "61–90"), "HT004": (31, "31–60")}),
    (dt.date(2027, 2, 15), {"HT001": (107, "90+"), "HT002": (92, "90+"), "HT004": (57, "31–60")}),
])
def test_receivables_aging(office, as_of, buckets):
    t = stats.receivables(office[0], as_of).set_index("contract_no")
    assert {k: (r["days_overdue"], r["aging"]) for k, r in t.iterrows()} == buckets  # HT003 is paid


def test_receivables_amounts_and_collection_list(office):
    t = stats.receivables(office[0], AS_OF).set_index("contract_no")
    assert t.loc["HT001", ["amount", "cancelled", "received", "outstanding"]].tolist() == [40000, 10000, 15000, 15000]
    assert t.loc["HT002", "outstanding"] == 27000 - 7000 and t.loc["HT001", "phone"] == "13800000001"
    chase = stats.collection_list(office[0], AS_OF)
    assert list(chase["contract_no"]) == ["HT002", "HT001"]  # 20,000 before 15,000; HT004 not due
    aging = stats.aging_by_region(stats.receivables(office[0], AS_OF)).set_index("region")
    assert list(aging.columns) == list(stats.AGING)
    assert aging.loc["华南", "0–30"] == 20000 and aging.loc["华南", "未到期"] == 8800 and aging.loc["华东", "0–30"] == 15000


def test_inventory_and_prices(office):
    ledger, _, reference = office
    stock = by_key(stats.inventory(ledger, reference, AS_OF), "product")
    assert stock["A型"]["remaining"] == 10 - (2 + 3 - 1 + 1) and stock["B型"]["remaining"] == 5 - 2
    assert stock["C型"]["remaining"] == 3
    prices = by_key(stats.price_analysis(ledger, reference, as_of=AS_OF), "product")
    a = prices["A型"]  # 20,000 + 27,000 + 8,800 over 2 + 3 + 1 units
    assert (a["contract_qty"], a["avg_price"], a["below_floor"]) == (6, 55800 / 6, 1)
    assert a["discount"] == pytest.approx(1 - 9300 / 10000)
    assert prices["B型"]["discount"] == pytest.approx(1 - 19250 / 20000) and prices["B型"]["below_floor"] == 0
    assert math.isnan(prices["C型"]["avg_price"])
    november = by_key(stats.price_analysis(ledger, reference, period="2026-11", as_of=AS_OF), "product")
    assert november["A型"]["avg_price"] == 8800


def test_all_tables_and_labels(office):
    tables = stats.all_tables(*office, as_of=AS_OF)
    assert set(tables) >= {"daily", "monthly_region", "monthly_rep", "region_performance", "attainment",
                           "ranking", "receivables", "collection", "inventory", "prices"}
    for name, table in tables.items():
        unlabelled = [c for c in table.columns if c not in stats.LABELS and name not in ("region_trend", "aging")]
        assert not unlabelled, name
    assert stats.label("customer") == "客户名称" and stats.label("net_amount", "en") == "Net Sales"


def test_a_cancel_typed_with_only_a_quantity_is_valued_at_its_line_price():
    from xlpy.core import ledger as L
    rows = [dict(date="2026-11-02", rep="A", region="R", product="P", deal="contract", qty=2, unit_price=100,
                 amount=200, contract_no="C1"),
            dict(date="2026-11-03", rep="A", region="R", product=None, deal="cancel", qty=1, contract_no="C1")]
    table = stats.group_stats(L.frame(rows, L.LEDGER), None, Reference.empty(), "region")
    assert table[["net_amount", "net_qty", "outstanding"]].iloc[0].tolist() == [100.0, 1.0, 100.0]


# ---------------------------------------------------------------- adding a statistic: 客单价

def test_avg_deal_is_net_sales_per_contract_signed(office):
    """客单价, added as docs/design.md shows: a declaration and a function, nothing else."""
    november = by_key(stats.group_stats(*office, "region", "2026-11", as_of=AS_OF), "region")
    assert november["华东"]["avg_deal"] == 8500  # HT003 18,500 − HT001's 10,000 cancelled, one contract
    assert november["华南"]["avg_deal"] == 8800  # HT004
    everything = by_key(stats.group_stats(*office, "region", as_of=AS_OF), "region")
    assert everything["华东"]["avg_deal"] == (40000 - 10000 + 18500) / 2
    product = by_key(stats.group_stats(*office, "product", as_of=AS_OF), "product")
    assert math.isnan(product["C型"]["avg_deal"])  # nothing signed: blank, not 0 or inf
    assert stats.label("avg_deal") == "客单价" and stats.label("avg_deal", "en") == "Average Deal"


def test_avg_deal_in_the_json_of_xlpy_stats(demo_office, tmp_path, capsys):
    import json

    from xlpy import cli

    office = demo_copy(demo_office(AS_OF).dir, tmp_path)  # the run's demo office of AS_OF (conftest)
    assert cli.main(["consolidate", "--office", str(office), "--date", AS_OF.isoformat()]) in (0, 1)
    capsys.readouterr()
    cli.main(["stats", "--office", str(office), "--date", AS_OF.isoformat(), "--by", "region", "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(list(r)[1:] == list(stats.METRICS) for r in rows)
    for r in rows:
        expected = pytest.approx(r["net_amount"] / r["contracts"]) if r["contracts"] else None
        assert r["avg_deal"] == expected


def test_every_declared_statistic_has_its_function():
    from xlpy.contract import statistics as declared
    assert {t.key for t in declared.TABLES} == set(stats.TABLES)
    assert set(declared.METRICS) == set(declared.ADDITIVE) | set(stats.DERIVED) | {"target"}
    for t in declared.TABLES:
        assert t.sheet in dict(declared.SHEETS)
        assert all(c in declared.COLUMNS for c in t.columns or ()), t.key
    assert all(c.kind in declared.KINDS for c in declared.COLUMNS.values())


def test_facts_derived_once_are_passed_down_not_remembered(office):
    from xlpy.core import contracts
    ledger, activity, reference = office
    f = contracts.facts(ledger, activity, AS_OF)
    assert contracts.of(f) is f  # given facts are used as they are
    assert contracts.facts(ledger, activity, AS_OF) is not f  # and nothing is kept between calls
    assert not hasattr(contracts, "forget")
    same = stats.group_stats(f, None, reference, "rep", "2026-11")
    assert same.equals(stats.group_stats(ledger, activity, reference, "rep", "2026-11", as_of=AS_OF))


def test_the_facts_carry_only_what_the_tables_read(office):
    """The facts copy the ledger's rows three times (rows, net, receipts): columns no table reads are
    left out (memory of a rebuild, docs/benchmarks.md "memory4"). Blanking those columns in the ledger
    changes no table, and net and receipts carry none of the columns only rows are read for."""
    ledger, activity, reference = office
    f = contracts.facts(ledger, activity, AS_OF)
    assert not set(contracts.UNREAD) & set(f.rows.columns)
    for frame in (f.net, f.receipts):
        assert not (set(contracts.UNREAD) | set(contracts.UNSUMMED)) & set(frame.columns)
    blank = ledger.assign(**{c: None for c in contracts.UNREAD})
    full, blanked = (stats.all_tables(x, activity, reference, as_of=AS_OF) for x in (ledger, blank))
    assert full.keys() == blanked.keys()
    for name in full:
        pd.testing.assert_frame_equal(full[name], blanked[name], obj=name)
