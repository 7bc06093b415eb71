"""总表's statistics from per-month figures (core/month_figures.py, kept in the read cache by store.monthly
through app/history.py): every table equal to the one derived from every row, on months of
signings, payments (of a line and of a whole contract), cancellations (by amount, by units, of a
product not a line, of an unknown contract) and rows filed in the next month's master; and a
correction of an old month followed by the months derived beside it."""
from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import random

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xlpy.app import briefing, consolidate, history
from xlpy.app.office import init_office
from xlpy.contract import config
from xlpy.contract import statistics as declared
from xlpy.core import contracts, stats, worklog
from xlpy.core import ledger as L
from xlpy.core import month_figures as figures
from xlpy.io import store
from xlpy.io.reference import read_reference
from xlpy.io.report_file import write_report

DAY = dt.date(2026, 11, 27)
AC, HEATER = "壁挂空调 KFR-26GW", "新风系统 XF-250"
REPS = (("张伟", "华东"), ("李娜", "华南"), ("王强", "华东"))


def _row(day, deal, no, product=AC, qty=None, amount=None, received=None, rep=("张伟", "华东"), price=None):
    day = pd.Timestamp(day)
    return {"date": day, "report_date": day, "rep": rep[0], "region": rep[1], "customer": f"客户{no}",
            "product": product, "deal": deal, "qty": qty, "unit_price": price, "amount": amount,
            "received": received, "contract_no": no, "source": f"{rep[0]}_{day:%m%d}.xlsx", "sheet": "日报",
            "row": 6, "fingerprint": "f", "due_date": day + pd.Timedelta(days=30)}


def _months(n: int = 8, seed: int = 3) -> dict[str, list[dict]]:
    """``n`` months up to DAY's: each signs contracts (some of two lines), pays and cancels earlier
    ones in every way the facts know; the last day of a month is filed in the next month's master."""
    rng, signed, out = random.Random(seed), [], {}
    months = pd.period_range(end=pd.Period(DAY, "M"), periods=n, freq="M")
    for m in months:
        rows = []
        for i in range(12):
            day, rep = m.start_time + pd.Timedelta(days=rng.randrange(26)), rng.choice(REPS)
            no = f"HT-{m}-{i}"
            price = rng.choice((2699.0, 8999.0, 1999.0))
            rows.append(_row(day, "contract", no, AC, 2, 2 * price, rng.choice((None, price)), rep, price))
            if i % 4 == 0:
                rows.append(_row(day, "contract", no, HEATER, 1, 8999.0, None, rep, 8999.0))
            signed.append((no, price))
            rows.append(_row(day, "lead", None, AC, rep=rep))
        for no, price in rng.sample(signed, min(8, len(signed))):
            day = m.start_time + pd.Timedelta(days=rng.randrange(26))
            kind = rng.randrange(4)
            if kind == 0:
                rows.append(_row(day, "payment", no, None, received=1000.0))  # shared over the lines
            elif kind == 1:
                rows.append(_row(day, "payment", no, AC, received=500.0))
            elif kind == 2:
                rows.append(_row(day, "cancel", no, AC, qty=1))  # worth a unit at its line's price
            else:
                rows.append(_row(day, "cancel", no, "没有这行", amount=-300.0, qty=1, rep=(None, None)))
        rows.append(_row(m.start_time + pd.Timedelta(days=3), "cancel", "HT-404", AC, amount=-10.0))
        rows.append(_row(m.start_time + pd.Timedelta(days=3), "payment", "HT-405", None, received=10.0))
        out[str(m)] = rows
    for earlier, later in zip(list(out)[:-1], list(out)[1:]):  # filed late: dated in one month, kept in the next
        out[later].append(_row(pd.Period(earlier).end_time.normalize(), "contract", f"HT-late-{earlier}", AC, 1, 2699.0))
        out[later].append(_row(pd.Period(earlier).end_time.normalize(), "cancel", f"HT-{earlier}-1", AC, qty=1))
        # one contract, its lines filed in two masters: counted once in its month
        out[earlier].append(_row(pd.Period(earlier).start_time, "contract", f"HT-twice-{earlier}", AC, 1, 2699.0))
        out[later].append(_row(pd.Period(earlier).end_time.normalize(), "contract", f"HT-twice-{earlier}", HEATER,
                               1, 8999.0))
    return out


