"""The one table writer: a DataFrame as an Excel table (headers, number formats, widths), into a
workbook xlsxwriter writes (the masters, 总表) or into a `Book` (the control workbook's
刷新统计), and the native chart declared beside it.

A column's kind (`xlpy.contract.statistics.KINDS`) decides its number format and its least width
(`KINDS` here, the one map). Each column is converted once, whole (numbers to floats, dates to
Excel serials, text as is, blanks left unwritten); into a workbook file its rows are held as those
columns and rendered as the sheet XML xlsxwriter itself would write when it writes the sheet,
``CHUNK`` rows at a time, each row handed to the sheet as one run: no per-cell call into
xlsxwriter, and never a long table's XML held whole.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet

from xlpy.contract.statistics import Chart, Column
from xlpy.core import values
from xlpy.core.report import address
from xlpy.io import page


@dataclass(frozen=True)
class Kind:
    num_format: str | None  # None: General
    width: float  # the least column width
    numeric: bool = False
    dated: bool = False


KINDS = {
    "money": Kind("#,##0.00", 13, numeric=True), "count": Kind("0", 6, numeric=True),
    "rate": Kind("0.0%", 9, numeric=True), "score": Kind("0.000", 8, numeric=True),
    "number": Kind("General", 8, numeric=True), "date": Kind("yyyy-mm-dd", 11, dated=True),
    "datetime": Kind("yyyy-mm-dd hh:mm:ss", 19, dated=True), "text": Kind(None, 8),
}
NUMBER_FORMATS = {k: v.num_format for k, v in KINDS.items() if v.num_format}
CHUNK = 10_000  # rows converted at a time
SAMPLE = 200  # rows a column's width is judged from
MAX_WIDTH = 40
CHART_SIZE = {"x_scale": 1.3, "y_scale": 1.2}
CHART_ROWS = 20  # rows a chart takes, so the next one goes below it


def number_format(kind: str) -> str | None:
    return KINDS[kind].num_format


# ---------------------------------------------------------------- workbooks xlsxwriter writes


def new_workbook(path: Path, facts: page.Facts | None = None, in_memory: bool = False) -> xlsxwriter.Workbook:
    """A workbook that writes every string as text: a report's `=HYPERLINK(...)`
    stays inert text in the master, never a live formula. ``facts`` go into every page footer.
    ``in_memory``: each sheet's XML is assembled in memory rather than in scratch files (for a
    workbook of bounded size, such as a month's master: a fifth less CPU and no files to remove)."""
    # xlsxwriter's scratch files go beside the file (in a commit, the temporary folder that the
    # next run drops), never to the system's temp folder, where a killed run would leave them.
    book = _Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                 "strings_to_numbers": False, "nan_inf_to_errors": True,
                                 "tmpdir": str(Path(path).parent), "in_memory": in_memory})
    book.facts = facts or page.Facts()
    return book


class _PlainStrings(SharedStrings):
    """Every string written as text. xlsxwriter writes one shaped `<r>…</r>` as rich-text XML, as it
    stands: a customer or a comment typed so would corrupt the workbook (or lose its text)."""

    def _xml_rich_si_element(self, string) -> None:
        self._xml_si_element(string, [])  # such a string has no leading or trailing space to keep

    def _write_sst_strings(self) -> None:
        """xlsxwriter's, with a string that needs nothing done (no markup, control character or `_x`
        escape, no space at either end) written as it is: its escapes' regexes ran on every string."""
        write, special = self.fh.write, _SPECIAL.search
        for string in self.string_table.string_array:
            if special(string) or string[:1].isspace() or string[-1:].isspace():
                self._write_si(string)
            else:
                write(f"<si><t>{string}</t></si>")


