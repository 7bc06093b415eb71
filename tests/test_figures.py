"""One set of figures (issue 12): an office is consolidated and briefed by the nightly run, then
every output is rendered — `xlpy stats` (JSON), 总表's statistic sheets, its 工作日志 sheet, the
e-mail, the XLPY_ formulas and the 刷新统计 tables of the control workbook — and every figure that
appears in two of them is compared. On the demo office and on a small office with three years
of history."""
from __future__ import annotations

import datetime as dt
import email
import json
import shutil
import sys
from email.policy import default
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from conftest import demo_copy
from xlpy import cli
from xlpy.app import briefing
from xlpy.contract import statistics as declared
from xlpy.core import worklog
from xlpy.excel import build, buttons, udfs
from xlpy.excel.book import FileBook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_consolidate import office_with_history, write_day  # noqa: E402 - the benchmarks' office

DAY = dt.date(2026, 11, 27)
MONTH = "2026-11"
MONEY = pytest.approx  # sheets keep full precision; the mail shows two decimals


@pytest.fixture(scope="module", params=["demo", pytest.param("three years", marks=pytest.mark.slow)])
def office(request, tmp_path_factory, demo_office) -> Path:
    if request.param == "demo":  # the run's demo office of DAY (conftest), copied: nightly changes it
        root = demo_copy(demo_office(DAY).dir, tmp_path_factory.mktemp("demo"))
    else:
        root = tmp_path_factory.mktemp("years") / "office"  # 36 months of history in the masters, then a day of reports in the inbox
        office_with_history(root, 36, DAY, rows_per_month=25)
        write_day(root / "inbox", DAY, reports=6)
    assert cli.main(["nightly", "--office", str(root), "--date", DAY.isoformat(), "--no-send"]) in (0, 1)
    return root


@pytest.fixture(scope="module")
def refreshed(office, tmp_path_factory) -> Path:
    """The control workbook after 刷新统计 on the office."""
    path = tmp_path_factory.mktemp("control") / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, path)
    book = FileBook(path)
    book.write("设置", [[str(office)]], at="B2")
    assert buttons.refresh_stats(book, today=DAY) == 0, book.shown
    book.save()
    return path


def stats_json(capsys, office: Path, *argv) -> list[dict]:
    capsys.readouterr()
    cli.main(["stats", "--office", str(office), "--date", DAY.isoformat(), "--format", "json", *argv])
    return json.loads(capsys.readouterr().out)


