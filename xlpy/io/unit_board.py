"""The sales status board (销控表) of an office that sells units, as a sheet of 总表.

One block per building: floors top-down, units left to right, each cell the unit, its list price
and the customer where taken, filled by status; beside each block the counts per status, the
remaining units (余房) by layout and the amounts reserved and signed. Each building prints on a
page of its own.
"""
from __future__ import annotations

import pandas as pd

from xlpy.core import units

SHEET = ("销控表", "Sales Status Board")
FILLS = {"available": "#E2EFDA", "reserved": "#FFF2CC", "signed": "#F8CBAD", "withheld": "#D9D9D9",
         "sold": "#A6A6A6", "overdue": "#F4B183"}
OVERDUE = ("逾期未签", "overdue")
TEXT = {
    "building": ("{building} 栋", "Building {building}"), "floor": ("{floor} 层", "Floor {floor}"),
    "legend": ("图例", "Legend"), "counts": ("套数", "Units"), "remaining": ("余房", "Remaining"),
    "by_layout": ("余房（按户型）", "Remaining by layout"), "amounts": ("金额", "Amounts"),
    "reserved_amount": ("认购金额", "Reserved"), "signed_amount": ("签约金额", "Signed"),
    "as_of": ("截至 {day}", "As of {day}"),
}


def _t(key: str, lang: str, **params) -> str:
    return TEXT[key][lang == "en"].format(**params)


def _status_name(status: str, lang: str) -> str:
    return OVERDUE[lang == "en"] if status == "overdue" else units.STATUS_NAMES[status][lang == "en"]


def write_board(workbook, board: pd.DataFrame, day, lang: str = "zh") -> None:
    """Add the 销控表 sheet to an xlsxwriter ``workbook`` from ``units.board``'s table."""
    ws = workbook.add_worksheet(SHEET[lang == "en"])
    fmt = _formats(workbook)
    ws.write(0, 0, f"{SHEET[lang == 'en']}  {_t('as_of', lang, day=day)}", fmt["title"])
    per_floor = board.groupby(["building", "floor"], dropna=False).size()
    width = int(per_floor.max()) if len(per_floor) else 1  # units on the widest floor: the side tables go right of it
    first = row = _legend(ws, fmt, lang, max(width, 2)) + 1
    breaks = []
    for building, block in board.groupby(board["building"].fillna(""), sort=True):
        if row > first:
            breaks.append(row)
        row = _block(ws, fmt, str(building), block, row, width, lang)
    ws.set_column(0, 0, 8)
    ws.set_column(1, width, 16)
    for offset, chars in enumerate((2, 10, 7, 2, 14, 7, 2, 10, 14), start=width + 1):
        ws.set_column(offset, offset, chars)
    ws.set_h_pagebreaks(breaks)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)


def _formats(workbook) -> dict:
    base = {"border": 1, "text_wrap": True, "valign": "top", "font_size": 9}
    out = {status: workbook.add_format({**base, "bg_color": color}) for status, color in FILLS.items()}
    out["title"] = workbook.add_format({"bold": True, "font_size": 14})
    out["head"] = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    out["label"] = workbook.add_format({"bold": True, "border": 1})
    out["count"] = workbook.add_format({"border": 1})
    out["money"] = workbook.add_format({"border": 1, "num_format": "#,##0"})
    return out


def _legend(ws, fmt, lang: str, width: int) -> int:
    """The colours, ``width`` to a row from row 1; the next free row."""
    ws.write(1, 0, _t("legend", lang), fmt["label"])
    entries = (*units.STATUSES, "overdue")
    for i, status in enumerate(entries):
        ws.write(1 + i // width, 1 + i % width, _status_name(status, lang), fmt[status])
    return 2 + (len(entries) - 1) // width + 1


def _cell_text(unit: dict) -> str:
    lines = [str(unit["unit"])]
    if unit["list_price"] is not None and not pd.isna(unit["list_price"]):
        lines.append(f"¥{unit['list_price']:,.0f}")
    if unit["customer"]:
        lines.append(str(unit["customer"]))
    return "\n".join(lines)


def _block(ws, fmt, building: str, block: pd.DataFrame, top: int, width: int, lang: str) -> int:
    """One building from row ``top``, its side tables right of ``width`` units; the next free row."""
    ws.write(top, 0, _t("building", lang, building=building), fmt["head"])
    floors = sorted(block["floor"].dropna().unique(), reverse=True)
    for i, floor in enumerate(floors):
        row = top + 1 + i
        ws.write(row, 0, _t("floor", lang, floor=int(floor)), fmt["label"])
        ws.set_row(row, 45)
        cells = block[block["floor"] == floor].sort_values("unit")
        for j, unit in enumerate(cells.to_dict("records")):
            status = "overdue" if unit["overdue"] else unit["status"]
            ws.write(row, 1 + j, _cell_text(unit), fmt[status])
    side = width + 2
    counts = block["status"].value_counts()
    ws.write(top, side, _t("counts", lang), fmt["head"])
    for i, status in enumerate(units.STATUSES):
        ws.write(top + 1 + i, side, _status_name(status, lang), fmt[status])
        ws.write(top + 1 + i, side + 1, int(counts.get(status, 0)), fmt["count"])
    ws.write(top + 1 + len(units.STATUSES), side, _t("remaining", lang), fmt["label"])
    ws.write(top + 1 + len(units.STATUSES), side + 1, int(counts.get("available", 0)), fmt["count"])
    layouts = units.remaining(block, "layout")
    ws.write(top, side + 3, _t("by_layout", lang), fmt["head"])
    for i, rec in enumerate(layouts.to_dict("records")):
        ws.write(top + 1 + i, side + 3, rec["layout"] or "-", fmt["label"])
        ws.write(top + 1 + i, side + 4, int(rec["remaining"]), fmt["count"])
    ws.write(top, side + 6, _t("amounts", lang), fmt["head"])
    for i, status in enumerate(("reserved", "signed")):
        ws.write(top + 1 + i, side + 6, _t(f"{status}_amount", lang), fmt[status])
        ws.write(top + 1 + i, side + 7, float(block.loc[block["status"] == status, "amount"].fillna(0).sum()),
                 fmt["money"])
    used = max(len(floors), len(units.STATUSES) + 1, len(layouts), 2)
    return top + used + 3
