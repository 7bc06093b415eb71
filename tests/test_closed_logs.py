"""The closed months' import logs and problem lists looked up on disk (io/closed_logs.py): a night's
verdicts, copies, corrections and pending list as from every month's log stacked, the file built again
when a closed master changes by hand, and a cache: deleted, the nights say the same."""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from test_closed_book import _contract, _night, _report

from xlpy.app import lifecycle
from xlpy.app.office import init_office
from xlpy.core import worklog
from xlpy.io import closed_logs, store

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def office(tmp_path, cache):
    """August to November, a report of August rejected (an unknown product), the closed months' logs
    (August, September) on disk after a night with nothing new."""
    init_office(tmp_path / "office", today=TODAY)
    office = tmp_path / "office"
    for month in (8, 9, 10):
        _report(office, f"2026-{month:02d}-10/张伟.xlsx", dt.date(2026, month, 10), [_contract(f"HT-{month - 7}", 2)])
    _report(office, "2026-08-11/张伟.xlsx", dt.date(2026, 8, 11), [{**_contract("HT-8", 1), "product": "无此产品"}])
    _report(office, "2026-11-02/张伟.xlsx", dt.date(2026, 11, 2), [_contract("HT-9", 1)])
    _night(office, 2)
    _night(office, 3)
    assert len(list(cache.glob("*.logs.*.sqlite"))) == 1
    return office


def _stacked(parts):
    return store.concat(parts, "imports"), store.concat(parts, "problems")


def test_the_closed_months_entries_of_the_reports_asked_are_every_entry_of_them(office):
    master = office / "master"
    parts = store.read_partitions(master)
    logs = closed_logs.Logbook(parts, master, build=False)
    assert logs.closed.months == ["2026-08", "2026-09"] and sorted(logs.open) == ["2026-10", "2026-11"]
    imports, problems = _stacked(parts)
    asked = {"2026-08-11/张伟.xlsx", "2026-09-10/张伟.xlsx"}
    closed = imports["source"].isin(asked) | ~imports["source"].str.startswith(("2026-08", "2026-09"))
    pd.testing.assert_frame_equal(logs.imports(asked), imports[closed].reset_index(drop=True))
    pd.testing.assert_frame_equal(logs.problems(asked), problems)  # the only problems are the rejected report's
    assert logs.sources(pending=True) == {"2026-08-11/张伟.xlsx"}
    assert logs.sources(day=dt.date(2026, 9, 10)) == {"2026-09-10/张伟.xlsx"}
    fingerprint = imports.loc[imports["source"] == "2026-09-10/张伟.xlsx", "fingerprint"].iloc[0]
    assert logs.sources(fingerprints={fingerprint, None}) == {"2026-09-10/张伟.xlsx"}
    assert logs.months_holding("problems", {"2026-08-11/张伟.xlsx"}) >= {"2026-08", "2026-10", "2026-11"}
    content = imports.loc[imports["source"] == "2026-08-10/张伟.xlsx", "content"].iloc[0]
    assert logs.contents(set())[content] == "2026-08-10/张伟.xlsx"
    assert content not in logs.contents({"2026-08-10/张伟.xlsx"})  # a report corrected tonight is not its own original
    new = {"2026-11-27/张伟.xlsx"}  # a night asking only about new reports: no closed entry looked up, made or conformed
    assert logs.closed.rows("imports", new, {"no such fingerprint"}) is None
    pd.testing.assert_frame_equal(logs.imports(new), imports[~imports["source"].str.startswith(("2026-08", "2026-09"))]
                                  .reset_index(drop=True))


@pytest.mark.parametrize("day", [dt.date(2026, 11, 3), dt.date(2026, 8, 11)])  # the day of the rejected report too
def test_the_logs_of_a_day_are_those_of_every_month(office, day):
    master = office / "master"
    parts = store.read_partitions(master)
    looked_up, stacked = lifecycle.Logs.of(parts, day, master), lifecycle.Logs.of(parts, day)
    # Neither holds every entry: the closed months' file gives those asked about and every open month's;
    # stacked, only those asked about are kept (memory6: a rebuild's every entry set 总表's high-water mark).
    assert len(stacked.imports) <= len(looked_up.imports) < len(store.concat(parts, "imports"))
    pd.testing.assert_frame_equal(looked_up.pending, stacked.pending)
    assert looked_up.pending["source"].tolist() == ["2026-08-11/张伟.xlsx"]
    pd.testing.assert_frame_equal(worklog.rejected_reports(looked_up.imports, looked_up.problems, day),
                                  worklog.rejected_reports(*stacked[:2], day))