_SPECIAL = re.compile(r'[\x00-\x1f_&<>"]')  # what any of xlsxwriter's escapes of a shared string could touch


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:  # xlsxwriter's own, with _PlainStrings
        if not self.workbook.str_table.count:
            return
        sst = _PlainStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class _Workbook(xlsxwriter.Workbook):
    facts = page.Facts()

    def _get_packager(self):  # xlsxwriter's hook for a packager of one's own
        return _Packager()

    def add_worksheet(self, name=None, worksheet_class=None):
        return super().add_worksheet(name, worksheet_class or _Worksheet)

    def format_of(self, kind: str | None):
        """The cell format of a kind (or "title"), made once per workbook."""
        if not hasattr(self, "_kind_formats"):
            self._kind_formats = {k: self.add_format({"num_format": v.num_format}) if v.num_format else None
                                  for k, v in KINDS.items()}
            self._kind_formats["title"] = self.add_format({"bold": True, "font_size": 12})
        return self._kind_formats.get(kind)


class _Worksheet(Worksheet):
    """xlsxwriter remembers every cell of every table, to refuse overlapping ones: 1.7 million
    entries, over 200 MB, for a receivables table of 130,000 rows. Our tables are placed apart
    and never overlap, so this worksheet remembers none of them."""

    def __init__(self):
        super().__init__()
        self.table_cells = _Unkept()
        self.blocks: list[_Block] = []  # the tables' rows (`XlsxTarget.rows`)

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int, options=None):
        """xlsxwriter's, after walking only the header and the first data row: it visits every cell of
        the range in Python to note it (0.1-0.2 s for the Superstore masters), and ours are noted
        nowhere (`_Unkept`). The range is then made whole as xlsxwriter would have made it."""
        options = options or {}
        whole = first_row + 1 < last_row and not options.get("total_row") and options.get("header_row", True)
        added = super().add_table(first_row, first_col, first_row + 1 if whole else last_row, last_col, options)
        if whole and added == 0:
            self._check_dimensions(last_row, last_col, True, True)
            table = self.tables[-1]
            table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
            if options.get("autofilter", True):
                table["autofilter"] = table["a_range"]
        return added

    def _row_cells(self):
        """Each row of the sheet's extent with its cells within it, in column order: (column, cell),
        a table's row as (its first column, its `_Block`) and (its last column, None) for the span.
        A table's rows are their block's (`XlsxTarget.rows`), never entries of ``self.table``: a dict
        and an object a row were ~300 bytes a row, ~70 MB for 总表's receivables and collection on
        three years, held from the moment the table was written until the workbook closed."""
        lo, hi, table = self.dim_colmin, self.dim_colmax, self.table
        waiting, active = sorted(self.blocks, key=lambda block: block.first), []
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            while waiting and waiting[0].first <= row:
                active.append(waiting.pop(0))
            cells = table.get(row)
            found = [(col, cells[col]) for col in sorted(cells) if lo <= col <= hi] if cells else []
            if active:
                active = [block for block in active if block.last >= row]
                ours = [cell for block in active if block.filled[row - block.first] for cell in block.cells]
                found = sorted(found + ours, key=lambda cell: cell[0]) if found and ours else found or ours
            yield row, found

    def _calculate_spans(self) -> None:
        """xlsxwriter's, from each row's cells rather than from every column of the sheet for every
        row: a table's rows hold two entries each (their block and its span mark)."""
        if self.comments and not self.blocks:
            return super()._calculate_spans()
        spans, lowest, highest = {}, None, None
        for row, cells in self._row_cells():
            if cells:
                lowest = cells[0][0] if lowest is None else min(lowest, cells[0][0])
                highest = cells[-1][0] if highest is None else max(highest, cells[-1][0])
            if ((row + 1) % 16 == 0 or row == self.dim_rowmax) and lowest is not None:
                spans[int(row / 16)] = f"{lowest + 1}:{highest + 1}"
                lowest = highest = None
        self.row_spans = spans

    def _write_rows(self) -> None:
        """xlsxwriter's (no comments here), each row's cells visited rather than every column of the
        sheet, and a plain row's tag (no height, format or outline of its own) written at once."""
        if self.comments and not self.blocks:
            return super()._write_rows()
        self._calculate_spans()
        write, infos = self.fh.write, self.row_info
        plain = self.default_row_height == self.original_row_height and self.excel_version != 2010
        for row, cells in self._row_cells():
            info = infos.get(row)
            span = self.row_spans.get(int(row / 16))
            if cells:
                if info is None and plain:
                    write(f'<row r="{row + 1}" spans="{span}">' if span else f'<row r="{row + 1}">')
                else:
                    self._write_row(row, span, info)
                for col, cell in cells:
                    if cell.__class__ is _Block:
                        write(cell.rows.xml(row))
                    elif cell is not None:  # None: a table row's span mark
                        self._write_cell(row, col, cell)
                write("</row>")
            elif info is not None:
                self._write_empty_row(row, span, info)


