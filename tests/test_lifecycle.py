"""A report's life cycle (issue 10), as scenarios on real offices through the CLI: verdicts that
follow what they depend on, one judgement everywhere, copies known by their rows, every inbox file
with a status, the processed inbox, the nightly exit status, the pending list."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from xlpy.app import briefing, consolidate, nightly
from xlpy.app.office import init_office
from xlpy.cli.main import main
from xlpy.contract import config
from xlpy.excel import INBOX_SHEET, build, buttons
from xlpy.excel.book import FileBook
from xlpy.io import store
from xlpy.io.annotate import annotate_results
from xlpy.io.report_file import write_report

DAY = dt.date(2026, 11, 27)  # a Friday: the demo's last working day
AC = "壁挂空调 KFR-26GW"


@pytest.fixture(scope="module")
def built(demo_built):
    return demo_built  # the run's demo office (conftest), of DAY


@pytest.fixture
def demo(built, tmp_path) -> Path:
    return Path(shutil.copytree(built.dir, tmp_path / "office"))


@pytest.fixture
def typo(built):
    """刘洋's report with "10台" in a number cell: (file, cell)."""
    [m] = [m for m in built.mistakes if m.rule == "bad-number"]
    assert m.file.startswith("刘洋")
    return m.file, m.cell


def consolidate_cli(office, capsys, *more, day=DAY) -> dict:
    code = main(["consolidate", "--office", str(office), "--date", day.isoformat(), "--format", "json", *more])
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == code
    return out


def statuses(out: dict) -> dict[str, str]:
    return {f["source"]: f["status"] for f in out["files"]}


def fix(office: Path, typo) -> None:
    path = office / "inbox" / typo[0]
    wb = load_workbook(path)
    ws = wb.active
    assert ws[typo[1]].value == "10台"
    ws[typo[1]] = 10
    wb.save(path)


def imports(office):
    return store.concat(store.read_partitions(office / "master"), "imports")


def record(office):
    ledger, activity = store.read_record(office / "master")
    return ledger, activity


# ---------------------------------------------------------------- 1. verdicts follow their dependencies


def test_a_typo_holds_its_dependents_waiting_and_fixing_it_later_takes_all_five_in_one_run(demo, typo, capsys):
    first = consolidate_cli(demo, capsys)
    liu = {s: st for s, st in statuses(first).items() if "刘洋" in s and st != "accepted"}
    waiting = sorted(s for s, st in liu.items() if st == "waiting")
    assert liu[typo[0]] == "rejected" and len(waiting) == 4
    by_source = {f["source"]: f for f in first["files"]}
    for source in waiting:  # each names the report it waits for and why (directly, or at the chain's root)
        [error] = by_source[source]["errors"]
        assert typo[0] in error["message"] and typo[1] in error["message"]
    direct = [by_source[s]["errors"][0]["message"] for s in waiting
              if by_source[s]["errors"][0]["rule"] == "contract-in-rejected-report"]
    assert direct and all(m.endswith(f"在 {typo[0]} 中，该日报因 {typo[1]} 被拒收，请先修正该日报") for m in direct)
    assert first["exit_code"] == 1 and first["pending"] >= 5

    fix(demo, typo)
    second = consolidate_cli(demo, capsys)
    assert {s: statuses(second)[s] for s in [typo[0], *waiting]} == dict.fromkeys([typo[0], *waiting], "accepted")
    ledger, _ = record(demo)
    assert set(ledger["source"]) >= {typo[0], *waiting}
    assert second["pending"] == first["pending"] - 5
    third = consolidate_cli(demo, capsys)  # nothing left to do for them
    assert {statuses(third)[s] for s in [typo[0], *waiting]} == {"unchanged"}


def test_fixing_the_typo_first_takes_all_five_at_once(demo, typo, capsys):
    fix(demo, typo)
    out = consolidate_cli(demo, capsys)
    liu = {s: st for s, st in statuses(out).items() if "刘洋" in s}
    assert liu[typo[0]] == "accepted" and "waiting" not in liu.values()


