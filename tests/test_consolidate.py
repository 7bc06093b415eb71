"""Consolidation: idempotent, loss-free, copies and corrections, the record rules, safe writing."""
from __future__ import annotations

import datetime as dt
import errno
import os
import shutil

import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from conftest import demo_copy
from xlpy.app import consolidate
from xlpy.app.office import init_office
from xlpy.cli.main import main
from xlpy.contract import config
from xlpy.core import ledger as L
from xlpy.io import store
from xlpy.io.report_file import write_report

TODAY = dt.date(2026, 11, 27)
NOW = pd.Timestamp("2026-11-27 20:00")
AC = "壁挂空调 KFR-26GW"  # list 2699, floor 2480, opening stock 4200
HEATER = "新风系统 XF-250"  # list 8999, opening stock 600


@pytest.fixture
def office(tmp_path):
    init_office(tmp_path / "office", today=TODAY)
    return tmp_path / "office"


def report(office, name, day, rows, rep="张伟"):
    title = {"report_date": day, "rep": rep, "visits": 4, "calls": 9}
    return write_report(office / "inbox" / name, title, rows)


def contract(no, qty=1, price=2699.0, product=AC, received=None, customer="王先生"):
    return dict(customer=customer, product=product, deal_type="签约", qty=qty, unit_price=price,
                amount=qty * price, received=received, contract_no=no)


def run(office, **kw):
    return consolidate.run_consolidation(config.load(office), now=NOW, **kw)


def ledger(office):
    return store.concat(store.read_partitions(office / "master"), "ledger")


def imports(office):
    return store.concat(store.read_partitions(office / "master"), "imports")


def test_first_run_accepts_and_reconciles(office):
    report(office, "张伟_1120.xlsx", dt.date(2026, 11, 20), [contract("HT-1", received=1000.0),
                                                            dict(customer="李女士", product=AC, deal_type="意向")])
    outcome = run(office)
    assert [f.status for f in outcome.files] == ["accepted"]
    assert outcome.totals == {"rows_read": 2, "accepted": 2, "rejected": 0, "copies": 0}
    assert outcome.reconciles() and outcome.exit_code == 0
    assert outcome.written == ["2026-11.xlsx", "总表.xlsx"]
    rows = ledger(office)
    assert rows["contract_no"].tolist() == ["HT-1", None]
    assert rows["source"].tolist() == ["张伟_1120.xlsx"] * 2
    assert rows["row"].tolist() == [6, 7]
    assert rows["region"].tolist() == ["华东", "华东"]  # from the reference workbook


