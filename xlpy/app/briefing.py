"""The daily briefing (工作日志): what management reads at the end of a day.

`compute` (core, no I/O) takes its figures from `stats.group_stats` so that they equal `xlpy stats`:
the day's row of ``--by day``, and ``--by rep`` / ``--by region`` for the month to date. The views
(`to_text`, `to_html`, `trend_png`, `write_sheet`, `message`) render one `Briefing`; `make_briefing`
is the edge that reads the record, writes the 工作日志 sheet into the summary workbook (with the
statistics refreshed as of the day, in one `store.commit`) and the e-mail into ``outbox/DAY.eml``.
"""
from __future__ import annotations

import datetime as dt
import html
import math
import struct
import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

import pandas as pd

from xlpy.contract.config import Settings
from xlpy.contract.messages import say
from xlpy.core import contracts, periods, stats, values
from xlpy.io import reader, stats_sheets, store
from xlpy.io.reference import Reference, read_reference

SHEET = ("工作日志", "Daily Briefing")
FIGURES = ("leads", "orders", "contracts", "cancellations", "net_amount", "received", "visits", "calls",
           "conversion")
TOP = ["rep", "region", "net_amount", "contracts", "attainment"]
REGIONS = ["region", "net_amount", "target", "attainment"]
OVERDUE = ["contract_no", "customer", "rep", "region", "outstanding", "due_date", "days_overdue"]
REJECTED = ["source", "status", "reasons"]
REJECTED_LABELS = {"source": ("文件", "File"), "status": ("状态", "Status"), "reasons": ("原因", "Reasons")}
SHOWN_STATUSES = ("rejected", "waiting", "unreadable", "partial")
WEEKDAYS = ("星期一 星期二 星期三 星期四 星期五 星期六 星期日".split(), "Mon Tue Wed Thu Fri Sat Sun".split())


@dataclass
class Briefing:
    day: dt.date
    figures: dict  # FIGURES of the day
    trend: pd.DataFrame  # day, net_amount: every day of the month so far with a figure
    top: pd.DataFrame  # TOP, the month to date
    regions: pd.DataFrame  # REGIONS, the month to date
    overdue: pd.DataFrame  # OVERDUE, beyond ``overdue_days``
    overdue_days: int
    missing: list[str]  # active reps who filed nothing that day
    rejected: pd.DataFrame  # REJECTED


# ---------------------------------------------------------------- the figures (core)


def compute(ledger: pd.DataFrame, activity: pd.DataFrame, reference: Reference, day: dt.date,
            overdue_days: int = 30, imports: pd.DataFrame | None = None, problems: pd.DataFrame | None = None,
            rejected_reps: dict[str, set[str]] | None = None) -> Briefing:
    """The briefing of ``day`` from the record. ``rejected_reps`` names the reps of each rejected
    file (they filed something, so they are not missing)."""
    month = periods.month_of(day)
    days = stats.group_stats(ledger, activity, reference, "day", month, as_of=day)
    row = days[days["day"] == pd.Timestamp(day)]
    figures = {k: (row[k].iloc[0] if len(row) else 0) for k in FIGURES}
    figures["conversion"] = figures["conversion"] if len(row) else math.nan
    reps = stats.group_stats(ledger, activity, reference, "rep", month, as_of=day)
    top = reps[reps["net_amount"] > 0].sort_values(["net_amount", "rep"], ascending=[False, True]).head(3)
    top = top.assign(region=top["rep"].map({r["name"]: r["region"] for r in reference.rep_index.values()}))
    regions = stats.group_stats(ledger, activity, reference, "region", month, as_of=day)
    overdue = stats.collection_list(ledger, day)
    rejected = rejected_reports(imports, problems, day)
    filed = set(activity.loc[activity["date"] == pd.Timestamp(day), "rep"].dropna())
    filed |= set(ledger.loc[ledger["report_date"] == pd.Timestamp(day), "rep"].dropna())
    for source in rejected["source"]:
        filed |= (rejected_reps or {}).get(source, set())
    return Briefing(day, figures, days[["day", "net_amount"]], top[TOP].reset_index(drop=True),
                    regions[REGIONS], overdue[overdue["days_overdue"] > overdue_days][OVERDUE].reset_index(drop=True),
                    overdue_days, missing_reps(reference, day, filed), rejected)


def missing_reps(reference: Reference, day: dt.date, filed: set[str]) -> list[str]:
    """Active reps, hired by ``day``, who are not among those who filed."""
    reps = reference.reps[reference.reps["active"].astype(bool)]
    hired = pd.to_datetime(reps["hired"], errors="coerce")
    due = reps[hired.isna() | (hired <= pd.Timestamp(day))]["name"]
    return [name for name in due if name not in filed]


