"""The master folder on disk: monthly master workbooks read with python-calamine and
written with xlsxwriter, all-or-nothing.

A change is written as complete temporary files beside the masters, then a commit
manifest names them, then each replaces its master (`os.replace`, atomic on one
file system). A crash before the manifest leaves the old masters; a crash after it
is finished by the next run (`recover`). So the masters are always one consistent
version, never a mix and never half a file.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import gc
import hashlib
import json
import os
import pickle
import re
import shutil
import sys
import traceback
from pathlib import Path

import pandas as pd
from filelock import FileLock, Timeout
from python_calamine import CalamineWorkbook
from xlsxwriter.exceptions import XlsxFileError

from xlpy import __version__
from xlpy.contract.messages import Coded
from xlpy.contract.statistics import KIND_OF_TYPE, Column
from xlpy.core import ledger as L
from xlpy.io import clock, folders, page, xlsx
from xlpy.io.xlsx import new_workbook

SUMMARY = "总表.xlsx"
PARTITION = re.compile(r"^(\d{4}-\d{2}|undated)\.xlsx$")
TMP, BACKUP, LOCK, MANIFEST = ".xlpy-tmp", "backup", ".xlpy.lock", "commit.json"


class MasterError(Coded):
    """The masters cannot be changed now; ``code`` names a message, nothing was changed."""


TABLES = tuple(L.FRAMES)  # a master's tables, as a Partition names them: ledger, activity, imports, problems


def _table(what: str) -> property:
    """A Partition's table: loaded when first used (from the read cache), else empty."""
    def get(self) -> pd.DataFrame:
        if what not in self._tables:
            if self.staged:  # read back from the read cache each time: the rows were let go to be held once
                return self._load(what)
            self._tables[what] = self._load(what) if self._load else L.empty(L.FRAMES[what])
        return self._tables[what]

    def put(self, frame: pd.DataFrame) -> None:
        self._tables[what] = frame
        self.staged = False  # what `stage` wrote is not this month any more
    return property(get, put, doc=f"the month's {what} table")


class Partition:
    """One monthly master: its four tables. Read through the read cache, each table is unpickled when
    first used: a night needs every month's import log, not every month's rows."""

    ledger, activity, imports, problems = _table("ledger"), _table("activity"), _table("imports"), _table("problems")
    staged = False  # written to the staging folder already (`stage`): `commit` takes the file as it is

    def __init__(self, name: str, ledger: pd.DataFrame | None = None, activity: pd.DataFrame | None = None,
                 imports: pd.DataFrame | None = None, problems: pd.DataFrame | None = None,
                 changed: bool = False, load=None, stamp: tuple | None = None):
        self.name, self.changed = name, changed  # changed: to be written again
        # The master's stamp taken before its tables were read (None: not read from a master): what is
        # derived from them is kept under it, so a master saved meanwhile is a miss, never a stale hit.
        self.stamp = stamp
        self._load = load  # load(table) → the table, for one not given
        given = {"ledger": ledger, "activity": activity, "imports": imports, "problems": problems}
        self._tables = {what: frame for what, frame in given.items() if frame is not None}

    def loaded(self, what: str) -> bool:
        """Whether the table ``what`` is in memory (given, or used since the month was read)."""
        return what in self._tables

    def __repr__(self) -> str:
        return f"Partition({self.name!r}, loaded={sorted(self._tables)}, changed={self.changed})"


# ---------------------------------------------------------------- reading


def partition_files(master: Path) -> dict[str, Path]:
    return {m[1]: p for p in sorted(Path(master).glob("*.xlsx")) if (m := PARTITION.match(p.name))}


def read_partitions(master: Path) -> dict[str, Partition]:
    return {name: _read_cached(path, name) for name, path in partition_files(master).items()}


# ---------------------------------------------------------------- the read cache
# History does not change, but reading three years of masters takes seconds each night.
# Each master's tables are kept, pickled, in this user's own cache folder (never in the
# shared master folder, where another user could plant a pickle), keyed by the master's
# path and valid only while its size, modification time and file id are those seen: a master
# is only ever replaced whole, by a new file, so the id changes even where timestamps are coarse.
# The key also holds what shapes a pickle: xlpy's version, the tables' columns and pandas' version,
# so an upgrade never gets an old pickle; and an entry that fails to load in any way is a miss.

