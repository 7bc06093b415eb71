"""The price list (价格一览表) made before a launch from the 房源表: per building, floors top-down and
units left to right, each with its layout, area, list price and price per m²; a page per building."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from xlpy.contract.messages import both, voice

TITLE = both("pricelist.title")


_t = voice("pricelist")


def write_pricelist(path: Path, units: pd.DataFrame, lang: str = "zh") -> Path:
    """Write the price list of ``units`` (the reference's prepared 房源表) to ``path``."""
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    label = book.add_format({"bold": True, "border": 1, "valign": "vcenter"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_size": 9})
    for building, block in units.groupby(units["building"].fillna(""), sort=True):
        ws = book.add_worksheet(_t("building", lang, building=building)[:31])
        ws.write(0, 0, f"{TITLE[lang == 'en']} · {_t('building', lang, building=building)}", title)
        floors = sorted(block["floor"].dropna().unique(), reverse=True)
        width = 1
        for i, floor in enumerate(floors):
            row = 2 + i
            ws.write(row, 0, _t("floor", lang, floor=int(floor)), label)
            ws.set_row(row, 60)
            on_floor = block[block["floor"] == floor].sort_values("unit").to_dict("records")
            for j, unit in enumerate(on_floor):
                ws.write(row, 1 + j, _text(unit, lang), cell)
            width = max(width, len(on_floor))
        ws.write(1, 0, "", head)
        ws.set_column(0, 0, 8)
        ws.set_column(1, width, 18)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 1)
        ws.repeat_rows(0, 1)
        ws.set_footer(f"&L{TITLE[lang == 'en']}&R&P / &N")
    book.close()
    return Path(path)


def _text(unit: dict, lang: str) -> str:
    lines = [str(unit["unit"])]
    if unit.get("layout"):
        lines.append(str(unit["layout"]))
    area, price = unit.get("area"), unit.get("list_price")
    if area is not None and not pd.isna(area):
        lines.append(_t("area", lang, area=area))
    if price is not None and not pd.isna(price):
        lines.append(f"¥{price:,.0f}")
        if area:
            lines.append(_t("per_m2", lang, price=price / area))
    return "\n".join(lines)