class _Block:
    """A table's rows on a sheet: from row ``first`` to ``last``, columns ``left`` to ``right``;
    ``filled``: whether each row has a cell that is not blank (a row all blank is left unwritten)."""

    __slots__ = ("first", "last", "filled", "cells", "rows")

    def __init__(self, rows: "_Rows", first: int, last: int, left: int, right: int):
        self.first, self.last, self.rows = first, last, rows
        self.filled = rows.filled().tolist()
        self.cells = [(left, self)] if left == right else [(left, self), (right, None)]


class _Rows:
    """A table's rows as its columns (`XlsxTarget._compact`), rendered ``CHUNK`` rows at a time as
    the sheet is written: the sheet asks for them in order, so each chunk is rendered once."""

    def __init__(self, top: int, columns: list[tuple]):
        self.top, self.columns, self.start, self.runs = top, columns, None, []

    def filled(self) -> np.ndarray:
        """Whether each row has a cell that is not blank."""
        return np.logical_or.reduce([~np.isnan(v) if numeric else v >= 0 for _, _, v, numeric in self.columns])

    def xml(self, row: int) -> str:
        i = row - self.top
        start = i - i % CHUNK
        if start != self.start:
            self.start, self.runs = start, self._rendered(start)
        return self.runs[i - start]

    def _rendered(self, start: int) -> list[str]:
        rows = range(self.top + start + 1, self.top + start + CHUNK + 1)
        cells = [_cells(at, then, values[start:start + CHUNK].tolist(), numeric, rows)
                 for at, then, values, numeric in self.columns]
        return ["".join(parts) for parts in zip(*cells)]


def _cells(at: str, then: str, values: list, numeric: bool, rows: range) -> list[str]:
    """A column's cells as sheet XML, "" for a blank: numbers and dates as xlsxwriter writes them
    (``.16G``), text as its shared string's index."""
    if numeric:
        isnan = math.isnan
        return ["" if isnan(v) else f"{at}{r}{then}{v:.16G}</v></c>" for r, v in zip(rows, values)]
    return ["" if k < 0 else f"{at}{r}{then}{k}</v></c>" for r, k in zip(rows, values)]


class _Unkept(dict):
    # add_table stores every cell of a table's range, one by one: dict.get takes (key, value) too,
    # so storing becomes a lookup that keeps nothing, at C speed (a Python method cost a call per cell)
    __setitem__ = dict.get


# ---------------------------------------------------------------- the table


@dataclass
class Placed:
    """Where a table landed: its header row and first column, last data row and last column (0-based)."""

    sheet: str
    key: str
    columns: list
    top: int
    left: int
    bottom: int
    right: int

    def column(self, name) -> int:
        return self.left + self.columns.index(name)

    def range(self, name, header: bool = True) -> str:
        """A column as an A1 range, from its header (or first value) down."""
        c = self.column(name)
        return f"{address(c, self.top + (1 if header else 2))}:{address(c, self.bottom + 1)}"