_FORMAT = (__version__, pd.__version__, tuple((s, tuple((f.key, f.type) for f in fs)) for s, fs in L.SHEETS.items()),
           "a file per table")  # the layout: a master's four tables in four files, since the lazy night


def cache_dir() -> Path:
    return folders.user_dir("cache")


def _cache_key(path: Path) -> str:
    return _key_of(os.path.abspath(path))


@functools.lru_cache(maxsize=4096)
def _key_of(absolute: str) -> str:
    """A path's key, resolved once a process: a resolve() and a hash per month and table cost ~0.03 s a
    night on three years. A link pointed elsewhere meanwhile keeps its old key: every entry is checked
    against the stamps of the files it was read from, so the other folder's masters are misses."""
    return hashlib.sha1(str(Path(absolute).resolve()).encode()).hexdigest()


def _cache_file(path: Path, kind: str) -> Path:
    """The read cache's file of ``kind`` (a table of `TABLES`, or what `monthly` keeps) for a master."""
    return cache_dir() / f"{_cache_key(path)}.{kind}.pkl"


def file_stamp(path: Path) -> tuple:
    """What tells one version of a file from another: its size, modification time and file id (a
    master is only ever replaced by a new file, so the id tells them apart where times are coarse)."""
    st = Path(path).stat()
    return _FORMAT, st.st_size, st.st_mtime_ns, st.st_ino


# A table's file holds two pickles: the stamp of the master it was read from, then the table, so
# that reading the masters checks each month's stamps without unpickling its rows.


def _read_cached(path: Path, name: str) -> Partition:
    stamp = _stamp_or_none(path)  # before reading: a master replaced meanwhile is a miss next time, never a mix
    # One table's stamp says whether the month is cached: each table checks its own when first used
    # (`_Cached`), and one gone or stale since reads the master then (a night reads few months' tables).
    if stamp is not None and _cached_stamp(path, "imports") == stamp:
        return Partition(name, load=_Cached(path, name, stamp), stamp=stamp)
    part = read_partition(path, name)
    part.stamp = stamp
    if stamp is not None:
        _remember(path, part, stamp)
    return part


def _stamp_or_none(path: Path) -> tuple | None:
    """The master's stamp, or None for one gone since it was listed (reading it then says so)."""
    try:
        return file_stamp(path)
    except OSError:
        return None


def _cached_stamp(path: Path, what: str):
    try:
        with open(_cache_file(path, what), "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - no cache yet, or a broken one: a miss
        return None


class _Cached:
    """Loads a month's tables from the read cache when first used, all of the version whose stamp
    was checked. A table whose file has gone, broken or been replaced since (another process cached
    a newer master) comes from the master itself, read whole once; if the master is then another
    version than the tables already served, the month cannot be given whole: `MasterError`
    ("master-changed"), never a month mixed from two versions. Consolidation holds the lock, so
    only a reader without it (a formula, a button's check) can meet it, and reading again cures it."""

    def __init__(self, path: Path, name: str, stamp: tuple, source: Path | None = None):
        self.path, self.name, self.stamp, self.master, self.served = path, name, stamp, None, False
        self.source = source or path  # the file read on a miss: a staged month's, until committed

    def __call__(self, what: str) -> pd.DataFrame:
        if self.master is None:
            frame = self._pickled(what)
            if frame is not None:
                self.served = True
                return frame
            stamp = _stamp_or_none(self.source)  # before reading, as in `_read_cached`
            if self.served and stamp != self.stamp:
                raise MasterError("master-changed", path=str(self.path))
            self.master = read_partition(self.source, self.name)
            if stamp is not None:
                _remember(self.path, self.master, stamp)
        return getattr(self.master, what)

    def _pickled(self, what: str) -> pd.DataFrame | None:
        try:
            with open(_cache_file(self.path, what), "rb") as f:
                if pickle.load(f) == self.stamp:
                    frame = pickle.load(f)
                    if isinstance(frame, pd.DataFrame):
                        return frame
        except Exception:  # noqa: BLE001 - gone, broken or replaced meanwhile: the master itself
            pass
        return None


def _remember(path: Path, part: Partition, stamp: tuple) -> None:
    """Cache what was read from a master; a cache that cannot be written is only slower."""
    for what in TABLES:
        _keep(_cache_file(path, what), stamp, getattr(part, what))
    discard(cache_dir() / f"{_cache_key(path)}.pkl")  # the one pickle of a month versions before the lazy night kept


def _forget(path: Path) -> None:
    """Drop a master's tables from the read cache."""
    for what in TABLES:
        discard(_cache_file(path, what))


def discard(path: Path) -> None:
    """Delete a cache file if it can be: one open in another process (Windows) goes the next time."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _keep(cache: Path, *entry) -> None:
    """Pickle each of ``entry`` in turn into ``cache``, whole or not at all."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        _sweep(cache.parent)
        staged = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(staged, "wb") as f:
            for value in entry:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staged, cache)
    except OSError:
        pass


