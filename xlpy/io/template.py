"""A blank daily report for one rep and day, ready to fill in Excel (`xlpy template`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlpy.contract import schema
from xlpy.contract.config import Settings
from xlpy.contract.messages import say
from xlpy.core import values
from xlpy.io.reference import Reference
from xlpy.io.report_file import write_report

DATA_ROWS = 30  # rows with drop-downs and formats; a rep rarely has more deals a day


def write_template(rep: str, date: dt.date, reference: Reference, output: Path | None,
                   settings: Settings) -> Path:
    """Write the blank report to ``output`` (default: the inbox, `REP_YYYY-MM-DD.xlsx`)."""
    record = reference.rep_index.get(values.norm(rep))
    active = [r["name"] for r in reference.rep_index.values() if r["active"]]
    if reference.rep_index and (record is None or not record["active"]):
        raise ValueError(say("template-unknown-rep", settings.language, rep=rep, known="、".join(active)))
    path = Path(output) if output else settings.path("inbox") / f"{rep}_{date:%Y-%m-%d}.xlsx"
    if path.exists():
        raise FileExistsError(say("template-exists", settings.language, path=path))
    units = reference.sells_units  # an office that sells units: the unit list, 原房号 and 换房 (spec §4)
    offered = [*reference.units["unit"], *reference.products["product"]] if units else list(reference.products["product"])
    lists = {
        "rep": active,
        "region": list(reference.regions.values()),
        "product": offered,
        "deal_type": [d.zh for d in schema.DEAL_TYPES if units or not d.units_only],
    }
    if units:
        lists["from_unit"] = list(reference.units["unit"])
    title = {"report_date": date, "rep": record["name"] if record else rep,
             "region": record["region"] if record else None}
    columns = tuple(c.key for c in schema.COLUMNS) if units else None
    # Empty rows, so that write_report gives the cells to fill their date and number formats.
    return write_report(path, title, rows=[{}] * DATA_ROWS, columns=columns, lists=lists, data_rows=DATA_ROWS,
                        total_row=True)