def test_second_run_changes_nothing(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    run(office)
    master = office / "master" / "2026-11.xlsx"
    before = master.read_bytes()
    outcome = run(office)
    assert [f.status for f in outcome.files] == ["unchanged"]
    assert outcome.written == []
    assert master.read_bytes() == before
    assert len(ledger(office)) == 1


def test_copy_under_another_name_is_skipped_and_logged(office):
    first = report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    shutil.copy(first, office / "inbox" / "a (2).xlsx")
    outcome = run(office)
    by_name = {f.source: f for f in outcome.files}
    assert by_name["a (2).xlsx"].status == "copy" and by_name["a (2).xlsx"].copy_of == "a.xlsx"
    assert by_name["a (2).xlsx"].copies == 1 and outcome.reconciles()
    assert len(ledger(office)) == 1
    log = imports(office)
    assert log.loc[log["source"] == "a (2).xlsx", "status"].tolist() == ["copy"]
    assert run(office).written == []  # and a copy stays a copy


def test_a_run_told_another_day_logs_files_without_a_month_in_that_days_month(office):
    # the nightly job run again for a day gone by (--date), after midnight of a month's last day:
    # the copy's entry goes to the day's month, not to a master of the import stamp's month
    first = report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    shutil.copy(first, office / "inbox" / "a (2).xlsx")
    outcome = consolidate.run_consolidation(config.load(office), today=TODAY, now=pd.Timestamp("2026-12-01 02:00"))
    assert outcome.written == ["2026-11.xlsx", "总表.xlsx"]
    log = imports(office)
    assert log.loc[log["source"] == "a (2).xlsx", "imported_at"].tolist() == [pd.Timestamp("2026-12-01 02:00")]


def test_copy_of_a_report_taken_in_an_earlier_run_counts_its_rows(office):
    # the earlier report's rows read come from the import log (looked up for the copies only)
    first = report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1"), contract("HT-2"), contract("HT-3")])
    report(office, "b.xlsx", dt.date(2026, 11, 20), [contract("HT-4")])
    run(office)
    shutil.copy(first, office / "inbox" / "c.xlsx")
    outcome = run(office)
    [copy] = [f for f in outcome.files if f.source == "c.xlsx"]
    assert (copy.status, copy.copy_of, copy.rows_read, copy.copies) == ("copy", "a.xlsx", 3, 3)
    assert outcome.reconciles() and len(ledger(office)) == 4


def test_changed_file_is_a_correction_that_replaces_its_rows(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1"), contract("HT-2")])
    run(office)
    old_print = imports(office)["fingerprint"].iloc[0]
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1", qty=2)])
    outcome = run(office)
    assert outcome.files[0].status == "accepted" and outcome.files[0].correction
    rows = ledger(office)
    assert rows["contract_no"].tolist() == ["HT-1"] and rows["qty"].tolist() == [2.0]
    log = imports(office)
    assert len(log) == 2  # both versions kept
    assert log.loc[log["fingerprint"] == old_print, "replaced_by"].tolist() == [outcome.files[0].fingerprint]


def test_summary_workbook_holds_the_statistics(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1", received=1000.0)])
    run(office)
    book = CalamineWorkbook.from_path(str(office / "master" / store.SUMMARY))
    assert {"日报汇总", "月度汇总", "应收账款", "库存"} <= set(book.sheet_names)
    stock = book.get_sheet_by_name("库存").to_python()
    assert any(AC in row and 4199.0 in row for row in stock)  # 4200 opening − 1 contracted


def test_report_with_an_error_is_rejected_whole_and_listed(office):
    report(office, "good.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    report(office, "bad.xlsx", dt.date(2026, 11, 21), [contract("HT-2"), contract("HT-3", product="不存在的产品")])
    outcome = run(office)
    by_name = {f.source: f for f in outcome.files}
    assert by_name["bad.xlsx"].status == "rejected" and by_name["bad.xlsx"].rejected == 2
    assert outcome.exit_code == 1 and outcome.reconciles()
    assert ledger(office)["contract_no"].tolist() == ["HT-1"]
    problems = store.concat(store.read_partitions(office / "master"), "problems")
    assert problems[["source", "rule", "cell"]].values.tolist() == [["bad.xlsx", "unknown-product", "F7"]]


def test_accept_valid_rows_keeps_the_good_rows(office):
    (office / "xlpy.toml").write_text(
        (office / "xlpy.toml").read_text(encoding="utf-8").replace("accept_valid_rows = false", "accept_valid_rows = true"),
        encoding="utf-8")
    report(office, "bad.xlsx", dt.date(2026, 11, 21), [contract("HT-2"), contract("HT-3", product="不存在的产品")])
    outcome = run(office)
    assert (outcome.files[0].status, outcome.files[0].accepted, outcome.files[0].rejected) == ("partial", 1, 1)
    assert ledger(office)["contract_no"].tolist() == ["HT-2"]


def test_nothing_done_exits_2(office):
    report(office, "bad.xlsx", dt.date(2026, 11, 21), [contract("HT-3", product="不存在的产品")])
    assert main(["consolidate", "--office", str(office)]) == 2


@pytest.mark.parametrize("rows, rule, cell", [
    ([dict(customer="王", deal_type="回款", received=100.0, contract_no="HT-404")], "unknown-contract", "L6"),
    ([dict(customer="王", deal_type="退订", qty=1, contract_no="HT-404")], "unknown-contract", "L6"),
    ([contract("HT-1")], "contract-signed-before", "L6"),
    ([dict(customer="王", deal_type="回款", received=5000.0, contract_no="HT-1")], "received-beyond-outstanding", "K6"),
    ([contract("HT-9", qty=601, price=8999.0, product=HEATER)], "beyond-inventory", "H6"),
])
def test_rules_that_need_the_record(office, rows, rule, cell):
    report(office, "day1.xlsx", dt.date(2026, 11, 20), [contract("HT-1", received=1000.0)])
    assert run(office).exit_code == 0
    report(office, "day2.xlsx", dt.date(2026, 11, 21), rows)
    outcome = run(office)
    day2 = next(f for f in outcome.files if f.source == "day2.xlsx")
    assert [(i.rule, i.cell) for i in day2.issues if i.severity == "error"] == [(rule, cell)]


def test_payment_and_cancel_of_a_contract_signed_earlier_in_the_same_batch(office):
    report(office, "day1.xlsx", dt.date(2026, 11, 20), [contract("HT-1", qty=2, received=1000.0)])
    report(office, "day2.xlsx", dt.date(2026, 11, 21), [
        dict(customer="王", deal_type="退订", qty=1, contract_no="HT-1"),
        dict(customer="王", deal_type="回款", received=1699.0, contract_no="HT-1")])  # 5398 - 2699 - 1000
    outcome = run(office)
    assert [f.status for f in outcome.files] == ["accepted", "accepted"]


@pytest.mark.parametrize("first_run", [True, False], ids=["contract-in-the-record", "contract-in-the-batch"])
def test_a_free_line_cancelled_by_quantity_is_worth_nothing(office, first_run):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1"), contract("HT-1", price=0.0, product=HEATER)])
    if first_run:
        assert run(office).exit_code == 0
    report(office, "b.xlsx", dt.date(2026, 11, 21), [  # the free gift back, then the rest paid
        dict(customer="王", product=HEATER, deal_type="退订", qty=1, contract_no="HT-1"),
        dict(customer="王", deal_type="回款", received=2699.0, contract_no="HT-1")])
    assert {f.source: f.status for f in run(office).files}["b.xlsx"] == "accepted"


def test_a_contract_withdrawn_and_signed_again_forgets_its_first_prices(office):
    # HT-1's only line is rejected (a future date), so HT-1 is forgotten; signed again with the heater,
    # a cancel of one air conditioner by quantity is priced at the new contract's first line (8999).
    report(office, "a.xlsx", dt.date(2026, 11, 20), [dict(contract("HT-1"), date=dt.date(2026, 12, 30))])
    report(office, "b.xlsx", dt.date(2026, 11, 21), [
        contract("HT-1", price=8999.0, product=HEATER),
        dict(customer="王", product=AC, deal_type="退订", qty=1, contract_no="HT-1"),
        dict(customer="王", deal_type="回款", received=5000.0, contract_no="HT-1")])  # 8999 - 8999 owed: 0
    b = next(f for f in run(office).files if f.source == "b.xlsx")
    assert ("received-beyond-outstanding", "K8") in [(i.rule, i.cell) for i in b.issues]


def test_report_text_is_never_a_live_formula(office):
    nasty = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)"]
    report(office, "a.xlsx", dt.date(2026, 11, 20),
           [dict(customer=c, product=AC, deal_type="意向", note=c) for c in nasty])
    run(office)
    assert ledger(office)["customer"].tolist() == nasty
    ws = load_workbook(office / "master" / "2026-11.xlsx")["明细"]
    assert all(ws.cell(r, 4).data_type == "s" for r in range(2, 6))


def test_lock_makes_a_second_consolidation_wait_then_give_up(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    (office / "xlpy.toml").write_text(
        (office / "xlpy.toml").read_text(encoding="utf-8").replace("lock_timeout = 60", "lock_timeout = 0.2"),
        encoding="utf-8")
    with store.lock(office / "master", 1):
        with pytest.raises(store.LockTimeout):
            run(office)
        assert main(["consolidate", "--office", str(office)]) == 2
    assert not (office / "master" / "2026-11.xlsx").exists()
    assert run(office).exit_code == 0


def test_failed_save_leaves_the_previous_master_intact(office, monkeypatch):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    run(office)
    master = office / "master" / "2026-11.xlsx"
    before = master.read_bytes()
    report(office, "b.xlsx", dt.date(2026, 11, 21), [contract("HT-2")])

    def disk_full(self):  # the disk fills up while the new master is being saved
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(xlsxwriter.Workbook, "close", disk_full)
    with pytest.raises(store.MasterError) as e:
        run(office)
    assert e.value.code == "master-write-failed"
    monkeypatch.undo()
    assert master.read_bytes() == before
    CalamineWorkbook.from_path(str(master))  # still opens
    assert not (office / "master" / store.TMP).exists()
    assert run(office).exit_code == 0 and len(ledger(office)) == 2


def test_master_open_in_excel_is_reported_and_nothing_changes(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    run(office)
    (office / "master" / "~$2026-11.xlsx").write_bytes(b"owner")
    report(office, "b.xlsx", dt.date(2026, 11, 21), [contract("HT-2")])
    before = (office / "master" / "2026-11.xlsx").read_bytes()
    with pytest.raises(store.MasterError) as e:
        run(office)
    assert e.value.code == "master-open"
    assert (office / "master" / "2026-11.xlsx").read_bytes() == before


def test_interrupted_commit_is_finished_by_the_next_run(office):
    """A crash after the commit point: the manifest names complete files; recovery
    moves them in place and the record is the new version, whole."""
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    run(office)
    master = office / "master"
    staged = master / store.TMP
    staged.mkdir()
    part = store.read_partition(master / "2026-11.xlsx", "2026-11")
    part.ledger = part.ledger.iloc[:0]
    store.write_partition(staged / "2026-11.xlsx", part)
    (staged / store.MANIFEST).write_text('[[".xlpy-tmp/2026-11.xlsx", "2026-11.xlsx"]]', encoding="utf-8")
    assert store.recover(master)
    assert len(ledger(office)) == 0 and not staged.exists()


def test_backups_keep_the_last_n(office):
    for i in range(4):
        report(office, f"r{i}.xlsx", dt.date(2026, 11, 20), [contract(f"HT-{i}")])
        (office / "xlpy.toml").write_text(
            (office / "xlpy.toml").read_text(encoding="utf-8").replace("backups = 5", "backups = 2"), encoding="utf-8")
        run(office)
    assert len(list((office / "master" / store.BACKUP).glob("2026-11.*.xlsx"))) == 2


def test_a_payment_on_a_contract_in_a_rejected_report_waits_for_it(office):
    # Was: the payment was rejected for good as naming an unknown contract (issue 10): the contract
    # is known, in a report not taken; the payment now waits for it and says which and why.
    report(office, "day1.xlsx", dt.date(2026, 11, 20), [contract("HT-7", product="不存在的产品")])
    report(office, "day2.xlsx", dt.date(2026, 11, 21), [dict(customer="王", deal_type="回款", received=100.0,
                                                             contract_no="HT-7")])
    outcome = run(office)
    day2 = next(f for f in outcome.files if f.source == "day2.xlsx")
    [error] = [i for i in day2.issues if i.severity == "error"]
    assert (day2.status, error.rule) == ("waiting", "contract-in-rejected-report")
    assert error.message() == "合同 HT-7 在 day1.xlsx 中，该日报因 F6 被拒收，请先修正该日报"
    assert len(ledger(office)) == 0


def test_names_are_kept_as_the_reference_spells_them(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20),
           [dict(contract("HT-1"), product="壁挂空调  ＫＦＲ-26ＧＷ", rep="张 伟")], rep="张 伟")
    run(office)
    rows = ledger(office)
    assert (rows["product"].tolist(), rows["rep"].tolist()) == ([AC], ["张伟"])


def test_validate_with_master_applies_the_record_rules(office, capsys):
    report(office, "day1.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    run(office)
    later = office / "later"
    write_report(later / "day2.xlsx", {"report_date": dt.date(2026, 11, 21), "rep": "张伟", "visits": 1, "calls": 1},
                 [contract("HT-1")])
    args = ["validate", str(later), "--format", "json", "--today", "2026-11-27"]
    assert main([*args, "--office", str(office.parent)]) == 0  # no office there: the file is judged alone
    capsys.readouterr()
    # Was: only --master brought the record in. Inside an office, validate judges as consolidation does
    # (issue 10): against the master, so the contract signed in the record is signed again here.
    assert main([*args, "--office", str(office), "--master", str(office / "master")]) == 1
    assert '"contract-signed-before"' in capsys.readouterr().out
    assert main([*args, "--office", str(office)]) == 1
    assert '"contract-signed-before"' in capsys.readouterr().out


def test_files_of_the_same_name_in_day_folders_are_two_reports(office):
    report(office, "2026-11-20/张伟.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    report(office, "2026-11-21/张伟.xlsx", dt.date(2026, 11, 21), [contract("HT-2")])
    run(office)
    report(office, "2026-11-20/张伟.xlsx", dt.date(2026, 11, 20), [contract("HT-1", qty=2)])  # a correction
    outcome = run(office)
    assert {f.source: f.status for f in outcome.files} == {"2026-11-20/张伟.xlsx": "accepted",
                                                            "2026-11-21/张伟.xlsx": "unchanged"}
    assert sorted(ledger(office)[["contract_no", "qty"]].values.tolist()) == [["HT-1", 2.0], ["HT-2", 1.0]]


def test_putting_back_the_earlier_version_is_a_correction_too(office):
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1")])
    first = (office / "inbox" / "a.xlsx").read_bytes()
    run(office)
    report(office, "a.xlsx", dt.date(2026, 11, 20), [contract("HT-1", qty=2)])
    run(office)
    (office / "inbox" / "a.xlsx").write_bytes(first)
    outcome = run(office)
    assert outcome.files[0].status == "accepted" and outcome.files[0].correction
    assert ledger(office)["qty"].tolist() == [1.0]


def _judged(outcome) -> list:
    return sorted((f.source, f.status, f.accepted, sorted((i.rule, i.cell) for i in f.issues)) for f in outcome.files)


def _in_parts_and_whole(office, tmp_path, monkeypatch, part: int):
    """Consolidate the inbox ``part`` files at a time, and a copy of it whole: the same judgements
    and the same record, or the test fails. Returns the whole run's outcome."""
    whole = tmp_path / "whole"
    shutil.copytree(office, whole)
    monkeypatch.setattr(consolidate, "PART", part)
    in_parts = run(office)
    monkeypatch.undo()
    as_one = run(whole)
    assert [f.source for f in in_parts.files] == [f.source for f in as_one.files]
    assert _judged(in_parts) == _judged(as_one)
    assert in_parts.reconciles()
    order = ["source", "sheet", "row"]
    pd.testing.assert_frame_equal(ledger(office).sort_values(order, ignore_index=True),
                                  ledger(whole).sort_values(order, ignore_index=True))
    return as_one


def test_a_batch_judged_in_parts_is_judged_as_one(office, tmp_path, monkeypatch):
    # A large batch is read and judged consolidate.PART files at a time, in report order; the rules
    # across reports carry over from part to part. File names sort against report dates here.
    cancel = dict(customer="王", deal_type="退订", qty=1, contract_no="HT-1")
    report(office, "z1.xlsx", dt.date(2026, 11, 20), [contract("HT-1", qty=2, received=1000.0)])
    report(office, "a2.xlsx", dt.date(2026, 11, 21), [cancel, dict(customer="王", deal_type="回款", received=1699.0,
                                                                   contract_no="HT-1")])
    report(office, "m3.xlsx", dt.date(2026, 11, 22), [contract("HT-1")])
    report(office, "b4.xlsx", dt.date(2026, 11, 23), [dict(customer="王", deal_type="回款", received=5000.0,
                                                           contract_no="HT-1")])
    report(office, "y1.xlsx", dt.date(2026, 11, 20), [contract("HT-7", product="不存在的产品")])
    report(office, "c5.xlsx", dt.date(2026, 11, 24), [dict(customer="王", deal_type="回款", received=100.0,
                                                           contract_no="HT-7")])
    report(office, "k6.xlsx", dt.date(2026, 11, 25), [contract("HT-9", qty=601, price=8999.0, product=HEATER)])
    as_one = _in_parts_and_whole(office, tmp_path, monkeypatch, part=2)
    rules = {rule for *_, issues in _judged(as_one) for rule, _ in issues}
    # c5's payment names HT-7 of the rejected y1: it waits (issue 10), and the wait crosses parts too
    assert {"duplicate-contract", "received-beyond-outstanding", "contract-in-rejected-report",
            "beyond-inventory"} <= rules


def test_the_demo_office_judged_in_parts_is_judged_as_one(demo_built, tmp_path, monkeypatch):
    demo = demo_copy(demo_built.dir, tmp_path)  # the run's demo office (conftest), of TODAY
    as_one = _in_parts_and_whole(demo, tmp_path, monkeypatch, part=7)
    assert any(f.status == "rejected" for f in as_one.files)


def test_read_cache_knows_a_replaced_master_of_the_same_size_and_time(tmp_path):
    # Coarse timestamps (FAT, some shares) can give a new master the size and time of the old one;
    # a master is only ever replaced by a new file, so its file id tells them apart.
    def month(customer: str) -> store.Partition:
        row = {"date": pd.Timestamp(TODAY), "customer": customer, "deal_type": "意向", "deal": "lead",
               "source": "a.xlsx", "sheet": "日报", "row": 6}
        return store.Partition("2026-11", ledger=L.frame([row], L.LEDGER))

    master = tmp_path / "master"
    master.mkdir()
    store.write_partition(master / "2026-11.xlsx", month("客户999"))
    old = master / "2026-11.xlsx"
    assert store.read_partitions(master)["2026-11"].ledger["customer"].tolist() == ["客户999"]
    for i in range(200):  # a customer whose workbook has the old one's size
        new = tmp_path / f"new{i}.xlsx"
        store.write_partition(new, month(f"客户{i:03d}"))
        if new.stat().st_size == old.stat().st_size:
            break
    else:
        pytest.skip("no workbook of the same size came out")
    stat = old.stat()
    os.replace(new, old)
    os.utime(old, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert store.read_partitions(master)["2026-11"].ledger["customer"].tolist() == [f"客户{i:03d}"]


def _night_in_memory(office) -> tuple[consolidate.Outcome, dict]:
    """A consolidation as `run_consolidation` does it, nothing written: the outcome and the months."""
    from xlpy.app import validate
    from xlpy.core.rules import Context
    from xlpy.io.reference import read_reference
    settings = config.load(office)
    ctx = Context(reference=read_reference(settings.path("reference"), settings), settings=settings, today=TODAY)
    parts = store.read_partitions(office / "master")
    inbox = office / "inbox"
    return consolidate._consolidate(validate.collect([inbox]), inbox, parts, ctx, NOW, master=office / "master"), parts


def test_a_night_leaves_old_months_rows_unread_and_a_corrected_old_month_still_counts(office):
    report(office, "2026-10-20/张伟.xlsx", dt.date(2026, 10, 20), [contract("HT-1"), contract("HT-2")])
    report(office, "张伟_1120.xlsx", dt.date(2026, 11, 20), [contract("HT-3", received=1000.0)])
    assert run(office).exit_code == 0
    run(office)  # a night with nothing new: the read cache keeps each month's tables and balances
    pay = dict(customer="王先生", deal_type="回款", received=2699.0, contract_no="HT-1")
    report(office, "张伟_1126.xlsx", dt.date(2026, 11, 26), [pay])
    outcome, parts = _night_in_memory(office)
    assert {f.source: f.status for f in outcome.files}["张伟_1126.xlsx"] == "accepted"
    assert not parts["2026-10"].loaded("ledger") and not parts["2026-10"].loaded("activity")  # from its balances
    assert parts["2026-10"].loaded("imports")  # what the batch needs of every month
    assert run(office).exit_code == 0
    # October corrected: HT-1 signed at 2,000 — the payment of 2,699 already taken now exceeds it, and
    # a night after the correction judges a new payment against the corrected contract
    report(office, "2026-10-20/张伟.xlsx", dt.date(2026, 10, 20), [contract("HT-1", price=2000.0), contract("HT-2")])
    outcome, parts = _night_in_memory(office)
    assert [f.correction for f in outcome.files if f.source == "2026-10-20/张伟.xlsx"] == [True]
    assert run(office).exit_code == 0
    rows = ledger(office)
    assert rows.loc[(rows["contract_no"] == "HT-1") & (rows["deal"] == "contract"), "amount"].tolist() == [2000.0]
    report(office, "张伟_1127.xlsx", dt.date(2026, 11, 27), [{**pay, "received": 1.0}])
    outcome = run(office)
    late = next(f for f in outcome.files if f.source == "张伟_1127.xlsx")
    assert late.status == "rejected" and [i.rule for i in late.issues] == ["received-beyond-outstanding"]
