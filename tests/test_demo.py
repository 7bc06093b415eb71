"""The demo office: realistic reports, exactly the planted mistakes found, the same office for a seed."""
from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import re

import pytest

from xlpy.app import demo_run, validate
from xlpy.app.demo import build_demo, working_days
from xlpy.cli.main import main
from xlpy.contract import config, schema
from xlpy.core import stats
from xlpy.core.record_rules import WAITING_RULES
from xlpy.core.rules import ERROR, WARNING, Context
from xlpy.io import reader, store
from xlpy.io.reference import read_reference

FRIDAY = dt.date(2026, 11, 27)
SUNDAY_IN_JANUARY = dt.date(2027, 1, 3)  # a weekend, and the period straddles New Year


@pytest.fixture(scope="module", params=[FRIDAY, SUNDAY_IN_JANUARY], ids=["friday", "new-year-sunday"])
def validated(request, demo_office):
    office = demo_office(request.param)  # the run's (conftest); validating changes nothing
    settings = config.load(office.dir)
    ctx = Context(reference=read_reference(settings.path("reference"), settings), settings=settings, today=office.today)
    results, _ = validate.run([settings.path("inbox")], ctx)
    return office, results


def grids(files):
    return {f.name: reader.read_grids(f)[1] for f in files}


def test_working_days():
    days = working_days(SUNDAY_IN_JANUARY, 15)
    assert len(days) == 15 and days[-1] == dt.date(2027, 1, 1) and days[0] == dt.date(2026, 12, 14)
    assert all(d.weekday() < 5 for d in days)


def test_exactly_the_planted_mistakes_are_found(validated):
    office, results = validated
    # Inside the office, validate judges as consolidation does (issue 10): a report whose contract sits in
    # a report with a planted mistake waits for it; those waits are consequences, not mistakes.
    found = {(r.path.name, i.rule, i.sheet, i.cell) for r in results for i in r.issues
             if i.severity in (ERROR, WARNING) and i.rule not in WAITING_RULES}
    planted = {(m.file, m.rule, m.sheet, m.cell) for m in office.mistakes}
    assert found == planted
    assert not [i for r in results for i in r.issues if i.severity not in (ERROR, WARNING)]
    assert all(r.status in ("ok", "invalid", "waiting") for r in results)
    assert {i.rule for r in results if r.status == "waiting" for i in r.issues if i.severity == ERROR} \
        <= WAITING_RULES


def test_mistakes_are_several_kinds_of_both_severities(validated):
    office, results = validated
    rules = [m.rule for m in office.mistakes]
    assert 6 <= len(rules) <= 10 and len(set(rules)) == len(rules)
    severities = {i.severity for r in results for i in r.issues}
    assert severities == {ERROR, WARNING}
    assert {"excel-error", "duplicate-contract", "total-mismatch", "future-date"} <= set(rules)


def test_the_period_ends_today(validated):
    office, _ = validated
    assert office.days[-1] <= office.today and (office.today - office.days[-1]).days < 3
    assert len(office.files) == len(office.days) * len(office.reps)


def test_the_reports_look_hand_filled(validated):
    office, results = validated
    cells = [v for grid in grids(office.files).values() for _, g in grid for row in g for v in row]
    texts = [v for v in cells if isinstance(v, str)]
    assert any("（元）" in v for v in texts)  # a unit in a header
    assert schema.BY_KEY["customer"].aliases[0] in texts  # an alias header
    assert any(v.endswith("日") and "年" in v for v in texts)  # 2026年11月26日
    assert any(v.startswith("¥") for v in texts) and any(v.endswith("万") for v in texts)
    assert schema.TOTAL_LABELS[0] in texts
    deals = {d for r in results for t in r.report.tables for d in t.rows["deal"]}
    assert deals == {d.key for d in schema.DEAL_TYPES if not d.units_only}  # a product office: no 换房
    orders = {tuple(t.columns) for r in results for t in r.report.tables}
    assert len(orders) >= 2  # columns in another order somewhere
    assert any(len(t.rows) == 0 for r in results for t in r.report.tables)
    counts = [len(t.rows) for r in results for t in r.report.tables]
    assert max(counts) <= 12  # a rep's day: a few deals, a multi-line contract at most doubling them


