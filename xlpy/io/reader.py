"""Read daily-report workbooks into tables whose every value keeps its cell.

Files are sniffed before a parser sees them, so that a hostile or broken file
gets one clear reason (``Unreadable``) instead of a traceback; python-calamine
then reads the cells. Parsing is tolerant: a cell that does not parse keeps its
raw value in ``Table.bad`` and its typed value is None, for the rules to judge.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import queue
import re
import threading
import time
from functools import lru_cache, partial
from pathlib import Path

from python_calamine import CalamineWorkbook, PasswordError

from xlpy.contract import schema
from xlpy.contract.config import Settings
from xlpy.core import values
from xlpy.core.report import ROW_COLUMNS, Report, Table, TitleValue, Unreadable, address
from xlpy.io.sniff import MAX_CELLS, ZIP_MAGIC, inspect_zip

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Fields whose presence makes a row a deal (a row with only a note is a remark).
DEAL_FIELDS = ("customer", "product", "deal_type", "qty", "unit_price", "amount", "received", "contract_no")


def alias_map(columns) -> dict[str, str]:
    out = {}
    for c in columns:
        for name in (c.key, c.zh, c.en, *c.aliases):
            out.setdefault(values.norm_header(name), c.key)
    return out


HEADERS = alias_map(schema.COLUMNS)
TITLES = alias_map(schema.TITLE_FIELDS)
TOTALS = {values.norm(t) for t in schema.TOTAL_LABELS}
TITLE_KINDS = {c.key: c.type for c in schema.TITLE_FIELDS}
DEAL_NAMES = {values.norm(n): d.key for d in schema.DEAL_TYPES for n in (d.key, d.zh, d.en, *d.aliases)}


# ---------------------------------------------------------------- the file


def read_report(path: Path, settings: Settings = Settings(), reps: dict | None = None, *,
                today: dt.date) -> Report:
    """Read one daily-report file. ``reps`` maps a normalised rep name to its reference
    record (for the region default); ``today`` places dates typed without a year.
    Unreadable files are flagged, never raised."""
    return read_reports([path], settings, reps, today=today)[0]


def read_reports(paths: list[Path], settings: Settings = Settings(), reps: dict | None = None, *,
                 today: dt.date) -> list[Report]:
    """`read_report` of each path, the parses handed to the time-limit thread together."""
    paths = [_as_path(p) for p in paths]
    return [_report(path, read, reps, today) for path, read in zip(paths, _grids_each(paths, settings))]


def _report(path: Path, read: tuple[bool, object], reps: dict | None, today: dt.date) -> Report:
    read = _read_or_unreadable(path, read)
    return read if isinstance(read, Report) else report_from_grids(path, read[1], reps, read[0], today=today)


def _read_or_unreadable(path: Path, read: tuple[bool, object]) -> tuple | Report:
    """What `_grids_each` read of a file, or the report of a file that could not be read."""
    ok, value = read
    if ok:
        return value
    if isinstance(value, Unreadable):
        return Report(path, unreadable=value)
    raise value


def _as_path(path) -> Path:
    """A Path made once: making one (even of a Path) costs about a tenth of reading a small report."""
    return path if isinstance(path, Path) else Path(path)


def read_title(path: Path, settings: Settings = Settings(), *, today: dt.date) -> Report:
    """The report with the date `read_report` gives it (its title's, else its file name's) and no
    tables: only the title areas above the headers are parsed, not the rows. A batch too large to
    hold read at once is put in report order by it before it is read."""
    return read_titles([path], settings, today=today)[0]


def read_titles(paths: list[Path], settings: Settings = Settings(), *, today: dt.date) -> list[Report]:
    """`read_title` of each path, the parses handed to the time-limit thread together."""
    paths = [_as_path(p) for p in paths]
    return [_title_report(path, read, today) for path, read in zip(paths, _grids_each(paths, settings))]


def _title_report(path: Path, read: tuple[bool, object], today: dt.date) -> Report:
    read = _read_or_unreadable(path, read)
    if isinstance(read, Report):
        return read
    report = Report(path, report_date=_date_in_name(path.stem, today))
    try:
        for _, grid in read[1]:
            if (header := find_header(grid, labels=TITLES)) is not None:
                _parse_title(_title(grid, header[0]), report, report.report_date or today)
    except Exception as e:  # noqa: BLE001 - as report_from_grids: the full read will say what is wrong
        report.unreadable = Unreadable("unparsable", f"{type(e).__name__}: {e}"[:200])
    return report


def report_from_grids(path: Path, grids: list[tuple[str, list[list]]], reps: dict | None = None,
                      fingerprint: str = "", *, today: dt.date) -> Report:
    """A report from sheets already read (a file, or a live Excel sheet's values)."""
    path = _as_path(path)
    report = Report(path, fingerprint, report_date=_date_in_name(path.stem, today))
    try:
        for sheet, grid in grids:
            table = _table(sheet, grid, report, reps or {}, today)
            if table is not None:
                report.tables.append(table)
    except Exception as e:  # noqa: BLE001 - one odd file must not stop the batch; the detail names the fault
        report.tables, report.unreadable = [], Unreadable("unparsable", f"{type(e).__name__}: {e}"[:200])
    return report


def read_grids(path: Path, settings: Settings = Settings(),
               timeout: float | None = None) -> tuple[str, list[tuple[str, list[list]]]]:
    """(sha256 of the file, [(sheet name, rows of cells from A1)]) of the visible sheets."""
    data = _load_bytes(_as_path(path), settings)
    seconds = settings.read_timeout if timeout is None else timeout
    return hashlib.sha256(data).hexdigest(), _within(seconds, _grids, data, settings)


def _grids_each(paths: list[Path], settings: Settings) -> list[tuple[bool, object]]:
    """(True, (sha256, grids)) or (False, the exception) of each file, as `read_grids` reads it;
    the files are handed to the time-limit thread together, each parse with its own limit."""
    calls = [(partial(_load_bytes, path, settings), partial(_fingerprinted_grids, settings=settings))
             for path in paths]
    return _each_within(settings.read_timeout, calls)


def _fingerprinted_grids(data: bytes, settings: Settings) -> tuple[str, list[tuple[str, list[list]]]]:
    return hashlib.sha256(data).hexdigest(), _grids(data, settings)


LOADING = 10  # a file's loading may take this many time limits: a slow share, but not a dead one


class _Batch:
    """Calls handed to the time-limit thread at once: (prepare, call) pairs, ``call(prepare())``,
    the time limit counting from when ``call`` begins; loading the file (``prepare``) has
    `LOADING` limits of its own."""

    def __init__(self, calls: list):
        self.calls, self.results = calls, []  # results: (ok, value, seconds the call took)
        self.running = (0, None, time.perf_counter())  # the call under way, when it began, when its loading began
        self.cancelled, self.finished = False, threading.Event()


class _Worker:
    """One long-lived daemon thread that reads files, so that a parse can be given
    up on after a time limit. A thread per file would cost more than the read, and
    handing it the files one by one two thread switches a file: it is given a batch."""

    def __init__(self):
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="xlpy-read", daemon=True).start()

    def _run(self) -> None:
        while True:
            batch = self.jobs.get()
            for i, (prepare, call) in enumerate(batch.calls):
                if batch.cancelled:
                    break
                try:
                    batch.running = (i, None, time.perf_counter())
                    value = prepare()
                    batch.running = (i, started := time.perf_counter(), None)
                    batch.results.append((True, call(value), time.perf_counter() - started))
                except BaseException as e:  # noqa: BLE001 - handed to the caller
                    batch.results.append((False, e, 0.0))
            batch.finished.set()