def _frames(months: dict[str, list[dict]]):
    ledgers = {m: L.frame(rows, L.LEDGER) for m, rows in months.items()}
    activity = {m: L.frame([{"date": r["date"], "rep": r["rep"], "region": r["region"], "visits": 2, "calls": 3,
                             "source": r["source"]} for r in rows if r["rep"]], L.ACTIVITY) for m, rows in months.items()}
    return ledgers, activity


def _same_tables(a: stats.Inputs, b: stats.Inputs) -> None:
    for t in declared.TABLES:
        x, y = a.table(t.key).reset_index(drop=True), b.table(t.key).reset_index(drop=True)
        assert list(x.columns) == list(y.columns) and len(x) == len(y), t.key
        for column in x.columns:
            if pd.api.types.is_numeric_dtype(x[column]) and pd.api.types.is_numeric_dtype(y[column]):
                assert np.allclose(x[column].astype(float), y[column].astype(float), equal_nan=True), (t.key, column)
            else:
                assert x[column].tolist() == y[column].tolist(), (t.key, column)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    office = tmp_path_factory.mktemp("office") / "office"
    init_office(office, today=DAY)
    settings = config.load(office)
    return read_reference(settings.path("reference"), settings)


def test_the_months_figures_combined_are_the_tables_of_every_row(reference):
    ledgers, activity = _frames(_months())
    ledger, active = L.append(*ledgers.values(), fields=L.LEDGER), L.append(*activity.values(), fields=L.ACTIVITY)
    assert figures.usable(ledger, active, DAY)
    months = [figures.month(m, ledgers, activity[m], {}) for m in ledgers]
    assert any(len(m.months) > 1 for m in months)  # rows filed in the next month's master
    by_rows = stats.Inputs(contracts.facts(ledger, active, DAY), reference, DAY)
    by_months = stats.Inputs(None, reference, DAY, history=figures.combine(months, ledger, active))
    _same_tables(by_rows, by_months)
    assert by_months.facts is None  # no table derived every row
    assert len(by_months.table("receivables")) > 0 and by_months.table("monthly_rep")["contracts"].sum() > 0


def test_the_attainment_of_a_year_gone_by_is_that_of_every_row(reference):
    """Targets of an earlier year (a month, a quarter, the year; a rep's and a region's) are met by
    that year's months' figures, as by its rows."""
    old = pd.DataFrame({"period": ["2025", "2025-Q4", "2025-12"], "rep": ["张伟", None, "李娜"],
                        "region": [None, "华东", None], "target": [1e6, 5e5, 2e5]})
    earlier = dataclasses.replace(reference, targets=pd.concat([reference.targets, old], ignore_index=True))
    ledgers, activity = _frames(_months(18))
    ledger, active = L.append(*ledgers.values(), fields=L.LEDGER), L.append(*activity.values(), fields=L.ACTIVITY)
    months = [figures.month(m, ledgers, activity[m], {}) for m in ledgers]
    by_months = stats.Inputs(None, earlier, DAY, history=figures.combine(months, ledger, active))
    _same_tables(stats.Inputs(contracts.facts(ledger, active, DAY), earlier, DAY), by_months)
    table = by_months.table("attainment")
    met = table.loc[table["period"].str.startswith("2025"), "net_amount"]
    assert len(met) >= 3 and (met > 0).all()


def test_an_exchange_or_a_row_after_the_day_derives_every_row(reference):
    ledgers, activity = _frames(_months(3))
    ledger, active = L.append(*ledgers.values(), fields=L.LEDGER), L.append(*activity.values(), fields=L.ACTIVITY)
    exchanged = L.append(ledger, L.frame([_row("2026-11-05", "exchange", "HT-2026-11-0", HEATER, amount=9500.0)],
                                         L.LEDGER), fields=L.LEDGER)
    assert not figures.usable(exchanged, active, DAY)
    assert not figures.usable(ledger, active, DAY - dt.timedelta(days=10))


