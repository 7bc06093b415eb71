"""How every sheet the product writes prints: A4, landscape when wide, one page wide, the header
rows on every page, a footer naming the sheet, the office, the day written and the page number.

    page.setup(worksheet, Facts("华东办公室", day), header_rows=2, width=sum_of_column_widths)

One function, called where each sheet is made (xlsxwriter worksheets).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlpy.contract.messages import both

A4 = 9  # xlsxwriter's paper code
# Column widths (in Excel characters) an A4 portrait page shows at 100 % with narrow margins;
# wider tables turn the page to landscape before they shrink.
PORTRAIT_WIDTH = 95
PAGE_OF = both("page.of")


@dataclass(frozen=True)
class Facts:
    """What the footer says besides the sheet and the page: whose office, which day."""

    office: str | None = None
    written: dt.date | None = None


def setup(ws, facts: Facts | None = None, header_rows: int = 1, width: float | None = None, one_page: bool = False,
          breaks: list[int] | None = None, lang: str = "zh") -> None:
    """Page setup of ``ws``: ``header_rows`` (from the top) repeat on every page; ``width`` is the
    table's width in characters (default: measured from the columns set); ``one_page`` fits the whole sheet on a single page (the work log);
    ``breaks`` are rows (0-based) that must start a page, so that charts stay whole."""
    facts = facts or Facts()
    ws.set_paper(A4)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if (measure(ws) if width is None else width) > PORTRAIT_WIDTH:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 1 if one_page else 0)
    if header_rows and not one_page:
        ws.repeat_rows(0, header_rows - 1)
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.set_footer(footer(facts, lang), {"margin": 0.25})


def measure(ws) -> float:
    """The width, in characters, of the columns given a width so far (others count 8.43)."""
    last = max([*ws.col_info, ws.dim_colmax or 0]) if ws.col_info or ws.dim_colmax is not None else 0
    return sum(_chars(ws.col_info.get(c)) for c in range(last + 1))


def _chars(info) -> float:
    if info is None:
        return 8.43
    width = info.width if hasattr(info, "width") else info[0]
    return width / 7 if hasattr(info, "width") else width  # xlsxwriter ≥ 3.2 keeps pixels


def footer(facts: Facts, lang: str = "zh") -> str:
    """The footer's three parts: sheet name left, page centre, office and day right."""
    right = " ".join(_escape(str(x)) for x in (facts.office, facts.written) if x)
    return f"&L&8&A&C&8{PAGE_OF[lang == 'en']}&R&8{right}"


def _escape(text: str) -> str:
    return text.replace("&", "&&")  # a lone & starts a footer code
