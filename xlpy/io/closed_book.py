"""The closed months' contract balances combined, on disk: an sqlite file in the user's cache folder
beside the read cache, so that a night looks up the few hundred contracts its reports name instead
of unpickling every month's balances (`core.balances.close`; the strings were the cost, and one
pickle of them all cost as much).

The closed months are every month but the two newest dated ones (last month's late reports still
arrive early in a month) and 'undated'. A file is named by the stamps of exactly those months'
masters (`store.file_stamp`: size, modification time, file id, xlpy's version and layout), so a
master changed, corrected, replaced by hand, removed or added among them names another file: it is
built again, from the months' balances in the read cache, the first night after, and the old one
deleted. Months whose balances do not combine are kept as such, so those nights go the months' way
at once. It is a cache: deleted, it is built again; one that cannot be written is used in memory.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import os
import pickle
import sqlite3
from collections.abc import KeysView, Mapping
from contextlib import ExitStack
from pathlib import Path

from xlpy.core import balances
from xlpy.io import store

OPEN = 2  # the newest dated months, changed by most nights: not closed
_FORMAT = "closed book 1"  # the file's layout
_MISSING = object()
_TABLES = ("contracts", "numbers", "ledger_days", "activity_days")  # keyed tables (the rest is one pickle)


def closed_months(parts: dict[str, store.Partition]) -> list[str]:
    """The months to look up on disk: the leading months, in order, before the ``OPEN`` newest."""
    dated = [name for name in parts if name != "undated"]
    shut = set(dated[:-OPEN])
    names = []
    for name in parts:
        if name not in shut or parts[name].changed:
            break
        names.append(name)
    return names


def read(master: Path, parts: dict[str, store.Partition], names: list[str], compute,
         open_files: ExitStack | None = None) -> balances.Month | None:
    """The months ``names`` (`closed_months`) as one closed Month (`balances.closed`), from their file,
    built first from ``compute(part)`` of each (kept per month in the read cache, `store.monthly`)
    when there is none for these masters; None when they do not combine. The file stays open until
    ``open_files`` closes."""
    stamps = store.stamps({name: parts[name] for name in names})
    if None in stamps.values():  # a month not read from its master: the months' way
        return None
    key = (_FORMAT, tuple(stamps.items()))  # the stamps the months were read under, never later ones
    path = store.cache_dir() / f"{store._cache_key(master)}.book.{hashlib.sha1(repr(key).encode()).hexdigest()}.sqlite"
    data = functools.cache(lambda: balances.close(store.monthly(master, {n: parts[n] for n in names}, "balances", compute)))
    opened = _open(path, key)
    if opened is None:
        if not _write(path, key, data()):
            return None if data() is None else balances.closed(**data())  # no cache folder: used in memory
        opened = _open(path, key)
        if opened is None:
            return None if data() is None else balances.closed(**data())
    connection, small = opened
    if open_files is not None:
        open_files.callback(connection.close)
    if small is None:
        connection.close()
        return None
    disk = _Disk(connection, path, data)
    return balances.closed(**{name: _Table(disk, name) for name in _TABLES}, **small)


def _open(path: Path, key: tuple) -> tuple[sqlite3.Connection, dict | None] | None:
    """(connection, the small part) of the file at ``path`` if it holds ``key``'s months; else None."""
    if not path.exists():
        return None
    connection = None
    try:
        # a path, not a URI: SQLite takes no URI of a network folder (file://server/share/...)
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA query_only = ON")
        meta = dict(connection.execute("SELECT k, v FROM meta").fetchall())
        if pickle.loads(meta["key"]) == key:
            return connection, pickle.loads(meta["small"])
    except Exception:  # noqa: BLE001 - broken, foreign or half-written: built again
        pass
    if connection is not None:
        connection.close()
    return None


