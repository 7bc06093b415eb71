"""The daily briefing (工作日志): what management reads at the end of a day.

The content is `xlpy.core.worklog.WorkLog` (data, no I/O); it is rendered three ways from that one
content: the 工作日志 sheet (`xlpy.io.worklog_sheet`), the HTML mail (`xlpy.app.mail_html`, with
pictures from `xlpy.io.charts` inline by Content-ID) and the plain-text mail (`to_text`).
`make_briefing` is the edge that reads the record, writes the sheet into the summary workbook (with
the statistics refreshed as of the day, in one `store.commit`) and the e-mail into ``outbox/DAY.eml``.
"""
from __future__ import annotations

import datetime as dt
import logging
import socket
import webbrowser
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

import pandas as pd

from xlpy.app import history, lifecycle
from xlpy.app.mail_html import shown, to_html
from xlpy.contract import schema
from xlpy.contract.config import Settings
from xlpy.core import units, values, worklog
from xlpy.core.worklog import FIGURES, WorkLog, compute, missing_reps, rejected_reports, title  # noqa: F401 - the API
from xlpy.io import charts, page, reader, stats_sheets, store, unit_board
from xlpy.io.reference import Reference, read_reference
from xlpy.io.worklog_sheet import SHEET, write_sheet  # noqa: F401 - the API

Briefing = WorkLog  # the name callers know
log = logging.getLogger("xlpy")


# ---------------------------------------------------------------- the text and the message


def to_text(b: WorkLog, lang: str = "zh") -> str:
    """The plain-text part: one ``label：value`` line per figure of the day, then every section."""
    colon = ": " if lang == "en" else "："
    lines = [title(b, lang), "", worklog.words("day", lang)]
    lines += [f"  {worklog.column_label(k, lang)}{colon}{shown(k, v, lang)}" for k, v in b.figures.items()]
    for _, heading, table in worklog.sections(b, lang):
        if len(table.columns) == 1:  # a list of names: on one line
            names = ("、" if lang != "en" else ", ").join(map(str, table.iloc[:, 0]))
            lines += ["", heading + colon + (names or worklog.words("none", lang))]
            continue
        lines += ["", heading]
        if table.empty:
            lines.append("  " + worklog.words("none", lang))
            continue
        lines.append("  " + " | ".join(worklog.column_label(c, lang) for c in table.columns))
        lines += ["  " + " | ".join(shown(c, v, lang) for c, v in zip(table.columns, r))
                  for r in table.itertuples(index=False)]
    return "\n".join(lines + ["", worklog.words("footer", lang)]) + "\n"


def message(b: WorkLog, lang: str, sender: str, recipients: list[tuple[str, str]]) -> EmailMessage:
    """The e-mail: plain text, its HTML alternative with the charts inline (by Content-ID)."""
    msg = EmailMessage()
    msg["Subject"] = worklog.words("subject", lang, day=b.day.isoformat())
    msg["From"] = sender
    msg["To"] = ", ".join(formataddr(r) for r in recipients) or sender
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="xlpy")
    msg.set_content(to_text(b, lang))
    pictures = {"trend": charts.trend_png(b.trend, b.day, lang)}
    if not b.regions.empty:
        pictures["attainment"] = charts.attainment_png(b.regions, lang)
    cids = {name: make_msgid(domain="xlpy") for name in pictures}
    msg.add_alternative(to_html(b, lang, {name: cid[1:-1] for name, cid in cids.items()}), subtype="html")
    related = msg.get_payload()[1]
    for name, png in pictures.items():
        related.add_related(png, "image", "png", cid=cids[name], filename=f"{name}.png", disposition="inline")
    return msg


def sender(settings: Settings) -> str:
    """The SMTP sender, else the office's name at this machine's host name."""
    if settings.smtp:
        return settings.smtp.from_address
    office = settings.office.resolve().name or "xlpy"
    local = office if office.isascii() and office.replace("-", "").replace("_", "").isalnum() else "xlpy"
    return formataddr((office, f"{local}@{socket.gethostname() or 'localhost'}"))


def preview(written: "Written") -> Path:
    """The mail's HTML next to the .eml, its pictures beside it, opened in the browser (if any)."""
    html_part = written.message.get_body(("html",))
    text = html_part.get_content()
    for part in written.message.walk():
        cid = part["Content-ID"]
        if cid and part.get_content_type() == "image/png":
            picture = written.eml.with_name(f"{written.eml.stem}-{part.get_filename()}")
            picture.write_bytes(part.get_content())
            text = text.replace(f"cid:{cid.strip('<>')}", picture.name)
    path = written.eml.with_suffix(".html")
    path.write_text(text, encoding="utf-8")
    try:
        webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:  # no browser here: the file is written all the same
        log.info("no browser to open %s", path)
    return path


# ---------------------------------------------------------------- the edge: files


@dataclass
class Written:
    briefing: Briefing
    workbook: Path  # the summary workbook holding the 工作日志 sheet
    eml: Path
    message: EmailMessage
    recipients: list[tuple[str, str]]  # (name, e-mail)


def recipients(reference: Reference) -> list[tuple[str, str]]:
    """(name, e-mail) of the 收件人 sheet, rows without an address left out."""
    people = reference.recipients.dropna(subset=["email"])
    return [(str(r.name or ""), str(r.email).strip()) for r in people.itertuples() if str(r.email).strip()]