_worker: _Worker | None = None


def _each_within(seconds: float, calls: list) -> list[tuple[bool, object]]:
    """(True, value) or (False, exception) of each (prepare, call), the exception
    ``Unreadable("timeout")`` for a call that overran ``seconds``. Works on every OS;
    calamine releases the GIL while it parses, so the wait ends on time. A parse that
    overruns is abandoned with its thread (a daemon), and a fresh worker takes the rest.
    The waiting thread wakes when a limit may have passed, not once a call."""
    global _worker
    out = []
    while len(out) < len(calls):
        if _worker is None:
            _worker = _Worker()
        batch = _Batch(calls[len(out):])
        _worker.jobs.put(batch)
        overran = None
        while overran is None and not batch.finished.wait(_left(batch, seconds)):
            i = batch.running[0]
            if len(batch.results) == i and _left(batch, seconds) <= 0.001:
                batch.cancelled, _worker, overran = True, None, i  # still on call i: abandoned with its thread
        done = batch.results[:overran]  # a result that comes after the verdict is not taken
        out += [(ok, value) if taken <= seconds else (False, _timeout(seconds)) for ok, value, taken in done]
        if overran is not None:
            out.append((False, _timeout(seconds if batch.running[1] is not None else LOADING * seconds)))
    return out


def _left(batch: _Batch, seconds: float) -> float:
    """How long to wait before the call under way, or its loading, may have overrun."""
    _, started, loading = batch.running
    end = started + seconds if started is not None else loading + LOADING * seconds
    return max(end - time.perf_counter(), 0.001)