def test_cancellations_and_payments_name_earlier_contracts(validated):
    _, results = validated
    signed = {}
    for r in sorted(results, key=lambda r: r.report.report_date):
        for t in r.report.tables:
            for rec in t.rows.to_dict("records"):
                if rec["deal"] == "contract" and rec["contract_no"]:
                    signed.setdefault(rec["contract_no"], rec["date"])
                elif rec["deal"] in ("cancel", "payment"):
                    assert signed[rec["contract_no"]] < rec["date"], rec


def test_same_seed_same_office(demo_office, tmp_path):
    first = demo_office(FRIDAY)  # the run's; the second is built here, to compare with it
    second = build_demo(tmp_path / "b", today=FRIDAY)
    other = demo_office(FRIDAY, seed=7)
    assert first.mistakes == second.mistakes
    assert grids(first.files) == grids(second.files)
    assert grids(first.files) != grids(other.files)


def test_mistakes_do_not_depend_on_the_day(demo_office):
    a, b = demo_office(FRIDAY), demo_office(SUNDAY_IN_JANUARY)
    assert [(m.rule, m.cell) for m in a.mistakes] == [(m.rule, m.cell) for m in b.mistakes]


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory):
    """`xlpy demo --lang en` as a user runs it: three months up to FRIDAY, its output."""
    folder = tmp_path_factory.mktemp("cli") / "demo"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["demo", str(folder), "--lang", "en", "--date", str(FRIDAY)]) == 0
    return folder, out.getvalue()


def test_cli_demo(cli_demo, capsys):
    folder, out = cli_demo
    # was "All 9 planted mistakes found" after 141 lines: now a short summary, every file with --verbose
    assert "all 9 planted mistakes found" in out and str(folder / "reference.xlsx") in out
    assert len(out.splitlines()) < 25 and "2026-09-01 to 2026-11-27" in out
    rejected = int(re.search(r"(\d+) rejected \((\d+) of them", out).group(1))
    planted = int(re.search(r"\((\d+) of them hold a planted", out).group(1))
    assert rejected - planted == out.count("Also rejected")  # anything else rejected is explained
    assert "Corrections: " in out
    assert config.load(folder).language == "en"
    if importlib.util.find_spec("xlpy.io.annotate"):
        assert any((folder / "annotated").glob("*.xlsx"))
    before = sorted(p.name for p in (folder / "inbox").iterdir())
    assert main(["demo", str(folder)]) == 2  # refused: the folder holds an office
    assert "demo" in capsys.readouterr().err
    assert sorted(p.name for p in (folder / "inbox").iterdir()) == before


def test_full_months_land_between_70_and_130_percent(cli_demo):
    folder, _ = cli_demo
    settings = config.load(folder)
    ledger, _ = store.read_record(settings.path("master"))
    targets = stats.attainment(ledger, read_reference(settings.path("reference"), settings), FRIDAY)
    full = targets[targets["period"].isin(["2026-09", "2026-10"])]
    assert len(full) == 2 * (7 + 3) and full["attainment"].between(0.7, 1.3).all(), full


def test_the_demo_has_late_payments_cancellations_and_exchanges(cli_demo):
    folder, _ = cli_demo
    ledger, activity = store.read_record(config.load(folder).path("master"))
    overdue = stats.collection_list(ledger, FRIDAY)
    assert len(overdue) and (overdue["days_overdue"] > 30).any()  # 催款名单 and the aging buckets have content
    assert (ledger["deal"] == "cancel").sum() >= 5
    day = ledger[ledger["deal"].isin(["cancel", "order"])].groupby(["report_date", "customer"])["deal"].nunique()
    assert (day == 2).sum() >= 2  # exchanges: a cancellation and a new order of one customer on one day
    months = ledger["report_date"].dt.strftime("%Y-%m").unique()
    assert sorted(months) == ["2026-09", "2026-10", "2026-11"]


def test_verbose_lists_every_finding(tmp_path, capsys):
    assert demo_run.run_demo(tmp_path / "v", FRIDAY, "en", verbose=True, months=1) == 0
    verbose = capsys.readouterr().out
    assert "Errors and warnings found by validation:" in verbose
    assert len([line for line in verbose.splitlines() if "  日报!" in line]) >= 9  # each mistake with its cell
    assert demo_run.run_demo(tmp_path / "s", FRIDAY, "en", months=1) == 0
    assert "  日报!" not in capsys.readouterr().out
