"""The nightly batch on a demo office, mailing to a real SMTP server on loopback."""
from __future__ import annotations

import datetime as dt
import email
import io
import json
import re
import shutil
import socket
import sys
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from python_calamine import CalamineWorkbook

from xlpy import cli
from xlpy.app import briefing, exits, nightly, schedule
from xlpy.contract import config
from xlpy.core import stats
from xlpy.io import store

DAY = dt.date(2026, 11, 27)  # a Friday
RECIPIENTS = {"chairman@example.com", "gm@example.com", "sales.manager@example.com"}


@pytest.fixture(scope="module")
def built(demo_built) -> Path:
    return demo_built.dir  # the run's demo office (conftest), of DAY


@pytest.fixture
def office(built, tmp_path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "office"))


class Inbox:
    """An SMTP handler that keeps what it is given, or refuses with ``reply``."""

    def __init__(self, reply: str | None = None):
        self.reply, self.messages = reply, []

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """Start a server on loopback: smtp(handler) → port."""
    started = []

    def start(handler: Inbox) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return controller.port
    yield start
    for controller in started:
        controller.stop()


def with_smtp(office: Path, port: int) -> None:
    toml = office / config.CONFIG_NAME
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                    'security = "none"\nsender = "assistant@example.com"\n', encoding="utf-8")


def nightly_cli(office: Path, *more) -> int:
    return cli.main(["nightly", "--office", str(office), "--date", DAY.isoformat(), *more])


def stats_json(office: Path, capsys, *argv) -> list[dict]:
    capsys.readouterr()
    cli.main(["stats", "--office", str(office), "--today", DAY.isoformat(), "--format", "json", *argv])
    return json.loads(capsys.readouterr().out)


