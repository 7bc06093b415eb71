"""An Excel in memory: an xlwings engine of our own, so that the live path (`XwBook`, the UDFs
with their `caller`) runs in tests through xlwings' own `Book`/`Sheet`/`Range` classes, its
conversion pipeline, options and checks (e.g. `conversion._check_not_jagged`), exactly as
against Excel through COM or AppleScript.

What matters about Excel is modelled as Excel's `Range.Value` behaves:
- text written to a cell is typed: what looks like a number, a percentage, a date, a time, a
  boolean or an error value becomes one, and text starting with = (or + - @ not making a
  number) becomes a formula; unless it starts with ' (the prefix character, not part of the
  value) or the cell's number format is text ("@");
- numbers read back as floats, blanks as None, dates as datetimes;
- a table is removed when its cells are cleared; charts are not.

Use: `excel = MemoryExcel()`, `book = excel.open(path)` (an xlwings Book), then
`book.set_mock_caller()` for `xw.Book.caller()`. Files are read with openpyxl; nothing is saved.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import xlwings
from excel_typing import Error, Formula, typed
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from xlwings import main

ENGINE_NAME = "memory"


# ---------------------------------------------------------------- the model


@dataclass
class Cell:
    value: object = None
    number_format: str = "General"
    color: tuple | None = None
    note: str | None = None
    link: str | None = None


@dataclass
class SheetData:
    name: str
    cells: dict = field(default_factory=dict)  # (row, column) 1-based → Cell
    tables: dict = field(default_factory=dict)  # name → (r1, c1, r2, c2)
    charts: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)

    def cell(self, row: int, column: int) -> Cell:
        return self.cells.setdefault((row, column), Cell())


# ---------------------------------------------------------------- the engine (xlwings' impl classes)


class Engine:
    name, type = ENGINE_NAME, "desktop"

    def __init__(self):
        self._apps = Apps(self)

    @property
    def apps(self):
        return self._apps

    @staticmethod
    def prepare_xl_data_element(x, options):
        """As the Windows engine prepares a value for COM (dates stay datetimes here)."""
        import numpy as np
        import pandas as pd
        if isinstance(x, dt.datetime):
            return x
        if isinstance(x, dt.date):
            return dt.datetime(x.year, x.month, x.day)
        if x is None or (not isinstance(x, (list, tuple, str)) and pd.isna(x)):
            return ""
        if isinstance(x, np.number):
            return float(x)
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(c):
            if c is None:
                return empty_as
            if isinstance(c, Error):
                return c.text if err_to_str else None
            if isinstance(c, dt.datetime):
                return datetime_builder(c) if datetime_builder is not dt.datetime else c
            if isinstance(c, float) and number_builder is not None:
                return number_builder(c)
            return c
        return [[clean(c) for c in row] for row in data]


class Apps:
    def __init__(self, engine: Engine):
        self.engine, self._apps = engine, []

    def add(self, spec=None, add_book=None, xl=None, visible=None):
        app = App(self.engine)
        self._apps.insert(0, app)
        return app

    def keys(self):
        return [a.pid for a in self._apps]

    def __iter__(self):
        return iter(self._apps)

    def __len__(self):
        return len(self._apps)

    def __getitem__(self, pid):
        return next(a for a in self._apps if a.pid == pid)

    @staticmethod
    def cleanup():
        pass


class App:
    _pids = iter(range(1000, 10**6))

    def __init__(self, engine: Engine):
        self.engine, self.pid = engine, next(self._pids)
        self.books = Books(self)
        self.status_bar = False
        self.alerts: list[str] = []  # the message boxes shown, in order
        self.api = self  # xlwings' write stage asks for a native object
        self.version, self.visible, self.screen_updating, self.display_alerts = "16.0", True, True, True
        self.calculation, self.enable_events, self.interactive = "automatic", True, True

    def alert(self, prompt, title=None, buttons=None, mode=None, callback=None):
        self.alerts.append(prompt)
        return "ok"

    def activate(self, steal_focus=False):
        pass

    def calculate(self):
        pass

    def quit(self):
        pass

    kill = quit


class Books:
    def __init__(self, app: App):
        self.app, self._books = app, []
        self.active = None

    def open(self, fullname=None, *_, **__):
        path = Path(fullname)
        found = next((b for b in self._books if b.fullname == str(path)), None)
        if found is None:
            sheets, names, active = read_file(path)
            found = Book(self.app, path.name, str(path), sheets, names)
            found.sheets.active = found.sheets._sheets[active]
            self._books.append(found)
        found.activate()
        return found

    def add(self):
        n = sum(1 for b in self._books if b.name.startswith("Book")) + 1
        book = Book(self.app, f"Book{n}", f"Book{n}", [SheetData("Sheet1")])
        self._books.append(book)
        book.activate()
        return book

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self._books[name_or_index - 1]
        for b in self._books:
            if b.name.lower() == str(name_or_index).lower():
                return b
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self._books)

    def __iter__(self):
        return iter(list(self._books))


class Book:
    def __init__(self, app: App, name: str, fullname: str, sheets: list[SheetData], names: dict | None = None):
        self.app, self.name, self.fullname = app, name, fullname
        self.sheets = Sheets(self, sheets)
        self.names = Names(self, names or {})
        self.api = self

    def activate(self):
        self.app.books.active = self

    def close(self):
        self.app.books._books.remove(self)
        if self.app.books.active is self:
            self.app.books.active = self.app.books._books[-1] if self.app.books._books else None

    def save(self, path=None, password=None):
        raise NotImplementedError("the in-memory Excel saves nothing")


class Sheets:
    def __init__(self, book: Book, data: list[SheetData]):
        self.book = book
        self._sheets = [Sheet(book, d) for d in data]
        self.active = self._sheets[0]

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self._sheets[name_or_index - 1]
        for s in self._sheets:
            if s.name.lower() == str(name_or_index).lower():
                return s
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self._sheets)

    def __iter__(self):
        return iter(list(self._sheets))

    def add(self, before=None, after=None, name=None):
        sheet = Sheet(self.book, SheetData(name or f"Sheet{len(self._sheets) + 1}"))
        at = self._sheets.index(after) + 1 if after is not None else \
            self._sheets.index(before) if before is not None else 0
        self._sheets.insert(at, sheet)
        self.active = sheet
        return sheet


class Sheet:
    def __init__(self, book: Book, data: SheetData):
        self.book, self.data = book, data
        self.api = self

    @property
    def name(self):
        return self.data.name

    @name.setter
    def name(self, value):
        self.data.name = value

    @property
    def index(self):
        return self.book.sheets._sheets.index(self) + 1

    def range(self, arg1, arg2=None):
        if isinstance(arg1, Range):
            arg1 = (arg1.row, arg1.column)
        if isinstance(arg2, Range):
            arg2 = (arg2.row + arg2.shape[0] - 1, arg2.column + arg2.shape[1] - 1)
        if isinstance(arg1, tuple):
            r2, c2 = arg2 if arg2 is not None else arg1
            return Range(self, [(arg1[0], arg1[1], r2, c2)])
        if self.book.names.contains(str(arg1)):
            return self.book.names(str(arg1)).refers_to_range
        return Range(self, [_area(part) for part in str(arg1).replace("$", "").split(",")])

    @property
    def cells(self):
        return Range(self, [(1, 1, 1_048_576, 16_384)])

    def activate(self):
        self.book.sheets.active = self
        self.book.activate()

    select = activate

    def clear(self):
        self.data.cells.clear()
        self.data.tables.clear()  # a table whose every cell is cleared is gone

    def clear_contents(self):
        for cell in self.data.cells.values():
            cell.value = None

    @property
    def used_range(self):
        used = [k for k, c in self.data.cells.items() if c != Cell()]
        if not used:
            return Range(self, [(1, 1, 1, 1)])
        rows, cols = [r for r, _ in used], [c for _, c in used]
        return Range(self, [(min(rows), min(cols), max(rows), max(cols))])

    @property
    def charts(self):
        return Charts(self)

    @property
    def tables(self):
        return Tables(self)

    @property
    def names(self):
        return Names(self.book, {})


def _area(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    (c1, r1), (c2, r2) = coordinate_from_string(first), coordinate_from_string(last or first)
    return r1, column_index_from_string(c1), r2, column_index_from_string(c2)


class Range:
    max_cells_per_read = max_cells_per_write = None

    def __init__(self, sheet: Sheet, areas: list[tuple[int, int, int, int]]):
        self.sheet, self.areas = sheet, areas
        self.options = {}
        self.api = self

    @property
    def _box(self):
        return self.areas[0]

    @property
    def row(self):
        return self._box[0]

    @property
    def column(self):
        return self._box[1]

    @property
    def shape(self):
        r1, c1, r2, c2 = self._box
        return r2 - r1 + 1, c2 - c1 + 1

    def __len__(self):
        rows, cols = self.shape
        return rows * cols

    def __call__(self, row, column=None):
        if column is None:  # the n-th cell, row by row
            row, column = divmod(row - 1, self.shape[1])
            row, column = row + 1, column + 1
        r, c = self.row + row - 1, self.column + column - 1
        return Range(self.sheet, [(r, c, r, c)])

    def _cells(self):
        r1, c1, r2, c2 = self._box
        return [[(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]

    @property
    def raw_value(self):
        data = self.sheet.data
        rows = [[read_cell(data.cells.get(k)) for k in row] for row in self._cells()]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @raw_value.setter
    def raw_value(self, value):
        grid = value if isinstance(value, (list, tuple)) else None
        for i, row in enumerate(self._cells()):
            for j, key in enumerate(row):
                v = grid[i][j] if grid is not None else value
                cell = self.sheet.data.cell(*key)
                cell.value = _entered(v, cell.number_format)

    @property
    def formula(self):
        value = self.sheet.data.cells.get((self.row, self.column), Cell()).value
        return value.text if isinstance(value, Formula) else "" if value is None else str(value)

    @property
    def number_format(self):
        return self.sheet.data.cells.get((self.row, self.column), Cell()).number_format

    @number_format.setter
    def number_format(self, value):
        for row in self._cells():
            for key in row:
                self.sheet.data.cell(*key).number_format = value

    @property
    def color(self):
        return self.sheet.data.cells.get((self.row, self.column), Cell()).color

    @color.setter
    def color(self, value):
        if isinstance(value, str):
            value = tuple(int(value.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
        for row in self._cells():
            for key in row:
                self.sheet.data.cell(*key).color = value

    @property
    def note(self):
        cell = self.sheet.data.cells.get((self.row, self.column))
        return Note(cell) if cell is not None and cell.note is not None else None

    def add_note(self, text):
        cell = self.sheet.data.cell(self.row, self.column)
        cell.note = text
        return Note(cell)

    def add_hyperlink(self, address, text_to_display=None, screen_tip=None):
        cell = self.sheet.data.cell(self.row, self.column)
        cell.link, cell.value = address, text_to_display if text_to_display is not None else address

    @property
    def column_width(self):
        return self.sheet.data.widths.get(self.column, 8.43)

    @column_width.setter
    def column_width(self, value):
        for c in range(self._box[1], self._box[3] + 1):
            self.sheet.data.widths[c] = value

    @property
    def left(self):
        return sum(self.sheet.data.widths.get(c, 8.43) * 5.25 for c in range(1, self.column))

    @property
    def top(self):
        return (self.row - 1) * 15.0

    def get_address(self, row_absolute=True, col_absolute=True, external=False):
        r1, c1, r2, c2 = self._box
        one = lambda r, c: f"{'$' if col_absolute else ''}{get_column_letter(c)}{'$' if row_absolute else ''}{r}"  # noqa: E731
        return one(r1, c1) if (r1, c1) == (r2, c2) else f"{one(r1, c1)}:{one(r2, c2)}"

    @property
    def address(self):
        return self.get_address()

    def clear(self):
        for row in self._cells():
            for key in row:
                self.sheet.data.cells.pop(key, None)

    def clear_contents(self):
        for row in self._cells():
            for key in row:
                if key in self.sheet.data.cells:
                    self.sheet.data.cells[key].value = None


class Note:
    def __init__(self, cell: Cell):
        self.cell = cell

    @property
    def text(self):
        return self.cell.note

    @text.setter
    def text(self, value):
        self.cell.note = value

    def delete(self):
        self.cell.note = None


def _entered(value, number_format: str):
    """A value as Excel's Range.Value stores it."""
    if isinstance(value, str):
        return typed(value, number_format)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    return value