def rejected_reports(imports: pd.DataFrame | None, problems: pd.DataFrame | None, day: dt.date) -> pd.DataFrame:
    """Files of ``day`` whose latest import rejected them (whole or in part), with the errors found.
    An unreadable file has no report date: it belongs to the day it was imported."""
    if imports is None or imports.empty:
        return pd.DataFrame(columns=REJECTED)
    latest = imports.sort_values("imported_at").drop_duplicates("source", keep="last")
    dated = latest["report_date"].fillna(latest["imported_at"].dt.normalize())
    shown = latest[latest["status"].isin(SHOWN_STATUSES) & (dated == pd.Timestamp(day))]
    problems = problems if problems is not None else pd.DataFrame(columns=["fingerprint", "sheet", "cell", "message"])

    def reasons(fingerprint) -> str:
        found = problems[problems["fingerprint"] == fingerprint]
        return "; ".join(f"{p.sheet or ''}!{p.cell or ''} {p.message}".strip("! ") for p in found.itertuples())
    return pd.DataFrame({"source": shown["source"], "status": shown["status"],
                         "reasons": shown["fingerprint"].map(reasons)}, columns=REJECTED).reset_index(drop=True)


def pending_reminders(parts: dict, day: dt.date, remind_days: int) -> pd.DataFrame:
    """Reports pending (rejected or waiting) more than ``remind_days`` days: 待处理, with the rep
    and how long they have waited, for the 工作日志."""
    from xlpy.app import lifecycle
    late = lifecycle.pending(store.concat(parts, "imports"), store.concat(parts, "problems"), day)
    late = late[late["days"] > remind_days]
    reasons = [f"{r['rep'] or '-'} · {r['days']}d · " + "; ".join(f"{w} {m}".strip() for w, m in r["problems"])
               for r in late.to_dict("records")]
    return pd.DataFrame({"source": late["source"], "status": "remind", "reasons": reasons}, columns=REJECTED)


# ---------------------------------------------------------------- views


def _label(key: str, lang: str) -> str:
    return REJECTED_LABELS[key][lang == "en"] if key in REJECTED_LABELS else stats.label(key, lang)


def shown(key: str, value, lang: str = "zh") -> str:
    """A value as the briefing prints it: money with two decimals, rates as percentages."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if key in stats_sheets.PERCENT:
        return f"{value:.1%}"
    if key in stats_sheets.MONEY:
        return f"{value:,.2f}"
    if key in stats_sheets.DATES:
        return pd.Timestamp(value).date().isoformat()
    if key == "status":
        return say("cstatus-" + value, lang)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def title(b: Briefing, lang: str = "zh") -> str:
    return say("bf-title", lang, day=b.day.isoformat(), weekday=WEEKDAYS[lang == "en"][b.day.weekday()])


def sections(b: Briefing, lang: str = "zh") -> list[tuple[str, pd.DataFrame]]:
    """The tables after the day's figures, each under its heading."""
    return [(say("bf-top", lang), b.top), (say("bf-regions", lang), b.regions),
            (say("bf-overdue", lang, days=b.overdue_days), b.overdue), (say("bf-rejected", lang), b.rejected)]


def to_text(b: Briefing, lang: str = "zh") -> str:
    """The plain-text part: one ``label：value`` line per figure of the day, then the tables."""
    colon = ": " if lang == "en" else "："
    lines = [title(b, lang), "", say("bf-day", lang)]
    lines += [f"  {stats.label(k, lang)}{colon}{shown(k, v, lang)}" for k, v in b.figures.items()]
    lines += ["", say("bf-missing", lang) + colon + ("、" if lang != "en" else ", ").join(b.missing)
              if b.missing else say("bf-missing", lang) + colon + say("bf-none", lang)]
    for heading, table in sections(b, lang):
        lines += ["", heading]
        if table.empty:
            lines.append("  " + say("bf-none", lang))
            continue
        lines.append("  " + " | ".join(_label(c, lang) for c in table.columns))
        lines += ["  " + " | ".join(shown(c, v, lang) for c, v in zip(table.columns, r))
                  for r in table.itertuples(index=False)]
    return "\n".join(lines + ["", say("bf-footer", lang)]) + "\n"


_CELL = 'style="padding:3px 8px;border-bottom:1px solid #ddd;text-align:{align}"'