def _report(office, name, day, rows):
    return write_report(office / "inbox" / name, {"report_date": day, "rep": "张伟", "visits": 4, "calls": 9}, rows)


def _summary_net(office) -> float:
    """总表's 月度汇总 (by rep): 张伟's net sales in November."""
    t = declared.TABLE["monthly_rep"]
    rows = CalamineWorkbook.from_path(str(office / "master" / store.SUMMARY)).get_sheet_by_name(t.sheet).to_python()
    left, keys = rows[0].index(t.zh), list(t.columns)
    found = [dict(zip(keys, r[left:left + len(keys)])) for r in rows[2:]]
    return next(r["net_amount"] for r in found if r["month"] == "2026-11" and r["rep"] == "张伟")


def test_a_corrected_old_month_is_followed_by_the_months_derived_beside_it(tmp_path, monkeypatch):
    monkeypatch.setattr(history, "FROM_ROWS", 0)  # the figures even for this short a history
    office = tmp_path / "office"
    init_office(office, today=DAY)
    contract = dict(customer="王先生", product=AC, deal_type="签约", qty=2, unit_price=2699.0, amount=5398.0,
                    contract_no="HT-1")
    _report(office, "2026-10-30/张伟.xlsx", dt.date(2026, 10, 30), [contract])
    _report(office, "2026-11-25/张伟.xlsx", dt.date(2026, 11, 25),  # a unit cancelled: worth its line's price
            [dict(customer="王先生", product=AC, deal_type="退订", qty=1, contract_no="HT-1")])
    settings = config.load(office)
    assert consolidate.run_consolidation(settings, now=pd.Timestamp("2026-11-25 20:00")).exit_code == 0
    briefing.make_briefing(settings, dt.date(2026, 11, 26))  # nothing changed: every month's figures kept
    assert _summary_net(office) == pytest.approx(-2699.0)
    master = office / "master"
    parts = store.read_partitions(master)
    kept = store.monthly(master, parts, "figures", lambda part: pytest.fail("computed again"))
    assert kept[1].resolved == {"2026-10"}  # November's cancellation was priced beside October's contract
    # the rep corrects October: HT-1 was signed at 2,500 a unit; November's cancellation is worth that now
    _report(office, "2026-10-30/张伟.xlsx", dt.date(2026, 10, 30), [{**contract, "unit_price": 2500.0, "amount": 5000.0}])
    assert consolidate.run_consolidation(settings, now=pd.Timestamp("2026-11-26 20:00")).exit_code == 0
    assert _summary_net(office) == pytest.approx(-2500.0)
    parts = store.read_partitions(master)
    ledger, active = store.concat(parts, "ledger"), store.concat(parts, "activity")
    reference = read_reference(settings.path("reference"), settings)
    by_months = history.inputs(parts, master, ledger, active, reference, DAY, None)
    assert by_months.history is not None
    _same_tables(stats.Inputs(contracts.facts(ledger, active, DAY), reference, DAY), by_months)


def test_a_short_history_derives_every_row(tmp_path):
    office = tmp_path / "office"
    init_office(office, today=DAY)
    _report(office, "2026-10-30/张伟.xlsx", dt.date(2026, 10, 30),
            [dict(customer="王先生", product=AC, deal_type="签约", qty=1, unit_price=2699.0, amount=2699.0,
                  contract_no="HT-1")])
    settings = config.load(office)
    consolidate.run_consolidation(settings, now=pd.Timestamp("2026-11-25 20:00"))
    parts = store.read_partitions(office / "master")
    ledger, active = store.concat(parts, "ledger"), store.concat(parts, "activity")
    reference = read_reference(settings.path("reference"), settings)
    assert history.inputs(parts, office / "master", ledger, active, reference, DAY, None).history is None


