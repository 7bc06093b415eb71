"""The reference workbook (基础资料, spec §2): reps, products, targets, recipients."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from xlpy.contract import schema
from xlpy.contract.config import Settings
from xlpy.contract.messages import Msg
from xlpy.core import values
from xlpy.core.ledger import conform
from xlpy.core.reference import BadReference, Reference
from xlpy.io import reader

EXAMPLE = "示例"  # a row with a cell starting so is an example, not data


def read_reference(path: Path, settings: Settings = Settings()) -> Reference:
    path = Path(path)
    if not path.is_file():
        raise BadReference("reference-missing", path=str(path))
    try:
        grids = dict(reader.read_grids(path, settings)[1])
    except reader.Unreadable as e:
        raise BadReference("reference-unreadable", path=str(path), detail=Msg(e.code, {"detail": e.detail})) from None
    frames = {}
    for sheet in schema.REFERENCE_SHEETS:
        grid = _find_sheet(grids, sheet)
        if grid is None:
            # An office sells products (产品价目), units (房源表), or both.
            needed = sheet.key == "reps" or sheet.key == "products" and _find_sheet(grids, _UNITS) is None
            if needed:
                raise BadReference("reference-sheet-missing", path=str(path), sheet=sheet.zh)
            frames[sheet.key] = pd.DataFrame(columns=[c.key for c in sheet.columns])
            continue
        frames[sheet.key] = _frame(grid, sheet, path)
    reps = frames["reps"]
    reps["active"] = reps["active"].map(lambda v: v is None or values.norm(v) in schema.YES)
    dupes = reps["name"].map(values.norm).duplicated()
    if dupes.any():
        raise BadReference("reference-duplicate-rep", path=str(path), name=reps["name"][dupes].iloc[0])
    frames["targets"]["period"] = frames["targets"]["period"].map(_period)
    return Reference(**frames)


_UNITS = next(s for s in schema.REFERENCE_SHEETS if s.key == "units")


def _find_sheet(grids: dict[str, list], sheet: schema.Sheet):
    names = {values.norm(n) for n in (sheet.zh, sheet.key, *sheet.aliases)}
    for name, grid in grids.items():
        if values.norm(name) in names:
            return grid
    return None


def _frame(grid: list[list], sheet: schema.Sheet, path: Path) -> pd.DataFrame:
    aliases = reader.alias_map(sheet.columns)
    header = reader.find_header(grid, aliases, minimum=1)
    keys = [c.key for c in sheet.columns]
    missing = [c.zh for c in sheet.columns if c.required and (header is None or c.key not in header[1])]
    if missing:
        raise BadReference("reference-columns", path=str(path), sheet=sheet.zh, missing="、".join(missing))
    h, columns = header[0], header[1]
    records = []
    for cells in grid[h + 1:]:
        if any(isinstance(v, str) and v.strip().startswith(EXAMPLE) for v in cells):
            continue  # the example row a new office's workbook shows
        rec = {}
        for col in sheet.columns:
            c = columns.get(col.key)
            value = cells[c] if c is not None and c < len(cells) else None
            try:
                rec[col.key] = values.PARSERS[col.type](value)
            except values.BadValue:
                rec[col.key] = None
        if rec.get(keys[0]) is not None:
            records.append(rec)
    return conform(pd.DataFrame(records, columns=keys), sheet.columns)  # a blank column keeps its type


def _period(value) -> str | None:
    """`2026-11`, `2026-Q4`, `2026`, also `2026年11月` or a date → canonical text."""
    if value is None:
        return None
    s = values.norm(value).upper().replace("年", "-").replace("月", "").replace("/", "-").rstrip("-")
    if len(s) >= 10:  # a date in the period column: its month
        s = s[:7]
    if len(s) == 6 and s[4] == "-":  # 2026-1 → 2026-01
        s = f"{s[:5]}0{s[5]}"
    return s
