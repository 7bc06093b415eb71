"""A batch judged in parts writes each month ahead once the batch has passed it (`consolidate._Changes.stream`,
`store.stage`): the same masters and 总表 as the batch written at the end, a month read back and written
again when a report of it comes later after all, nothing written when the run fails before its commit."""
from __future__ import annotations

import datetime as dt
import errno
import shutil

import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from test_env_faults import small_disk
from xlsxwriter.exceptions import FileCreateError

from xlpy.app import consolidate, validate
from xlpy.app.office import init_office
from xlpy.cli import main
from xlpy.contract import config
from xlpy.io import store
from xlpy.io.report_file import write_report

TODAY = dt.date(2026, 11, 27)
NOW = pd.Timestamp("2026-11-27 20:00")
AC = "壁挂空调 KFR-26GW"


def contract(no, qty=1, received=None):
    return dict(customer="王先生", product=AC, deal_type="签约", qty=qty, unit_price=2699.0, amount=qty * 2699.0,
                received=received, contract_no=no)


def payment(no, received):
    return dict(customer="王先生", deal_type="回款", received=received, contract_no=no)


@pytest.fixture
def office(tmp_path):
    """Reports of three months, one rejected; a contract of September paid and cancelled in part in November."""
    init_office(tmp_path / "office", today=TODAY)
    office = tmp_path / "office"
    days = [dt.date(2026, 9, 14), dt.date(2026, 9, 15), dt.date(2026, 10, 12), dt.date(2026, 10, 13),
            dt.date(2026, 11, 16), dt.date(2026, 11, 17)]
    for i, day in enumerate(days):
        write_report(office / "inbox" / f"{day:%m%d}.xlsx", {"report_date": day, "rep": "张伟", "visits": i, "calls": 2},
                     [contract(f"HT-{i}", qty=2, received=1000.0)])
    write_report(office / "inbox" / "0916.xlsx", {"report_date": dt.date(2026, 9, 16), "rep": "张伟"},
                 [dict(contract("HT-8"), product="不存在的产品")])  # rejected: September's problem list keeps it
    write_report(office / "inbox" / "1118.xlsx", {"report_date": dt.date(2026, 11, 18), "rep": "张伟"},
                 [payment("HT-0", 2000.0), dict(customer="王先生", product=AC, deal_type="退订", qty=1,
                                                contract_no="HT-1")])
    return office


def run(office, part: int):
    old = consolidate.PART
    consolidate.PART = part
    try:
        return consolidate.run_consolidation(config.load(office), now=NOW)
    finally:
        consolidate.PART = old


@pytest.fixture
def staged(monkeypatch):
    """The months written ahead, in order."""
    names = []
    stage = store.stage

    def recorded(master, part, write):
        names.append(part.name)
        return stage(master, part, write)
    monkeypatch.setattr(store, "stage", recorded)
    return names


def written(office) -> dict:
    """Every sheet of every workbook in the master folder, as its cells."""
    out = {}
    for path in sorted((office / "master").glob("*.xlsx")):
        book = CalamineWorkbook.from_path(str(path))
        out[path.name] = {sheet: book.get_sheet_by_name(sheet).to_python() for sheet in book.sheet_names}
    return out


def _same_as_at_the_end(office, tmp_path, part: int):
    """Consolidate the office ``part`` files at a time and a copy of it in one part (nothing written
    ahead): the same workbooks, cell for cell. Returns the outcome in parts."""
    whole = tmp_path / "whole"
    shutil.copytree(office, whole)
    in_parts, as_one = run(office, part), run(whole, 100)
    assert in_parts.written == as_one.written
    assert written(office) == written(whole)
    return in_parts


def test_months_passed_are_written_ahead_and_the_tables_are_the_same(office, tmp_path, staged):
    outcome = _same_as_at_the_end(office, tmp_path, part=2)
    assert staged == ["2026-09", "2026-10"]  # November is the current month: it takes entries to the end
    assert outcome.written == ["2026-09.xlsx", "2026-10.xlsx", "2026-11.xlsx", store.SUMMARY]
    assert {f.source: f.status for f in outcome.files if f.status != "accepted"} == {"0916.xlsx": "rejected"}
    assert store.read_partition(office / "master" / "2026-09.xlsx", "2026-09").problems["source"].tolist() == ["0916.xlsx"]
    # the months written ahead left their tables in the read cache, as the masters they became
    parts = store.read_partitions(office / "master")
    assert not parts["2026-09"].loaded("ledger")
    assert parts["2026-09"].ledger["contract_no"].tolist() == ["HT-0", "HT-1"]