def write_table(target, sheet: str, frame: pd.DataFrame, columns: list[Column], top: int = 0, left: int = 0,
                title: str | None = None, name: str | None = None, style: str = "Table Style Medium 2",
                lang: str = "zh") -> Placed:
    """``frame``'s ``columns`` (a column the frame lacks is blank) as an Excel table whose header
    row is ``top``, a title above it when given; ``target`` is `XlsxTarget` or `BookTarget`."""
    kinds = [c.kind if c.kind in KINDS else "text" for c in columns]
    headers = [c.en if lang == "en" else c.zh for c in columns]
    bottom, right = top + max(len(frame), 1), left + len(columns) - 1  # an Excel table needs a data row
    data = [frame.get(c.key) for c in columns]  # None: a blank column
    if title is not None:
        target.title(sheet, top - 1, left, title)
    found = [_values(column, kind, len(frame)) for column, kind in zip(data, kinds)]  # each column converted once
    target.rows(sheet, top + 1, left, kinds, data, found)
    target.table(sheet, top, left, bottom, right, headers, name, style)
    for i, (header, column, kind) in enumerate(zip(headers, data, kinds)):
        target.column(sheet, left + i, top, bottom, _width(header, column, found[i][:SAMPLE], kind), kind)
    return Placed(sheet, name or sheet, [c.key for c in columns], top, left, bottom, right)


# ---------------------------------------------------------------- a column converted once, whole


def numbers(column: pd.Series) -> np.ndarray:
    """Floats, NaN for a blank, for text that is no number and for ±inf (a blank is left unwritten)."""
    found = column.to_numpy()
    if found.dtype.kind not in "fiub":  # not plain numbers already: parse them
        found = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    found = found.astype(float)  # a copy
    found[~np.isfinite(found)] = np.nan
    return found


_EPOCH = np.datetime64("1899-12-31", "ns")
_DAY_NS = 86_400 * 10**9


def datetimes(column: pd.Series) -> np.ndarray:
    """datetime64[ns] without a time zone, NaT for a blank or for what is no date."""
    found = column.to_numpy()
    if found.dtype.kind != "M":  # not naive datetimes already: parse them
        dates = pd.to_datetime(column, errors="coerce")
        found = (dates.dt.tz_localize(None) if getattr(dates.dt, "tz", None) is not None else dates).to_numpy()
    return found.astype("datetime64[ns]")


