"""Validating a batch of report files (`xlpy.app.validate`): the files a batch is made of, each
file's status, copies, the totals, and the JSON and text views of `xlpy validate`."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pytest
from conftest import at
from openpyxl import Workbook

from xlpy import cli
from xlpy.app import validate


def spoil(rows, index, **changes):
    rows[index].update(changes)
    return rows


# ------------------------------------------------------------------ the files of a batch


def test_folders_are_walked_but_not_hidden_ones_nor_the_processed_inbox(tmp_path, make_report):
    inbox = tmp_path / "inbox"
    for name in ("a.xlsx", "day/b.xlsx", "~$a.xlsx", ".hidden/c.xlsx", "已处理/d.xlsx", "day/已处理/e.xlsx",
                 "day-1.xlsx", "B.xlsx"):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(make_report(), inbox / name)
    named = tmp_path / "named.xlsx"
    shutil.copy(make_report(), named)
    if os.name != "nt":  # links as Path.rglob takes them: a linked file is listed, a linked folder not walked
        (inbox / "link.xlsx").symlink_to(named)
        (inbox / "linked-day").symlink_to(inbox / "day", target_is_directory=True)
        (inbox / "broken.xlsx").symlink_to(tmp_path / "gone.xlsx")
    found = validate.collect([inbox, named])
    # a lock file is listed (then skipped, in one line); only the inbox's own 已处理 is the archive
    # in the order their paths sort: a folder's files before a name it begins (day/ before day-1)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        *(["inbox/B.xlsx"] if os.name != "nt" else []), "inbox/a.xlsx", *(["inbox/B.xlsx"] if os.name == "nt" else []),
        "inbox/day/b.xlsx", "inbox/day/已处理/e.xlsx", "inbox/day-1.xlsx",
        *(["inbox/link.xlsx"] if os.name != "nt" else []), "inbox/~$a.xlsx", "named.xlsx"]
    assert found[:-1] == sorted(found[:-1])


def test_each_file_has_its_status(make_report, check, clean_rows, tmp_path):
    lock = tmp_path / "~$report.xlsx"
    lock.write_bytes(b"Excel's lock file")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    results = check(make_report(), make_report(spoil(clean_rows, 2, amount=17000, contract_no="HT-002")), broken, lock)
    assert [r.status for r in results] == ["ok", "invalid", "unreadable", "skipped"]
    assert results[3].reason == "skip-lock" and results[3].report is None
    assert validate.totals(results) == {"files": 4, "rows": 10, "ok": 1, "invalid": 1, "waiting": 0, "unreadable": 1,
                                        "copy": 0, "skipped": 1, "errors": 2, "warnings": 0, "notices": 0}


def test_the_same_rows_under_another_name_are_a_copy_not_judged_again(make_report, ctx, tmp_path):
    first = make_report(name="张伟.xlsx")
    again = tmp_path / "张伟 - 副本.xlsx"
    shutil.copy(first, again)
    results = validate.validate_files([first, again], ctx, contents={})
    assert [(r.status, r.copy_of) for r in results] == [("ok", None), ("copy", "张伟.xlsx")]
    assert results[1].issues == []
    without = validate.validate_files([first, again], ctx)  # no record of contents: both judged
    assert sorted(r.status for r in without) == ["invalid", "ok"]  # one of them signs HT-001 again


def test_a_batch_in_parts_is_judged_as_in_one(make_report, ctx):
    signed = make_report(name="a.xlsx")  # signs HT-001
    twice = make_report(name="b.xlsx")  # signs HT-001 again: a duplicate across reports
    whole = validate.validate_files([signed, twice], ctx)
    parts = [r for part in validate.validate_in_parts([signed, twice], ctx, None, None, 1) for r in part]
    assert [[i.rule for i in r.issues] for r in parts] == [[i.rule for i in r.issues] for r in whole]
    assert "duplicate-contract" in {i.rule for r in whole for i in r.issues}


def test_a_batch_larger_than_a_part_is_judged_a_step_at_a_time(make_report, ctx):
    """A batch of more than ``size`` files is judged ``step`` files at a time (a rebuild holds fewer reports
    at once), and as in one; a batch of no more than ``size`` at once, whatever the step."""
    files = [make_report(name=f"{name}.xlsx") for name in "abcde"]  # each signs HT-001: duplicates across parts
    whole = validate.validate_files(files, ctx)
    parts = list(validate.validate_in_parts(files, ctx, None, None, 3, step=2))
    assert [len(part) for part in parts] == [2, 2, 1]
    assert [[i.rule for i in r.issues] for part in parts for r in part] == [[i.rule for i in r.issues] for r in whole]
    assert [len(part) for part in validate.validate_in_parts(files, ctx, None, None, 5, step=2)] == [5]


def test_the_text_view_in_both_languages(make_report, check, clean_rows):
    results = check(make_report(spoil(clean_rows, 2, amount=17000)))
    zh, en = validate.to_text(results, "zh"), validate.to_text(results, "en")
    assert f"日报!{at('amount', 2)}" in zh and "amount-mismatch" not in zh  # rule ids are English words
    assert "amount-mismatch" in en and "Amount 17,000 differs" in en
    assert zh.splitlines()[-1] == validate.summary_line(results, "zh")
    assert en.splitlines()[-1] == validate.summary_line(results, "en")


# ------------------------------------------------------------------ `xlpy validate --format json`

def validate_json(capsys, tmp_path, *args):
    code = cli.main(["validate", *map(str, args), "--format", "json", "--today", "2026-11-27",
                     "--office", str(tmp_path)])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out else None), captured.err


def test_json_clean(make_report, reference_path, tmp_path, capsys):
    path = make_report()
    code, out, _ = validate_json(capsys, tmp_path, path, "--reference", reference_path)
    assert code == 0
    assert out["files"] == [{"path": str(path), "status": "ok", "rows": 5, "issues": []}]
    assert {k: out["summary"][k] for k in ("files", "rows", "ok", "invalid", "unreadable", "skipped", "errors",
                                           "warnings", "notices")} == {
        "files": 1, "rows": 5, "ok": 1, "invalid": 0, "unreadable": 0, "skipped": 0, "errors": 0, "warnings": 0,
        "notices": 0}


def test_json_issues(make_report, reference_path, tmp_path, capsys, clean_rows):
    path = make_report(spoil(clean_rows, 2, amount=17000, region="华北"))
    code, out, _ = validate_json(capsys, tmp_path, path, "--reference", reference_path, "--lang", "en")
    assert code == 1
    [file] = out["files"]
    assert file["status"] == "invalid" and file["rows"] == 5
    assert file["issues"] == [
        {"severity": "error", "rule": "amount-mismatch", "sheet": "日报", "cell": at("amount", 2), "column": "amount",
         "value": 17000, "message": "Amount 17,000 differs from qty × unit price = 16,000 (tolerance 17)"},
        {"severity": "warning", "rule": "rep-region", "sheet": "日报", "cell": at("region", 2), "column": "region",
         "value": "华北", "message": "Sales rep “张伟” belongs to region “华东”, but the row says “华北”"},
    ]
    assert out["summary"]["errors"] == 1 and out["summary"]["warnings"] == 1


def test_json_dates_are_text(make_report, reference_path, tmp_path, capsys, clean_rows):
    path = make_report(spoil(clean_rows, 1, date=dt.date(2026, 12, 1)))
    code, out, _ = validate_json(capsys, tmp_path, path, "--reference", reference_path)
    assert code == 1 and out["files"][0]["issues"][0]["value"] == "2026-12-01"


def _reference(path, reps, products=(("A型", "住宅", 5000, 4500, 1),), sheets=("销售代表", "产品价目")):
    wb = Workbook()
    wb.remove(wb.active)
    if "销售代表" in sheets:
        ws = wb.create_sheet("销售代表")
        ws.append(["姓名", "区域", "在职"])
        for rep in reps:
            ws.append(list(rep))
    if "产品价目" in sheets:
        ws = wb.create_sheet("产品价目")
        ws.append(["产品", "类别", "标准价", "最低价", "期初库存"])
        for p in products:
            ws.append(list(p))
    wb.save(path)
    return path


@pytest.mark.parametrize("case, words", [
    ("missing", "找不到基础资料"),
    ("no-sheet", "产品价目"),
    ("duplicate-rep", "张伟"),
    ("unreadable", "这是文本文件"),
])
def test_unusable_reference_exits_2(make_report, tmp_path, capsys, case, words):
    ref = tmp_path / "ref.xlsx"
    if case == "no-sheet":
        _reference(ref, [("张伟", "华东", "是")], sheets=("销售代表",))
    elif case == "duplicate-rep":
        _reference(ref, [("张伟", "华东", "是"), (" 张伟", "华北", "是")])
    elif case == "unreadable":
        ref.write_text("姓名,区域\n")
    code, out, err = validate_json(capsys, tmp_path, make_report(), "--reference", ref)
    assert (code, out) == (2, None)
    assert words in err and len(err.strip().splitlines()) == 1


def test_no_files_exits_2(tmp_path, capsys):
    code, out, err = validate_json(capsys, tmp_path, tmp_path)
    assert (code, out) == (2, None) and str(tmp_path) in err


def test_a_report_is_known_by_its_path_within_the_inbox(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "2026-11-26").mkdir(parents=True)
    (inbox / "2026-11-26" / "张伟.xlsx").write_bytes(b"")
    (tmp_path / "inbox2").mkdir()
    (tmp_path / "inbox2" / "李娜.xlsx").write_bytes(b"")
    [walked] = validate.collect([inbox])
    assert validate.source_name(walked, inbox) == "2026-11-26/张伟.xlsx"
    assert validate.source_name(tmp_path / "inbox2" / "李娜.xlsx", inbox) == "李娜.xlsx"  # not in it: its name
    escaped = inbox / "\udcd5\udcc5\udcce\udcb0.xlsx"  # 张伟 in GBK, as a zip made on a Chinese Windows unpacks on Linux
    assert validate.source_name(escaped, inbox) == "张伟.xlsx"