def test_the_fix_and_the_dependents_arriving_in_the_same_run(demo, typo, capsys, tmp_path):
    # Only the report with the typo has arrived; it is rejected. Then, in one run, it is fixed and
    # the reports that pay its contracts arrive: all are taken, in report order.
    later = tmp_path / "later"
    later.mkdir()
    liu = sorted(p.name for p in (demo / "inbox").iterdir() if "刘洋" in p.name)
    after = [n for n in liu if n > typo[0] and n != "刘洋_2026-11-17.xlsx"] + ["销售日报-刘洋-20261124.xlsx"]
    for name in set(after) & {p.name for p in (demo / "inbox").iterdir()}:
        shutil.move(demo / "inbox" / name, later / name)
    assert statuses(consolidate_cli(demo, capsys))[typo[0]] == "rejected"
    fix(demo, typo)
    for path in later.iterdir():
        shutil.move(path, demo / "inbox" / path.name)
    out = statuses(consolidate_cli(demo, capsys))
    assert out[typo[0]] == "accepted"
    assert [n for n, st in out.items() if "刘洋" in n and st == "waiting"] == []


def test_recheck_judges_again_the_reports_not_taken(tmp_path, capsys):
    init_office(tmp_path / "office", today=DAY)
    office = tmp_path / "office"
    write_report(office / "inbox" / "a.xlsx", {"report_date": DAY, "rep": "张伟", "visits": 1, "calls": 1},
                 [dict(customer="王", product=AC, deal_type="意向", date=DAY + dt.timedelta(days=2))])
    assert statuses(consolidate_cli(office, capsys))["a.xlsx"] == "rejected"  # dated after today
    later = DAY + dt.timedelta(days=3)
    assert statuses(consolidate_cli(office, capsys, day=later))["a.xlsx"] == "rejected"  # as before, unread
    assert statuses(consolidate_cli(office, capsys, "--recheck", day=later))["a.xlsx"] == "accepted"


# ---------------------------------------------------------------- 2. one judgement everywhere


def test_every_command_judges_a_report_the_same_way(demo, tmp_path, capsys):
    verdict = {"ok": "accepted", "invalid": "rejected", "waiting": "waiting", "accepted": "accepted",
               "rejected": "rejected"}
    assert main(["validate", "--office", str(demo), "--date", DAY.isoformat(), "--format", "json",
                 "--annotate", str(tmp_path / "marked")]) == 1
    validated = {Path(f["path"]).name: verdict[f["status"]] for f in json.loads(capsys.readouterr().out)["files"]}
    assert "waiting" in validated.values()
    # --annotate: each waiting report is marked with its wait
    waiting = next(n for n, v in validated.items() if v == "waiting")
    marks = [r[6] for r in load_workbook(tmp_path / "marked" / waiting)["校验结果"].iter_rows(min_row=2, values_only=True)]
    assert any("请先修正该日报" in m or "被修正" in m for m in marks)

    control = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, control)
    book = FileBook(control)
    book.write("设置", [[str(demo)]], at="B2")
    assert buttons.validate_inbox(book, today=DAY) == 1
    shown = {r[0]: r[1] for r in book.grid(INBOX_SHEET)[1:] if r and r[0]}
    names = {"通过": "accepted", "有错误": "rejected", "等待中": "waiting"}
    assert {n: names[s] for n, s in shown.items()} == validated

    sheet = FileBook(demo / "inbox" / waiting)  # 校验当前表 on the waiting report, opened from the inbox
    assert buttons.validate_active_sheet(sheet, office=demo, today=DAY) == 1
    assert any("请先修正该日报" in str(r[6]) or "被修正" in str(r[6]) for r in sheet.grid("校验结果")[1:])

    other = Path(shutil.copytree(demo, tmp_path / "nightly-office"))
    consolidated = statuses(consolidate_cli(demo, capsys))
    assert consolidated == validated
    result = nightly.run_nightly(config.load(other), DAY, send=False)
    assert {f.source: f.status for f in result.outcome.files} == validated