def read_cell(cell: Cell | None):
    if cell is None:
        return None
    if isinstance(cell.value, Formula):
        return Error("#NAME?")
    return cell.value


class Names:
    def __init__(self, book: Book, names: dict):
        self.book, self._names = book, names  # name → (sheet name, A1 ref)

    def snapshot(self):
        return [(n, Name(self.book, n, *where)) for n, where in self._names.items()]

    def __call__(self, name_or_index):
        if isinstance(name_or_index, int):
            return self.snapshot()[name_or_index - 1][1]
        return Name(self.book, name_or_index, *self._names[name_or_index])

    def contains(self, name):
        return name in self._names

    def __len__(self):
        return len(self._names)

    def __iter__(self):
        return iter(n for _, n in self.snapshot())


class Name:
    def __init__(self, book: Book, name: str, sheet: str, ref: str):
        self.book, self.name, self.sheet_name, self.ref = book, name, sheet, ref

    @property
    def refers_to(self):
        return f"='{self.sheet_name}'!{self.ref}"

    @property
    def refers_to_range(self):
        return self.book.sheets(self.sheet_name).range(self.ref)


class Tables:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    def add(self, source=None, name=None, **_):
        rng = source.impl
        if any(_overlap(rng._box, box) for box in self.sheet.data.tables.values()):
            raise ValueError("A table cannot overlap another table")  # as Excel refuses
        self.sheet.data.tables[name or f"Table{len(self.sheet.data.tables) + 1}"] = rng._box
        return rng

    def __len__(self):
        return len(self.sheet.data.tables)

    def __iter__(self):
        return iter(self.sheet.data.tables)


