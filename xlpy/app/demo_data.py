"""The demo office's people and prices: a home-appliance maker with eight reps in three regions.

`xlpy demo` and the tests start from this office; `xlpy init` starts from an empty reference.
"""
from __future__ import annotations

import datetime as dt

# (name, region, active, hired, e-mail); one rep has left, as in every real office.
REPS = (
    ("张伟", "华东", "是", dt.date(2019, 3, 11), "zhang.wei@example.com"),
    ("王芳", "华东", "是", dt.date(2021, 7, 1), "wang.fang@example.com"),
    ("李娜", "华东", "是", dt.date(2024, 2, 19), "li.na@example.com"),
    ("刘洋", "华南", "是", dt.date(2020, 9, 7), "liu.yang@example.com"),
    ("陈静", "华南", "是", dt.date(2023, 4, 3), "chen.jing@example.com"),
    ("周强", "华南", "否", dt.date(2018, 5, 14), "zhou.qiang@example.com"),
    ("杨磊", "华北", "是", dt.date(2017, 11, 20), "yang.lei@example.com"),
    ("赵敏", "华北", "是", dt.date(2022, 6, 6), "zhao.min@example.com"),
)
# Dealers buy by the dozen: (product, category, list price, floor price ≈ 92 %, opening stock: a month's sales).
PRODUCTS = (
    ("壁挂空调 KFR-26GW", "空调", 2699, 2480, 4200),
    ("壁挂空调 KFR-35GW", "空调", 3299, 3040, 5600),
    ("柜式空调 KFR-72LW", "空调", 6999, 6440, 1800),
    ("燃气热水器 JSQ-16", "热水器", 2199, 2020, 3000),
    ("燃气热水器 JSQ-24", "热水器", 3599, 3310, 1500),
    ("电热水器 DSZF-60", "热水器", 1599, 1470, 3800),
    ("净水器 RO-600G", "净水器", 2999, 2760, 2600),
    ("净水器 RO-1000G", "净水器", 4599, 4230, 1200),
    ("空气净化器 KJ-500", "净化器", 1899, 1750, 2400),
    ("新风系统 XF-250", "新风", 8999, 8280, 600),
)
RECIPIENTS = (
    ("林国华", "董事长", "chairman@example.com"),
    ("吴志强", "总经理", "gm@example.com"),
    ("孙丽", "销售经理", "sales.manager@example.com"),
)
# Monthly target of each active rep, in yuan; busier months weigh more.
REP_MONTHLY = {"张伟": 600_000, "王芳": 500_000, "李娜": 350_000, "刘洋": 550_000,
               "陈静": 400_000, "杨磊": 600_000, "赵敏": 450_000}
SEASON = (0.8, 0.7, 0.9, 1.0, 1.1, 1.2, 1.2, 1.1, 1.0, 1.0, 1.1, 1.3)


def reference_data(years, monthly: dict[tuple[str, str], float] | None = None, stock: float = 1) -> dict[str, list]:
    """The rows of each reference sheet; targets for ``years`` (an int or several), with
    ``monthly`` ((rep, "YYYY-MM") → target) replacing the planned figure of those months; the
    opening stock times ``stock`` (a quarter of the demo sells more than a month's)."""
    products = [(*p[:4], round(p[4] * stock)) for p in PRODUCTS]
    return {"reps": REPS, "products": products, "targets": targets(years, monthly), "recipients": RECIPIENTS}


def targets(years, monthly: dict[tuple[str, str], float] | None = None) -> list[tuple]:
    """(period, rep, region, target): per active rep or per region (one of the two, never
    both, so that no total counts a target twice), by month, quarter and year."""
    rows = []
    for year in ([years] if isinstance(years, int) else sorted(set(years))):
        plan = {}  # (rep or None, region or None) → twelve months
        for name, region, active, *_ in REPS:
            if active != "是":
                continue
            months = [(monthly or {}).get((name, f"{year}-{m + 1:02d}"), round(REP_MONTHLY[name] * s, -4))
                      for m, s in enumerate(SEASON)]
            plan[(name, None)] = months
            plan[(None, region)] = [a + b for a, b in zip(plan.get((None, region), [0] * 12), months)]
        for (rep, region), months in plan.items():
            rows += [(f"{year}-{m + 1:02d}", rep, region, months[m]) for m in range(12)]
            rows += [(f"{year}-Q{q + 1}", rep, region, sum(months[3 * q:3 * q + 3])) for q in range(4)]
            rows.append((str(year), rep, region, sum(months)))
    return rows