@functools.cache
def _sweep(folder: Path) -> None:
    """Delete the staged pickles that runs killed while writing them left in ``folder``: once a
    process (a listing of the folder for every file kept cost 1.8 s a night in a cache of 6,000 files)."""
    for stale in folder.glob("*.pkl.*.tmp"):
        discard(stale)


def stamps(parts: dict[str, Partition]) -> dict:
    """Each month's stamp of its master file as its tables were read; None for a month changed in
    this run (or without a file yet)."""
    return {name: None if part.changed else part.stamp for name, part in parts.items()}


def monthly(master: Path, parts: dict[str, Partition], kind: str, compute, fresh=frozenset(), valid=None) -> list:
    """``compute(part)`` of each month in order: what a night needs of each month (its contract
    balances, `balances.month`), kept in the read cache beside the month's tables and valid exactly
    as long as they are (the same stamp of the master file), and, with ``valid(name, value)``, as
    long as that says. A month changed in this run, or named in ``fresh`` (computed by the caller
    from other rows), is computed and not kept."""
    files, out = partition_files(master), []
    for name, part in parts.items():
        path, stamp = files.get(name), part.stamp
        if part.changed or name in fresh or path is None or stamp is None:
            out.append(compute(part))
            continue
        holds = None if valid is None else lambda value, name=name: valid(name, value)
        out.append(_kept(_cache_file(path, kind), stamp, lambda part=part: compute(part), holds))
    return out


def kept(master: Path, kind: str, key, compute, valid=None):
    """``compute()``, kept in the read cache as what ``kind`` is for ``key`` (one entry per master and
    kind, replaced when the key changes): for what derives from several months and is valid exactly
    while ``key`` (the caller's digest of its inputs) is the same and, with ``valid(value)``, as long
    as that says (else computed again and kept under the same key)."""
    return _kept(cache_dir() / f"{_cache_key(Path(master))}.{kind}.pkl", key, compute, valid)


def _kept(cache: Path, key, compute, valid=None):
    """What ``cache`` holds under ``key`` while ``valid(value)`` says it holds; else ``compute()``,
    kept there under ``key``."""
    try:
        with open(cache, "rb") as f:
            if pickle.load(f) == key:
                value = pickle.load(f)
                if valid is None or valid(value):
                    return value
    except Exception:  # noqa: BLE001 - none yet, another key or broken: computed again
        pass
    value = compute()
    _keep(cache, key, value)
    return value


def read_partition(path: Path, name: str) -> Partition:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - whatever calamine says, the master is damaged
        raise MasterError("master-unreadable", path=str(path), detail=f"{type(e).__name__}: {e}"[:200]) from None
    part = Partition(name)
    for sheet, fields in L.SHEETS.items():
        if sheet in book.sheet_names:
            setattr(part, L.FRAME_OF_SHEET[sheet], _frame(book.get_sheet_by_name(sheet).to_python(), fields))
    return part