def text_part(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def figures_of(text: str) -> dict[str, str]:
    """The ``label：value`` lines of the day's section."""
    block = text.split("\n\n")[1]
    return dict(re.match(r"\s*(.+?)：(.+)", line).groups() for line in block.splitlines()[1:])


def today_log(office: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (office / "logs").glob("*.log"))


def test_one_message_per_recipient_whose_figures_equal_xlpy_stats(office, smtp, capsys):
    server = Inbox()
    with_smtp(office, smtp(server))
    assert nightly_cli(office) == exits.FOUND  # the demo plants rejected reports
    assert sorted(r for rcpt, _ in server.messages for r in rcpt) == sorted(RECIPIENTS)
    assert all(len(rcpt) == 1 for rcpt, _ in server.messages)
    rcpt, msg = server.messages[0]
    assert DAY.isoformat() in msg["Subject"] and rcpt[0] in msg["To"]
    text = text_part(msg)
    day = next(r for r in stats_json(office, capsys, "--by", "day", "--period", "2026-11")
               if r["day"].startswith(DAY.isoformat()))
    shown = figures_of(text)
    for key in briefing.FIGURES:
        assert shown[stats.label(key)] == briefing.shown(key, day[key]), key
    assert float(shown["净销售额"].replace(",", "")) == pytest.approx(day["net_amount"], abs=0.005)
    for region in stats_json(office, capsys, "--by", "region", "--period", "2026-11"):
        assert f"  {region['region']} | {briefing.shown('net_amount', region['net_amount'])} |" in text
    # The work log shows the ranking (销售排名, weighted score: issue 12, one ranking), every rep in
    # its order; their net sales are still those of `xlpy stats`.
    net = {r["rep"]: r["net_amount"] for r in stats_json(office, capsys, "--by", "rep", "--period", "2026-11")}
    sheet = CalamineWorkbook.from_path(str(office / "master" / "总表.xlsx")).get_sheet_by_name("销售排名")
    ranked = [(int(r[0]), r[1]) for r in sheet.to_python()[2:]]
    ranking = text.split("本月销售排名")[1].split("各区域")[0]
    at = [ranking.index(f"  {rank} | {rep} |") for rank, rep in ranked]
    assert at == sorted(at) and all(briefing.shown("net_amount", net[rep]) in ranking for _, rep in ranked if rep in net)


def test_the_record_the_sheet_and_the_eml_are_written(office, smtp):
    with_smtp(office, smtp(Inbox()))
    nightly_cli(office)
    ledger, _ = store.read_record(office / "master")
    assert len(ledger) > 0
    from openpyxl import load_workbook
    wb = load_workbook(office / "master" / store.SUMMARY, read_only=True)
    assert wb.sheetnames[0] == "工作日志" and "日报汇总" in wb.sheetnames
    assert DAY.isoformat() in next(wb["工作日志"].iter_rows(max_row=1, values_only=True))[0]
    assert (office / "outbox" / f"{DAY}.eml").is_file()
    assert "完成" in today_log(office)


@pytest.mark.parametrize("refuse", [True, False], ids=["server refuses", "no server"])
def test_a_failed_send_keeps_the_eml_and_says_so(office, smtp, refuse, capsys):
    port = smtp(Inbox("550 mailbox unavailable")) if refuse else free_port()  # nothing listens on a free port
    with_smtp(office, port)
    assert nightly_cli(office) == exits.NOT_SENT
    eml = office / "outbox" / f"{DAY}.eml"
    assert eml.is_file() and "工作日志" in email.message_from_bytes(eml.read_bytes(), policy=default)["Subject"]
    log = today_log(office)
    assert "失败" in log and str(eml) in log and ("550" in log if refuse else True)
    assert "失败" in capsys.readouterr().err
    assert not (office / "outbox" / "sent.jsonl").exists()
    ledger, _ = store.read_record(office / "master")  # the record is consolidated and readable
    assert set(ledger["source"]) and store.recover(office / "master") is False


def test_a_second_run_sends_nothing_twice_unless_asked(office, smtp):
    server = Inbox()
    with_smtp(office, smtp(server))
    nightly_cli(office)
    nightly_cli(office)
    assert len(server.messages) == 3
    assert "不再重复发送" in today_log(office)
    sent = [json.loads(line) for line in (office / "outbox" / "sent.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {s["to"] for s in sent} == RECIPIENTS and {s["day"] for s in sent} == {DAY.isoformat()}
    nightly_cli(office, "--resend")
    assert len(server.messages) == 6


def test_a_partial_failure_sends_only_to_the_rest_next_time(office, smtp):
    server = Inbox()
    port = smtp(server)
    with_smtp(office, port)
    (office / "outbox").mkdir(exist_ok=True)
    (office / "outbox" / "sent.jsonl").write_text(
        json.dumps({"day": DAY.isoformat(), "to": "gm@example.com"}) + "\n", encoding="utf-8")
    assert nightly_cli(office) == exits.FOUND
    assert sorted(r for rcpt, _ in server.messages for r in rcpt) == sorted(RECIPIENTS - {"gm@example.com"})


def test_missing_reports_are_active_reps_who_filed_nothing(office):
    day_files = sorted((office / "inbox").rglob(f"*{DAY}*"))
    gone = next(p for p in day_files if "张伟" in p.name)
    gone.unlink()
    assert nightly_cli(office, "--no-send") == exits.FOUND
    written = briefing.make_briefing(config.load(office), DAY)
    assert written.briefing.missing == ["张伟"]  # 王芳's report was rejected: she filed, she is not missing
    assert "王芳_2026-11-27.xlsx" in set(written.briefing.rejected["source"])
    assert "未交日报：张伟" in briefing.to_text(written.briefing)


def test_a_failure_leaves_the_record_unchanged(office, capsys):
    (office / "reference.xlsx").write_bytes(b"not a workbook")
    assert nightly_cli(office) == exits.UNUSABLE
    assert list((office / "master").glob("*.xlsx")) == []
    assert "未被改动" in capsys.readouterr().err and "未被改动" in today_log(office)


def test_progress_is_plain_lines_off_a_terminal_and_a_bar_on_one():
    plain = io.StringIO()
    bar = nightly.Progress(2, plain)
    bar.step("a")
    bar.step("b")
    assert plain.getvalue() == "[1/2] a\n[2/2] b\n"

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    tty = Terminal()
    bar = nightly.Progress(2, tty)
    bar.step("a")
    bar.step("b")
    assert tty.getvalue().startswith("\r[##########") and tty.getvalue().endswith("b\033[K\n")


def test_old_log_files_are_removed(office):
    logs = office / "logs"
    logs.mkdir(exist_ok=True)  # init creates it now (issue 12: the cron line appends there)
    old = logs / f"{dt.date.today() - dt.timedelta(days=40)}.log"
    recent = logs / f"{dt.date.today() - dt.timedelta(days=2)}.log"
    mine = logs / "cron.log"
    for path in (old, recent, mine):
        path.write_text("x", encoding="utf-8")
    assert nightly_cli(office, "--no-send") == exits.FOUND
    assert not old.exists() and recent.exists() and mine.exists()


def test_schedule_prints_cron_and_schtasks_with_absolute_paths(office, capsys):
    # --both: without it only this system's line is printed (issue 12; see test_schedule.py)
    assert cli.main(["schedule", "--print", "--both", "--office", str(office), "--time", "22:05"]) == 0
    out = capsys.readouterr().out
    cron = next(line for line in out.splitlines() if line.startswith("5 22 * * 1-5 "))
    assert sys.executable in cron and f"--office {office.resolve()}" in cron
    windows = next(line for line in out.splitlines() if line.startswith("schtasks /Create"))
    assert f'/TR "\\"{sys.executable}\\" -m xlpy nightly --office \\"{office.resolve()}\\""' in windows
    assert "/ST 22:05" in windows and (office / "logs").is_dir()
    assert schedule._sh("/a b/c") == "'/a b/c'"
