"""Crash safety and hostile files, with real processes: a consolidation killed at any
moment loses nothing, and a hostile inbox gets a status per file, in bounded time and memory.

The full crash soak is `python tests/soak/crash.py` (200 kills); here a few, after the
sweep of kills at each `os.replace` of the commit. Real processes where they are the point (a
kill, a peak of memory); the limits of one file are checked in this process (`H.run_here`).
"""
from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "soak"))
import crash  # noqa: E402
import harness as H  # noqa: E402
from conftest import CORPUS  # noqa: E402

from xlpy.app import validate  # noqa: E402
from xlpy.app.office import init_office  # noqa: E402
from xlpy.io.report_file import write_report  # noqa: E402

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="peak memory is measured with resource.getrusage")


@pytest.mark.slow
def test_kills_at_every_step_of_the_commit_and_at_random_lose_nothing(tmp_path):
    figures = crash.soak(count=5, seed=2026, work=tmp_path, log=lambda line: None)
    assert figures["violations"] == []
    assert figures["rows_lost_or_doubled"] == 0
    assert figures["kills"] >= 6  # two backups, the commit point, three masters: each killed before
    assert figures["phases"]["after the commit point"] >= 3  # the next run finished a committed change


# ---------------------------------------------------------------- hostile files through consolidate

ENTITY_BOMB = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
               + "".join(f'<!ENTITY {c} "{("&%s;" % p) * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
               + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>')


def zip_bomb(path: Path, megabytes: int, lie: bool = False) -> Path:
    """A workbook-shaped zip whose sheet inflates to ``megabytes`` of zeros; with ``lie``
    its headers claim 1 KB, so only reading it would find out."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(megabytes):
                f.write(bytes(2**20))
    if lie:
        data = bytearray(path.read_bytes())
        size = (megabytes * 2**20).to_bytes(8, "little")
        for at in (i for i in range(len(data) - 8) if data[i:i + 8] == size):  # the zip64 extra fields
            data[at:at + 8] = (1024).to_bytes(8, "little")
        path.write_bytes(bytes(data))
    return path


def entity_bomb(path: Path, report: Path) -> Path:
    with zipfile.ZipFile(report) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, ENTITY_BOMB if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info))
    return path


@pytest.fixture
def hostile_office(tmp_path):
    """An office whose inbox holds the whole shared xlsx corpus, plus bombs made here."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    office = init_office(tmp_path / "office", H.TODAY, lang="en")
    inbox = office / "inbox"
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
        shutil.copy(path, inbox / path.relative_to(CORPUS).as_posix().replace("/", "__"))
    H.set_option(office, "max_unzipped_mb", 50)
    H.set_option(office, "read_timeout", 20)
    zip_bomb(inbox / "bomb.xlsx", 64)
    zip_bomb(inbox / "liar.xlsx", 64, lie=True)
    return office


@POSIX
@pytest.mark.slow
def test_the_corpus_and_bombs_through_consolidate(hostile_office, tmp_path):
    inbox = hostile_office / "inbox"
    expected = {p.name for p in validate.collect([inbox])}
    done, peak_mb = H.run_measured("consolidate", "--office", hostile_office, "--format", "json", scratch=tmp_path)
    print(f"\nhostile sweep: {len(expected)} files, peak RSS {peak_mb:.0f} MB, exit {done.returncode}")
    assert done.returncode in (0, 1, 2), done.stderr
    assert "Traceback" not in done.stderr
    out = json.loads(done.stdout)
    by_name = {f["source"]: f for f in out["files"]}
    assert set(by_name) == expected and out["reconciles"]
    assert peak_mb < 1024  # generous: the sweep needs about 130 MB; a bomb expanded would need gigabytes
    assert by_name["bomb.xlsx"]["status"] == "unreadable"
    assert "over the safety limit" in by_name["bomb.xlsx"]["errors"][0]["message"]
    assert by_name["liar.xlsx"]["status"] == "unreadable"  # its size check fails on reading, not on faith
    for name in ("poi__poc-xmlbomb.xlsx", "poi__54764.xlsx"):
        assert "declares XML entities" in by_name[name]["errors"][0]["message"]
    for f in out["files"]:
        assert all("\n" not in e["message"] for e in f["errors"]), f["source"]
    master = hostile_office / "master"
    assert H.unopenable(master) == [] and H.reconcile(master) == []
    again = H.run_here("consolidate", "--office", hostile_office, "--format", "json")
    assert json.loads(again.stdout)["written"] == []  # nothing hostile is taken in twice


@pytest.fixture
def office(tmp_path):
    """An office with one good report in its inbox."""
    office = init_office(tmp_path / "office", H.TODAY, lang="en")
    write_report(office / "inbox" / "good.xlsx", {"report_date": H.TODAY, "rep": "张伟", "visits": 3, "calls": 5},
                 [dict(customer="王先生", product="壁挂空调 KFR-26GW", deal_type="意向")])
    return office


def consolidate_json(office) -> dict:
    done = H.run_here("consolidate", "--office", office, "--format", "json", "--lang", "en")
    assert "Traceback" not in done.stderr, done.stderr
    return {f["source"]: f for f in json.loads(done.stdout)["files"]}


def test_file_size_limit_gives_a_clear_message(office):
    big = office / "inbox" / "big.xlsx"
    shutil.copy(office / "inbox" / "good.xlsx", big)
    with zipfile.ZipFile(big, "a") as z:  # a picture of 2 MB, say
        z.writestr("xl/media/image1.png", bytes(range(256)) * 8192, zipfile.ZIP_STORED)
    H.set_option(office, "max_file_mb", 1)
    out = consolidate_json(office)
    assert out["big.xlsx"]["status"] == "unreadable"
    assert out["big.xlsx"]["errors"][0]["message"].endswith("the file is too large (2 MB), over the configured limit")
    assert out["good.xlsx"]["status"] == "accepted"


def test_unzipped_size_limit_gives_a_clear_message(office):
    zip_bomb(office / "inbox" / "bomb.xlsx", 8)
    H.set_option(office, "max_unzipped_mb", 4)
    out = consolidate_json(office)
    assert out["bomb.xlsx"]["status"] == "unreadable"
    assert "it unpacks to 8 MB, over the safety limit" in out["bomb.xlsx"]["errors"][0]["message"]
    assert out["good.xlsx"]["status"] == "accepted"  # the limit is per file; 4 MB is plenty for a report


def test_entities_are_never_expanded(office):
    entity_bomb(office / "inbox" / "entities.xlsx", office / "inbox" / "good.xlsx")
    out = consolidate_json(office)
    assert out["entities.xlsx"]["status"] == "unreadable"
    assert "declares XML entities (xl/worksheets/sheet1.xml)" in out["entities.xlsx"]["errors"][0]["message"]
    record = H.record(office / "master")
    assert not any("aaaaaaaaaa" in str(v) for part in record.values() for frame in part.values()
                   for v in frame.to_numpy().ravel())


def test_read_timeout_holds_for_every_workbook_read(office):
    """The per-file time limit (reader._within, see test_hostile) also bounds the reference
    workbook: an absurd limit stops the run before anything is written, in one line."""
    H.set_option(office, "read_timeout", 1e-9)
    done = H.run_here("consolidate", "--office", office, "--lang", "en")
    assert done.returncode == 2 and done.stdout == ""
    # the parse's limit, or its loading's (`reader.LOADING` limits) when the reading thread had not begun
    # the parse in time (a loaded machine)
    assert re.search(r"reading took too long \((1e-09|1e-08) s\); skipped$", done.stderr.strip())
    assert not list((office / "master").glob("*.xlsx"))
