"""Scheduling that works the first night (issue 12): the folders the line uses exist, the line is
this system's, the time is read as people write it, and --check runs the very command line."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from xlpy import cli
from xlpy.app import exits, schedule

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(tmp_path) -> Path:
    assert cli.main(["init", str(tmp_path / "office"), "--date", "2026-11-27"]) == 0
    return tmp_path / "office"


def test_init_creates_every_folder_the_scheduled_line_uses(office):
    for folder in ("inbox", "master", "outbox", "logs"):
        assert (office / folder).is_dir(), folder
    line = schedule.crontab_line(office.resolve())
    assert str(schedule.cron_log(office.resolve()).parent) in line and schedule.cron_log(office).parent.is_dir()


def test_print_gives_this_systems_line_unless_asked_for_both(office, capsys):
    assert cli.main(["schedule", "--print", "--office", str(office)]) == exits.OK
    out = capsys.readouterr().out
    if os.name == "nt":
        assert "schtasks /Create" in out and "* * 1-5" not in out
    else:
        assert "30 21 * * 1-5 " in out and "schtasks" not in out
    assert cli.main(["schedule", "--print", "--both", "--office", str(office)]) == exits.OK
    out = capsys.readouterr().out
    assert "schtasks /Create" in out and "* * 1-5" in out
    assert "crontab -e" in schedule.lines(office, windows=False, lang="en")
    assert "schtasks" in schedule.lines(office, windows=True) and "crontab" not in schedule.lines(office, windows=True)


@pytest.mark.parametrize("text, hour, minute", [("21:30", 21, 30), ("9pm", 21, 0), ("9:30pm", 21, 30),
                                                ("9 PM", 21, 0), ("12am", 0, 0), ("12pm", 12, 0), ("7", 7, 0),
                                                ("07.15", 7, 15)])
def test_times_as_people_write_them(text, hour, minute):
    assert schedule.parse_time(text) == (hour, minute)


@pytest.mark.parametrize("text", ["25:00", "13pm", "9:60", "nine", "0am", ""])
def test_a_time_that_is_none_is_exit_2_in_one_line(office, capsys, text):
    assert cli.main(["schedule", "--print", "--office", str(office), "--time", text]) == exits.UNUSABLE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "21:30" in err and "Traceback" not in err and "int()" not in err


def test_a_percent_sign_in_a_path_is_escaped_for_cron(tmp_path):
    line = schedule.crontab_line(tmp_path / "50%")
    assert "50\\%" in line and "50%" not in line.replace("50\\%", "")


@pytest.mark.skipif(os.name == "nt", reason="cron's /bin/sh")
def test_check_says_what_failed(office, capsys):
    report = schedule.check(office, python="/nonexistent/python", lang="en")
    assert not report.ok and "exit status 127" in report.text and "command not found" in report.text
    assert "/nonexistent/python" in report.text


@pytest.mark.skipif(os.name == "nt", reason="cron's /bin/sh")
def test_check_runs_the_scheduled_command_in_cron_s_environment(office, capsys, tmp_path, monkeypatch):
    # The Python that cron would run: this interpreter with this source tree, as an installed
    # xlpy would be; the environment is cron's (no PYTHONPATH), so the wrapper names the tree.
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} \"$@\"\n", encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setenv("XLPY_SOMETHING_OF_MINE", "1")
    capsys.readouterr()
    code = cli.main(["schedule", "--check", "--office", str(office), "--lang", "en"])
    out, err = capsys.readouterr()
    # The new office: no reports yet; the nightly run consolidates nothing and writes the briefing.
    assert code == exits.OK, err
    assert str(python) in out and "nightly --office" in out and "exit status 0" in out
    assert "完成" in (office / "logs" / "cron.log").read_text(encoding="utf-8")  # what cron's run printed


@pytest.mark.skipif(os.name == "nt", reason="cron's /bin/sh")
def test_check_reports_a_log_that_cannot_be_written(office):
    (office / "logs" / "cron.log").mkdir()  # the redirect fails: the run never starts
    report = schedule.check(office, python=sys.executable, lang="en")
    assert not report.ok and "cron.log cannot be written" in report.text