def test_cached_figures_hold_until_a_month_they_depend_on_changes():
    ledgers, activity = _frames(_months(3))
    names = list(ledgers)
    then = {name: ("stamp", i) for i, name in enumerate(names)}
    october = figures.month(names[1], ledgers, activity[names[1]], then)
    assert october.resolved == {names[0]}  # its cancellations and payments name September's contracts
    signs = {names[2]: figures.signed_in(ledgers[names[2]])}
    tonight = {**then, names[2]: None}  # November changed in this run
    assert figures.still_valid(names[1], october, tonight, signs.get)
    # a payment in October for a contract that November (changed) signs now: October's figures are stale
    signs[names[2]] = signs[names[2]] | {next(iter(october.refs - {"HT-404", "HT-405"}))}
    assert not figures.still_valid(names[1], october, tonight, signs.get)
    assert not figures.still_valid(names[1], october, {**then, names[0]: ("stamp", 9)}, signs.get)  # September rewritten
    assert not figures.still_valid(names[1], october, {k: v for k, v in then.items() if k != names[0]}, signs.get)


def test_an_earlier_years_distinct_counts_are_counted_over_its_months(reference):
    """A contract cancelled in two months of an earlier year is one of that year's cancellations
    (as `xlpy stats` counts the year), in the tables from every row and from the months' figures alike."""
    months = _months(18)  # 2025-06 … 2026-11: the months before 2025-11 shown as one range
    for m in ("2025-07", "2025-09"):
        months[m].append(_row(f"{m}-10", "cancel", "HT-2025-06-2", AC, qty=1))
    ledgers, activity = _frames(months)
    ledger, active = L.append(*ledgers.values(), fields=L.LEDGER), L.append(*activity.values(), fields=L.ACTIVITY)
    built = [figures.month(m, ledgers, activity[m], {}) for m in ledgers]
    by_rows = stats.Inputs(contracts.facts(ledger, active, DAY), reference, DAY)
    by_months = stats.Inputs(None, reference, DAY, history=figures.combine(built, ledger, active))
    _same_tables(by_rows, by_months)
    span = "2025-06-01..2025-10-31"
    for by in ("region", "rep"):
        table = by_months.table(f"monthly_{by}")
        shown = table[table["month"].str.startswith("2025-01-01..")].set_index(by)
        counted = stats.group_stats(by_rows.facts, None, reference, by, span, DAY).set_index(by)
        for column in ("contracts", "cancellations"):
            assert shown[column].to_dict() == counted[column].reindex(shown.index).to_dict(), (by, column)


def test_a_night_reads_only_the_months_it_needs_and_gets_the_same_tables(tmp_path, monkeypatch, reference):
    monkeypatch.setattr(history, "FROM_ROWS", 0)  # the figures even for this short a history
    months = _months(8)
    # a month whose one contract was paid in full that month: nothing of it is needed tonight
    months = {"2025-12": [_row("2025-12-03", "contract", "HT-paid", AC, 1, 2699.0, 2699.0, price=2699.0)], **months}
    months["2026-11"].append(_row(DAY, "contract", "HT-today", AC, 1, 2699.0, price=2699.0))  # the day's own
    master = tmp_path / "master"
    master.mkdir()
    ledgers, activity = _frames(months)
    for m in months:
        store.write_partition(master / f"{m}.xlsx", store.Partition(m, ledger=ledgers[m], activity=activity[m]))
    history.summary_inputs(store.read_partitions(master), master, reference, DAY, None)  # the nights before
    parts = store.read_partitions(master)
    by_months, ledger, active = history.summary_inputs(parts, master, reference, DAY, None)
    assert by_months.history is not None and not parts["2025-12"].loaded("ledger")
    everything = store.read_partitions(master)
    every_row, every_activity = store.concat(everything, "ledger"), store.concat(everything, "activity")
    _same_tables(stats.Inputs(contracts.facts(every_row, every_activity, DAY), reference, DAY), by_months)
    assert len(ledger) < len(every_row)
    for rows, every in ((ledger, every_row), (active, every_activity)):  # what the day's work log reads
        day = "report_date" if "report_date" in rows else "date"
        assert len(rows[rows[day] == pd.Timestamp(DAY)]) == len(every[every[day] == pd.Timestamp(DAY)]) > 0