def _html_table(table: pd.DataFrame, lang: str) -> str:
    def cell(tag: str, text: str, numeric: bool) -> str:
        return f'<{tag} {_CELL.format(align="right" if numeric else "left")}>{html.escape(text)}</{tag}>'
    numeric = [c in stats_sheets.MONEY | stats_sheets.PERCENT | stats_sheets.WHOLE for c in table.columns]
    head = "".join(cell("th", _label(c, lang), n) for c, n in zip(table.columns, numeric))
    body = "".join("<tr>" + "".join(cell("td", shown(c, v, lang), n) for c, v, n in zip(table.columns, r, numeric))
                   + "</tr>" for r in table.itertuples(index=False))
    return f'<table style="border-collapse:collapse;font-size:13px"><tr>{head}</tr>{body}</table>'


def _attainment_bars(regions: pd.DataFrame, lang: str) -> str:
    """Attainment per region as CSS bars: every mail client shows them, no image needed."""
    rows = []
    for r in regions.itertuples(index=False):
        share = 0 if pd.isna(r.attainment) else max(0.0, min(float(r.attainment), 1.0))
        colour = "#2e7d32" if share >= 1 else "#1565c0"
        rows.append(f'<tr><td style="padding:2px 8px">{html.escape(str(r.region))}</td>'
                    f'<td style="padding:2px 8px"><div style="width:220px;background:#e0e0e0;height:12px">'
                    f'<div style="width:{share * 100:.0f}%;background:{colour};height:12px"></div></div></td>'
                    f'<td style="padding:2px 8px;text-align:right">{shown("attainment", r.attainment, lang)}</td></tr>')
    return f'<table style="font-size:13px">{"".join(rows)}</table>'


def to_html(b: Briefing, lang: str = "zh", chart_cid: str | None = None) -> str:
    """The HTML part; ``chart_cid`` names the inline trend image (omitted when None)."""
    h = lambda text: f'<h3 style="margin:18px 0 6px">{html.escape(text)}</h3>'  # noqa: E731
    figures = pd.DataFrame([b.figures])
    parts = [f'<h2 style="margin:0 0 8px">{html.escape(title(b, lang))}</h2>', h(say("bf-day", lang)),
             _html_table(figures, lang)]
    if chart_cid:
        parts += [h(say("bf-trend", lang)), f'<img src="cid:{chart_cid}" alt="{html.escape(say("bf-trend", lang))}">']
    parts += [h(say("bf-missing", lang)),
              f"<p>{html.escape('、'.join(b.missing) if b.missing else say('bf-none', lang))}</p>"]
    for heading, table in sections(b, lang):
        parts.append(h(heading))
        if table is b.regions and not table.empty:
            parts.append(_attainment_bars(table, lang))
        parts.append(_html_table(table, lang) if not table.empty else f"<p>{say('bf-none', lang)}</p>")
    parts.append(f'<p style="color:#888;font-size:12px">{html.escape(say("bf-footer", lang))}</p>')
    return ('<html><body style="font-family:Microsoft YaHei,PingFang SC,sans-serif">'
            + "".join(parts) + "</body></html>")


def trend_png(b: Briefing, width: int = 480, height: int = 140) -> bytes:
    """Net sales per day of the month as bars, the briefing's day darker; a PNG made with zlib."""
    days = pd.date_range(pd.Timestamp(b.day).replace(day=1), pd.Timestamp(b.day))
    amounts = b.trend.set_index("day")["net_amount"].reindex(days, fill_value=0).to_list()
    top, bottom = max(max(amounts), 0), min(min(amounts), 0)
    scale = (height - 1) / ((top - bottom) or 1)
    zero = round(top * scale)  # the pixel row of 0
    slot = width // len(days)
    pixels = [bytearray(b"\xff\xff\xff" * width) for _ in range(height)]
    for i, amount in enumerate(amounts):
        colour = b"\x15\x65\xc0" if i == len(days) - 1 else b"\x90\xb8\xe8"
        y0, y1 = sorted((zero, zero - round(amount * scale)))
        for y in range(max(y0, 0), min(y1, height - 1) + 1):
            pixels[y][3 * (i * slot + 1):3 * ((i + 1) * slot - 1)] = colour * (slot - 2)
    pixels[min(zero, height - 1)][:] = b"\x60\x60\x60" * width  # the axis
    return _png(width, height, b"".join(b"\x00" + bytes(row) for row in pixels))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def message(b: Briefing, lang: str, sender: str, recipients: list[tuple[str, str]]) -> EmailMessage:
    """The e-mail: plain text, its HTML alternative with the trend chart inline."""
    msg = EmailMessage()
    msg["Subject"] = say("bf-subject", lang, day=b.day.isoformat())
    msg["From"] = sender
    msg["To"] = ", ".join(formataddr(r) for r in recipients) or sender
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="xlpy")
    msg.set_content(to_text(b, lang))
    cid = make_msgid(domain="xlpy")
    msg.add_alternative(to_html(b, lang, cid[1:-1]), subtype="html")
    msg.get_payload()[1].add_related(trend_png(b), "image", "png", cid=cid, filename="trend.png")
    return msg


