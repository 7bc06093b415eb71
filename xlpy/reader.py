"""Read daily-report workbooks into tables whose every value keeps its cell.

Files are sniffed before a parser sees them, so that a hostile or broken file
gets one clear reason (``Unreadable``) instead of a traceback; python-calamine
then reads the cells. Parsing is tolerant: a cell that does not parse keeps its
raw value in ``Table.bad`` and its typed value is None, for the rules to judge.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook, PasswordError

from . import schema, values
from .config import Settings

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ZIP_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_CELLS = 2_000_000  # a daily report is a few hundred cells; refuse giants politely
# Fields whose presence makes a row a deal (a row with only a note is a remark).
DEAL_FIELDS = ("customer", "product", "deal_type", "qty", "unit_price", "amount", "received", "contract_no")


class Unreadable(Exception):
    """A file that cannot be read; ``code`` names a message in ``messages``."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code, self.detail = code, detail


@dataclass
class TitleValue:
    value: object  # parsed, None when blank or bad
    raw: object
    cell: str


@dataclass
class Table:
    """One sheet's daily-report table."""

    sheet: str
    header_row: int  # 1-based, as Excel shows it
    columns: dict[str, int]  # schema key → 0-based column
    headers: dict[str, str]  # schema key → the header as written
    extras: dict[str, int]  # unknown header → 0-based column
    title: dict[str, TitleValue]
    rows: pd.DataFrame  # parsed values with defaults filled, plus `row` and `deal`
    raw: pd.DataFrame  # the cells as found, same index
    bad: dict[tuple[int, str], tuple[object, str]] = field(default_factory=dict)  # (row, key) → (raw, kind)
    totals: list[tuple[int, dict[str, float | None]]] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str | None:
        """Where a row's value stands: its own cell, or the title cell it defaulted from."""
        own = self.columns.get(key)
        if own is not None and not values.is_blank(self.raw.at[row, key]):
            return address(own, row)
        if key in self.title:
            return self.title[key].cell
        return address(own, row) if own is not None else None


@dataclass
class Report:
    path: Path
    fingerprint: str = ""
    tables: list[Table] = field(default_factory=list)
    unreadable: Unreadable | None = None
    report_date: object = None  # from the title area or the file name

    @property
    def rows(self) -> int:
        return sum(len(t.rows) for t in self.tables)