def test_every_row_is_stacked_without_the_columns_neither_the_tables_nor_the_work_log_read(tmp_path, reference):
    months = _months(3)  # a short history: 总表 from every row, as in a rebuild
    months["2026-11"].append({**_row(DAY, "contract", "HT-today", AC, 1, 2699.0, price=2699.0),
                              "note": "客户周末来店", "deal_type": "签约", "extra": '{"x": 1}'})
    master = tmp_path / "master"
    master.mkdir()
    _write_months(master, months, months)
    parts = store.read_partitions(master)
    inputs, ledger, active = history.summary_inputs(parts, master, reference, DAY, None)
    assert inputs.history is None and not set(history.UNSTACKED) & set(ledger.columns)
    every_row, every_activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    assert every_row["extra"].notna().any() and every_row["deal_type"].notna().any()  # what is left out is there
    _same_tables(stats.Inputs(contracts.facts(every_row, every_activity, DAY), reference, DAY), inputs)
    log, every = (worklog.compute(rows, active, reference, DAY) for rows in (ledger, every_row))
    assert log.comments["note"].tolist() == every.comments["note"].tolist() == ["客户周末来店"]
    assert log.deals.equals(every.deals) and len(log.deals) == 1


def _write_months(master, months: dict, names) -> None:
    ledgers, activity = _frames(months)
    for m in names:
        store.write_partition(master / f"{m}.xlsx", store.Partition(m, ledger=ledgers[m], activity=activity[m]))


def _night(master, reference):
    """总表's inputs as a night gets them from the masters, checked table by table against every row's."""
    parts = store.read_partitions(master)
    by_months = history.summary_inputs(parts, master, reference, DAY, None)[0]
    every_row, every_activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    _same_tables(stats.Inputs(contracts.facts(every_row, every_activity, DAY), reference, DAY), by_months)
    return by_months


def test_an_earlier_years_counts_kept_between_nights_follow_a_changed_old_month(tmp_path, monkeypatch, reference):
    """The distinct counts of the years before the recent months are kept between nights; an old
    month rewritten (here: a second cancellation of a contract in the same year, by hand) counts again."""
    monkeypatch.setattr(history, "FROM_ROWS", 0)
    months = _months(18)
    months["2025-07"].append(_row("2025-07-10", "cancel", "HT-2025-06-2", AC, qty=1))
    master = tmp_path / "master"
    master.mkdir()

    def write(names):
        _write_months(master, months, names)

    def tonight():
        table = _night(master, reference).table("monthly_rep")
        return table.loc[table["month"].str.startswith("2025-01-01.."), "cancellations"].sum()

    write(months)
    before = tonight()
    kept = list(store.cache_dir().glob(f"{store._cache_key(master)}.counts-rep.pkl"))
    assert tonight() == before and len(kept) == 1  # the second night takes the counts kept
    months["2025-09"].append(_row("2025-09-10", "cancel", "HT-2025-06-2", AC, qty=1))  # the same contract again
    months["2025-09"].append(_row("2025-09-12", "cancel", "HT-2025-06-9", AC, qty=1))  # and one not cancelled that year
    write(["2025-09"])
    assert tonight() == before + 1


def test_the_closed_months_figures_kept_merged_follow_an_open_month_and_a_changed_closed_one(tmp_path, monkeypatch,
                                                                                             reference):
    """The closed months' figures are merged once and kept (`history._figures`): an open month that
    now signs the contract a closed month's cancellation names prices it again, and a closed master
    rewritten by hand is merged again; every night's tables are those of every row."""
    monkeypatch.setattr(history, "FROM_ROWS", 0)
    months = _months(8)
    months["2026-05"].append(_row("2026-05-20", "cancel", "HT-signed-late", AC, qty=1))  # closed: not signed yet
    master = tmp_path / "master"
    master.mkdir()

    def write(names):
        _write_months(master, months, names)

    def tonight():
        return _night(master, reference).table("monthly_rep")["net_amount"].sum()

    write(months)
    before = tonight()
    assert list(store.cache_dir().glob(f"{store._cache_key(master)}.figures-closed.pkl"))  # merged and kept
    assert tonight() == before
    months["2026-06"].append(_row("2026-06-05", "contract", "HT-by-hand", AC, 1, 777.0, price=777.0))
    write(["2026-06"])  # a closed month rewritten by hand
    assert tonight() == pytest.approx(before + 777.0)
    months["2026-11"].append(_row("2026-05-02", "contract", "HT-signed-late", AC, 1, 2000.0, price=2000.0))
    write(["2026-11"])  # an open month now signs it: May's cancellation is worth a unit at 2,000
    assert tonight() == pytest.approx(before + 777.0 + 2000.0 - 2000.0)


