"""`xlpy schedule --print`: the lines that schedule `xlpy nightly` for an office, with the absolute
paths of this Python and of the office, for cron (Linux, macOS) and Task Scheduler (Windows)."""
from __future__ import annotations

import sys
from pathlib import Path


def _time(at: str) -> tuple[int, int]:
    hour, minute = (int(x) for x in at.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"not a time of day: {at!r} (use 21:30)")
    return hour, minute


def crontab_line(office: Path, at: str = "21:30", python: str | None = None) -> str:
    """Monday to Friday at ``at`` (HH:MM); what cron itself prints goes to logs/cron.log."""
    hour, minute = _time(at)
    words = [python or sys.executable, "-m", "xlpy", "nightly", "--office", str(office)]
    return f"{minute} {hour} * * 1-5 {' '.join(map(_sh, words))} >> {_sh(str(Path(office) / 'logs' / 'cron.log'))} 2>&1"


def schtasks_command(office: Path, at: str = "21:30", python: str | None = None, name: str = "xlpy nightly") -> str:
    """The `schtasks /Create` command (cmd.exe): Monday to Friday at ``at``, as the current user."""
    hour, minute = _time(at)
    run = f'\\"{python or sys.executable}\\" -m xlpy nightly --office \\"{office}\\"'
    return f'schtasks /Create /TN "{name}" /SC WEEKLY /D MON,TUE,WED,THU,FRI /ST {hour:02d}:{minute:02d} /TR "{run}" /F'


def _sh(word: str) -> str:
    """Quoted for a POSIX shell (cron runs /bin/sh)."""
    return word if word and all(c.isalnum() or c in "/._-:=+" for c in word) else "'" + word.replace("'", "'\\''") + "'"


def lines(office: Path, at: str = "21:30", python: str | None = None) -> str:
    office = Path(office).resolve()
    return "\n".join(["# cron (Linux, macOS): run `crontab -e` and add this line", crontab_line(office, at, python), "",
                      "REM Windows Task Scheduler: run this once in a command prompt (cmd.exe)",
                      schtasks_command(office, at, python)])