def _frame(grid: list[list], fields: tuple[L.Field, ...]) -> pd.DataFrame:
    if not grid:
        return L.empty(fields)
    names = {n: f.key for f in fields for n in (f.zh, f.en, f.key)}
    header = [names.get(str(h).strip()) for h in grid[0]]
    frame = pd.DataFrame([r for r in grid[1:] if any(v != "" for v in r)], columns=range(len(header)))
    frame = frame.rename(columns={i: k for i, k in enumerate(header) if k}).replace("", None)
    return L.conform(frame[[k for k in header if k]] if len(frame) else frame, fields)


def check_master(master: Path, must_hold: bool = True) -> Path:
    """Refuse a master folder before anything is read or written: one that is a file, one that
    does not exist or holds no masters (``must_hold``; else it is to be created), one holding
    a damaged master. Reading each master here fills the read cache for what follows."""
    master = Path(master)
    if master.exists() and not master.is_dir():
        raise MasterError("master-not-folder", path=str(master))
    if must_hold and not master.is_dir():
        raise MasterError("master-missing", path=str(master))
    if must_hold and not partition_files(master):
        raise MasterError("master-empty", path=str(master))
    if master.is_dir():
        read_partitions(master)
    return master


def read_record(master: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger and the activity table across every month, read again if a consolidation replaced
    a master meanwhile (this reader holds no lock: the formulas read while the night writes)."""
    for attempt in range(3):
        try:
            parts = read_partitions(master)
            return concat(parts, "ledger"), concat(parts, "activity")
        except MasterError as e:
            if e.code != "master-changed" or attempt == 2:
                raise


def concat(parts: dict[str, Partition], what: str) -> pd.DataFrame:
    """One table across all months."""
    fields = L.SHEETS[L.SHEET_OF_FRAME[what]]
    return L.append(*(getattr(p, what) for p in parts.values()), fields=fields)


# ---------------------------------------------------------------- writing


def write_table(book, sheet: str, frame: pd.DataFrame, fields, lang: str = "zh"):
    """A sheet holding the frame as an Excel table: filters, frozen header, formats, widths."""
    target = xlsx.XlsxTarget(book)
    columns = [Column(f.key, f.zh, f.en, KIND_OF_TYPE[f.type]) for f in fields]
    xlsx.write_table(target, sheet, frame, columns, style="Table Style Light 9", lang=lang)
    target.freeze(sheet, 1)
    ws = target.sheet(sheet)
    page.setup(ws, book.facts, header_rows=1, lang=lang)
    return ws


def write_partition(path: Path, part: Partition, lang: str = "zh", facts: page.Facts | None = None) -> None:
    book = new_workbook(path, facts, in_memory=True)  # one month: its XML is small
    for sheet, fields in L.SHEETS.items():
        write_table(book, sheet, getattr(part, L.FRAME_OF_SHEET[sheet]), fields, lang)
    book.close()


# ---------------------------------------------------------------- the transaction


def lock(master: Path, timeout: float) -> FileLock:
    """Held for a whole consolidation: a second one waits up to ``timeout`` seconds."""
    Path(master).mkdir(parents=True, exist_ok=True)
    if not os.access(master, os.W_OK):  # else the lock file fails first, with a bare OSError
        raise MasterError("master-readonly", path=str(master))
    return FileLock(str(Path(master) / LOCK), timeout=timeout)


LockTimeout = Timeout


def check_writable(master: Path, names: list[str]) -> None:
    """Refuse before writing anything when a master is open in Excel or read-only."""
    if not os.access(master, os.W_OK):
        raise MasterError("master-readonly", path=str(master))
    for name in names:
        target = master / name
        if (master / f"~${name}").exists():
            raise MasterError("master-open", path=str(target))
        if target.exists():
            try:
                with open(target, "r+b"):
                    pass
            except PermissionError:
                raise MasterError("master-open" if os.name == "nt" else "master-readonly", path=str(target)) from None


def stage(master: Path, part: Partition, write) -> Partition:
    """Write a month ahead of the commit that replaces the masters (a rebuild writes each month
    once no later report can change it, and lets its rows go): ``write(path)`` into the staging
    folder `commit` takes it from (a writer None there), its tables kept in the read cache as the
    master it becomes (moved into place, the file keeps its stamp). Returns the month, read back
    from there when used. Not committed, it goes with the staging folder (`recover`)."""
    tmp = Path(master) / TMP
    tmp.mkdir(exist_ok=True)
    path = tmp / f"{part.name}.xlsx"
    with _space(master):
        write(path)
        _fsync(path)
    stamp, final = file_stamp(path), Path(master) / path.name
    _remember(final, part, stamp)
    staged = Partition(part.name, changed=True, load=_Cached(final, part.name, stamp, source=path))
    staged.staged = True
    return staged


def commit(master: Path, writers: dict[str, callable], backups: int) -> None:
    """Write each named file with its writer(path), then replace the masters all or nothing.
    A writer None names a file `stage` wrote already."""
    master = Path(master)
    check_writable(master, list(writers))
    tmp = master / TMP
    tmp.mkdir(exist_ok=True)
    plan = []
    staged = tmp / (MANIFEST + ".new")
    with _space(master):  # everything that can fail for want of space, before the commit point
        for name, write in writers.items():
            path = tmp / name
            if write is not None:
                if path.exists():  # written ahead, then again: its tables cached then are not this file's
                    path.unlink()
                    _forget(master / name)
                write(path)
                _fsync(path)
            elif not path.is_file():  # staged, then lost: never a commit without it
                raise FileNotFoundError(errno.ENOENT, "staged file missing", str(path))
            plan.append((str(path.relative_to(master)), name))
        _backup(master, [name for _, name in plan], backups)
        staged.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        _fsync(staged)
    os.replace(staged, tmp / MANIFEST)  # the commit point
    recover(master)


@contextlib.contextmanager
def _space(master: Path):
    """Writing before the commit point: a failure leaves the masters as they were and is reported
    as such (xlsxwriter wraps the OSError of a full disk in its own FileCreateError), the staging
    folder and the failed writer's open files gone."""
    try:
        yield
    except (OSError, XlsxFileError) as e:
        _release(e)
        shutil.rmtree(Path(master) / TMP, ignore_errors=True)
        raise MasterError("master-write-failed", path=str(master), detail=str(e)) from e


def _release(error: BaseException) -> None:
    """Close the files a failed writer left open (xlsxwriter keeps the part it was writing open
    when the disk is full), so that they can be removed — Windows refuses to delete an open file —
    and a small disk unmounted: they live on in the failure's frames and in cycles among
    xlsxwriter's objects until the garbage collector runs."""
    told = sys.unraisablehook  # a file closed on a full disk fails to flush: the failure already reported
    sys.unraisablehook = lambda u: None if isinstance(u.exc_value, OSError) else told(u)
    try:
        while error is not None:
            traceback.clear_frames(error.__traceback__)
            error = error.__cause__ or error.__context__
        gc.collect()
    finally:
        sys.unraisablehook = told


def recover(master: Path) -> bool:
    """Finish a committed change that a crash interrupted; drop uncommitted temporaries.
    True when something was finished."""
    master = Path(master)
    tmp = master / TMP
    manifest = tmp / MANIFEST
    finished = False
    if manifest.exists():
        for staged, name in json.loads(manifest.read_text(encoding="utf-8")):
            if (master / staged).exists():
                os.replace(master / staged, master / name)
                finished = True
        manifest.unlink()
    shutil.rmtree(tmp, ignore_errors=True)
    return finished


def _backup(master: Path, names: list[str], keep: int) -> None:
    folder = master / BACKUP
    folder.mkdir(exist_ok=True)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S-%f")
    for name in names:
        if (master / name).exists() and keep > 0:  # copied whole, then named: never half a backup
            shutil.copy2(master / name, master / TMP / BACKUP)
            os.replace(master / TMP / BACKUP, folder / f"{Path(name).stem}.{stamp}.xlsx")
        old = sorted(folder.glob(f"{Path(name).stem}.*.xlsx"))
        for extra in old[:max(len(old) - keep, 0)]:
            extra.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