def address(col: int, row: int) -> str:
    """0-based column and 1-based row → `A1`."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def alias_map(columns) -> dict[str, str]:
    out = {}
    for c in columns:
        for name in (c.key, c.zh, c.en, *c.aliases):
            out.setdefault(values.norm_header(name), c.key)
    return out


HEADERS = alias_map(schema.COLUMNS)
TITLES = alias_map(schema.TITLE_FIELDS)
TOTALS = {values.norm(t) for t in schema.TOTAL_LABELS}
DEAL_NAMES = {values.norm(n): d.key for d in schema.DEAL_TYPES for n in (d.key, d.zh, d.en, *d.aliases)}


# ---------------------------------------------------------------- the file


def read_report(path: Path, settings: Settings = Settings(), reps: dict | None = None) -> Report:
    """Read one daily-report file. ``reps`` maps a normalised rep name to its
    reference record (for the region default); unreadable files are flagged, never raised."""
    report = Report(Path(path))
    try:
        report.fingerprint, grids = read_grids(report.path, settings)
    except Unreadable as e:
        report.unreadable = e
        return report
    report.report_date = _date_in_name(report.path.stem)
    for sheet, grid in grids:
        table = _table(sheet, grid, report, reps or {})
        if table is not None:
            report.tables.append(table)
    return report


def read_grids(path: Path, settings: Settings = Settings()) -> tuple[str, list[tuple[str, list[list]]]]:
    """(sha256 of the file, [(sheet name, rows of cells from A1)]) of the visible sheets."""
    data = _load_bytes(Path(path), settings)
    return hashlib.sha256(data).hexdigest(), _grids(data, settings)


def _load_bytes(path: Path, settings: Settings) -> bytes:
    try:
        size = path.stat().st_size
        if size == 0:
            raise Unreadable("empty")
        if size > settings.max_file_mb * 2**20:
            raise Unreadable("too-large", f"{size / 2**20:.0f} MB")
        return path.read_bytes()
    except PermissionError as e:
        raise Unreadable("no-access", str(e)) from None
    except OSError as e:
        raise Unreadable("io", str(e)) from None


def _grids(data: bytes, settings: Settings) -> list[tuple[str, list[list]]]:
    errors = {}
    if data.startswith(ZIP_MAGIC):
        errors = _inspect_zip(data, settings)
    elif data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Unreadable("encrypted")
    elif _looks_like_text(data):
        raise Unreadable("text-file")
    else:
        raise Unreadable("not-spreadsheet")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        out = []
        for meta in book.sheets_metadata:
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet"):
                out.append((meta.name, _grid(book.get_sheet_by_name(meta.name), errors.get(meta.name, {}))))
        return out
    except PasswordError:
        raise Unreadable("encrypted") from None
    except Unreadable:
        raise
    except Exception as e:  # noqa: BLE001 - a parser's every failure is a file's fault here
        raise Unreadable("corrupt", f"{type(e).__name__}: {e}"[:200]) from None


def _grid(sheet, errors: dict[tuple[int, int], str]) -> list[list]:
    """The sheet as rows from A1, so that list indices are cell addresses."""
    if sheet.height * sheet.width > MAX_CELLS:
        raise Unreadable("too-many-cells", f"{sheet.name}: {sheet.height}×{sheet.width}")
    rows = sheet.to_python(skip_empty_area=True)
    if not rows:
        return []
    top, left = sheet.start
    grid = [[None] * (left + len(r)) for r in range(top)] + [[None] * left + list(r) for r in rows]
    for (r, c), err in errors.items():  # calamine reads error cells as "", see issue #105
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = err
    return grid


def _looks_like_text(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("gb18030")
        except UnicodeDecodeError:
            return False
    return True


_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(?:<f[^>]*/>|<f\b[^>]*>.*?</f>)?<v>([^<]*)</v>', re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')


def _inspect_zip(data: bytes, settings: Settings) -> dict[str, dict[tuple[int, int], str]]:
    """Refuse zip bombs and XML with a DOCTYPE (entities are never expanded), and
    find error cells (#DIV/0!, #REF!) by sheet name, which calamine reads as blanks."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as e:
        raise Unreadable("corrupt", str(e)[:200]) from None
    unzipped = sum(i.file_size for i in infos)
    if unzipped > settings.max_unzipped_mb * 2**20:
        raise Unreadable("zip-bomb", f"{unzipped / 2**20:.0f} MB")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names and "mimetype" not in names:
        raise Unreadable("corrupt", "[Content_Types].xml missing")
    if "EncryptedPackage" in names:
        raise Unreadable("encrypted")
    found = {}
    try:
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            with zf.open(info) as member:
                head = member.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise Unreadable("xml-entities", info.filename)
                if info.filename.startswith("xl/worksheets/"):
                    body = head + member.read()
                    if b't="e"' in body:
                        found[info.filename] = body
        return _error_cells_by_sheet(zf, found) if found else {}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as e:
        raise Unreadable("corrupt", str(e)[:200]) from None


def _error_cells_by_sheet(zf: zipfile.ZipFile, parts: dict[str, bytes]) -> dict:
    rels = dict(_REL.findall(zf.read("xl/_rels/workbook.xml.rels")))
    out = {}
    for name, rid in _SHEET.findall(zf.read("xl/workbook.xml")):
        target = rels.get(rid, b"").decode().lstrip("/")
        part = target if target.startswith("xl/") else "xl/" + target
        if part in parts:
            cells = {}
            for attrs, value in _ERROR_CELL.findall(parts[part]):
                if ref := _REF.search(attrs):
                    cells[(int(ref[2]) - 1, _col_index(ref[1].decode()))] = value.decode()
            out[_xml_unescape(name.decode())] = cells
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _xml_unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")


_NAME_DATE = re.compile(r"(20\d\d)[-_.年]?(\d{1,2})[-_.月]?(\d{1,2})")
_NAME_MD = re.compile(r"(\d{1,2})月(\d{1,2})日?")


def _date_in_name(stem: str):
    for pattern in (_NAME_DATE, _NAME_MD):
        if m := pattern.search(stem):
            try:
                return values.date("-".join(m.groups()) if len(m.groups()) == 3 else f"{m[1]}月{m[2]}日",
                                   pd.Timestamp.today().year)
            except values.BadValue:
                continue
    return None


# ---------------------------------------------------------------- the table


def find_header(grid: list[list], aliases: dict[str, str] = HEADERS, minimum: int = schema.MIN_HEADERS):
    """The first row with at least ``minimum`` known headers: (row index, key → column,
    key → header text, extra header → column), or None."""
    for r, cells in enumerate(grid):
        known, texts, extras = {}, {}, {}
        for c, v in enumerate(cells):
            if values.is_blank(v) or not isinstance(v, str):
                continue
            key = aliases.get(values.norm_header(v))
            if key and key not in known:
                known[key], texts[key] = c, v.strip()
            else:
                extras[v.strip()] = c
        if len(known) >= minimum:
            return r, known, texts, extras
    return None


def _title(grid: list[list], above: int) -> dict[str, TitleValue]:
    """Labelled fields above the header: `label | value` or `label：value`."""
    found: dict[str, TitleValue] = {}
    for r in range(above):
        cells = grid[r]
        for c, v in enumerate(cells):
            if not isinstance(v, str) or values.is_blank(v):
                continue
            label, sep, rest = re.split(r"([:：])", v, maxsplit=1) if re.search(r"[:：]", v) else (v, "", "")
            key = TITLES.get(values.norm_header(label))
            if not key or key in found:
                continue
            if sep and not values.is_blank(rest):
                found[key] = TitleValue(None, rest.strip(), address(c, r + 1))
            else:
                nxt = next((j for j in range(c + 1, len(cells)) if not values.is_blank(cells[j])), None)
                if nxt is not None and TITLES.get(values.norm_header(cells[nxt])) is None:
                    found[key] = TitleValue(None, cells[nxt], address(nxt, r + 1))
    return found


def _table(sheet: str, grid: list[list], report: Report, reps: dict) -> Table | None:
    header = find_header(grid)
    if header is None:
        return None
    h, columns, headers, extras = header
    title = _title(grid, h)
    _parse_title(title, report)
    year = (report.report_date or pd.Timestamp.today()).year
    parsed, raw, bad, totals = [], [], {}, []
    for r in range(h + 1, len(grid)):
        cells = grid[r]
        get = lambda c: cells[c] if c < len(cells) else None  # noqa: E731
        if all(values.is_blank(v) for v in cells):
            continue
        if _is_total(cells):
            totals.append((r + 1, _total_values(cells, columns)))
            continue
        rec_raw = {k: get(c) for k, c in columns.items()}
        if all(values.is_blank(rec_raw.get(k)) for k in DEAL_FIELDS):
            continue  # a remark or signature line, not a deal
        rec = {"row": r + 1}
        for key, value in rec_raw.items():
            rec[key] = _parse(key, value, year, bad, r + 1)
        rec["extra"] = {name: get(c) for name, c in extras.items() if not values.is_blank(get(c))} or None
        parsed.append(rec)
        raw.append({"row": r + 1, **rec_raw})
    keys = [c.key for c in schema.COLUMNS]
    rows = pd.DataFrame(parsed, columns=["row", *keys, "extra"]).set_index("row", drop=False)
    raw_df = pd.DataFrame(raw, columns=["row", *keys]).set_index("row", drop=False)
    _fill_defaults(rows, title, report, reps)
    rows["deal"] = rows["deal_type"].map(lambda t: DEAL_NAMES.get(values.norm(t)) if t else None)
    rows.insert(0, "sheet", sheet)
    return Table(sheet, h + 1, columns, headers, extras, title, rows, raw_df, bad, totals)


def _parse(key: str, value, year: int, bad: dict, row: int):
    if (err := values.excel_error(value)) is not None:
        bad[(row, key)] = (err, "excel-error")
        return None
    column = schema.BY_KEY[key]
    try:
        return values.PARSERS[column.type](value, year) if column.type == "date" else values.PARSERS[column.type](value)
    except values.BadValue:
        bad[(row, key)] = (value, f"bad-{column.type}")
        return None


def _parse_title(title: dict[str, TitleValue], report: Report) -> None:
    for key, tv in title.items():
        kind = next(c.type for c in schema.TITLE_FIELDS if c.key == key)
        try:
            tv.value = values.date(tv.raw, pd.Timestamp.today().year) if kind == "date" else values.PARSERS[kind](tv.raw)
        except values.BadValue:
            tv.value = None
    if "report_date" in title and title["report_date"].value:
        report.report_date = title["report_date"].value


def _fill_defaults(rows: pd.DataFrame, title: dict[str, TitleValue], report: Report, reps: dict) -> None:
    """Blank date = the report date; blank rep = the title rep; blank region = the
    title region, else the rep's region in the reference workbook."""
    def fill(key, value):
        if value is not None:
            rows[key] = rows[key].where(rows[key].notna(), value).astype(object)

    fill("date", report.report_date)
    fill("rep", title["rep"].value if "rep" in title else None)
    fill("region", title["region"].value if "region" in title else None)
    if reps and rows["region"].isna().any():
        from_rep = rows["rep"].map(lambda n: (reps.get(values.norm(n)) or {}).get("region") if n else None)
        rows["region"] = rows["region"].where(rows["region"].notna(), from_rep)


def _is_total(cells: list) -> bool:
    return any(isinstance(v, str) and values.norm(v).rstrip(":：") in TOTALS for v in cells[:6])


def _total_values(cells: list, columns: dict[str, int]) -> dict[str, float | None]:
    out = {}
    for key in ("qty", "amount", "received"):
        c = columns.get(key)
        try:
            out[key] = values.number(cells[c]) if c is not None and c < len(cells) else None
        except values.BadValue:
            out[key] = None
    return out