def _timeout(seconds: float) -> Unreadable:
    return Unreadable("timeout", f"{seconds:g} s")


def _within(seconds: float, func, *args):
    """``func(*args)`` or ``Unreadable("timeout")`` after ``seconds`` (`_each_within` of one call)."""
    [(ok, value)] = _each_within(seconds, [(lambda: args, lambda given: func(*given))])
    if not ok:
        raise value
    return value


def _load_bytes(path: Path, settings: Settings) -> bytes:
    try:
        size = path.stat().st_size  # before opening: a pipe named as a report is "empty", not waited on
        if size == 0:
            raise Unreadable("empty")
        if size > settings.max_file_mb * 2**20:
            raise Unreadable("too-large", f"{size / 2**20:.0f} MB")
        with open(path, "rb", buffering=0) as f:  # unbuffered: the bytes are read once, whole
            return f.read()
    except PermissionError as e:
        raise Unreadable("no-access", str(e)) from None
    except OSError as e:
        raise Unreadable("io", str(e)) from None


def _grids(data: bytes, settings: Settings) -> list[tuple[str, list[list]]]:
    errors = {}
    if data.startswith(ZIP_MAGIC):
        errors = inspect_zip(data, settings)
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
        raise Unreadable("unparsable", f"{type(e).__name__}: {e}"[:200]) from None
    except BaseException as e:
        # A Rust panic in calamine (a date serial beyond chrono's range, say) arrives as pyo3's
        # PanicException, which is no Exception: the file's fault too.
        if type(e).__name__ != "PanicException":
            raise
        raise Unreadable("unparsable", f"{type(e).__name__}: {e}"[:200]) from None


def _grid(sheet, errors: dict[tuple[int, int], str]) -> list[list]:
    """The sheet as rows from A1, so that list indices are cell addresses."""
    if sheet.height * sheet.width > MAX_CELLS:
        raise Unreadable("too-many-cells", f"{sheet.name}: {sheet.height}×{sheet.width}")
    rows = sheet.to_python(skip_empty_area=True)
    if not rows:
        return []
    top, left = sheet.start
    grid = [[] for _ in range(top)] + [[None] * left + list(r) for r in rows]
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


_NAME_DATE = re.compile(r"(20\d\d)[-_.年]?(\d{1,2})[-_.月]?(\d{1,2})")
_NAME_MD = re.compile(r"(\d{1,2})月(\d{1,2})日?")


def _date_in_name(stem: str, today: dt.date):
    for pattern in (_NAME_DATE, _NAME_MD):
        if m := pattern.search(stem):
            try:
                return values.date("-".join(m.groups()) if len(m.groups()) == 3 else f"{m[1]}月{m[2]}日", today)
            except values.BadValue:
                continue
    return None