def test_validate_with_the_master_takes_a_corrected_report_as_consolidation_does(tmp_path, capsys):
    init_office(tmp_path / "office", today=DAY)
    office = tmp_path / "office"
    title = {"report_date": DAY, "rep": "张伟", "visits": 1, "calls": 1}
    row = dict(customer="王", product=AC, deal_type="签约", qty=1, unit_price=2699.0, amount=2699.0, contract_no="HT-1")
    write_report(office / "inbox" / "a.xlsx", title, [row])
    consolidate_cli(office, capsys)
    write_report(office / "inbox" / "a.xlsx", title, [dict(row, qty=2, amount=5398.0)])  # corrected
    args = ["validate", str(office / "inbox" / "a.xlsx"), "--office", str(office), "--date", DAY.isoformat()]
    assert main([*args, "--master", str(office / "master")]) == 0
    assert "contract-signed-before" not in capsys.readouterr().out
    assert statuses(consolidate_cli(office, capsys))["a.xlsx"] == "accepted"


# ---------------------------------------------------------------- 3. copies known by their rows


def figures(office):
    ledger, activity = record(office)
    return (len(ledger), round(ledger["amount"].sum(), 2), round(ledger["received"].sum(), 2),
            activity["visits"].sum(), activity["calls"].sum())


def test_a_resaved_copy_and_an_annotated_copy_change_no_figure(demo, tmp_path, capsys):
    consolidate_cli(demo, capsys)
    before = figures(demo)
    original = "张伟_2026-11-18.xlsx"
    wb = load_workbook(demo / "inbox" / original)
    wb.save(demo / "inbox" / "张伟日报(1).xlsx")  # opened and saved again under another name: other bytes
    assert (demo / "inbox" / "张伟日报(1).xlsx").read_bytes() != (demo / "inbox" / original).read_bytes()
    from xlpy.app import validate
    results, _ = validate.run([demo / "inbox" / original], validate.Context(today=DAY))
    [marked] = annotate_results(results, tmp_path / "marked")
    shutil.copyfile(marked, demo / "inbox" / "张伟_2026-11-18_校验.xlsx")
    out = consolidate_cli(demo, capsys)
    by_source = {f["source"]: f for f in out["files"]}
    for copy in ("张伟日报(1).xlsx", "张伟_2026-11-18_校验.xlsx"):
        assert (by_source[copy]["status"], by_source[copy]["copy_of"]) == ("copy", original)
    assert figures(demo) == before
    assert statuses(consolidate_cli(demo, capsys))["张伟日报(1).xlsx"] == "copy"  # known next time too


def test_a_second_report_for_the_same_rep_and_day_counts_its_activity_once(demo, capsys):
    consolidate_cli(demo, capsys)
    ledger, activity = record(demo)
    rows, visits = len(ledger), activity["visits"].sum()
    write_report(demo / "inbox" / "张伟_2026-11-18_补充.xlsx",
                 {"report_date": dt.date(2026, 11, 18), "rep": "张伟", "visits": 7, "calls": 2},
                 [dict(customer="杭州百联电器城", product=AC, deal_type="意向")])
    out = consolidate_cli(demo, capsys)
    [f] = [f for f in out["files"] if f["source"] == "张伟_2026-11-18_补充.xlsx"]
    assert f["status"] == "accepted" and f["errors"] == []
    [warning] = f["warnings"]
    assert warning["rule"] == "same-rep-day" and "张伟_2026-11-18.xlsx" in warning["message"]
    ledger, activity = record(demo)
    assert (len(ledger), activity["visits"].sum()) == (rows + 1, visits)  # its deal row taken, its visits not
    problems = store.concat(store.read_partitions(demo / "master"), "problems")
    assert "same-rep-day" in problems.loc[problems["source"] == "张伟_2026-11-18_补充.xlsx", "rule"].tolist()


# ---------------------------------------------------------------- 4. every file in the inbox has a status