@pytest.mark.parametrize("late", [False, True])
def test_the_days_month_changed_tonight_gives_its_figures_and_the_days_facts_from_one_derivation(
        tmp_path, monkeypatch, reference, late):
    """A night changes the day's month: its figures are its share of the day's facts, one derivation
    (`history._derived_apart`), not a second beside them; with a row of another month in its master
    (filed late) they are derived apart as before. Every table is that of every row."""
    monkeypatch.setattr(history, "FROM_ROWS", 0)
    months = _months(8)
    months["2026-11"] = [r for r in months["2026-11"] if r["date"] >= pd.Timestamp("2026-11-01")]
    master = tmp_path / "master"
    master.mkdir()
    _write_months(master, months, months)
    history.summary_inputs(store.read_partitions(master), master, reference, DAY, None)  # the nights before
    tonight = [_row(DAY, "contract", "HT-today", HEATER, 1, 8999.0, 1000.0, price=8999.0),
               _row(DAY, "payment", "HT-2026-08-3", None, received=700.0),  # an old contract's, shared over its lines
               _row(DAY, "cancel", "HT-2026-09-4", AC, qty=1),
               *([_row("2026-10-30", "contract", "HT-late", AC, 1, 2699.0, price=2699.0)] if late else [])]
    ledgers, activity = _frames({"2026-11": months["2026-11"] + tonight})
    parts = store.read_partitions(master)
    parts["2026-11"] = store.Partition("2026-11", ledger=ledgers["2026-11"], activity=activity["2026-11"], changed=True)
    every_row, every_activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    by_rows = stats.Inputs(contracts.facts(every_row, every_activity, DAY), reference, DAY)
    derivations, facts = [], contracts.facts
    monkeypatch.setattr(contracts, "facts", lambda *a: derivations.append(len(a[0])) or facts(*a))
    by_months = history.summary_inputs(parts, master, reference, DAY, None)[0]
    _same_tables(by_rows, by_months)
    assert by_months.history is not None and len(derivations) == 1 + late


def test_the_closed_months_counted_rows_are_kept_apart_and_counted_when_the_counts_are_not_kept(
        tmp_path, monkeypatch, reference):
    """The closed months' merged figures keep their older months' ``counted`` rows apart (one row a
    month in the figures a night unpickles); a night counts over them only when the counts of a year
    are not kept, or when a month of theirs is in an open master too (a row filed late), and every
    table is that of every row."""
    monkeypatch.setattr(history, "FROM_ROWS", 0)
    months = _months(18)
    master = tmp_path / "master"
    master.mkdir()
    _write_months(master, months, months)
    _night(master, reference)
    kept = store.cache_dir() / f"{store._cache_key(master)}.figures-closed.pkl"
    with open(kept, "rb") as f:
        pickle.load(f)
        closed = pickle.load(f)
    assert "2025-06" in closed.apart and closed.counted["month"].isin(closed.apart).sum() == len(closed.apart) >= 10
    for counts in store.cache_dir().glob(f"{store._cache_key(master)}.counts-*.pkl"):
        counts.unlink()  # the counts of a year counted again, over the rows kept apart
    _night(master, reference)
    for kept_apart in store.cache_dir().glob(f"{store._cache_key(master)}.*count*.pkl"):
        kept_apart.unlink()  # and with the rows kept apart gone too: merged again from the months' figures
    _night(master, reference)
    months["2026-10"].append(_row("2025-06-20", "cancel", "HT-2025-06-3", AC, qty=1))  # filed late, in an open master
    _write_months(master, months, ["2026-10"])
    _night(master, reference)