# ---------------------------------------------------------------- the table


def find_header(grid: list[list], aliases: dict[str, str] = HEADERS, minimum: int = schema.MIN_HEADERS,
                labels: dict[str, str] | None = None):
    """The first row with at least ``minimum`` known headers: (row index, key → column,
    key → header text, extra header → column), or None. A row that has them only by
    counting title labels followed by their values (`日期 | 2026-11-26 | 销售代表 | 张伟 |
    区域 | 华东`, with ``labels`` the title labels) is a title row, not the header."""
    for r, cells in enumerate(grid):
        known, texts, extras, paired = {}, {}, {}, 0
        for c, v in enumerate(cells):
            if not isinstance(v, str) or not v.strip():  # blank, or no text: no header
                continue
            key = aliases.get(values.norm_header(v))
            if key and key not in known:
                known[key], texts[key] = c, v.strip()
                paired += bool(labels) and _labels_value(cells, c, aliases, labels)
            else:
                extras[v.strip()] = c
        if len(known) - paired >= minimum:
            return r, known, texts, extras
    return None


def _labels_value(cells: list, c: int, aliases: dict[str, str], labels: dict[str, str]) -> bool:
    """Is cells[c] a title label with its value in the next cell? (A header's neighbour is a header.)"""
    if values.norm_header(cells[c]) not in labels or c + 1 >= len(cells) or values.is_blank(cells[c + 1]):
        return False
    nxt = cells[c + 1]
    return not isinstance(nxt, str) or values.norm_header(nxt) not in aliases and values.norm_header(nxt) not in labels


_LABEL_SEP = re.compile(r"([:：])")


def _title(grid: list[list], above: int) -> dict[str, TitleValue]:
    """Labelled fields above the header: `label | value` or `label：value`. A label
    with no value is kept, blank, at the cell to its right: where the value belongs."""
    found: dict[str, TitleValue] = {}
    for r in range(above):
        cells = grid[r]
        for c, v in enumerate(cells):
            if not isinstance(v, str) or not v.strip():
                continue
            label, sep, rest = _LABEL_SEP.split(v, maxsplit=1) if ":" in v or "：" in v else (v, "", "")
            key = TITLES.get(values.norm_header(label))
            if not key or key in found:
                continue
            if sep and not values.is_blank(rest):
                found[key] = TitleValue(None, rest.strip(), address(c, r + 1))
            else:
                nxt = next((j for j in range(c + 1, len(cells)) if not values.is_blank(cells[j])), None)
                if nxt is not None and TITLES.get(values.norm_header(cells[nxt])) is None:
                    found[key] = TitleValue(None, cells[nxt], address(nxt, r + 1))
                else:
                    found[key] = TitleValue(None, None, address(c + 1, r + 1))
    return found


def _table(sheet: str, grid: list[list], report: Report, reps: dict, today: dt.date) -> Table | None:
    header = find_header(grid, labels=TITLES)
    if header is None:
        return None
    h, columns, headers, extras = header
    title = _title(grid, h)
    _parse_title(title, report, report.report_date or today)
    near = report.report_date or today
    defaults = {"date": report.report_date, "rep": _title_value(title, "rep"), "region": _title_value(title, "region")}
    plan = [(key, c, schema.BY_KEY[key].type) for key, c in columns.items()]
    width = max(columns.values()) + 1
    deal_cells = [c for key, c, _ in plan if key in DEAL_FIELDS]  # a row with none of them is no deal
    parsed, raw, bad, totals = [], {}, {}, []
    for r in range(h + 1, len(grid)):
        cells = grid[r]
        if _all_blank(cells):
            continue
        if _is_total(cells):
            totals.append((r + 1, _total_values(cells, columns)))
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if _all_blank([cells[c] for c in deal_cells]):
            continue  # a remark or signature line, not a deal
        rec_raw = {key: cells[c] for key, c, _ in plan}
        rec = dict.fromkeys(ROW_COLUMNS)
        rec["sheet"], rec["row"] = sheet, r + 1
        for key, _, kind in plan:
            rec[key] = _typed(kind, key, rec_raw[key], near, bad, r + 1)
        if extras:
            rec["extra"] = {name: cells[c] for name, c in extras.items()
                            if c < len(cells) and not values.is_blank(cells[c])} or None
        _fill_defaults(rec, defaults, reps, bad)
        rec["deal"] = DEAL_NAMES.get(values.norm(rec["deal_type"])) if rec["deal_type"] else None
        parsed.append(rec)
        raw[r + 1] = rec_raw
    return Table(sheet, h + 1, columns, headers, extras, title, parsed, raw, bad, totals)


