"""Failures of the buttons and the worksheet functions, written down where a person finds them:
the office's logs/ folder (excel.log), or, with no office, the user's log folder. The message
box (or the cell) names the file.
"""
from __future__ import annotations

import traceback
from pathlib import Path

from xlpy.contract import config
from xlpy.io import clock, folders

LOG_NAME = "excel.log"


def user_log_dir() -> Path:
    """Where a failure goes when no office folder is known."""
    return folders.user_dir("logs")


def _office_logs(office: Path | None) -> Path | None:
    if office is None or not Path(office).is_dir():
        return None
    try:
        return config.load(Path(office)).path("logs")
    except (ValueError, OSError):  # an unreadable xlpy.toml is maybe the failure being logged
        return Path(office) / "logs"


def write_failure(what: str, office: Path | None = None) -> Path | None:
    """Append the exception being handled, with its traceback, to the log file; the file, or
    None when no log folder can be written either."""
    entry = f"{clock.now():%Y-%m-%d %H:%M:%S} {what}\n{traceback.format_exc()}\n"
    for folder in filter(None, (_office_logs(office), user_log_dir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / LOG_NAME
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path
        except OSError:
            continue
    return None