def pending_reminders(pending: pd.DataFrame, remind_days: int) -> pd.DataFrame:
    """Reports pending (rejected or waiting) more than ``remind_days`` days: 待处理, with the rep
    and how long they have waited, for the 工作日志; ``pending`` is `lifecycle.pending`'s list."""
    late = pending[pending["days"] > remind_days]
    reasons = [f"{r['days']}d · " + "; ".join(f"{w} {m}".strip() for w, m in r["problems"])
               for r in late.to_dict("records")]
    return pd.DataFrame({"rep": late["rep"], "source": late["source"], "status": "remind", "reasons": reasons},
                        columns=worklog.REJECTED)


# 总表 up to so many table rows has its sheets' XML assembled in memory (as a month's master has):
# no scratch files to make and remove, ~50 of them, 0.05-0.1 s of a night; a larger one's would
# add to a rebuild's peak memory.
IN_MEMORY_ROWS = 20_000


def summary_writer(parts: dict, reference: Reference, settings: Settings, day: dt.date, lang: str,
                   rejected_files: tuple[dict, dict] | None = None,  # default: read from the inbox
                   master: Path | None = None,  # the masters' folder parts were read from: settings
                   logs: lifecycle.Logs | None = None):  # default: stacked from parts
    """(writer(path), briefing): the summary workbook 总表 as of ``day``, the 工作日志 sheet
    first, then every statistic sheet with its charts. Consolidation and the briefing
    both write it this way, so neither drops the other's sheets."""
    master = master or settings.path("master")
    imports, problems, pending = logs or lifecycle.Logs.of(parts, day, master)
    rejected = rejected_reports(imports, problems, day)
    rejected_reps, headers = rejected_files or _rejected_files(rejected["source"], settings, reference, day)
    # every row, or (a night on a long history) the rows of the months 总表 and the day's log need
    inputs, ledger, activity = history.summary_inputs(parts, master, reference, day,
                                                      settings.ranking_weights)
    b = compute(ledger, activity, reference, day, settings.briefing_overdue_days, imports, problems,
                rejected_reps, headers, lang, inputs=inputs, sign_within_days=settings.sign_within_days)
    b.rejected = pd.concat([b.rejected, pending_reminders(pending, settings.remind_days)], ignore_index=True)
    tables = inputs.tables()  # the figures the briefing showed, every one
    # the units' board taken now: the writer holds no row (a rebuild's ledger is let go before 总表 is written)
    board = units.board(reference.units, units.events(ledger, set(reference.unit_index)), day,
                        settings.sign_within_days) if reference.sells_units else None

    def write(path: Path) -> None:
        book = store.new_workbook(path, page.Facts(settings.office.resolve().name, day),
                                  in_memory=sum(map(len, tables.values())) <= IN_MEMORY_ROWS)
        write_sheet(book, b, lang)
        stats_sheets.write_stats(book, tables, lang)
        if board is not None:
            unit_board.write_board(book, board, day, lang)
        book.close()
    return write, b


def make_briefing(settings: Settings, day: dt.date, reference: Reference | None = None) -> Written:
    """Refresh the summary workbook as of ``day`` with the 工作日志 sheet first (all or nothing),
    and save the e-mail as ``outbox/DAY.eml``. Sends nothing."""
    reference = reference or read_reference(settings.path("reference"), settings)
    master, lang = settings.path("master"), settings.language
    with store.lock(master, settings.lock_timeout):
        store.recover(master)
        parts = store.read_partitions(master)
        write, b = summary_writer(parts, reference, settings, day, lang)
        store.commit(master, {store.SUMMARY: write}, settings.backups)
    to = recipients(reference)
    msg = message(b, lang, sender(settings), to)
    outbox = settings.path("outbox")
    outbox.mkdir(parents=True, exist_ok=True)
    eml = outbox / f"{day.isoformat()}.eml"
    eml.write_bytes(msg.as_bytes(policy=SMTP))
    return Written(b, master / store.SUMMARY, eml, msg, to)


def write_briefing(settings: Settings, date: dt.date) -> Path:
    """The control workbook's 生成工作日志: the summary workbook holding the new 工作日志 sheet."""
    return make_briefing(settings, date).workbook


def _rejected_files(sources, settings: Settings, reference: Reference, day: dt.date) -> tuple[dict, dict]:
    """({source: reps}, {source: {column letter: header}}): the reps a rejected file names (title or
    rows) and its columns, read again from the inbox where it still is."""
    out, headers = {}, {}
    for source in sources:
        path = settings.path("inbox") / source  # a source is its path within the inbox
        if not path.is_file():
            continue
        report = reader.read_report(path, settings, reference.rep_index, today=day)
        names = {t.title["rep"].value for t in report.tables if "rep" in t.title}
        names |= {rec.get("rep") for t in report.tables for rec in t.records}
        out[source] = {reference.rep_index.get(values.norm(n), {}).get("name", n) for n in names if n}
        headers[source] = {reader.address(c, 1)[:-1]: getattr(schema.BY_KEY[k], settings.language)
                           for t in report.tables for k, c in t.columns.items()}
    return out, headers