def test_every_file_in_the_inbox_is_listed_with_its_reason(demo, capsys):
    inbox = demo / "inbox"
    report = inbox / "张伟_2026-11-18.xlsx"
    (inbox / "张伟_2026-11-27.csv").write_text("报表日期,2026-11-27\n客户名称,产品,业务类型,数量,金额\n王,空调,意向,1,100\n",
                                              encoding="utf-8-sig")
    (inbox / "export.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (inbox / "说明.txt").write_text("请按时提交", encoding="utf-8")
    for suffix in (".xltx", ".xltm"):
        shutil.copyfile(report, inbox / f"日报模板{suffix}")
    (inbox / "合同.pdf").write_bytes(b"%PDF-1.4")
    (inbox / "照片.png").write_bytes(b"\x89PNG\r\n")
    (inbox / "~$张伟_2026-11-18.xlsx").write_bytes(b"\x00" * 165)
    (inbox / ".DS_Store").write_bytes(b"\x00")
    code = main(["consolidate", "--office", str(demo), "--date", DAY.isoformat()])
    text = capsys.readouterr().out
    assert code == 1
    assert "张伟_2026-11-27.csv：已跳过  这是 CSV 格式的日报：请在 Excel 中打开，选择 文件 > 另存为" in text
    assert "export.csv：已跳过  CSV 文件，不像日报" in text
    assert "日报模板.xltx：已跳过  这是 Excel 模板" in text and "日报模板.xltm：已跳过" in text
    for name in ("说明.txt", "合同.pdf", "照片.png"):
        assert f"{name}：已跳过  不是电子表格文件" in text
    assert "另有 2 个 Excel 锁定文件或隐藏文件已忽略" in text
    logged = imports(demo)
    skipped = logged[logged["status"] == "skipped"]
    assert sorted(skipped["source"]) == sorted(["张伟_2026-11-27.csv", "export.csv", "说明.txt", "日报模板.xltx",
                                                "日报模板.xltm", "合同.pdf", "照片.png"])
    assert skipped["reason"].str.len().gt(0).all()
    out = consolidate_cli(demo, capsys, "--lang", "en")
    [csv] = [f for f in out["files"] if f["source"] == "张伟_2026-11-27.csv"]
    assert csv["status"] == "skipped" and "Save As" in csv["reason"]
    assert len(imports(demo)[lambda t: t["status"] == "skipped"]) == 7  # logged once
    listed = {f["source"] for f in out["files"]}
    assert listed == {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- 5. the processed inbox


def set_option(office: Path, old: str, new: str) -> None:
    toml = office / "xlpy.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new), encoding="utf-8")


def test_archive_off_leaves_the_inbox_as_it_is(demo, capsys):
    before = sorted(p.name for p in (demo / "inbox").iterdir())
    consolidate_cli(demo, capsys)
    assert sorted(p.name for p in (demo / "inbox").iterdir()) == before


def test_archive_moves_taken_reports_and_knows_one_put_back(demo, capsys):
    set_option(demo, "archive = false", "archive = true")
    out = consolidate_cli(demo, capsys)
    taken = [f["source"] for f in out["files"] if f["status"] == "accepted"]
    kept = [f["source"] for f in out["files"] if f["status"] in ("rejected", "waiting")]
    done = demo / "inbox" / "已处理" / "2026-11"
    assert sorted(p.name for p in done.iterdir()) == sorted(taken)
    assert sorted(p.name for p in (demo / "inbox").iterdir() if p.is_file()) == sorted(kept)
    before = figures(demo)
    shutil.copyfile(done / taken[0], demo / "inbox" / taken[0])  # put back
    again = consolidate_cli(demo, capsys)
    assert statuses(again)[taken[0]] == "unchanged" and figures(demo) == before
    assert not (demo / "inbox" / taken[0]).exists()  # known, and processed again
    assert (done / f"{Path(taken[0]).stem} (1).xlsx").exists()  # the earlier one is never overwritten


# ---------------------------------------------------------------- 6 and nightly: the pending list


def test_pending_lists_every_report_not_in_the_record_with_its_reasons(demo, typo, capsys):
    consolidate_cli(demo, capsys)
    again = consolidate_cli(demo, capsys)  # a report rejected in an earlier run keeps its reasons
    [f] = [f for f in again["files"] if f["source"] == typo[0]]
    assert f["status"] == "rejected" and f["errors"][0]["cell"] == typo[1] and "10台" in f["errors"][0]["message"]
    assert main(["pending", "--office", str(demo), "--date", "2026-11-30", "--format", "json"]) == 1
    pending = json.loads(capsys.readouterr().out)
    assert [p["report_date"] for p in pending] == sorted((p["report_date"] for p in pending), reverse=True)
    [liu] = [p for p in pending if p["source"] == typo[0]]
    assert (liu["rep"], liu["status"], liu["days"]) == ("刘洋", "rejected", 3)
    assert liu["problems"][0]["cell"] == f"日报!{typo[1]}"
    assert {p["status"] for p in pending} == {"rejected", "waiting"}
    assert main(["pending", "--office", str(demo), "--lang", "en"]) == 1
    assert "report(s) pending, newest first" in capsys.readouterr().out
    sheet = load_workbook(demo / "master" / "2026-11.xlsx")["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("文件", "销售代表", "报表日期", "状态")
    assert {r[0] for r in rows[1:]} == {p["source"] for p in pending}


def test_nightly_alarms_once_for_the_same_pending_reports(demo, capsys):
    set_option(demo, "remind_days = 3", "remind_days = 1")

    def night(day):
        code = main(["nightly", "--office", str(demo), "--date", day.isoformat(), "--no-send"])
        return code, capsys.readouterr().out

    code, _ = night(DAY)
    assert code == 1  # rejected and waiting since today
    code, out = night(DAY + dt.timedelta(days=1))
    assert code == 0  # the same ones as yesterday
    [line] = [ln for ln in out.splitlines() if ln.startswith("仍待处理")]
    assert "刘洋_2026-11-13.xlsx 已等 1 天" in line
    write_report(demo / "inbox" / "张伟_2026-11-30.xlsx", {"report_date": dt.date(2026, 11, 30), "rep": "张伟"},
                 [dict(customer="王", product="不存在的产品", deal_type="意向")])
    code, _ = night(dt.date(2026, 11, 30))
    assert code == 1  # a new one tonight
    log = load_workbook(demo / "master" / store.SUMMARY)["工作日志"]
    rows = [[str(c) for c in row if c] for row in log.iter_rows(values_only=True)]
    # the work log gives the rep a column of its own: 刘洋 | file | 待处理 | 3d · …
    assert any("待处理" in row and "刘洋" in row and any(c.startswith("3d ·") for c in row) for row in rows)


def test_a_consolidations_work_log_reminds_as_the_briefing_does(demo, capsys):
    # run_consolidation stacks the months' logs once and hands them to 总表 (lifecycle.Logs); the
    # briefing stacks its own: the same reminders and rejections, line for line
    set_option(demo, "remind_days = 3", "remind_days = 1")
    consolidate_cli(demo, capsys)
    later = DAY + dt.timedelta(days=2)
    consolidate_cli(demo, capsys, day=later)

    def work_log() -> list[tuple]:
        return list(load_workbook(demo / "master" / store.SUMMARY)["工作日志"].iter_rows(values_only=True))
    consolidated = work_log()
    assert any("待处理" in row for row in consolidated)  # reminders there to compare
    briefing.make_briefing(config.load(demo), later)
    assert work_log() == consolidated


def test_the_summary_line_says_how_many_are_pending(demo, capsys):
    assert main(["consolidate", "--office", str(demo), "--date", DAY.isoformat()]) == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    count = len(consolidate.lifecycle.pending(imports(demo), store.concat(store.read_partitions(demo / "master"),
                                                                          "problems"), DAY))
    assert last == f"待处理日报 {count} 份（已拒收或等待中），见 xlpy pending" and count > 5
    assert pd.Timestamp(DAY) in set(imports(demo)["pending_since"].dropna())


def test_a_second_report_of_a_day_is_settled_by_correcting_it(demo, capsys):
    consolidate_cli(demo, capsys)
    rows = len(record(demo)[0])
    second = demo / "inbox" / "张伟_2026-11-18_重发.xlsx"
    title = {"report_date": dt.date(2026, 11, 18), "rep": "张伟", "visits": 7, "calls": 2}
    write_report(second, title, [dict(customer="杭州百联电器城", product=AC, deal_type="意向")])
    consolidate_cli(demo, capsys)
    assert len(record(demo)[0]) == rows + 1
    write_report(second, title, [])  # the assistant keeps the day in the first file: the second's rows go
    out = consolidate_cli(demo, capsys)
    [f] = [f for f in out["files"] if f["source"] == second.name]
    assert f["correction"] and [w["rule"] for w in f["warnings"]] == ["same-rep-day"]
    assert len(record(demo)[0]) == rows