def test_the_merged_months_contract_numbers_meet_others_as_a_set_does():
    numbers = {"HT-1", "合同-9", "HT-10", "b"}
    compact = figures.compact(frozenset(numbers))
    assert isinstance(compact, figures.Numbers) and sorted(compact) == sorted(numbers)
    for other in ({"HT-1"}, {"合同-9", 5}, {"HT-2", 5}, {"HT-100", "HT-"}, set()):
        assert compact.isdisjoint(other) == numbers.isdisjoint(other), other
    assert pickle.loads(pickle.dumps(compact)).isdisjoint({"b"}) is False
    assert isinstance(figures.compact(frozenset({1001, "HT-1"})), frozenset)  # a number typed as a number
    ledgers, activity = _frames(_months(2))
    month = history.outline(store.Partition("2026-11", ledger=ledgers["2026-11"], activity=activity["2026-11"]))
    assert isinstance(month.numbers, figures.Numbers) and isinstance(month.signed, figures.Numbers)
    assert set(month.numbers) == set(ledgers["2026-11"]["contract_no"].dropna()) and not month.numbers.isdisjoint(
        {"HT-404"}) and month.signed.isdisjoint({"HT-404"})  # named by a cancel, signed by none


def test_the_contracts_owing_that_the_days_month_does_not_name_are_kept_between_nights(tmp_path, monkeypatch,
                                                                                       reference):
    """The contracts with a balance left that no row of the day's month names are derived once and
    kept (`history._standing`): a night then reads no month holding only those. A payment of one
    tonight, a payment taken back out of the day's month, and an older month rewritten by hand each
    give the receivables of every row."""
    monkeypatch.setattr(history, "FROM_ROWS", 0)
    sign = lambda day, no, amount, received=None: _row(day, "contract", no, AC, 1, amount, received, price=amount)  # noqa: E731
    months = {"2026-08": [sign("2026-08-03", "HT-A1", 2699.0), sign("2026-08-04", "HT-A2", 8999.0, 1000.0),
                          sign("2026-08-05", "HT-A3", 1999.0, 1999.0)],
              "2026-09": [sign("2026-09-02", "HT-B1", 8999.0), _row("2026-09-09", "payment", "HT-A2", None, received=500.0)],
              "2026-10": [sign("2026-10-06", "HT-C1", 2699.0), _row("2026-10-07", "cancel", "HT-A1", AC, qty=1)],
              "2026-11": [sign("2026-11-02", "HT-D1", 1999.0), _row("2026-11-03", "payment", "HT-B1", None, received=99.0)]}
    master = tmp_path / "master"
    master.mkdir()
    _write_months(master, months, months)
    _night(master, reference)  # the night before: A2 (and A1, cancelled: a refund of nothing) and C1 stand apart
    months["2026-11"].append(_row(DAY, "payment", "HT-C1", None, received=700.0))  # tonight
    ledgers, activity = _frames({"2026-11": months["2026-11"]})
    parts = store.read_partitions(master)
    parts["2026-11"] = store.Partition("2026-11", ledger=ledgers["2026-11"], activity=activity["2026-11"], changed=True)
    by_months = history.summary_inputs(parts, master, reference, DAY, None)[0]
    assert not parts["2026-08"].loaded("ledger")  # August holds none but A2 owing: kept, not derived again
    assert set(by_months.history.standing["contract_no"]) == {"HT-A2", "HT-C1"}
    every_row, every_activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    _same_tables(stats.Inputs(contracts.facts(every_row, every_activity, DAY), reference, DAY), by_months)
    owed = by_months.table("receivables").set_index("contract_no")["outstanding"]
    assert owed.to_dict() == pytest.approx({"HT-A2": 7499.0, "HT-B1": 8900.0, "HT-C1": 1999.0, "HT-D1": 1999.0})
    months["2026-11"] = [r for r in months["2026-11"] if r["contract_no"] != "HT-B1"]  # B1's payment taken back
    _write_months(master, months, ["2026-11"])
    assert _night(master, reference).table("receivables").set_index("contract_no").loc["HT-B1", "outstanding"] == 8999.0
    months["2026-08"].append(_row("2026-08-20", "payment", "HT-A2", None, received=499.0))  # August rewritten by hand
    _write_months(master, months, ["2026-08"])
    assert _night(master, reference).table("receivables").set_index("contract_no").loc["HT-A2", "outstanding"] == 7000.0