def test_copies_and_corrections_of_a_closed_month_are_known(office, cache):
    inbox = office / "inbox"
    shutil.copy2(inbox / "2026-09-10/张伟.xlsx", inbox / "2026-09-10/张伟 - 副本.xlsx")  # the same bytes
    _report(office, "again/张伟.xlsx", dt.date(2026, 8, 10), [_contract("HT-1", 2)])  # the same rows, saved again
    _report(office, "2026-08-11/张伟.xlsx", dt.date(2026, 8, 11), [_contract("HT-8", 1)])  # the rejected one fixed
    files = {f.source: f for f in _night(office, 4).files}
    assert (files["2026-09-10/张伟 - 副本.xlsx"].status, files["2026-09-10/张伟 - 副本.xlsx"].copy_of) == \
        ("copy", "2026-09-10/张伟.xlsx")
    assert (files["again/张伟.xlsx"].status, files["again/张伟.xlsx"].copy_of) == ("copy", "2026-08-10/张伟.xlsx")
    assert files["2026-08-11/张伟.xlsx"].status == "accepted" and files["2026-09-10/张伟.xlsx"].status == "unchanged"
    august = store.read_partition(office / "master" / "2026-08.xlsx", "2026-08")
    assert august.problems.empty  # its earlier problems gone from August's list (a closed month's)
    assert _night(office, 5).pending == 0


def test_a_closed_master_changed_by_hand_is_read_as_it_is_now(office, cache):
    master = office / "master"
    august = store.read_partition(master / "2026-08.xlsx", "2026-08")
    august.imports = august.imports[august.imports["source"] != "2026-08-11/张伟.xlsx"]  # the rejected report dropped
    august.problems = august.problems.iloc[:0]
    store.write_partition(master / "2026-08.xlsx", august)  # saved outside xlpy: a new file
    (office / "inbox" / "2026-08-11/张伟.xlsx").unlink()
    assert _night(office, 4).pending == 0  # fails if the file kept the old log (its name without the stamps)
    assert len(list(cache.glob("*.logs.*.sqlite"))) == 1  # built again, the old one gone
    shutil.rmtree(cache)  # a cache: without it the night says the same
    assert _night(office, 5).pending == 0


def test_a_broken_file_is_built_again(office, cache):
    for index in cache.glob("*.logs.*.sqlite"):
        index.write_bytes(b"not sqlite")
        index.with_name(f"{index.name}.999.tmp-journal").write_bytes(b"")  # a killed build's journal: swept
    outcome = _night(office, 4)
    assert outcome.pending_list["source"].tolist() == ["2026-08-11/张伟.xlsx"]
    assert closed_logs.Logbook(store.read_partitions(office / "master"), office / "master", build=False).closed
    assert not list(cache.glob("*.tmp*"))


def _damage(cache):
    """The file's pages after the second overwritten: it opens, a query meets a damaged page."""
    for index in cache.glob("*.logs.*.sqlite"):
        data, page = bytearray(index.read_bytes()), 4096
        data[2 * page:] = b"\xff" * (len(data) - 2 * page)
        index.write_bytes(bytes(data))


def test_a_damaged_page_met_in_a_night_is_let_go_and_built_again(office, cache):
    # The file opens (its first pages are whole) but a query meets a damaged page, as after a disk
    # error: the night stacks every month's logs from there on, the file is deleted, built the night after.
    _damage(cache)
    _report(office, "again/张伟.xlsx", dt.date(2026, 8, 10), [_contract("HT-1", 2)])  # the same rows as August's
    outcome = _night(office, 4)
    assert next(f.copy_of for f in outcome.files if f.source == "again/张伟.xlsx") == "2026-08-10/张伟.xlsx"
    assert outcome.pending_list["source"].tolist() == ["2026-08-11/张伟.xlsx"]
    assert _night(office, 5).pending == 1 and len(list(cache.glob("*.logs.*.sqlite"))) == 1


def test_the_months_holding_a_report_are_every_month_when_the_file_fails_on_that_question(office, cache):
    # the closed month whose problem list names a report fixed tonight must still be named (with
    # the file let go, every month may)
    master = office / "master"
    logs = closed_logs.Logbook(store.read_partitions(master), master, build=False)
    _damage(cache)
    assert logs.months_holding("problems", {"2026-08-11/张伟.xlsx"}) >= {"2026-08", "2026-10", "2026-11"}
