"""`xlpy schedule`: the line that schedules `xlpy nightly` for an office, with the absolute paths
of this Python and of the office, for this system's scheduler: cron (Linux, macOS) or Task
Scheduler (Windows); and `--check`, which runs that very command line now, in the bare
environment the scheduler gives it, and says what failed."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from xlpy.contract.messages import voice

_say = voice("schedule")
CRON_PATH = "/usr/bin:/bin"  # what cron gives a job, whatever the user's shell has
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(at: str) -> tuple[int, int]:
    """`21:30`, `9pm`, `9:30pm`, `21` → (hour, minute)."""
    m = _TIME.match(str(at).strip().casefold())
    hour, minute = (int(m[1]), int(m[2] or 0)) if m else (-1, -1)
    if m and m[3]:
        hour = -1 if not 1 <= hour <= 12 else hour % 12 + (12 if m[3] == "pm" else 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(_say("bad-time", "zh", at=at) + " / " + _say("bad-time", "en", at=at))
    return hour, minute


def _words(office: Path, python: str | None) -> list[str]:
    return [python or sys.executable, "-m", "xlpy", "nightly", "--office", str(office)]


def cron_log(office: Path) -> Path:
    return Path(office) / "logs" / "cron.log"


def cron_command(office: Path, python: str | None = None) -> str:
    """What cron hands to /bin/sh: the nightly run, its output appended to logs/cron.log."""
    return f"{' '.join(map(_sh, _words(office, python)))} >> {_sh(str(cron_log(office)))} 2>&1"


def crontab_line(office: Path, at: str = "21:30", python: str | None = None) -> str:
    """Monday to Friday at ``at``."""
    hour, minute = parse_time(at)
    return f"{minute} {hour} * * 1-5 " + cron_command(office, python).replace("%", "\\%")  # % ends a cron command


def task_command(office: Path, python: str | None = None) -> str:
    """What Task Scheduler runs (/TR)."""
    return f'"{python or sys.executable}" -m xlpy nightly --office "{office}"'


def schtasks_command(office: Path, at: str = "21:30", python: str | None = None, name: str = "xlpy nightly") -> str:
    """The `schtasks /Create` command (cmd.exe): Monday to Friday at ``at``, as the current user."""
    hour, minute = parse_time(at)
    run = task_command(office, python).replace('"', '\\"')
    return f'schtasks /Create /TN "{name}" /SC WEEKLY /D MON,TUE,WED,THU,FRI /ST {hour:02d}:{minute:02d} /TR "{run}" /F'


def _sh(word: str) -> str:
    """Quoted for a POSIX shell (cron runs /bin/sh)."""
    return word if word and all(c.isalnum() or c in "/._-:=+" for c in word) else "'" + word.replace("'", "'\\''") + "'"


def lines(office: Path, at: str = "21:30", python: str | None = None, both: bool = False,
          windows: bool | None = None, lang: str = "zh") -> str:
    """This system's scheduler line (both systems' with ``both``)."""
    office = Path(office).resolve()
    windows = os.name == "nt" if windows is None else windows
    cron = [_say("cron-head", lang), crontab_line(office, at, python)]
    task = [_say("schtasks-head", lang), schtasks_command(office, at, python)]
    if both:
        return "\n".join([*cron, "", *task])
    return "\n".join(task if windows else cron)


@dataclass
class Check:
    ok: bool
    text: str


def check(office: Path, at: str = "21:30", lang: str = "zh", python: str | None = None) -> Check:
    """Run the scheduled command line now, as the scheduler will: cron's /bin/sh with cron's
    bare environment (HOME, LOGNAME, SHELL, PATH=/usr/bin:/bin, no PYTHONPATH, no venv), or the
    Task Scheduler command from the system folder."""
    parse_time(at)
    office = Path(office).resolve()
    log = cron_log(office)
    log.parent.mkdir(parents=True, exist_ok=True)
    before = log.stat().st_size if log.is_file() else 0
    if os.name == "nt":
        command = task_command(office, python)
        system = Path(os.environ.get("SystemRoot", "C:\\Windows")) / "System32"
        done = subprocess.run(command, cwd=system, capture_output=True, text=True, encoding="utf-8", errors="replace")
        output = done.stdout + done.stderr
    else:
        command = cron_command(office, python)
        home = str(Path.home())
        env = {"HOME": home, "LOGNAME": os.environ.get("LOGNAME", os.environ.get("USER", "")),
               "SHELL": "/bin/sh", "PATH": CRON_PATH}
        done = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=home, capture_output=True, text=True,
                              encoding="utf-8", errors="replace")
        output = done.stdout + done.stderr
        if log.is_file():
            with log.open("rb") as f:
                f.seek(before)
                output += f.read().decode("utf-8", "replace")
    status = done.returncode
    if status in (0, 1):
        return Check(True, _say("check-ok", lang, status=status, command=command)
                     + ("\n" + _say("why-1", lang) if status == 1 else ""))
    said_by_shell = done.stdout + done.stderr  # the shell's own complaint, not the run's output
    why = _say("why-log", lang, log=log) if log.name in said_by_shell else \
        _say(f"why-{status}" if status in (2, 3, 127) else "why-other", lang)
    tail = "\n".join(output.strip().splitlines()[-15:])
    return Check(False, _say("check-failed", lang, status=status, command=command, why=why, log=log, output=tail))
