"""`xlpy nightly`: the one command a scheduler runs. Consolidate the inbox (every new report is
validated on the way in), refresh the statistics and write the day's briefing (工作日志) in one
commit, then mail it. Logs to ``logs/YYYY-MM-DD.log`` (kept ``log_days`` days).

Exit status, for monitoring: 0 all good, or the same reports pending (rejected or waiting) as
the night before (one line lists them and how long they have waited); 1 a report rejected or
waiting since today (the rest consolidated); 2 failed, the record unchanged; 3 the briefing could
not be sent (the record is complete and the message waits in the outbox).
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.app import briefing, consolidate, exits
from xlpy.contract.config import Settings
from xlpy.contract.messages import say
from xlpy.core.rules import Context
from xlpy.io import mail, store
from xlpy.io.reference import BadReference, read_reference

log = logging.getLogger("xlpy.nightly")


@dataclass
class Result:
    exit_code: int = exits.OK
    outcome: consolidate.Outcome | None = None
    written: briefing.Written | None = None
    deliveries: list[mail.Delivery] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # what failed, as logged
    still_pending: str | None = None  # the one line naming the reports pending since an earlier night


class Progress:
    """A bar redrawn in place on a terminal; plain lines when the output is a file or a pipe."""

    def __init__(self, total: int, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.tty:
            filled = round(20 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {self.done}/{self.total} {label}\033[K")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}\n")
        self.stream.flush()


def run_nightly(settings: Settings, day: dt.date, send: bool = True, resend: bool = False,
                progress: Progress | None = None, recheck: bool = False) -> Result:
    """Run every step for ``day``; never raises for what a scheduler can report."""
    lang = settings.language
    start, result = time.perf_counter(), Result()
    progress = progress or Progress(3, io.StringIO())  # quiet
    log.info(say("nightly-start", lang, office=settings.office, day=day))
    try:
        progress.step(say("nightly-consolidate", lang))
        reference = read_reference(settings.path("reference"), settings)
        ctx = Context(reference=reference, settings=settings, today=day, lang=lang)
        result.outcome = consolidate.run_consolidation(settings, ctx=ctx, summary=False,  # the briefing writes 总表
                                                       recheck=recheck)
        for line in consolidate.to_text(result.outcome, lang).splitlines():
            log.info(line)
    except (BadReference, store.MasterError) as e:
        return _failed(result, say(e.code, lang, **e.params), start, lang)
    except store.LockTimeout:
        return _failed(result, say("lock-timeout", lang, path=settings.path("master"),
                                   seconds=settings.lock_timeout), start, lang)
    except OSError as e:
        return _failed(result, str(e), start, lang)
    result.exit_code, result.still_pending = news(result.outcome, day, lang)
    try:
        progress.step(say("nightly-briefing", lang))
        result.written = briefing.make_briefing(settings, day, reference)
        log.info(say("nightly-written", lang, workbook=result.written.workbook,
                     sheet=briefing.SHEET[lang == "en"], eml=result.written.eml))
    except (store.MasterError, store.LockTimeout, OSError) as e:  # the consolidation stands
        detail = say(e.code, lang, **e.params) if isinstance(e, store.MasterError) else str(e)
        _problem(result, say("nightly-briefing-failed", lang, detail=detail))
        result.exit_code = exits.UNUSABLE
    progress.step(say("nightly-send", lang))
    if result.written and send and not deliver(settings, result, resend):
        result.exit_code = max(result.exit_code, exits.NOT_SENT)
    result.seconds = time.perf_counter() - start
    log.info(summary(result, lang))
    return result


def news(outcome: consolidate.Outcome, day: dt.date, lang: str) -> tuple[int, str | None]:
    """FOUND when a report is rejected or waiting since today (or partly taken tonight); OK when
    only the reports pending the night before still are: they are logged in one line, with how
    long they have waited, and do not alarm monitoring again."""
    pending = outcome.pending_list
    fresh = pending["since"] >= pd.Timestamp(day)
    old, line = pending[~fresh], None
    if len(old):
        line = say("nightly-pending-old", lang, names=("; " if lang == "en" else "；").join(
            say("waited", lang, source=r["source"], days=r["days"]) for r in old.to_dict("records")))
        log.info(line)
    partial = any(f.status == "partial" for f in outcome.files)
    return (exits.FOUND if fresh.any() or partial else exits.OK), line


def deliver(settings: Settings, result: Result, resend: bool = False) -> bool:
    """Mail the written briefing to whoever has not had it yet; False when a delivery failed."""
    w, lang = result.written, settings.language
    if settings.smtp is None:
        log.warning(say("nightly-no-smtp", lang, eml=w.eml))
        return True  # nothing asked for, nothing failed
    if not w.recipients:
        _problem(result, say("nightly-no-recipients", lang))
        return False
    outbox, day = w.eml.parent, w.briefing.day
    done = set() if resend else mail.sent_to(outbox, day)
    todo = [r for r in w.recipients if r[1] not in done]
    for _, email in w.recipients:
        if email in done:
            log.info(say("nightly-already-sent", lang, to=email))
    result.deliveries = mail.send(w.message, todo, settings.smtp, mail.password(settings.smtp)) if todo else []
    mail.record(outbox, day, result.deliveries, w.message["Message-ID"])
    for d in result.deliveries:
        if d.ok:
            log.info(say("nightly-sent", lang, to=d.email))
        else:
            _problem(result, say("nightly-send-failed", lang, to=d.email, detail=d.detail, eml=w.eml))
    return all(d.ok for d in result.deliveries)


def _problem(result: Result, text: str) -> None:
    result.problems.append(text)
    log.error(text)


def summary(result: Result, lang: str = "zh") -> str:
    files = result.outcome.files if result.outcome else []
    totals = result.outcome.totals if result.outcome else {"rows_read": 0, "accepted": 0, "rejected": 0}
    return say("nightly-summary", lang, files=len(files), rows=totals["rows_read"], accepted=totals["accepted"],
               rejected=totals["rejected"], seconds=result.seconds, status=result.exit_code)


def _failed(result: Result, detail: str, start: float, lang: str) -> Result:
    result.exit_code, result.seconds = exits.UNUSABLE, time.perf_counter() - start
    _problem(result, say("nightly-failed", lang, detail=detail))
    log.info(summary(result, lang))
    return result


# ---------------------------------------------------------------- the log files


def open_log(settings: Settings, today: dt.date) -> Path:
    """Send this run's log to ``logs/<today>.log`` (appended); log files older than ``log_days``
    are removed. Returns the log file; `close_log` when done."""
    folder = settings.path("logs")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.log"):
        try:
            if (today - dt.date.fromisoformat(old.stem)).days >= settings.log_days:
                old.unlink()
        except ValueError:  # not one of ours
            continue
    path = folder / f"{today.isoformat()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def close_log() -> None:
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
