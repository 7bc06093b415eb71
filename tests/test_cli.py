"""The command line as people meet it (issue 12): one vocabulary, help in the office language,
plain refusals before anything is written, periods read one way, tables for people, strict JSON,
CSV that Excel opens safely, UTF-8 whatever the code page, crashes told as such."""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xlpy import cli
from xlpy.app import exits
from xlpy.cli.output import neutralised, write_json
from xlpy.contract.messages import keys, say
from xlpy.core import periods

DAY = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(consolidated_office) -> Path:
    return consolidated_office  # the run's demo (conftest), of DAY


def run(capsys, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def stats(capsys, office, *argv) -> tuple[int, str, str]:
    return run(capsys, "stats", "--office", office, "--date", DAY.isoformat(), *argv)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "Errno" not in err
    return lines[0]


def tree(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


# ---------------------------------------------------------------- one vocabulary


def commands(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from ((f"{name} {n}", s) for n, s in commands(sub))


VOCABULARY = {"office": ["--office"], "inbox": ["--inbox"], "master": ["--master"], "reference": ["--reference"],
              "period": ["--period"], "format": ["--format"], "lang": ["--lang"], "send": ["--send", "--no-send"]}


def test_the_same_option_names_for_the_same_things_in_every_command():
    for name, parser in commands(cli.build_parser("en")):
        shown = [a for a in parser._actions if a.help != argparse.SUPPRESS]
        for action in shown:
            if action.dest in VOCABULARY:
                assert action.option_strings == VOCABULARY[action.dest], (name, action.option_strings)
            if action.dest == "today":  # the command's day: --date everywhere
                assert action.option_strings == ["--date"], (name, action.option_strings)
        spelled = {o for a in shown for o in a.option_strings}
        assert not spelled & {"--today", "--no_send", "--masters", "--ref", "--language"}, name
        if "--lang" not in spelled and parser._subparsers is None:
            pytest.fail(f"xlpy {name} has no --lang")


def test_lang_before_or_after_the_command_and_today_still_understood(tmp_path, capsys):
    for argv in (["--lang", "en", "stats", "--by", "rep"], ["stats", "--by", "rep", "--lang", "en"]):
        code, _, err = run(capsys, *argv, "--master", tmp_path / "none", "--period", "2026-11")
        assert code == exits.UNUSABLE and "does not exist" in one_line(err)
    code, _, err = run(capsys, "stats", "--by", "rep", "--today", "2026-11-27", "--master", tmp_path / "none")
    assert code == exits.UNUSABLE and "不存在" in err.splitlines()[-1]


def test_every_help_text_has_its_chinese_and_help_follows_the_language(capsys):
    for lang in ("zh", "en"):
        for name, parser in commands(cli.build_parser(lang)):
            parser.format_help()  # a help text missing from the table raises KeyError
    with pytest.raises(SystemExit):
        cli.main(["stats", "--help"])
    zh = capsys.readouterr().out
    assert "用法：" in zh and "按什么分组" in zh and "what to group by" not in zh
    with pytest.raises(SystemExit):
        cli.main(["--lang", "en", "stats", "--help"])
    en = capsys.readouterr().out
    assert "usage:" in en and "what to group by" in en and "按什么分组" not in en
    # the help texts are now the catalogue's help.* (once cli/words.HELP_ZH); each Chinese one has Chinese
    helps = [k for k in keys() if k.startswith("help.")]
    assert helps and all(re.search(r"[\u4e00-\u9fff]", say(k, "zh")) for k in helps)


def test_briefing_and_nightly_both_take_send_and_no_send():
    parser = cli.build_parser("en")
    assert parser.parse_args(["nightly"]).send is True
    assert parser.parse_args(["nightly", "--no-send"]).send is False
    assert parser.parse_args(["briefing"]).send is False
    assert parser.parse_args(["briefing", "--send"]).send is True


# ---------------------------------------------------------------- plain refusals


def test_consolidate_refuses_a_missing_inbox_and_creates_nothing(tmp_path, capsys, reference_path):
    shutil.copy(reference_path, tmp_path / "reference.xlsx")
    before = tree(tmp_path)
    code, out, err = run(capsys, "consolidate", "--office", tmp_path, "--inbox", tmp_path / "nonexist",
                         "--master", tmp_path / "m", "--date", DAY.isoformat())
    assert (code, out) == (exits.UNUSABLE, "") and "收件箱" in one_line(err)
    assert tree(tmp_path) == before


def test_consolidate_refuses_an_inbox_that_is_a_file(tmp_path, capsys, reference_path, make_report):
    shutil.copy(reference_path, tmp_path / "reference.xlsx")
    report = make_report()
    before = tree(tmp_path)
    code, _, err = run(capsys, "consolidate", "--office", tmp_path, "--inbox", report, "--lang", "en",
                       "--date", DAY.isoformat())
    assert code == exits.UNUSABLE and "is a file, not a folder" in one_line(err)
    assert tree(tmp_path) == before  # no undated.xlsx, no 总表


def test_master_that_is_a_file_is_refused(office, capsys):
    reference = office / "reference.xlsx"
    for argv in (["consolidate"], ["stats", "--by", "rep"], ["validate", "--master", reference, office / "inbox"]):
        before = tree(office)
        code, _, err = run(capsys, *argv, "--office", office, "--master", reference, "--date", DAY.isoformat())
        assert code == exits.UNUSABLE and "不是文件夹" in err.strip().splitlines()[-1], argv
        assert tree(office) == before


def test_a_damaged_master_is_refused_before_anything_is_written(office, capsys):
    month = office / "master" / "2026-11.xlsx"
    month.write_bytes(b"PK\x03\x04 not a workbook")
    for argv in (["consolidate"], ["stats", "--by", "rep"], ["validate", "--master", office / "master"],
                 ["briefing"], ["nightly", "--no-send"]):
        before = {p: p.stat().st_mtime_ns for p in (office / "master").rglob("*")}
        code, out, err = run(capsys, *argv, "--office", office, "--date", DAY.isoformat())
        assert code == exits.UNUSABLE and "已损坏" in err.strip().splitlines()[-1], argv
        assert {p: p.stat().st_mtime_ns for p in (office / "master").rglob("*")} == before, argv


def test_a_master_folder_missing_or_empty_is_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, out, err = run(capsys, "stats", "--by", "region", "--master", tmp_path / "nonexistent")
    assert (code, out) == (exits.UNUSABLE, "") and "不存在" in err.strip().splitlines()[-1]
    code, out, err = run(capsys, "stats", "--by", "region", "--master", tmp_path / "empty", "--lang", "en")
    assert (code, out) == (exits.UNUSABLE, "") and "holds no master workbooks" in err.strip().splitlines()[-1]
    assert not (tmp_path / "nonexistent").exists()


def test_a_missing_file_is_a_plain_message(tmp_path, capsys):
    code, out, err = run(capsys, "validate", tmp_path / "nowhere.xlsx", "--office", tmp_path)
    assert code == exits.UNUSABLE and "找不到文件" in one_line(err)


def test_validate_takes_inbox_and_refuses_an_annotation_folder_that_is_a_file(tmp_path, capsys, make_report,
                                                                             reference_path):
    inbox = tmp_path / "reports"
    inbox.mkdir()
    shutil.copy(make_report(), inbox / "a.xlsx")
    args = ["validate", "--inbox", inbox, "--reference", reference_path, "--office", tmp_path, "--format", "json",
            "--date", DAY.isoformat()]
    code, out, _ = run(capsys, *args)
    assert code == exits.OK and "a.xlsx" in out
    code, out, err = run(capsys, *args, "--annotate", reference_path)
    assert (code, out) == (exits.UNUSABLE, "") and "是一个文件" in one_line(err)


def test_outside_an_office_validate_says_it_runs_without_the_reference(tmp_path, capsys, make_report):
    code, _, err = run(capsys, "validate", make_report(), "--office", tmp_path, "--date", DAY.isoformat())
    assert code == exits.OK and "没有基础资料工作簿" in err and "--reference" in err
    code, _, err = run(capsys, "consolidate", "--office", tmp_path, "--date", DAY.isoformat(), "--lang", "en")
    assert code == exits.UNUSABLE and "needs it" in one_line(err) and "--reference" in err


def test_an_office_that_does_not_exist_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "consolidate", "--office", tmp_path / "nowhere")
    assert code == exits.UNUSABLE and "办公文件夹" in one_line(err)


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize("text", ["2026/11", "202611", "2026年11月", "2026-11", " 2026.11 "])
def test_every_spelling_of_a_month_gives_the_same_figures(office, capsys, text):
    code, out, _ = stats(capsys, office, "--by", "region", "--format", "json", "--period", text)
    assert code == exits.OK
    rows = json.loads(out)
    assert sum(r["net_amount"] for r in rows) > 0
    expected = json.loads(stats(capsys, office, "--by", "region", "--format", "json", "--period", "2026-11")[1])
    assert rows == expected


def test_quarters_days_and_ranges(office, capsys):
    def total(*argv):
        code, out, _ = stats(capsys, office, "--by", "region", "--format", "json", *argv)
        assert code == exits.OK
        return sum(r["net_amount"] for r in json.loads(out))
    assert total("--period", "2026Q4") == total("--period", "2026年第4季度") == total("--period", "2026-Q4")
    assert total("--period", "2026") == total("--period", "all")
    days = [total("--period", f"2026-11-{d:02d}") for d in range(23, 28)]
    assert total("--from", "2026-11-23", "--to", "2026-11-27") == pytest.approx(sum(days))
    assert total("--from", "2026-11-01", "--to", "2026-11") == total("--period", "2026-11")


@pytest.mark.parametrize("text", ["2026-13", "nov", "2026-02-30", "11月", "2026-Q5"])
def test_a_period_that_is_none_is_exit_2_naming_the_forms(office, capsys, text):
    code, out, err = stats(capsys, office, "--by", "rep", "--period", text)
    assert (code, out) == (exits.UNUSABLE, "")
    assert "2026年第4季度" in one_line(err) and text in err


def test_without_a_period_the_month_of_the_date_and_it_says_so(office, capsys):
    code, out, err = stats(capsys, office, "--by", "rep", "--format", "json")
    assert code == exits.OK and "2026-11" in err and "--period all" in err
    rows = json.loads(out)
    assert all(r["target"] for r in rows) and rows == json.loads(
        stats(capsys, office, "--by", "rep", "--format", "json", "--period", "2026-11")[1])
    code, _, err = stats(capsys, office, "--by", "month", "--format", "json")
    assert code == exits.OK and err == ""  # by month every row is its own period


def test_the_period_parser_is_the_udfs_parser():
    from xlpy.excel import udfs
    for text in ("2026/11", "202611", "2026年11月", "2026Q4", "2026年第4季度", "2026"):
        assert udfs.period(text) == periods.parse(text)
    with pytest.raises(udfs.Bad):
        udfs.period("2026-13")


# ---------------------------------------------------------------- what is printed


def test_tables_for_people_json_for_programs(office, capsys):
    code, out, _ = stats(capsys, office, "--by", "region", "--period", "2026-11")
    assert code == exits.OK
    header = out.splitlines()[0]
    assert "净销售额" in header and "完成率" in header and "net_amount" not in header
    assert re.search(r"\d{1,3}(,\d{3})+\.\d\d", out) and re.search(r"\d+\.\d%", out)
    assert not re.search(r"\d\.0\b(?!%)|None|nan|00:00:00|\d\.\d{4,}", out)  # 68.0% is a rate, 4003808.0 was not
    code, out, _ = stats(capsys, office, "--by", "day", "--period", "2026-11")
    assert re.search(r"^2026-11-27\s", out, re.M) and "00:00:00" not in out
    code, out, _ = stats(capsys, office, "--by", "day", "--period", "2026-11", "--format", "json")
    rows = json.loads(out)
    assert rows[-1]["day"] == "2026-11-27" and "net_amount" in rows[-1]
    code, out, _ = stats(capsys, office, "--by", "region", "--period", "2026-11", "--lang", "en")
    assert "Net Sales" in out.splitlines()[0]


def test_json_is_strict_and_never_holds_nan(office, capsys):
    code, out, _ = stats(capsys, office, "--by", "product", "--period", "2026-11", "--format", "json")
    rows = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert rows[0]["visits"] is None and rows[0]["target"] is None  # no meaning by product: null, not NaN
    out = io.StringIO()
    write_json({"a": float("nan"), "b": [float("inf"), 1.5], "c": dt.date(2026, 11, 27)}, out)
    assert json.loads(out.getvalue()) == {"a": None, "b": [None, 1.5], "c": "2026-11-27"}


def test_csv_neutralises_formulas():
    for text in ("=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1"):
        assert neutralised(text) == "'" + text
    assert neutralised("张伟") == "张伟" and neutralised(-2.5) == -2.5


def test_csv_from_a_report_with_hostile_text(office, capsys, tmp_path):
    inbox = office / "inbox"
    from xlpy.io.report_file import write_report
    rows = [{"date": DAY, "customer": "客户", "product": "=HYPERLINK(\"http://x\")", "deal_type": "签约", "qty": 1,
             "unit_price": 2699, "amount": 2699, "contract_no": "HT-X1", "rep": "张伟"}]
    write_report(inbox / "hostile.xlsx", {"report_date": DAY, "rep": "张伟", "region": "华东", "visits": 1, "calls": 1},
                 rows)
    cli.main(["consolidate", "--office", str(office), "--date", DAY.isoformat()])
    code, out, _ = stats(capsys, office, "--by", "product", "--period", "2026-11", "--format", "csv")
    assert code == exits.OK
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert "净销售额" in cells and not any(c.startswith(("=", "+", "@")) for c in cells)
    assert not out.startswith("\ufeff")  # to a pipe or a terminal: no BOM (a file gets one: test_utf8_*)


# ---------------------------------------------------------------- Chinese output in Chinese


def test_chinese_text_shows_no_english_words(office, capsys, make_report, clean_rows):
    clean_rows[1]["amount"] = "两千"
    clean_rows[2]["date"] = dt.date(2026, 10, 1)
    code, out, err = run(capsys, "validate", make_report(clean_rows), "--office", office, "--date", DAY.isoformat())
    assert code == exits.FOUND
    assert not re.search(r"\b(warning|error|notice|bad-number|far-date|accepted|rejected)\b", out + err), out
    assert "错误" in out and "警告" in out
    code, out, err = run(capsys, "consolidate", "--office", office, "--date", DAY.isoformat())
    assert not re.search(r"\b(warning|error|bad-number|accepted|rejected)\b", out + err), out


# ---------------------------------------------------------------- hostile numbers


def test_money_beyond_a_daily_report_is_an_error_at_its_cell(check, make_report, clean_rows):
    clean_rows[1].update(unit_price=1e308, amount=1e308)
    clean_rows[2]["qty"] = "2e12"
    issues = [i for r in check(make_report(clean_rows)) for i in r.issues if i.rule == "too-large"]
    assert {i.column for i in issues} == {"unit_price", "amount", "qty"}
    assert "1e+308" in issues[0].message("zh") and "小于 1,000,000,000,000" in issues[0].message("zh")
    assert "below 1,000,000,000,000" in issues[0].message("en")


# ---------------------------------------------------------------- crashes and pipes


def test_a_crash_is_exit_4_with_its_traceback_in_the_log(office, capsys, monkeypatch):
    def broken(args):
        raise KeyError("a fault of xlpy")
    monkeypatch.setitem(sys.modules["xlpy.cli.main"].COMMANDS, "stats", broken)  # fault injection: any command's bug ends here
    code, out, err = stats(capsys, office, "--by", "rep")
    assert code == exits.INTERNAL and "内部错误" in one_line(err)
    log = office / "logs" / f"{DAY.isoformat()}.log"
    assert str(log) in err and "Traceback" in log.read_text(encoding="utf-8") and "a fault of xlpy" in log.read_text(encoding="utf-8")


def test_outside_an_office_a_crash_is_logged_in_the_user_log_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XLPY_LOG_DIR", str(tmp_path / "user-logs"))
    monkeypatch.chdir(tmp_path)

    def broken(args):
        raise ZeroDivisionError("a fault of xlpy")
    monkeypatch.setitem(sys.modules["xlpy.cli.main"].COMMANDS, "template", broken)
    code, _, err = run(capsys, "template", "--rep", "张伟", "--date", DAY.isoformat())
    log = tmp_path / "user-logs" / f"{DAY.isoformat()}.log"
    assert code == exits.INTERNAL and str(log) in one_line(err) and "ZeroDivisionError" in log.read_text(encoding="utf-8")


def test_a_library_s_value_error_is_a_crash_not_a_refusal(office, capsys, monkeypatch):
    import pandas as pd

    def broken(args):
        pd.Timestamp("not a day")  # a bug of ours that surfaces as a library's ValueError
    monkeypatch.setitem(sys.modules["xlpy.cli.main"].COMMANDS, "stats", broken)
    code, _, err = stats(capsys, office, "--by", "rep", "--lang", "en")
    assert code == exits.INTERNAL and "internal error" in one_line(err)


def xlpy(*argv, encoding: str | None = None, **kw) -> subprocess.CompletedProcess:
    """`python -m xlpy ARGV` as a real process: only where the process is the point (the console's
    encoding, a closed pipe); everything else here calls `cli.main` in this process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if encoding:
        env["PYTHONIOENCODING"] = encoding
    kw = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kw}
    return subprocess.run([sys.executable, "-m", "xlpy", *map(str, argv)], env=env, **kw)


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_utf8_output_whatever_the_code_page(office, encoding, tmp_path):
    # a real process: PYTHONIOENCODING sets the console's code page only when Python starts
    (office / "inbox" / "again.xlsx").write_bytes((office / "inbox").glob("**/*.xlsx").__next__().read_bytes())
    done = xlpy("consolidate", "--office", office, "--date", DAY.isoformat(), encoding=encoding)
    assert done.returncode in (0, 1), done.stderr.decode("utf-8", "replace")
    text = done.stdout.decode("utf-8")  # UTF-8, not the code page
    assert "对账 ✓" in text
    done = xlpy("stats", "--office", office, "--by", "region", "--period", "2026-11", "--format", "json",
                "--date", DAY.isoformat(), encoding=encoding)
    assert done.returncode == 0 and json.loads(done.stdout.decode("utf-8"))[0]["region"] in ("华东", "华北", "华南")
    with open(tmp_path / "out.csv", "wb") as out:  # `xlpy stats --format csv > out.csv`
        done = xlpy("stats", "--office", office, "--by", "rep", "--period", "2026-11", "--format", "csv",
                    "--date", DAY.isoformat(), encoding=encoding, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 0
    assert (tmp_path / "out.csv").read_bytes().startswith("\ufeff销售代表".encode("utf-8"))


def test_a_broken_pipe_is_quiet(office):
    # a real process: the closed pipe, and the interpreter's own message at exit, are the point
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "xlpy", "stats", "--office", str(office), "--by", "day", "--period", "all",
            "--date", DAY.isoformat()]
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0) as proc:
        proc.stdout.read(10)  # `| head -c 10`: the reader goes away
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.wait()
    assert proc.returncode == exits.OK and "Broken pipe" not in err and "Traceback" not in err
