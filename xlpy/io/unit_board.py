"""The sales status board (销控表) of an office that sells units: a sheet of 总表 and of the control
workbook's 刷新统计, laid out once (`layout`) and drawn by either.

One block per building: floors top-down, units left to right, each cell the unit, its list price
and the customer where taken, filled by status; beside each block the counts per status, the
remaining units (余房) by layout and the amounts reserved and signed. Each building prints on a
page of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from xlpy.contract.messages import both, voice
from xlpy.core import units
from xlpy.core.report import address

SHEET = both("board.sheet")
FILLS = {"available": "E2EFDA", "reserved": "FFF2CC", "signed": "F8CBAD", "withheld": "D9D9D9",
         "sold": "A6A6A6", "overdue": "F4B183"}
OVERDUE = both("unit.overdue")
UNIT_CHARS, SIDE_CHARS = 16, (2, 10, 7, 2, 14, 7, 2, 10, 14)  # column widths: a unit, the side tables


@dataclass(frozen=True)
class Cell:
    row: int  # 0-based
    col: int
    value: object
    style: str  # a status (filled), or title | head | label | count | money


@dataclass(frozen=True)
class Layout:
    cells: list[Cell]
    breaks: list[int]  # rows that start a page: each building on its own
    width: int  # units on the widest floor: the side tables go right of them


_t = voice("board")


def _status_name(status: str, lang: str) -> str:
    return OVERDUE[lang == "en"] if status == "overdue" else units.STATUS_NAMES[status][lang == "en"]


def layout(board: pd.DataFrame, day, lang: str = "zh") -> Layout:
    """Where everything of the board goes, from ``units.board``'s table."""
    per_floor = board.groupby(["building", "floor"], dropna=False).size()
    width = int(per_floor.max()) if len(per_floor) else 1
    cells = [Cell(0, 0, f"{SHEET[lang == 'en']}  {_t('as_of', lang, day=day)}", "title")]
    first = row = _legend(cells, lang, max(width, 2)) + 1
    breaks = []
    for building, block in board.groupby(board["building"].fillna(""), sort=True):
        if row > first:
            breaks.append(row)
        row = _block(cells, str(building), block, row, width, lang)
    return Layout(cells, breaks, width)


def _legend(cells: list[Cell], lang: str, width: int) -> int:
    """The colours, ``width`` to a row from row 1; the next free row."""
    cells.append(Cell(1, 0, _t("legend", lang), "label"))
    entries = (*units.STATUSES, "overdue")
    cells += [Cell(1 + i // width, 1 + i % width, _status_name(s, lang), s) for i, s in enumerate(entries)]
    return 2 + (len(entries) - 1) // width + 1


def _cell_text(unit: dict) -> str:
    lines = [str(unit["unit"])]
    if unit["list_price"] is not None and not pd.isna(unit["list_price"]):
        lines.append(f"¥{unit['list_price']:,.0f}")
    if unit["customer"]:
        lines.append(str(unit["customer"]))
    return "\n".join(lines)


def _block(cells: list[Cell], building: str, block: pd.DataFrame, top: int, width: int, lang: str) -> int:
    """One building from row ``top``, its side tables right of ``width`` units; the next free row."""
    cells.append(Cell(top, 0, _t("building", lang, building=building), "head"))
    floors = sorted(block["floor"].dropna().unique(), reverse=True)
    for i, floor in enumerate(floors):
        cells.append(Cell(top + 1 + i, 0, _t("floor", lang, floor=int(floor)), "label"))
        on_floor = block[block["floor"] == floor].sort_values("unit").to_dict("records")
        cells += [Cell(top + 1 + i, 1 + j, _cell_text(u), "overdue" if u["overdue"] else u["status"])
                  for j, u in enumerate(on_floor)]
    side, counts = width + 2, block["status"].value_counts()
    cells.append(Cell(top, side, _t("counts", lang), "head"))
    for i, status in enumerate(units.STATUSES):
        cells += [Cell(top + 1 + i, side, _status_name(status, lang), status),
                  Cell(top + 1 + i, side + 1, int(counts.get(status, 0)), "count")]
    below = top + 1 + len(units.STATUSES)
    cells += [Cell(below, side, _t("remaining", lang), "label"), Cell(below, side + 1, int(counts.get("available", 0)), "count")]
    layouts = units.remaining(block, "layout")
    cells.append(Cell(top, side + 3, _t("by_layout", lang), "head"))
    for i, rec in enumerate(layouts.to_dict("records")):
        cells += [Cell(top + 1 + i, side + 3, rec["layout"] or "-", "label"),
                  Cell(top + 1 + i, side + 4, int(rec["remaining"]), "count")]
    cells.append(Cell(top, side + 6, _t("amounts", lang), "head"))
    for i, status in enumerate(("reserved", "signed")):
        amount = float(block.loc[block["status"] == status, "amount"].fillna(0).sum())
        cells += [Cell(top + 1 + i, side + 6, _t(f"{status}_amount", lang), status),
                  Cell(top + 1 + i, side + 7, amount, "money")]
    return top + max(len(floors), len(units.STATUSES) + 1, len(layouts), 2) + 3


# ---------------------------------------------------------------- the two drawers


def write_board(workbook, board: pd.DataFrame, day, lang: str = "zh") -> None:
    """Add the 销控表 sheet to an xlsxwriter ``workbook`` (总表)."""
    plan = layout(board, day, lang)
    ws = workbook.add_worksheet(SHEET[lang == "en"])
    fmt = _formats(workbook)
    for c in plan.cells:
        ws.write(c.row, c.col, c.value, fmt[c.style])
    for c in plan.cells:
        if c.style in FILLS and c.col >= 1 and "\n" in str(c.value):
            ws.set_row(c.row, 45)  # a unit's three lines
    for col, chars in _widths(plan).items():
        ws.set_column(col, col, chars)
    ws.set_h_pagebreaks(plan.breaks)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)


def write_board_to_book(book, board: pd.DataFrame, day, lang: str = "zh", sheet: str = SHEET[0]) -> None:
    """The same board on a sheet of a `Book` (the control workbook's 刷新统计): one write of its
    values, then the fills."""
    plan = layout(board, day, lang)
    rows = 1 + max(c.row for c in plan.cells)
    cols = 1 + max(c.col for c in plan.cells)
    grid = [[None] * cols for _ in range(rows)]
    for c in plan.cells:
        grid[c.row][c.col] = c.value
    book.clear(sheet)
    book.write(sheet, grid)
    for c in plan.cells:
        if c.style in FILLS:
            book.fill(sheet, address(c.col, c.row + 1), FILLS[c.style])
    for col, chars in _widths(plan).items():
        book.width(sheet, col, chars)


def _widths(plan: Layout) -> dict[int, float]:
    widths = {0: 8.0, **{c: float(UNIT_CHARS) for c in range(1, plan.width + 1)}}
    widths |= {plan.width + 1 + i: float(chars) for i, chars in enumerate(SIDE_CHARS)}
    return widths


def _formats(workbook) -> dict:
    base = {"border": 1, "text_wrap": True, "valign": "top", "font_size": 9}
    out = {status: workbook.add_format({**base, "bg_color": f"#{color}"}) for status, color in FILLS.items()}
    out["title"] = workbook.add_format({"bold": True, "font_size": 14})
    out["head"] = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    out["label"] = workbook.add_format({"bold": True, "border": 1})
    out["count"] = workbook.add_format({"border": 1})
    out["money"] = workbook.add_format({"border": 1, "num_format": "#,##0"})
    return out