def test_a_report_of_a_month_written_ahead_that_comes_later_is_not_lost(office, tmp_path, staged, monkeypatch):
    # The batch is walked in report order, so a report of a month passed should not come; if one
    # does (here the order is forced), its month is read back and written again with its rows.
    write_report(office / "inbox" / "late.xlsx", {"report_date": dt.date(2026, 9, 30), "rep": "张伟"},
                 [contract("HT-9", qty=3)])
    ordered = validate._in_report_order
    monkeypatch.setattr(validate, "_in_report_order",
                        lambda files, ctx, read: sorted(ordered(files, ctx, read), key=lambda p: p.name == "late.xlsx"))
    outcome = _same_as_at_the_end(office, tmp_path, part=2)
    assert "2026-09" in staged
    assert outcome.written[0] == "2026-09.xlsx"
    ledger = store.read_partition(office / "master" / "2026-09.xlsx", "2026-09").ledger
    assert ledger["contract_no"].tolist() == ["HT-0", "HT-1", "HT-9"]
    final = office / "master" / "2026-09.xlsx"  # the tables cached when written ahead are forgotten
    assert store._cached_stamp(final, "ledger") in (None, store.file_stamp(final))


def test_a_report_without_its_date_writes_no_month_ahead_of_the_batch(office, tmp_path, staged, monkeypatch):
    # Walked first (no date to order it by), it is filed in its deal's October: September and October
    # are still to come, so neither is written ahead before the batch passes it, nor twice.
    write_report(office / "inbox" / "no-date.xlsx", {"rep": "张伟"}, [dict(contract("HT-77"), date=dt.date(2026, 10, 20))])
    plain = tmp_path / "plain"
    shutil.copytree(office, plain)
    writes, write = [], store.write_partition
    monkeypatch.setattr(store, "write_partition", lambda path, *a, **kw: writes.append(path.name) or write(path, *a, **kw))
    run(office, part=2)
    assert staged and writes.count("2026-09.xlsx") == writes.count("2026-10.xlsx") == 1
    monkeypatch.setattr(consolidate._Changes, "stream", lambda *a, **kw: None)
    run(plain, part=2)
    assert written(office) == written(plain)  # as the same parts written at the end


def test_a_run_failing_after_months_were_written_ahead_writes_nothing(office, staged, monkeypatch):
    accept = consolidate._accept

    def failing(result, *args, **kw):
        if result.report.report_date.month == 11:
            raise RuntimeError("the machine went down")
        return accept(result, *args, **kw)
    monkeypatch.setattr(consolidate, "_accept", failing)
    with pytest.raises(RuntimeError):
        run(office, part=2)
    assert staged == ["2026-09"]  # written ahead, then the run failed in November (October waits for it)
    assert not list((office / "master").glob("*.xlsx")) and not (office / "master" / store.TMP).exists()
    monkeypatch.setattr(consolidate, "_accept", accept)
    assert run(office, part=2).written[-1] == store.SUMMARY
    assert sorted(p.name for p in (office / "master").glob("*.xlsx"))[:3] == ["2026-09.xlsx", "2026-10.xlsx",
                                                                             "2026-11.xlsx"]


def test_a_commit_naming_a_staged_month_that_is_gone_fails_before_changing_anything(office):
    master = office / "master"
    master.mkdir(exist_ok=True)
    with pytest.raises(store.MasterError) as failed:
        store.commit(master, {"2026-09.xlsx": None}, backups=1)
    assert failed.value.code == "master-write-failed"
    assert not list(master.glob("*.xlsx")) and not (master / store.TMP).exists()


def test_a_commit_refused_leaves_no_month_written_ahead(office, staged):
    master = office / "master"
    master.mkdir(exist_ok=True)
    (master / f"~${store.SUMMARY}").write_bytes(b"owner")  # 总表 open in Excel
    with pytest.raises(store.MasterError) as refused:
        run(office, part=2)
    assert refused.value.code == "master-open" and staged
    assert not (master / store.TMP).exists() and not list(master.glob("20*.xlsx"))


def test_a_disk_full_while_a_month_is_written_ahead_is_said_and_changes_nothing(office, staged, monkeypatch, capsys):
    close = xlsxwriter.Workbook.close

    def full(book):  # what a full disk looks like inside xlsxwriter, on the months written ahead
        if store.TMP in str(book.filename):
            raise FileCreateError(OSError(errno.ENOSPC, "No space left on device"))
        return close(book)
    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    monkeypatch.setattr(consolidate, "PART", 2)
    assert main(["consolidate", "--office", str(office), "--today", "2026-11-27"]) == 2
    assert "可能磁盘已满；总表保持原样" in capsys.readouterr().err
    assert not (office / "master" / store.TMP).exists() and not list((office / "master").glob("*.xlsx"))


@pytest.mark.slow
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_rebuild_on_disks_from_too_small_to_large_enough_fails_cleanly_or_succeeds(office, monkeypatch, capsys):
    monkeypatch.setattr(consolidate, "PART", 2)
    master = office / "master"
    master.mkdir(exist_ok=True)
    codes = []
    for kb in (16, 24, 32, 64, 128, 256, 512, 1024):
        with small_disk(master, kb):
            codes.append(main(["consolidate", "--office", str(office), "--today", "2026-11-27"]))
            said = capsys.readouterr().err
            if codes[-1] != 2:
                break
            assert "可能磁盘已满；总表保持原样" in said, said
            assert not list(master.rglob("*.xlsx"))
    assert codes[0] == 2 and codes[-1] in (0, 1)
