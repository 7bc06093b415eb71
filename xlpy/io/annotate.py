"""Marked-up copies of reports: error cells red, warning cells yellow, a comment on
each marked cell and a 校验结果 sheet listing every issue with a link to its cell.

The core (`by_cell`, `worst`, `comment_text`, `issue_rows`, `mark_cells`,
`write_issue_sheet`) works on issues and openpyxl objects, never on paths, so that
the Excel front end can reuse it; `annotate_results` is the file edge. Originals
are only ever read.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from xlpy.contract.messages import say, texts, voice
from xlpy.core.rules import ERROR, NOTICE, WARNING, Issue, column_name

log = logging.getLogger(__name__)

SHEET = say("annotate.sheet")  # the sheet of the issues, in the report (Chinese in every language)
AUTHOR = "xlpy"
SEVERITIES = (ERROR, WARNING, NOTICE)  # worst first
COLOURS = {ERROR: "FFC7CE", WARNING: "FFEB9C"}  # RGB hex (Excel's Bad / Neutral fills); notices: comment only
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
KEEP_PRIOR = "\n———\n"  # separates our text from a comment the cell already had
WIDTHS = (8, 22, 12, 8, 12, 16, 90)


_text = voice("annotate")


# ---------------------------------------------------------------- plain data


def by_cell(issues: list[Issue]) -> dict[tuple[str, str], list[Issue]]:
    """Issues that point at a cell, grouped by (sheet, cell), in the order given."""
    out: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        if issue.sheet and issue.cell:
            out.setdefault((issue.sheet, issue.cell), []).append(issue)
    return out


def worst(issues: list[Issue]) -> str:
    """The severity that decides a cell's fill."""
    return min((i.severity for i in issues), key=SEVERITIES.index)


def comment_text(issues: list[Issue], lang: str = "zh") -> str:
    """One line per issue on a cell."""
    return "\n".join(comment_line(i.severity, i.message(lang), lang) for i in issues)


def comment_line(severity: str, message: str, lang: str = "zh") -> str:
    return _text("line", lang, severity=_text(severity, lang), message=message)


def issue_rows(issues: list[Issue], lang: str = "zh") -> list[list]:
    """The 校验结果 table: headings, then one row per issue."""
    return [texts("annotate.headings", lang)] + [
        [_text(i.severity, lang), i.rule, i.sheet, i.cell, column_name(i.column, lang) or None,
         _cell_value(i.value), i.message(lang)] for i in issues]


def _cell_value(value):
    if value is None or isinstance(value, (int, float, dt.date)):
        return value
    return str(value)


# ---------------------------------------------------------------- openpyxl


def mark_cells(sheets, issues: list[Issue], lang: str = "zh") -> None:
    """Fill and comment the cells of ``issues`` in a worksheet (or a mapping of sheet
    name → worksheet); issues on other sheets are left out. Marks of an earlier run
    are cleared first, so that re-annotating shows only the current issues."""
    if not isinstance(sheets, Mapping):
        sheets = {sheets.title: sheets}
    for ws in sheets.values():
        _clear_marks(ws)
    for (sheet, ref), found in by_cell(issues).items():
        if sheet not in sheets:
            continue
        cell = _anchor(sheets[sheet], ref)
        colour = COLOURS.get(worst(found))
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
        text = comment_text(found, lang)
        if cell.comment is not None:
            text += KEEP_PRIOR + cell.comment.text
        cell.comment = Comment(text, AUTHOR, height=40 + 30 * len(found), width=320)


def _anchor(ws, ref: str):
    """A cell inside a merged range is marked on the range's top-left cell (the only one Excel shows)."""
    cell = ws[ref]
    if isinstance(cell, MergedCell):
        merged = next(r for r in ws.merged_cells.ranges if ref in r)
        cell = ws.cell(merged.min_row, merged.min_col)
    return cell


def _clear_marks(ws) -> None:
    for row in ws.iter_rows():
        for cell in row:
            if cell.comment is None or cell.comment.author != AUTHOR:
                continue
            prior = cell.comment.text.partition(KEEP_PRIOR)[2]
            cell.comment = Comment(prior, "") if prior else None
            if (cell.fill.fgColor.rgb or "")[-6:] in COLOURS.values():
                cell.fill = PatternFill()


