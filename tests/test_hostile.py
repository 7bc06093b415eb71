"""Hostile and broken files: each gets a status and one clear line, never a traceback,
and never stops the other files of the batch."""
from __future__ import annotations

import dataclasses
import inspect
import json
import re
import threading
import time
import zipfile

import pytest
from conftest import shared_or_skip
from openpyxl import Workbook

from xlpy import cli
from xlpy.app import validate
from xlpy.contract.messages import has, say
from xlpy.io import reader
from xlpy.io.reader import Unreadable, read_grids

STRICT = [("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main"),
          ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")]
BILLION_LAUGHS = ('<?xml version="1.0"?>{pad}<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
                  + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
                  '<si><t>&lol9;</t></si></sst>')


def rewrite(src, dst, change):
    """A copy of the zip ``src`` with each member's bytes passed through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info)))
    return dst


def one(check, path):
    [result] = check(path)
    return result


def unreadable(check, path, code):
    """The file is unreadable for ``code``, said in one line in either language."""
    result = one(check, path)
    assert result.status == "unreadable", [i.message("en") for i in result.issues]
    assert result.report.unreadable.code == code
    [issue] = result.issues
    assert issue.rule == "unreadable" and issue.severity == "error"
    for lang in ("zh", "en"):
        message = issue.message(lang)
        assert "\n" not in message and "Traceback" not in message
    # the messages table is now the catalogue (tests/test_catalogue.py)
    assert say(code, "en").split("{")[0] in issue.message("en")
    return issue


# ------------------------------------------------------------------ containers

def test_truncated_workbook(make_report, tmp_path, check):
    data = make_report().read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    unreadable(check, path, "corrupt")


def test_zip_without_a_workbook(tmp_path, check):
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "hello")
    unreadable(check, path, "corrupt")


def test_random_bytes(tmp_path, check):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    unreadable(check, path, "not-spreadsheet")


def test_empty_file(tmp_path, check):
    path = tmp_path / "empty.xlsx"
    path.touch()
    unreadable(check, path, "empty")


def test_missing_file(tmp_path, check):
    unreadable(check, tmp_path / "gone.xlsx", "io")


@pytest.mark.parametrize("text, encoding", [("日期,客户名称,产品\n2026-11-26,客户甲,A型\n", "utf-8"),
                                            ("日期,客户名称,产品\n2026-11-26,客户甲,A型\n", "gb18030"),
                                            ("<html><table><tr><td>日期</td></tr></table></html>", "utf-8")])
def test_text_renamed_as_workbook(tmp_path, check, text, encoding):
    path = tmp_path / "report.xlsx"
    path.write_bytes(text.encode(encoding))
    issue = unreadable(check, path, "text-file")
    assert "CSV" in issue.message("zh") and ".xlsx" in issue.message("en")


def test_over_the_size_limits(make_report, check, ctx):
    path = make_report()
    tiny = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, max_file_mb=0.001))
    assert one(lambda p: check(p, ctx=tiny), path).report.unreadable.code == "too-large"
    tiny = dataclasses.replace(ctx, settings=dataclasses.replace(ctx.settings, max_unzipped_mb=0.001))
    assert one(lambda p: check(p, ctx=tiny), path).report.unreadable.code == "zip-bomb"


# ------------------------------------------------------------------ encryption

@pytest.mark.parametrize("name", ["python-calamine/password.xlsx", "poi/protected_passtika.xlsx",
                                  "calamine/pass_protected.xlsx"])
def test_password_encrypted_from_the_corpus(check, name):
    issue = unreadable(check, shared_or_skip(name), "encrypted")
    assert "密码" in issue.message("zh") and "Encrypt with Password" in issue.message("en")


def test_password_encrypted_container(tmp_path, check):
    """What Excel writes for an encrypted workbook: an OLE2 file holding an `EncryptedPackage` stream."""
    path = tmp_path / "secret.xlsx"
    path.write_bytes(reader.OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1024))
    unreadable(check, path, "encrypted")


# ------------------------------------------------------------------ XML

@pytest.mark.parametrize("pad", ["", "<!--" + "x" * 10_000 + "-->"], ids=["prolog", "after-long-comment"])
def test_entity_bomb_is_refused_unexpanded(make_report, tmp_path, check, pad):
    def bomb(name, data):
        return BILLION_LAUGHS.format(pad=pad).encode() if name == "xl/worksheets/sheet1.xml" else data
    path = rewrite(make_report(), tmp_path / "bomb.xlsx", bomb)
    issue = unreadable(check, path, "xml-entities")
    assert "xl/worksheets/sheet1.xml" in issue.message("en")


def test_entity_bomb_in_a_duplicate_member(make_report, tmp_path, check):
    """Two members of one name: whichever a parser picks, neither may declare entities."""
    path = tmp_path / "twins.xlsx"
    path.write_bytes(make_report().read_bytes())
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/worksheets/sheet1.xml", BILLION_LAUGHS.format(pad=""))
    unreadable(check, path, "xml-entities")


@pytest.mark.parametrize("name", ["poi/poc-xmlbomb.xlsx", "poi/54764.xlsx"])
def test_entity_bombs_from_the_corpus(check, name):
    unreadable(check, shared_or_skip(name), "xml-entities")


def test_strict_ooxml_gives_rows(make_report, tmp_path, check):
    def strict(name, data):
        for old, new in STRICT:
            data = data.replace(old.encode(), new.encode())
        return data
    path = rewrite(make_report(), tmp_path / "strict.xlsx", strict)
    assert STRICT[0][1].encode() in zipfile.ZipFile(path).read("xl/workbook.xml")
    result = one(check, path)
    assert result.status == "ok" and result.rows == 5


@pytest.mark.parametrize("name", ["poi/SimpleStrict.xlsx", "poi/sample.strict.xlsx", "calamine/strict_iso_paths.xlsx"])
def test_strict_ooxml_from_the_corpus_gives_cells(name):
    _, grids = read_grids(shared_or_skip(name))
    assert any(v not in (None, "") for _, grid in grids for row in grid for v in row)


def test_backslash_member_names_from_the_corpus(check):
    result = one(check, shared_or_skip("poi/49609.xlsx"))
    assert result.status != "unreadable"


# ------------------------------------------------------------------ tables

def test_no_recognisable_table_names_the_expected_headers(tmp_path, check):
    wb = Workbook()
    wb.active.append(["姓名", "电话号码", "地址"])
    wb.active.append(["张三", "123", "北京"])
    wb.save(tmp_path / "contacts.xlsx")
    result = one(check, tmp_path / "contacts.xlsx")
    [issue] = result.issues
    assert result.status == "invalid" and issue.rule == "no-table"
    assert "客户名称、产品、业务类型、数量" in issue.message("zh")
    assert "Customer, Product, Deal Type, Qty" in issue.message("en")


def test_an_empty_workbook_has_no_table(tmp_path, check):
    Workbook().save(tmp_path / "blank.xlsx")
    assert [i.rule for i in one(check, tmp_path / "blank.xlsx").issues] == ["no-table"]


# ------------------------------------------------------------------ batches

def test_lock_and_hidden_files_are_skipped_quietly(make_report, tmp_path, ctx):
    # Was: skipped without a word. Every file in the inbox now has a status (issue 10): lock and hidden
    # files are skipped, summed up in one line; other files say why they are no report; hidden folders
    # are still not looked into.
    inbox = tmp_path / "inbox"
    make_report(name="inbox/张伟.xlsx")
    (inbox / "~$张伟.xlsx").write_bytes(b"\x00" * 165)  # Excel's owner file
    (inbox / ".~lock.张伟.xlsx#").write_text("x")  # LibreOffice's
    (inbox / ".hidden.xlsx").write_bytes(b"junk")
    (inbox / ".sync").mkdir()
    make_report(name="inbox/.sync/copy.xlsx")
    (inbox / "readme.txt").write_text("not a report")
    results, _ = validate.run([inbox], ctx)
    assert {r.path.name: (r.status, r.reason) for r in results} == {
        "张伟.xlsx": ("ok", None), "~$张伟.xlsx": ("skipped", "skip-lock"), ".~lock.张伟.xlsx#": ("skipped", "skip-hidden"),
        ".hidden.xlsx": ("skipped", "skip-hidden"), "readme.txt": ("skipped", "skip-not-report")}
    text = validate.to_text(results)
    assert "另有 3 个 Excel 锁定文件或隐藏文件已忽略" in text and "readme.txt  [已跳过]  0  不是电子表格文件（.txt）" in text


def test_a_bad_file_never_stops_the_batch(make_report, tmp_path, check):
    (tmp_path / "empty.xlsx").touch()
    (tmp_path / "text.xlsx").write_text("a,b,c")
    (tmp_path / "noise.xlsm").write_bytes(b"\x01\x02" * 100)
    good = make_report(name="good.xlsx")
    statuses = {r.path.name: r.status for r in check(tmp_path / "empty.xlsx", tmp_path / "text.xlsx",
                                                     tmp_path / "noise.xlsm", good, tmp_path / "notes.txt")}
    assert statuses == {"empty.xlsx": "unreadable", "text.xlsx": "unreadable", "noise.xlsm": "unreadable",
                        "good.xlsx": "ok", "notes.txt": "skipped"}


def test_time_limit():
    """A read that overruns is given up on with a reason; errors and results pass through."""
    stuck = threading.Event()
    with pytest.raises(Unreadable) as e:
        reader._within(0.05, stuck.wait)
    stuck.set()
    assert e.value.code == "timeout" and "0.05 s" in e.value.detail
    assert reader._within(5, sum, [1, 2]) == 3
    with pytest.raises(Unreadable) as e:
        reader._within(5, reader._grids, b"a,b\n", reader.Settings())
    assert e.value.code == "text-file"


def test_a_batch_handed_to_the_time_limit_thread_gives_each_call_its_own_limit():
    """Files handed over together: each parse has the limit to itself (five of 0.1 s under a
    limit of 0.3 s all finish); one that overruns is given up on, those before it keep their
    results, those after it are read by a fresh thread; an error stays that call's."""
    stuck = threading.Event()
    nap = (lambda: None, lambda _: time.sleep(0.1) or "read")
    calls = [nap] * 5 + [(lambda: None, lambda _: stuck.wait())] + [nap, (lambda: None, lambda _: 1 / 0)]
    results = reader._each_within(0.3, calls)
    stuck.set()
    assert [value for _, value in results[:5]] == ["read"] * 5 and results[6] == (True, "read")
    assert results[5][1].code == "timeout" and "0.3 s" in results[5][1].detail
    assert not results[7][0] and isinstance(results[7][1], ZeroDivisionError) and len(results) == 8


def test_loading_a_file_has_limits_of_its_own(monkeypatch):
    """A slow share is waited for, beyond the parse's limit; a dead one (or a file the cloud never
    sends) is given up on after `LOADING` limits, and the files after it are read."""
    slow_load = (lambda: time.sleep(0.3) or 2, lambda n: n * 21)  # a slow share, a quick parse
    assert reader._each_within(0.1, [slow_load]) == [(True, 42)]
    monkeypatch.setattr(reader, "LOADING", 3)
    dead = threading.Event()
    results = reader._each_within(0.1, [(dead.wait, lambda _: "read"), (lambda: time.sleep(0.15) or 2, lambda n: n * 21)])
    dead.set()
    assert results[0][1].code == "timeout" and "0.3 s" in results[0][1].detail and results[1] == (True, 42)


def test_read_grids_takes_a_time_limit(make_report):
    assert read_grids(make_report(), timeout=60)[1][0][0] == "日报"


def test_every_unreadable_code_has_a_message():
    codes = set(re.findall(r'Unreadable\("([a-z-]+)"', inspect.getsource(reader)))
    assert codes and all(has(code) for code in codes)  # the catalogue, once the MESSAGES table


# ------------------------------------------------------------------ the command line

def test_cli_json_for_a_hostile_batch(make_report, tmp_path, reference_path, capsys):
    (tmp_path / "empty.xlsx").touch()
    good = make_report(name="good.xlsx")
    code = cli.main(["validate", str(tmp_path / "empty.xlsx"), str(good), "--reference", str(reference_path),
                     "--format", "json", "--today", "2026-11-27", "--office", str(tmp_path), "--lang", "en"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["path"], f["status"], f["rows"]) for f in out["files"]] == [
        (str(tmp_path / "empty.xlsx"), "unreadable", 0), (str(good), "ok", 5)]
    [issue] = out["files"][0]["issues"]
    assert issue["rule"] == "unreadable" and "empty" in issue["message"]
    assert out["summary"]["unreadable"] == 1 and out["summary"]["ok"] == 1