def _all_blank(cells: list) -> bool:
    for v in cells:
        if v is not None and (not isinstance(v, str) or v.strip()):
            return False
    return True


_ERRORS = frozenset(values.EXCEL_ERRORS)


def _typed(kind: str, key: str, value, near: dt.date, bad: dict, row: int):
    """`_parse`, with the values calamine already typed taken at once: a number in a number column, a
    date in a date column, text in a text column (only its blank and error checks). Anything
    else (text in a number column, a date typed as text, NaN, a number out of bounds) is parsed."""
    if value is None:
        return None
    cls = type(value)
    if cls is str:
        stripped = value.strip()
        if not stripped:
            return None
        if kind == "text" and stripped not in _ERRORS:
            return stripped
    elif cls is float:
        if kind in ("number", "money") and -values.LIMIT < value < values.LIMIT:  # NaN and ±inf fail it
            return value
    elif cls is dt.datetime or cls is dt.date:
        day = value.date() if cls is dt.datetime else value
        if kind == "date" and day >= values.EARLIEST:
            return day
    return _parse(key, value, near, bad, row)


def _parse(key: str, value, near: dt.date, bad: dict, row: int):
    if (err := values.excel_error(value)) is not None:
        bad[(row, key)] = (err, "excel-error")
        return None
    column = schema.BY_KEY[key]
    try:
        return values.date(value, near) if column.type == "date" else values.PARSERS[column.type](value)
    except values.BadValue as e:
        kind = "bad-date" if column.type == "date" else "too-large" if isinstance(e, values.TooLarge) else "bad-number"
        bad[(row, key)] = (value, kind)
        return None


def _parse_title(title: dict[str, TitleValue], report: Report, near: dt.date) -> None:
    for key, tv in title.items():
        kind = TITLE_KINDS[key]
        try:
            tv.value = values.date(tv.raw, near) if kind == "date" else values.PARSERS[kind](tv.raw)
        except values.BadValue:
            tv.value = None
    if "report_date" in title and title["report_date"].value:
        report.report_date = title["report_date"].value


def _fill_defaults(rec: dict, defaults: dict, reps: dict, bad: dict) -> None:
    """Blank date = the report date; blank rep = the title rep; blank region = the
    title region (``defaults``), else the rep's region in the reference workbook. A
    default stands in for a blank, never for a value that did not parse."""
    for key, value in defaults.items():
        if rec[key] is None and (rec["row"], key) not in bad:
            rec[key] = value
    if rec["region"] is None and rec["rep"] and (rec["row"], "region") not in bad:
        rec["region"] = (reps.get(values.norm(rec["rep"])) or {}).get("region")


def _title_value(title: dict[str, TitleValue], key: str):
    return title[key].value if key in title else None


def _is_total(cells: list) -> bool:
    for v in cells[:6]:
        if isinstance(v, str) and v and _total_label(v):  # "" folds to no label
            return True
    return False


@lru_cache(maxsize=8192)  # the same labels and names recur in every report
def _total_label(text: str) -> bool:
    return values.norm(text).rstrip(":：") in TOTALS


def _total_values(cells: list, columns: dict[str, int]) -> dict[str, float | None]:
    out = {}
    for key in ("qty", "amount", "received"):
        c = columns.get(key)
        try:
            out[key] = values.number(cells[c]) if c is not None and c < len(cells) else None
        except values.BadValue:
            out[key] = None
    return out