def write_issue_sheet(wb: Workbook, issues: list[Issue], lang: str = "zh"):
    """Write (or replace) the 校验结果 sheet of ``wb`` and make it the active sheet.
    A cell that exists in ``wb`` gets an internal hyperlink; file-level issues have none."""
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET)
    for r, row in enumerate(issue_rows(issues, lang), start=1):
        for c, value in enumerate(row, start=1):
            _put(ws.cell(r, c), value)
    for c in ws[1]:
        c.font = Font(bold=True)
    for issue, row in zip(issues, ws.iter_rows(min_row=2), strict=True):
        if isinstance(row[5].value, dt.date):
            row[5].number_format = "yyyy-mm-dd"
        if issue.cell and issue.sheet in wb.sheetnames:
            row[3].hyperlink = Hyperlink(ref="", location=f"{quote_sheetname(issue.sheet)}!{issue.cell}")
            row[3].style = "Hyperlink"
    for n, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(WIDTHS))}{ws.max_row}"
    for other in wb.worksheets:  # one selected tab: several would group the sheets in Excel
        other.sheet_view.tabSelected = other is ws
    wb.active = ws
    return ws


def _put(cell, value) -> None:
    """Text stays text: a value such as "=1+1" or "#REF!" from a report is not
    written as a formula or an error, and control characters openpyxl refuses are dropped."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


# ---------------------------------------------------------------- files


def annotate_results(results, out_dir: Path, lang: str = "zh") -> list[Path]:
    """Write a marked-up copy of each readable report (status ok, invalid or waiting) into
    ``out_dir``; return the files written. Never raises: a file that cannot be
    annotated is logged and skipped."""
    out_dir, written = Path(out_dir), []
    taken = {r.path.name.casefold() for r in results if r.path.parent.resolve() == out_dir.resolve()}
    for result in results:
        if result.status not in ("ok", "invalid", "waiting"):
            continue
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            target = _target(result.path, out_dir, taken)
            written.append(annotate_file(result.path, result.issues, target, lang))
        except Exception as e:  # noqa: BLE001 - one odd file must not stop the batch
            log.error(_text("failed", lang, source=result.path, reason=f"{type(e).__name__}: {e}"))
    return written


def annotate_file(source: Path, issues: list[Issue], target: Path, lang: str = "zh") -> Path:
    """Write ``source`` marked up to ``target`` and return it; when openpyxl cannot
    open ``source`` write ``NAME.annotated.xlsx`` with the 校验结果 sheet only and return that."""
    source, target = Path(source), Path(target)
    if source.suffix.lower() in OPENPYXL_SUFFIXES:
        try:
            target.write_bytes(_marked_copy(source, issues, lang))
            return target
        except Exception as e:  # noqa: BLE001 - openpyxl rejects some files calamine reads
            reason = f"{type(e).__name__}: {e}"[:200]
    else:
        reason = _text("format", lang, suffix=source.suffix)
    fallback = _list_only_name(target)
    wb = Workbook()
    wb.remove(wb.active)
    write_issue_sheet(wb, issues, lang)
    wb.save(fallback)
    log.warning(_text("list-only", lang, source=source, reason=reason, target=fallback))
    return fallback


def _marked_copy(source: Path, issues: list[Issue], lang: str) -> bytes:
    with warnings.catch_warnings():  # openpyxl's notes on parts it drops mean nothing to the assistant
        warnings.simplefilter("ignore")
        wb = load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True)
    if not wb.worksheets:  # Strict OOXML: openpyxl loads no sheets, without an error
        raise ValueError("openpyxl found no worksheets (Strict OOXML?)")
    mark_cells({ws.title: ws for ws in wb.worksheets}, issues, lang)
    write_issue_sheet(wb, issues, lang)
    buffer = io.BytesIO()  # saved in memory first: a failed save leaves no half-written file
    wb.save(buffer)
    return buffer.getvalue()


def _list_only_name(target: Path) -> Path:
    return target.with_name(f"{target.stem}.annotated.xlsx")


def _target(source: Path, out_dir: Path, taken: set[str]) -> Path:
    """``out_dir``/the same name, unless ``taken`` (by a report in ``out_dir`` or by an
    earlier copy of this run: two folders may hold the same file name)."""
    n, target = 1, out_dir / source.name
    while {target.name.casefold(), _list_only_name(target).name.casefold()} & taken:
        n += 1
        target = out_dir / f"{source.stem} ({n}){source.suffix}"
    taken |= {target.name.casefold(), _list_only_name(target).name.casefold()}
    return target