def grid(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def table(path: Path, key: str) -> list[dict]:
    """A statistic table of a workbook as rows keyed by column key: found by its title (row 1),
    headers in row 2, rows down to the first blank."""
    t = declared.TABLE[key]
    rows = grid(path, t.sheet)
    left = rows[0].index(t.zh)
    width = len(t.columns)
    keys = list(t.columns)
    assert [declared.label(k) for k in keys] == rows[1][left:left + width], key
    found = []
    for row in rows[2:]:
        cells = row[left:left + width]
        if all(v in ("", None) for v in cells):
            break
        found.append(dict(zip(keys, cells)))
    return found


def mail_text(office: Path) -> str:
    msg = email.message_from_bytes((office / "outbox" / f"{DAY.isoformat()}.eml").read_bytes(), policy=default)
    return msg.get_body(preferencelist=("plain",)).get_content()


def mail_section(text: str, heading: str) -> list[list[str]]:
    """A table of the mail's text: rows of cells under ``heading`` (the first is the header)."""
    lines = text.split(heading + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [[c.strip() for c in line.split(" | ")] for line in lines]


def log_section(office: Path, heading: str) -> list[list]:
    """A table of the 工作日志 sheet: the rows under ``heading`` (the first is the header), its cells
    as written (numbers as numbers), as wide as the header."""
    rows = grid(office / "master" / "总表.xlsx", briefing.SHEET[0])
    start = next(i for i, r in enumerate(rows) if r[0] == heading) + 1
    found = []
    for row in rows[start:]:
        if row[0] in ("", None):
            break
        found.append(list(row))
    width = len([c for c in found[0] if c not in ("", None)])
    return [row[:width] for row in found]


def same(logged, want) -> bool:
    """A number of the 工作日志 sheet against the figure of `xlpy stats`."""
    return logged in ("", None) if want is None else logged == MONEY(want)


def test_regions_this_month(office, refreshed, capsys):
    cli_rows = {r["region"]: r for r in stats_json(capsys, office, "--by", "region", "--period", MONTH)}
    summary = {r["region"]: r for r in table(office / "master" / "总表.xlsx", "region_compare")}
    button = {r["region"]: r for r in table(refreshed, "region_compare")}
    heading = worklog.words("regions", "zh")
    mail, log = mail_section(mail_text(office), heading), log_section(office, heading)
    assert mail[0] == log[0]  # the e-mail and the 工作日志 sheet show one table
    shown, logged = {row[0]: row for row in mail[1:]}, {row[0]: row for row in log[1:]}
    rec = udfs.record(office).as_of(DAY)
    assert set(cli_rows) == set(summary) == set(button) == set(shown) == set(logged)
    for region, expected in cli_rows.items():
        for key in declared.TABLE["region_compare"].columns[1:]:
            want, at = expected[key], worklog.REGIONS.index(key)
            for got in (summary[region][key], button[region][key]):
                assert (got in ("", None)) if want is None else got == MONEY(want), (region, key)
            assert shown[region][at] == briefing.shown(key, want), (region, key)
            assert same(logged[region][at], want), (region, key)
        for key in ("net_amount", "contracts", "avg_deal"):  # XLPY_STATS over the same month
            if expected[key] is not None:
                assert udfs.sales(rec, key, region=region, start=MONTH) == MONEY(expected[key]), (region, key)


def test_outstanding_and_refunds(office, refreshed, capsys):
    cli_rows = stats_json(capsys, office, "--by", "region", "--period", "all")  # receivables: every contract
    for path in (office / "master" / "总表.xlsx", refreshed):
        receivables = table(path, "receivables")
        for row in cli_rows:
            mine = [r for r in receivables if r["region"] == row["region"]]
            assert sum(r["outstanding"] or 0 for r in mine) == MONEY(row["outstanding"]), row["region"]
            assert sum(r["refund_due"] or 0 for r in mine) == MONEY(row["refund_due"]), row["region"]
    assert all(r["outstanding"] >= 0 and r["refund_due"] >= 0 for r in cli_rows)  # nothing netted
    owed = sum(r["outstanding"] for r in cli_rows)
    assert udfs.outstanding(udfs.record(office).as_of(DAY)) == MONEY(owed)


def test_money_owed_back_is_shown_not_dropped(office, capsys):
    rows = stats_json(capsys, office, "--by", "region", "--period", "all")
    refunds = [r for r in table(office / "master" / "总表.xlsx", "receivables") if r["refund_due"]]
    if office.parent.name.startswith("demo"):  # the demo has customers who paid more than owed
        assert refunds and sum(r["refund_due"] for r in rows) > 0
    assert all(r["aging"] in ("", None) and r["days_overdue"] == 0 for r in refunds if not r["outstanding"])


def test_one_ranking(office, refreshed):
    summary = table(office / "master" / "总表.xlsx", "ranking")
    assert [(r["rank"], r["rep"], r["score"]) for r in table(refreshed, "ranking")] == \
        [(r["rank"], r["rep"], MONEY(r["score"])) for r in summary]
    heading = worklog.words("ranking", "zh")
    mail, log = mail_section(mail_text(office), heading), log_section(office, heading)
    assert mail[0] == log[0] and mail[0][:2] == [declared.label("rank"), declared.label("rep")]
    ranked = [(int(r["rank"]), r["rep"]) for r in summary]
    assert [(int(row[0]), row[1]) for row in mail[1:]] == ranked == [(int(row[0]), row[1]) for row in log[1:]]
    rec = udfs.record(office).as_of(DAY)
    for r in summary:
        assert udfs.rank(rec, r["rep"], MONTH) == r["rank"]


def test_the_day(office, capsys):
    day = next(r for r in stats_json(capsys, office, "--by", "day", "--period", MONTH)
               if r["day"].startswith(DAY.isoformat()))
    heading = worklog.words("day", "zh")
    text = mail_text(office).split(heading + "\n", 1)[1].split("\n\n", 1)[0]
    mail = dict(line.strip().split("：", 1) for line in text.splitlines())
    rows = grid(office / "master" / "总表.xlsx", briefing.SHEET[0])
    start = next(i for i, r in enumerate(rows) if r[0] == heading) + 1
    log = {row[c]: row[c + 1] for row in rows[start:start + 3] for c in (0, 2, 4) if row[c] not in ("", None)}
    assert set(log) == set(mail)  # label | value pairs on the sheet, label：value lines in the mail
    for key in briefing.FIGURES:
        assert mail[declared.label(key)] == briefing.shown(key, day[key]), key
        assert same(log[declared.label(key)], day[key]), key