def write_sheet(workbook, b: Briefing, lang: str = "zh") -> None:
    """The 工作日志 sheet (into an open xlsxwriter Workbook): the figures, then each table."""
    ws = workbook.add_worksheet(SHEET[lang == "en"])
    bold = workbook.add_format({"bold": True})
    big = workbook.add_format({"bold": True, "font_size": 14})
    ws.write_string(0, 0, title(b, lang), big)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 7, 16)
    row = 2
    for heading, table in [(say("bf-day", lang), pd.DataFrame([b.figures])),
                           (say("bf-missing", lang), pd.DataFrame({"rep": b.missing})), *sections(b, lang)]:
        ws.write_string(row, 0, heading, bold)
        row += 1
        for c, column in enumerate(table.columns):
            ws.write_string(row, c, _label(column, lang), bold)
        for r in table.itertuples(index=False):
            row += 1
            for c, (column, value) in enumerate(zip(table.columns, r)):
                ws.write_string(row, c, shown(column, value, lang))
        if table.empty:
            row += 1
            ws.write_string(row, 0, say("bf-none", lang))
        row += 2
    ws.activate()


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


def summary_writer(parts: dict, reference: Reference, settings: Settings, day: dt.date, lang: str,
                   rejected_reps: dict[str, set[str]] | None = None):
    """(writer(path), briefing): the summary workbook 总表 as of ``day``, the 工作日志 sheet
    first, then every statistic sheet with its charts. Consolidation and the briefing
    both write it this way, so neither drops the other's sheets."""
    ledger, activity = store.concat(parts, "ledger"), store.concat(parts, "activity")
    b = compute(ledger, activity, reference, day, settings.briefing_overdue_days,
                store.concat(parts, "imports"), store.concat(parts, "problems"), rejected_reps)
    b.rejected = pd.concat([b.rejected, pending_reminders(parts, day, settings.remind_days)], ignore_index=True)

    def write(path: Path) -> None:
        tables = stats.all_tables(ledger, activity, reference, day, settings.ranking_weights)
        contracts.forget()  # xlsxwriter holds every cell until it closes: make room first
        book = store.new_workbook(path)
        write_sheet(book, b, lang)
        stats_sheets.write_stats(book, tables, lang)
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
        rejected = rejected_reports(store.concat(parts, "imports"), store.concat(parts, "problems"), day)
        write, b = summary_writer(parts, reference, settings, day, lang,
                                  _reps_of_rejected(rejected["source"], settings, reference, day))
        store.commit(master, {store.SUMMARY: write}, settings.backups)
    to = recipients(reference)
    sender = settings.smtp.from_address if settings.smtp else "xlpy@localhost"
    msg = message(b, lang, sender, to)
    outbox = settings.path("outbox")
    outbox.mkdir(parents=True, exist_ok=True)
    eml = outbox / f"{day.isoformat()}.eml"
    eml.write_bytes(msg.as_bytes(policy=SMTP))
    return Written(b, master / store.SUMMARY, eml, msg, to)


def write_briefing(settings: Settings, date: dt.date) -> Path:
    """The control workbook's 生成工作日志: the summary workbook holding the new 工作日志 sheet."""
    return make_briefing(settings, date).workbook


def _reps_of_rejected(sources, settings: Settings, reference: Reference, day: dt.date) -> dict[str, set[str]]:
    """The reps a rejected file names (title or rows), read again from the inbox where it still is."""
    out = {}
    for source in sources:
        path = settings.path("inbox") / source  # a source is its path within the inbox
        if not path.is_file():
            continue
        report = reader.read_report(path, settings, reference.rep_index, today=day)
        names = {t.title["rep"].value for t in report.tables if "rep" in t.title}
        names |= {rec.get("rep") for t in report.tables for rec in t.records}
        out[source] = {reference.rep_index.get(values.norm(n), {}).get("name", n) for n in names if n}
    return out