def serials(column: pd.Series) -> np.ndarray:
    """Excel serial days, NaN for a blank: xlsxwriter's own arithmetic (whole days, then seconds and
    microseconds over a day's seconds; Excel's phantom 1900-02-29 counted; a time on 1900-01-01 is
    a time of day), done on the whole column."""
    found = datetimes(column)
    days, rest = np.divmod((found - _EPOCH).astype("int64"), _DAY_NS)
    out = days + ((rest // 10**9) + (rest % 10**9 // 1000) / 1e6) / 86_400
    out = out + (out > 59) - (days == 1)
    out[np.isnat(found)] = np.nan
    return out


def texts(column: pd.Series) -> list:
    """Each value as its text, None for a blank; a name with bytes of another encoding made
    readable (`values.readable`): a workbook cannot hold a lone surrogate."""
    found = column.to_numpy(dtype=object)
    out = [None if blank else v if v.__class__ is str else str(v)
           for v, blank in zip(found.tolist(), pd.isna(found).tolist())]
    try:
        "".join(t for t in out if t is not None).encode("utf-8")  # one check for the whole column
    except UnicodeEncodeError:
        out = [t if t is None else values.readable(t) for t in out]
    return out


def _values(column: pd.Series | None, kind: str, length: int) -> np.ndarray | list:
    """The column as its kind's values: floats (an array, NaN for a blank; made Python floats a
    chunk at a time, when rendered) or texts (None for a blank)."""
    spec = KINDS[kind]
    if column is None:
        return np.full(length, np.nan) if spec.numeric or spec.dated else [None] * length
    if spec.numeric:
        return numbers(column)
    return serials(column) if spec.dated else texts(column)


def _width(header: str, column: pd.Series | None, found, kind: str) -> float:
    """Wide enough for the header and the first ``SAMPLE`` values (``found``: as converted; each
    distinct one measured once); CJK characters count double."""
    least = max(KINDS[kind].width, values.display_width(header) + 2)
    if column is None or kind == "date":
        return least
    if KINDS[kind].numeric:
        shown = [f"{v:,.2f}" if kind == "money" else str(v) for v in set(found.tolist()) if not math.isnan(v)]
    elif kind == "datetime":  # as the datetime shows, to the microsecond
        dates = np.unique(datetimes(column.iloc[:SAMPLE]))
        shown = [str(pd.Timestamp(d).to_pydatetime()) for d in dates[~np.isnat(dates)]]
    else:
        shown = {t for t in found if t is not None}
    return max([least, *(min((len(t) if t.isascii() else values.display_width(t)) + 2, MAX_WIDTH) for t in shown)])


def _python(column: pd.Series | None, found, kind: str) -> list:
    """Values as a `Book` takes them: floats, datetimes, texts; None for a blank."""
    if KINDS[kind].numeric or (KINDS[kind].dated and column is None):
        return [None if math.isnan(v) else v for v in found.tolist()]
    if KINDS[kind].dated:
        return [None if pd.isna(d) else pd.Timestamp(d).to_pydatetime() for d in datetimes(column)]
    return found


def _fitted(text: str) -> str:
    """Text cut to the 32,767 UTF-16 units a cell holds (as xlsxwriter's write_string cuts it)."""
    return text.encode("utf-16-le")[:2 * 32_767].decode("utf-16-le", errors="ignore")


# ---------------------------------------------------------------- the targets


class XlsxTarget:
    """`write_table`'s hands on a workbook xlsxwriter writes (see `new_workbook`)."""

    def __init__(self, workbook: _Workbook):
        self.workbook = workbook
        self.sheets: dict[str, Worksheet] = {}

    def sheet(self, name: str) -> Worksheet:
        if name not in self.sheets:
            self.sheets[name] = self.workbook.add_worksheet(name)
        return self.sheets[name]

    def title(self, sheet: str, row: int, col: int, text: str) -> None:
        self.sheet(sheet).write_string(row, col, text, self.workbook.format_of("title"))

    def rows(self, sheet: str, top: int, left: int, kinds: list[str], data: list, found: list) -> None:
        """The rows from ``top`` down (``found``: each column converted, see `_values`), each row's run of
        cells handed to the sheet as one, rendered as the worksheet XML xlsxwriter itself writes only
        when the sheet is written (`_Rows`): a long table is held as its columns' arrays until then,
        not as its rows' XML (130,000 rows of receivables: ~60 MB)."""
        ws = self.sheet(sheet)
        length = len(found[0]) if found else 0
        if not length:
            return
        block = _Rows(top, [self._compact(values, kind, left + i) for i, (values, kind) in enumerate(zip(found, kinds))])
        right = left + len(kinds) - 1  # the row's span reaches the table's last column
        ws.blocks.append(_Block(block, top, top + length - 1, left, right))
        ws._check_dimensions(top, left)
        ws._check_dimensions(top + length - 1, right)

    def _compact(self, column, kind: str, col: int) -> tuple:
        """A column as its cells' XML before and after the row number, and its values: floats (NaN
        for a blank), or for text its shared strings' indexes (−1 for a blank), taken now, in the order
        xlsxwriter would take them, so that the strings are numbered as if written cell by cell."""
        fmt = self.workbook.format_of(kind)
        at = f'<c r="{xl_col_to_name(col)}'  # the cell's column; its row follows
        style = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
        if KINDS[kind].numeric or KINDS[kind].dated:
            return at, f'"{style}><v>', column, True
        table = self.workbook.str_table
        # each text numbered once, in the order first seen, and every cell counted: xlsxwriter's method
        # once a cell cost ~7 % of writing 总表 with 7,300 receivables
        index = dict.fromkeys(column)  # the texts, in the order first seen (one dict: a rebuild's 131,000)
        index.pop(None, None)
        for t in index:
            index[t] = table._get_shared_string_index(t if len(t) < 16_384 else _fitted(t))
        table.count += sum(t is not None for t in column) - len(index)
        index[None] = -1
        return at, f'"{style} t="s"><v>', np.array([index[t] for t in column], dtype=np.int64), False

    def table(self, sheet: str, top: int, left: int, bottom: int, right: int, headers: list[str], name, style) -> None:
        options = {"columns": [{"header": h} for h in headers], "style": style}
        self.sheet(sheet).add_table(top, left, bottom, right, {**options, **({"name": name} if name else {})})

    def column(self, sheet: str, col: int, top: int, bottom: int, width: float, kind: str) -> None:
        self.sheet(sheet).set_column(col, col, width)

    def freeze(self, sheet: str, rows: int) -> None:
        self.sheet(sheet).freeze_panes(rows, 0)

    def chart(self, p: Placed, row: int, col: int, chart: Chart, title: str, axis: str | None) -> None:
        series = list(chart.series or p.columns[1:])
        labels = chart.labels or p.columns[0]
        one_point = chart.kind == "line" and p.bottom == p.top + 1  # a line through one point is a lone dot
        kind = {"stacked_bar": {"type": "bar", "subtype": "stacked"}}.get(chart.kind, {"type": chart.kind})
        kind = {"type": "column"} if one_point else kind
        drawn = self.workbook.add_chart(kind)
        for column in series:
            c, k = p.column(column), p.column(labels)
            drawn.add_series({
                "name": [p.sheet, p.top, c], "categories": [p.sheet, p.top + 1, k, p.bottom, k],
                "values": [p.sheet, p.top + 1, c, p.bottom, c],
                **({"marker": {"type": "circle"}} if chart.kind == "line" and not one_point else {}),
                **({"data_labels": {"value": True, "num_format": "0.00"}} if len(series) == 1 else {})})
        drawn.set_title({"name": title})
        drawn.set_legend({"none": True} if len(series) == 1 else {"position": "bottom"})
        value_axis = {"num_format": "#,##0", "min": 0, **({"name": axis} if axis else {})}  # from zero: never exaggerate
        if chart.kind in ("bar", "stacked_bar"):
            drawn.set_x_axis(value_axis)
            # the table's first row on top, its labels beside the bars, the values along the bottom
            drawn.set_y_axis({"reverse": True, "label_position": "low", "crossing": "max"})
        else:
            drawn.set_y_axis(value_axis)
        self.sheet(p.sheet).insert_chart(row, col, drawn, CHART_SIZE)


class BookTarget:
    """`write_table`'s hands on a `Book` (the control workbook, live or a file): the same table,
    formats and widths through the Book interface."""

    def __init__(self, book):
        self.book = book

    def sheet(self, name: str) -> None:
        self.book.clear(name)

    def title(self, sheet: str, row: int, col: int, text: str) -> None:
        self.book.write(sheet, [[text]], at=address(col, row + 1))

    def rows(self, sheet: str, top: int, left: int, kinds: list[str], data: list, found: list) -> None:
        """Python values (floats, datetimes, texts, None for a blank), ``CHUNK`` rows at a time."""
        columns = [_python(column, values, kind) for column, values, kind in zip(data, found, kinds)]
        for start in range(0, len(found[0]) if found else 0, CHUNK):
            self.book.write(sheet, [list(r) for r in zip(*(c[start:start + CHUNK] for c in columns))],
                            at=address(left, top + start + 1))

    def table(self, sheet: str, top: int, left: int, bottom: int, right: int, headers: list[str], name, style) -> None:
        self.book.write(sheet, [headers], at=address(left, top + 1))
        self.book.table(sheet, f"{address(left, top + 1)}:{address(right, bottom + 1)}", name)

    def column(self, sheet: str, col: int, top: int, bottom: int, width: float, kind: str) -> None:
        if KINDS[kind].num_format:
            self.book.number_format(sheet, f"{address(col, top + 2)}:{address(col, bottom + 1)}",
                                    KINDS[kind].num_format)
        self.book.width(sheet, col, width)

    def freeze(self, sheet: str, rows: int) -> None:
        """The Book interface has no frozen panes; the control workbook's sheets do without."""

    def chart(self, p: Placed, row: int, col: int, chart: Chart, title: str, axis: str | None) -> None:
        series = chart.series or p.columns[1:]
        self.book.chart(p.sheet, address(col, row + 1), chart.kind, title, p.range(chart.labels or p.columns[0]),
                        [p.range(c) for c in series])
