"""The few things a button does to a workbook, behind one interface that a live Excel
workbook (`XwBook`, through xlwings) and a workbook file (`FileBook`, through openpyxl)
both satisfy, so that a button and its headless twin run the same code.

Cells are A1 addresses, colours RGB hex ("FFC7CE"), sheets are named; a sheet that is
written or cleared is created when missing.
"""
from __future__ import annotations

import functools
import io
import itertools
import sys
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from xlpy.io.annotate import AUTHOR

CHART_KINDS = ("line", "column", "bar", "stacked_bar")
CHART_SIZE = (18, 9)  # centimetres (openpyxl's unit); in points for Excel below


class Book(Protocol):
    name: str  # the file name, e.g. 张伟_2026-11-26.xlsx
    path: Path | None  # None for a workbook never saved

    def sheet_names(self) -> list[str]: ...
    def active_sheet(self) -> str: ...
    def active_book(self) -> "Book":
        """The workbook the user is looking at (for a file: the file itself)."""
    def open_books(self) -> list[str]:
        """The names of the workbooks open next to this one, this one included."""
    def book_named(self, name: str) -> "Book":
        """An open workbook by name; KeyError when none is open by that name."""
    def grid(self, sheet: str) -> list[list]:
        """The sheet's values (as shown, not formulas) as rows of cells from A1."""
    def write(self, sheet: str, rows: list[list], at: str = "A1") -> None:
        """Values from ``at``; text is written as text, never as a formula."""
    def clear(self, sheet: str) -> None:
        """Empty the sheet: values, formats, tables and charts."""
    def table(self, sheet: str, ref: str, name: str) -> None:
        """An Excel table (filter buttons, banded rows) over ``ref``, whose first row holds the headers."""
    def number_format(self, sheet: str, ref: str, fmt: str) -> None: ...
    def width(self, sheet: str, column: int, chars: float) -> None:
        """Set a column's width (0-based column, in characters)."""
    def chart(self, sheet: str, at: str, kind: str, title: str, categories: str, series: list[str]) -> None:
        """A native chart with its top-left corner on cell ``at``; ``kind`` one of CHART_KINDS.
        ``categories`` and each of ``series`` are one-column ranges from the header row down
        (a series is named by its header)."""
    def fill(self, sheet: str, cell: str, colour: str | None) -> None: ...
    def fill_of(self, sheet: str, cell: str) -> str | None: ...
    def note(self, sheet: str, cell: str) -> str | None: ...
    def set_note(self, sheet: str, cell: str, text: str | None) -> None: ...
    def noted_cells(self, sheet: str) -> list[str]: ...
    def link(self, sheet: str, cell: str, to_sheet: str, to_cell: str) -> None: ...
    def named(self, name: str) -> object:
        """The value of the cell a defined name refers to; KeyError when the name is not defined."""
    def status(self, text: str) -> None: ...
    def alert(self, text: str) -> None: ...
    def activate(self, sheet: str) -> None: ...
    def open_file(self, path: Path) -> None: ...
    def save(self) -> None: ...


# ---------------------------------------------------------------- a file