def _overlap(a, b) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


class Charts:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet

    def add(self, left, top, width, height, **_):
        chart = Chart(self.sheet, (left, top, width, height))
        self.sheet.data.charts.append(chart)
        return chart

    def __len__(self):
        return len(self.sheet.data.charts)

    def __iter__(self):
        return iter(list(self.sheet.data.charts))

    def __call__(self, name_or_index):
        return self.sheet.data.charts[name_or_index - 1]


class Chart:
    def __init__(self, sheet: Sheet, place: tuple):
        self.sheet, self.place = sheet, place
        self.chart_type, self.title, self.source = None, None, None
        self.category_axis = Axis()
        self.api = self

    def set_source_data(self, source, plot_by=None):
        self.source = [(get_column_letter(c1) + str(r1), get_column_letter(c2) + str(r2))
                       for r1, c1, r2, c2 in source.areas]

    def delete(self):
        self.sheet.data.charts.remove(self)


class Axis:
    reverse_order = False

    def set(self, **changes):
        for key, value in changes.items():
            if value is not None and not type(value).__name__.startswith("_"):  # xlwings passes _UNSET for the rest
                setattr(self, key, value)


# ---------------------------------------------------------------- files in, and the engine registered


def read_file(path: Path) -> tuple[list[SheetData], dict, int]:
    """A workbook file's sheets (values as Excel holds them) and defined names."""
    wb = load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        data = SheetData(ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.comment is None and c.number_format == "General":
                    continue
                value = c.value
                if c.data_type == "f":
                    value = Formula(str(value))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    value = float(value)
                elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    value = dt.datetime(value.year, value.month, value.day)
                data.cells[(c.row, c.column)] = Cell(value, c.number_format,
                                                     note=c.comment.text if c.comment else None)
        sheets.append(data)
    names = {}
    for name, defined in wb.defined_names.items():
        for sheet, ref in defined.destinations:
            names[name] = (sheet, ref.replace("$", ""))
    return sheets, names, wb.index(wb.active)


class MemoryExcel:
    """One Excel application in memory, its engine registered with xlwings and made the active
    one (as Excel is for xlwings on Windows) until `close`."""

    def __init__(self):
        if ENGINE_NAME not in [e.name for e in xlwings.engines]:
            xlwings.engines.add(main.Engine(impl=Engine()))
        self.engine = xlwings.engines[ENGINE_NAME]
        self._before, xlwings.engines.active = xlwings.engines.active, self.engine
        self.app = main.App(impl=self.engine.impl.apps.add())

    def close(self):
        self.engine.impl.apps._apps.remove(self.app.impl)
        xlwings.engines.active = self._before

    def open(self, path: Path) -> main.Book:
        return self.app.books.open(str(path))

    @property
    def alerts(self) -> list[str]:
        return self.app.impl.alerts

    @property
    def status_bar(self):
        return self.app.impl.status_bar


def formulas(book: main.Book) -> list[str]:
    """Every live formula in the workbook, as sheet!cell = formula."""
    return [f"{s.name}!{get_column_letter(c)}{r} = {cell.value.text}" for s in book.impl.sheets
            for (r, c), cell in s.data.cells.items() if isinstance(cell.value, Formula)]


def tables(book: main.Book) -> dict[str, tuple[str, str]]:
    """Table name → (sheet, A1 range)."""
    return {name: (s.name, f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
            for s in book.impl.sheets for name, (r1, c1, r2, c2) in s.data.tables.items()}


def charts(book: main.Book) -> dict[str, list]:
    return {s.name: s.data.charts for s in book.impl.sheets if s.data.charts}