def _write(path: Path, key: tuple, data: dict | None) -> bool:
    """Write the file of ``data`` whole (`write_whole`)."""
    def fill(connection: sqlite3.Connection) -> None:
        small = None if data is None else {k: v for k, v in data.items() if k not in _TABLES}
        connection.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB)")
        connection.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("key", pickle.dumps(key)), ("small", pickle.dumps(small))])
        for name in _TABLES:
            connection.execute(f"CREATE TABLE {name} (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID")
            rows = ((repr(k), pickle.dumps(v, pickle.HIGHEST_PROTOCOL)) for k, v in (data or {}).get(name, {}).items())
            connection.executemany(f"INSERT INTO {name} VALUES (?, ?)", rows)
    return write_whole(path, ".book.", fill)


def write_whole(path: Path, kind: str, fill) -> bool:
    """An sqlite file in the cache folder written whole, ``fill(connection)`` into a staged file then
    renamed; this master's older files of the ``kind`` ('.book.') deleted. False if it cannot be written."""
    prefix = path.name.split(kind)[0] + kind
    staged = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # staged files (and their journals) left by a run killed, or by a replace that failed
        for stale in path.parent.glob(f"{prefix}*.tmp*"):
            store.discard(stale)
        connection = sqlite3.connect(staged)
        try:
            fill(connection)
            connection.commit()
        finally:
            connection.close()
        os.replace(staged, path)
    except (OSError, sqlite3.Error):
        store.discard(staged)
        return False
    for old in path.parent.glob(f"{prefix}*.sqlite"):
        if old != path:
            store.discard(old)
    return True


class _Disk:
    """The open file, and what its tables are if a lookup finds it damaged (a disk error, a backup tool
    restoring part of it): the same data built from the months (`read`'s ``data``), the file closed
    and deleted so that the next night builds it again. A cache never fails a night."""

    def __init__(self, connection: sqlite3.Connection, path: Path, data):
        self.connection, self.path, self.data, self.tables = connection, path, data, None

    def ask(self, query: str, params=()) -> list | None:
        """The rows ``query`` gives, or None once the file is found damaged: look in ``tables``."""
        if self.tables is None:
            try:
                return self.connection.execute(query, params).fetchall()
            except sqlite3.Error:
                self.connection.close()
                store.discard(self.path)
                self.tables = self.data()
                if self.tables is None:  # the months no longer combine: cannot happen for a file they made
                    raise
        return None


class _Table(Mapping):
    """A table of the file as a read-only mapping, each key looked up once (keys as `repr` spells them:
    the keys are strings and tuples of strings)."""

    def __init__(self, disk: _Disk, name: str):
        self.disk, self.name, self.seen = disk, name, {}

    def _ask(self, query: str, params=()) -> list | None:
        """The rows of ``query`` on this table, or None: look in the data built again (`_Disk`)."""
        return self.disk.ask(query.format(table=self.name), params)

    def __getitem__(self, key):
        if key not in self.seen:
            rows = self._ask("SELECT v FROM {table} WHERE k = ?", (repr(key),))
            if rows is None:
                return self.disk.tables[self.name][key]
            self.seen[key] = pickle.loads(rows[0][0]) if rows else _MISSING
        if self.seen[key] is _MISSING:
            raise KeyError(key)
        return self.seen[key]

    def __contains__(self, key) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def __iter__(self):
        rows = self._ask("SELECT k FROM {table}")
        return iter(self.disk.tables[self.name]) if rows is None else (ast.literal_eval(k) for (k,) in rows)

    def __len__(self) -> int:
        rows = self._ask("SELECT count(*) FROM {table}")
        return len(self.disk.tables[self.name]) if rows is None else rows[0][0]

    def keys(self) -> KeysView:
        return _Keys(self)


class _Keys(KeysView):
    """A table's keys: whether none of many is among them, asked in a few queries, not one a key."""

    def isdisjoint(self, other) -> bool:
        table, wanted = self._mapping, [repr(k) for k in other]
        for start in range(0, len(wanted), 500):  # under the oldest SQLite's 999 parameters
            chunk = wanted[start:start + 500]
            rows = table._ask(f"SELECT 1 FROM {{table}} WHERE k IN ({', '.join('?' * len(chunk))}) LIMIT 1", chunk)
            if rows is None:
                return table.disk.tables[table.name].keys().isdisjoint(other)
            if rows:
                return False
        return True