class FileBook:
    """A workbook file opened with openpyxl (VBA, buttons and form controls kept in
    .xlsm files). Status lines and alerts are collected in ``shown``; `save` writes it back."""

    def __init__(self, path: Path | None, active: str | None = None, output: Path | None = None):
        """``path`` None: a new, empty workbook (`new-report` without a control workbook)."""
        self.path = Path(path) if path is not None else None
        self.name = self.path.name if self.path else ""
        self.output = Path(output) if output else self.path
        self.wb = load_workbook(self.path, keep_vba=self.path.suffix.lower() == ".xlsm", rich_text=True) \
            if self.path else Workbook()
        self._cached = None  # the values Excel last calculated, loaded when first needed
        self.shown: list[str] = []
        if active is not None:
            if active not in self.wb.sheetnames:
                raise ValueError(f"{self.name}: no sheet “{active}” ({', '.join(self.wb.sheetnames)})")
            self.activate(active)

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def active_sheet(self) -> str:
        return self.wb.active.title

    def active_book(self) -> "FileBook":
        return self

    def open_books(self) -> list[str]:
        return [self.name]

    def book_named(self, name: str) -> "FileBook":
        if name != self.name:
            raise KeyError(name)
        return self

    def grid(self, sheet: str) -> list[list]:
        ws = self.wb[sheet]
        rows = [list(r) for r in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        formulas = [(r, c) for r, row in enumerate(ws.iter_rows(min_row=1, min_col=1)) for c, cell in enumerate(row)
                    if cell.data_type == "f"]
        if formulas:
            if self._cached is None:
                self._cached = load_workbook(self.path, data_only=True)
            cached = self._cached[sheet]
            for r, c in formulas:
                rows[r][c] = cached.cell(r + 1, c + 1).value
        return rows

    def write(self, sheet: str, rows: list[list], at: str = "A1") -> None:
        ws = self._sheet(sheet)
        top = ws[at]
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                cell = ws.cell(top.row + r, top.column + c)
                if isinstance(value, str):
                    cell.value, cell.data_type = ILLEGAL_CHARACTERS_RE.sub("", value), "s"
                else:
                    cell.value = value

    def clear(self, sheet: str) -> None:
        if sheet in self.wb.sheetnames:
            index = self.wb.sheetnames.index(sheet)
            was_active = self.active_sheet() == sheet
            old = self.wb[sheet]
            self.wb.remove(old)
            # the same code name: the sheet's document module in the VBA project stays its own
            self.wb.create_sheet(sheet, index).sheet_properties.codeName = old.sheet_properties.codeName
            if was_active:
                self.activate(sheet)
        else:
            self.wb.create_sheet(sheet)

    def table(self, sheet: str, ref: str, name: str) -> None:
        style = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        self.wb[sheet].add_table(Table(displayName=name, ref=ref, tableStyleInfo=style))

    def number_format(self, sheet: str, ref: str, fmt: str) -> None:
        for row in self.wb[sheet][ref]:
            for cell in row:
                cell.number_format = fmt

    def width(self, sheet: str, column: int, chars: float) -> None:
        self.wb[sheet].column_dimensions[get_column_letter(column + 1)].width = chars

    def chart(self, sheet: str, at: str, kind: str, title: str, categories: str, series: list[str]) -> None:
        ws = self.wb[sheet]
        chart = LineChart() if kind == "line" else BarChart()
        if kind != "line":
            chart.type = "col" if kind == "column" else "bar"
        if kind == "stacked_bar":
            chart.grouping, chart.overlap = "stacked", 100
        if kind in ("bar", "stacked_bar"):  # the table's first row on top
            chart.x_axis.scaling.orientation = "maxMin"
        chart.title, (chart.width, chart.height) = title, CHART_SIZE
        for ref in series:
            chart.add_data(Reference(ws, range_string=f"{quote_sheetname(sheet)}!{ref}"), titles_from_data=True)
        labels = Reference(ws, range_string=f"{quote_sheetname(sheet)}!{categories}")
        chart.set_categories(Reference(ws, min_col=labels.min_col, min_row=labels.min_row + 1,
                                       max_col=labels.max_col, max_row=labels.max_row))
        ws.add_chart(chart, at)

    def fill(self, sheet: str, cell: str, colour: str | None) -> None:
        self._cell(sheet, cell).fill = PatternFill("solid", fgColor=colour) if colour else PatternFill()

    def fill_of(self, sheet: str, cell: str) -> str | None:
        fill = self._cell(sheet, cell).fill
        rgb = fill.fgColor.rgb if fill.fill_type == "solid" else None
        return rgb[-6:].upper() if isinstance(rgb, str) else None

    def note(self, sheet: str, cell: str) -> str | None:
        comment = self._cell(sheet, cell).comment
        return comment.text if comment is not None else None

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        self._cell(sheet, cell).comment = Comment(text, AUTHOR, height=40 + 20 * text.count("\n"), width=320) \
            if text else None

    def noted_cells(self, sheet: str) -> list[str]:
        return [c.coordinate for row in self.wb[sheet].iter_rows() for c in row if c.comment is not None]

    def link(self, sheet: str, cell: str, to_sheet: str, to_cell: str) -> None:
        target = self._cell(sheet, cell)
        target.hyperlink = Hyperlink(ref=target.coordinate, location=f"{quote_sheetname(to_sheet)}!{to_cell}")
        target.style = "Hyperlink"

    def named(self, name: str) -> object:
        defined = self.wb.defined_names[name]
        sheet, ref = next(defined.destinations)
        return self.wb[sheet][ref.replace("$", "")].value

    def status(self, text: str) -> None:
        self.shown.append(text)

    alert = status

    def activate(self, sheet: str) -> None:
        ws = self.wb[sheet]
        for other in self.wb.worksheets:  # one selected tab: several would group the sheets in Excel
            other.sheet_view.tabSelected = other is ws
        self.wb.active = ws

    def open_file(self, path: Path) -> None:
        """Nothing to open without Excel: the file is written, which is all a headless run wants."""

    def save(self) -> None:
        buffer = io.BytesIO()  # in memory first: a failed save leaves the file as it was
        self.wb.save(buffer)
        self.output.write_bytes(buffer.getvalue())

    def _sheet(self, sheet: str):
        return self.wb[sheet] if sheet in self.wb.sheetnames else self.wb.create_sheet(sheet)

    def _cell(self, sheet: str, ref: str):
        """A cell inside a merged range stands for the range's top-left cell, the one Excel shows."""
        ws = self.wb[sheet]
        cell = ws[ref]
        if isinstance(cell, MergedCell):
            merged = next(r for r in ws.merged_cells.ranges if ref in r)
            cell = ws.cell(merged.min_row, merged.min_col)
        return cell


# ---------------------------------------------------------------- Excel


def as_text(value: str) -> str:
    """Text as written to Excel's Range.Value so that it stays the same text: Excel types what it
    is given, "2026-11" becoming a date, "0123" the number 123, "+A1" or "@SUM(A1)" a formula.
    A leading apostrophe (Excel's prefix character, not part of the value) keeps it as typed;
    it is added to any text Excel could read as something else (this errs on the side of adding it)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    risky = value[:1] in "=+-@'#" or value.strip().upper() in ("TRUE", "FALSE") or any(c.isdigit() for c in value)
    return "'" + value if risky else value


def blocks(rows: list[list]) -> list[tuple[int, list[list]]]:
    """Rows cut into rectangles (runs of rows of one length), each with its first row's offset:
    xlwings refuses rows of different lengths, and padding them would overwrite cells.
    Empty rows are skipped (nothing to write)."""
    out, offset = [], 0
    for length, run in itertools.groupby(rows, key=len):
        run = list(run)
        if length:
            out.append((offset, run))
        offset += len(run)
    return out


class XwBook:
    """A workbook open in Excel, through xlwings (Windows and macOS).

    ``status_bar`` False (macOS, where xlwings clears the status bar when Python exits): what a
    button says goes to a message box instead."""

    def __init__(self, book, status_bar: bool | None = None):
        self.book = book
        self.name = book.name
        self.status_bar = sys.platform != "darwin" if status_bar is None else status_bar

    @functools.cached_property
    def path(self) -> Path | None:
        """Looked up when needed (a relative office folder): each formula's call makes an XwBook."""
        full = Path(self.book.fullname)
        return full if full.is_file() else None

    @classmethod
    def caller(cls) -> "XwBook":
        """The workbook whose button ran this (`RunPython`)."""
        import xlwings as xw
        return cls(xw.Book.caller())

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def active_sheet(self) -> str:
        return self.book.sheets.active.name

    def active_book(self) -> "XwBook":
        return XwBook(self.book.app.books.active, self.status_bar)

    def open_books(self) -> list[str]:
        return [b.name for b in self.book.app.books]

    def book_named(self, name: str) -> "XwBook":
        for b in self.book.app.books:
            if b.name == name:
                return XwBook(b, self.status_bar)
        raise KeyError(name)

    def grid(self, sheet: str) -> list[list]:
        sh = self.book.sheets[sheet]
        last = sh.used_range.last_cell
        return sh.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value

    def write(self, sheet: str, rows: list[list], at: str = "A1") -> None:
        target = self._sheet(sheet)
        top = target.range(at)
        for offset, block in blocks(rows):
            cells = top.offset(offset, 0).resize(len(block), len(block[0]))
            text = cells.number_format == "@"  # Excel keeps text in text-formatted cells as it is
            cells.options(ndim=2).value = [[as_text(v) if isinstance(v, str) and not text else v for v in row]
                                           for row in block]

    def clear(self, sheet: str) -> None:
        sh = self._sheet(sheet)
        for chart in list(sh.charts):
            chart.delete()
        sh.clear()  # clearing every cell of a table removes the table too

    def table(self, sheet: str, ref: str, name: str) -> None:
        sh = self.book.sheets[sheet]
        sh.tables.add(source=sh.range(ref), name=name)

    def number_format(self, sheet: str, ref: str, fmt: str) -> None:
        self.book.sheets[sheet].range(ref).number_format = fmt

    def width(self, sheet: str, column: int, chars: float) -> None:
        self.book.sheets[sheet].range((1, column + 1)).column_width = chars

    def chart(self, sheet: str, at: str, kind: str, title: str, categories: str, series: list[str]) -> None:
        sh = self.book.sheets[sheet]
        corner = sh.range(at)
        width, height = (cm * 72 / 2.54 for cm in CHART_SIZE)
        chart = sh.charts.add(corner.left, corner.top, width, height)
        chart.set_source_data(sh.range(",".join([categories, *series])))  # labels first: Excel takes them as categories
        chart.chart_type = {"line": "line_markers", "column": "column_clustered", "bar": "bar_clustered",
                            "stacked_bar": "bar_stacked"}[kind]
        chart.title = title
        if kind in ("bar", "stacked_bar"):
            chart.category_axis.reverse_order = True

    def fill(self, sheet: str, cell: str, colour: str | None) -> None:
        self.book.sheets[sheet].range(cell).color = f"#{colour}" if colour else None

    def fill_of(self, sheet: str, cell: str) -> str | None:
        rgb = self.book.sheets[sheet].range(cell).color
        return "".join(f"{v:02X}" for v in rgb) if rgb else None

    def note(self, sheet: str, cell: str) -> str | None:
        note = self.book.sheets[sheet].range(cell).note
        return note.text if note is not None else None

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        rng = self.book.sheets[sheet].range(cell)
        if rng.note is not None:
            rng.note.delete()
        if text:
            rng.add_note(text)

    def noted_cells(self, sheet: str) -> list[str]:
        # one call per cell: fine for a daily report's few hundred cells
        return [c.get_address(False, False) for c in self.book.sheets[sheet].used_range if c.note is not None]

    def link(self, sheet: str, cell: str, to_sheet: str, to_cell: str) -> None:
        rng = self.book.sheets[sheet].range(cell)
        rng.add_hyperlink(f"#{quote_sheetname(to_sheet)}!{to_cell}", str(rng.value or to_cell))

    def named(self, name: str) -> object:
        if name not in [n.name for n in self.book.names]:
            raise KeyError(name)
        return self.book.names[name].refers_to_range.value

    def status(self, text: str) -> None:
        if self.status_bar:
            self.book.app.status_bar = text
        else:
            self.alert(text)

    def alert(self, text: str) -> None:
        self.book.app.alert(text, title="SalesDesk")

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    def open_file(self, path: Path) -> None:
        self.book.app.books.open(str(path))

    def save(self) -> None:
        """The user saves (or not): a button never saves a workbook open in Excel."""

    def _sheet(self, sheet: str):
        names = self.sheet_names()
        return self.book.sheets[sheet] if sheet in names else self.book.sheets.add(sheet, after=names[-1])
