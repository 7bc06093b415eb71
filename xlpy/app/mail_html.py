"""The work log as an HTML mail that reads on a phone and in Outlook.

Table-based layout within 600 px (Outlook ignores most CSS but honours tables and widths), a
viewport, figures in cells that never wrap, and tables that stack into label/value lines on
narrow screens (a media query; clients without it keep the table, which wraps its text).
Each number cell carries ``data-key`` so a test can compare it with the statistics.
"""
from __future__ import annotations

import html

import pandas as pd

from xlpy.core import values, worklog
from xlpy.core.worklog import WorkLog
from xlpy.io import charts
from xlpy.io.worklog_sheet import kind_of

FONT = "'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',Arial,sans-serif"
STYLE = """
body{margin:0;padding:0;background:#f2f4f7}
table{border-collapse:collapse}
.num{white-space:nowrap;text-align:right}
@media only screen and (max-width:480px){
 .wrap{width:100%!important}
 .fig div.num{font-size:15px!important}
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:1px solid #ddd;padding:4px 0}
 table.stack td{display:block;border:0!important;text-align:left!important;padding:1px 8px!important}
 table.stack td[data-label]:before{content:attr(data-label) "：";color:#777}
 table.grid th,table.grid td{padding:3px 4px!important;font-size:12px!important}
 img{width:100%!important;height:auto!important}
}
"""
CELL = "padding:4px 6px;border-bottom:1px solid #e3e3e3;font-size:13px;vertical-align:top"
STACKED = {"deals", "rejected", "overdue"}  # too many columns for a phone: label/value lines there


def shown(key: str, value, lang: str = "zh") -> str:
    """A value as the mail shows it: money with two decimals, rates as percentages, dates ISO."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "-"
    return values.shown(value, kind_of(key))


def to_html(log: WorkLog, lang: str = "zh", images: dict[str, str] | None = None) -> str:
    """The HTML part; ``images`` maps "trend" / "attainment" to the Content-ID of an inline picture."""
    images = images or {}
    parts = [f'<h1 style="margin:0 0 4px;font-size:20px">{html.escape(worklog.title(log, lang))}</h1>',
             _heading(worklog.words("day", lang)), _figures(log, lang)]
    if "trend" in images:
        parts.append(_image(images["trend"], worklog.words("trend", lang), charts.TREND_HEIGHT))
    for key, heading, table in worklog.sections(log, lang):
        parts.append(_heading(heading))
        if key == "regions" and "attainment" in images:
            parts.append(_image(images["attainment"], worklog.words("attainment-chart", lang),
                                charts.ATTAINMENT_HEIGHT(len(table))))
        parts.append(_table(table, lang, key in STACKED) if not table.empty else _p(worklog.words("none", lang)))
    parts.append(f'<p style="color:#888;font-size:12px;margin:16px 0 0">{html.escape(worklog.words("footer", lang))}</p>')
    body = "".join(parts)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(worklog.words("subject", lang, day=log.day.isoformat()))}</title>'
            f'<style>{STYLE}</style></head>'
            f'<body style="margin:0;padding:0;background:#f2f4f7;font-family:{FONT};color:#222">'
            '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f2f4f7">'
            '<tr><td align="center" style="padding:12px 6px">'
            '<table role="presentation" class="wrap" width="600" cellpadding="0" cellspacing="0" '
            'style="width:600px;max-width:600px;background:#ffffff">'
            f'<tr><td style="padding:16px 14px">{body}</td></tr></table></td></tr></table></body></html>')


def _heading(text: str) -> str:
    return f'<h2 style="margin:18px 0 6px;font-size:15px;color:#1f4e79">{html.escape(text)}</h2>'


def _p(text: str) -> str:
    return f'<p style="margin:0;font-size:13px;color:#666">{html.escape(text)}</p>'


def _image(cid: str, alt: str, height: int) -> str:
    return (f'<img src="cid:{cid}" alt="{html.escape(alt)}" width="560" height="{height}" '
            'style="display:block;width:100%;max-width:560px;height:auto;border:0">')


def _figures(log: WorkLog, lang: str) -> str:
    """The day's figures as cards, three a row (two on a phone)."""
    cells = [f'<td class="fig" width="33%" style="padding:6px;border:1px solid #e3e3e3;vertical-align:top">'
             f'<div style="font-size:12px;color:#666">{html.escape(worklog.column_label(k, lang))}</div>'
             f'<div class="num" data-key="{k}" style="font-size:17px;font-weight:bold;white-space:nowrap">'
             f'{html.escape(shown(k, v, lang))}</div></td>' for k, v in log.figures.items()]
    rows = ["<tr>" + "".join(cells[i:i + 3]) + "</tr>" for i in range(0, len(cells), 3)]
    return f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0">{"".join(rows)}</table>'


def _table(table: pd.DataFrame, lang: str, stacked: bool) -> str:
    labels = [worklog.column_label(c, lang) for c in table.columns]
    numeric = [kind_of(c) in ("money", "rate", "score", "count", "number") for c in table.columns]
    head = "".join(f'<th style="{CELL};background:#eef3f9;text-align:{"right" if n else "left"};white-space:nowrap">'
                   f'{html.escape(label)}</th>' for label, n in zip(labels, numeric))
    body = []
    for row in table.itertuples(index=False):
        cells = [f'<td data-label="{html.escape(label)}"' + (f' class="num" data-key="{c}"' if n else "")
                 + f' style="{CELL}' + (';white-space:nowrap;text-align:right' if n else "") + f'">'
                 f'{html.escape(shown(c, v, lang))}</td>'
                 for c, v, label, n in zip(table.columns, row, labels, numeric)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{"stack" if stacked else "grid"}" width="100%" cellpadding="0" cellspacing="0">'
            f'<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')
