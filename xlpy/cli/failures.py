"""How a command ends when it cannot do its work: a refusal (exit 2, one plain line), a broken
pipe (quiet), or a fault of xlpy itself (exit 4, one line, the traceback in a log file)."""
from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from xlpy.app import exits
from xlpy.cli.words import text
from xlpy.contract import config
from xlpy.contract.messages import say
from xlpy.core.periods import FORMS, BadPeriod
from xlpy.io import clock, folders, store
from xlpy.io.reference import BadReference


class Refusal(Exception):
    """An argument the command cannot use; ``code`` names a message `cli.<code>` of the catalogue, ``what`` a thing."""

    def __init__(self, code: str, what: str | None = None, **params):
        super().__init__(code, params)
        self.code, self.what, self.params = code, what, params

    def message(self, lang: str) -> str:
        what = {"what": text("what-" + self.what, lang)} if self.what else {}
        return text(self.code, lang, **what, **self.params)


def folder(path: Path, what: str) -> Path:
    """A folder that must exist."""
    if path.is_file():
        raise Refusal("not-a-folder", what, path=path)
    if not path.is_dir():
        raise Refusal("no-such-path", what, path=path)
    return path


def not_a_file(path: Path, what: str) -> Path:
    """A folder that may be created, so long as no file stands in its way."""
    if path.exists() and not path.is_dir():
        raise Refusal("not-a-folder", what, path=path)
    return path


def a_file(path: Path, what: str) -> Path:
    if path.is_dir():
        raise Refusal("not-a-file", what, path=path)
    if not path.exists():
        raise Refusal("no-such-path", what, path=path)
    return path


def message(error: BaseException, lang: str) -> str | None:
    """The one line for an error the user can act on; None for a fault of xlpy."""
    if isinstance(error, Refusal):
        return error.message(lang)
    if isinstance(error, (BadReference, store.MasterError)):
        return say(error.code, lang, **error.params)
    if isinstance(error, config.ConfigError):
        return error.message(lang)
    if isinstance(error, BadPeriod):
        return text("bad-period", lang, value=repr(error.text), forms=FORMS)
    if isinstance(error, store.LockTimeout):
        return say("lock-busy", lang, path=Path(error.lock_file).parent)
    if isinstance(error, FileNotFoundError):
        return text("no-such-path", lang, what=text("what-file", lang), path=error.filename or error)
    if isinstance(error, OSError):
        return text("os-error", lang, path=error.filename or "", detail=error.strerror or error)
    if isinstance(error, ValueError) and _raised_by_xlpy(error):  # messages written for people
        return str(error)
    return None


PACKAGE = Path(__file__).resolve().parents[1]


def _raised_by_xlpy(error: BaseException) -> bool:
    """Raised in xlpy's own code (a refusal worded for people), not deep in pandas or a library (a fault)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(PACKAGE)


def quiet_broken_pipe() -> int:
    """`xlpy stats … | head`: the reader has gone; say nothing more, to anyone."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    return exits.OK


def crashed(error: BaseException, args, lang: str) -> int:
    """A fault of xlpy: the traceback to the log file, one line to the user, exit 4."""
    log = crash_log(args.office, args.today)
    stamp = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    detail = "".join(traceback.format_exception(error))
    try:
        with log.open("a", encoding="utf-8") as f:
            f.write(f"{stamp} CRITICAL xlpy {' '.join(sys.argv[1:])}\n{detail}\n")
    except OSError:
        log = Path("-")
        print(detail, file=sys.stderr)
    print(text("internal", lang, detail=f"{type(error).__name__}: {error}"[:200], log=log), file=sys.stderr)
    return exits.INTERNAL


def crash_log(office, day) -> Path:
    """logs/DAY.log of the office (the nightly run's own log), else DAY.log in the user's log folder."""
    try:
        settings = config.load(office)
        if (settings.office / config.CONFIG_NAME).is_file():
            folder = settings.path("logs")
            folder.mkdir(parents=True, exist_ok=True)
            return folder / f"{day.isoformat()}.log"
    except (ValueError, OSError):
        pass
    folder = user_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{day.isoformat()}.log"


def user_log_dir() -> Path:
    return folders.user_dir("logs")
