"""The months' import logs and problem lists as a night needs them (`Logbook`): the open months' whole,
the closed months' (`closed_book.closed_months`) looked up on disk, in an sqlite file beside the closed
book, for the reports a night asks about: its batch's names, fingerprints and contents, the reports
ever pending, those of the day. Stacking the 125,000 entries of three years twice a night took ~0.1 s,
and grew with the history.

Every question a night asks of the logs is about some reports (by name, fingerprint or content), and
every answer about a report needs all its entries: so a night's stacked log holds the open months'
entries and every entry of the closed months of the reports asked about, in the months' order, and
gives what every entry would for those reports.

The file is named, like the closed book, by the stamps of exactly the closed months' masters: one
corrected, replaced by hand, removed or added names another file, built again from the months' tables
the first night after (not in the middle of a night that changed a closed month: that night stacks
the months' logs, as before). A file that cannot be written or read: the months' logs, stacked.
"""
from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import MutableMapping
from pathlib import Path

import pandas as pd

from xlpy.core import ledger as L
from xlpy.io import closed_book, store

PENDING = ("rejected", "waiting", "unreadable")  # a report not in the record (`app.lifecycle.PENDING`)
TAKEN = ("accepted", "partial")
_FORMAT = "closed logs 2"  # the file's layout
_DATES = ("date", "datetime")
_DAY = "%Y-%m-%d %H:%M:%S"  # what `dated` gives, as text
_CHUNK = 500  # keys per IN (…): under the oldest SQLite's 999 parameters


def dated(imports: pd.DataFrame) -> pd.Series:
    """The day an entry is of: its report's date, else the day it was imported."""
    return imports["report_date"].fillna(imports["imported_at"].dt.normalize())


class Logbook:
    """The months' import logs and problem lists of ``parts`` (see the module docstring). Without a
    master, with fewer than two closed months, or without the file (and ``build`` false), every
    question is answered from the months' logs stacked."""

    def __init__(self, parts: dict[str, store.Partition], master: Path | None, build: bool = True):
        shut = closed_book.closed_months(parts) if master is not None else []
        self.parts, self.closed = parts, _read(master, parts, shut, build) if len(shut) >= 2 else None
        self.open = {n: p for n, p in parts.items() if self.closed is None or n not in self.closed.months}
        self.opened: dict[str, pd.DataFrame] = {}

    def imports(self, sources=()) -> pd.DataFrame:
        """The open months' entries, after the closed months' of ``sources`` (all, without the file)."""
        return self._stacked("imports", sources, ())

    def problems(self, sources=(), fingerprints=()) -> pd.DataFrame:
        """The open months' problems, after the closed months' of ``sources`` or ``fingerprints``."""
        return self._stacked("problems", sources, fingerprints)

    def _stacked(self, what: str, sources, fingerprints) -> pd.DataFrame:
        fields = L.SHEETS[L.SHEET_OF_FRAME[what]]
        closed = self._asked(lambda c: c.rows(what, sources, fingerprints), lambda: None)
        if what not in self.opened:  # the open months' tables as first asked (a night asks before it adds)
            self.opened[what] = L.append(*(getattr(p, what) for p in self.open.values()), fields=fields)
        return self.opened[what] if closed is None else L.append(closed, self.opened[what], fields=fields)

    def sources(self, fingerprints=(), day=None, pending: bool = False) -> set[str]:
        """The reports of the closed months with an entry of one of ``fingerprints``, of ``day``
        (`dated`) or, with ``pending``, not in the record."""
        return self._asked(lambda c: c.sources(fingerprints, day, pending), set)

    def contents(self, replaced: set[str]) -> MutableMapping:
        """Rows' fingerprint → the report last taken with them (taken, not replaced, not among
        ``replaced``), the open months' before the closed months'; the batch adds its own."""
        imports = self._stacked("imports", (), ())
        taken = imports[imports["replaced_by"].isna() & imports["status"].isin(TAKEN)
                        & imports["content"].notna() & ~imports["source"].isin(replaced)]
        latest = dict(zip(taken["content"], taken["source"]))
        return latest if self.closed is None else _Contents(latest, self, replaced)

    def months_holding(self, what: str, sources: set[str]) -> set[str]:
        """The months whose table ``what`` may name one of ``sources``: every open month, and the closed
        months that do."""
        closed = self._asked(lambda c: c.months_naming(what, sources), set)  # first: a failure opens every month
        return set(self.open) | closed

    def _asked(self, ask, otherwise):
        """``ask(closed)``, or ``otherwise()`` without the file. A damaged page met (a disk error, a
        backup tool restoring part of the file): the file is let go and deleted, built again the next
        night, and from then on every month's logs are stacked (what was answered holds: it is every
        entry of the reports asked)."""
        if self.closed is not None:
            try:
                return ask(self.closed)
            except sqlite3.Error:
                self.closed.connection.close()
                store.discard(self.closed.path)
                self.closed, self.open, self.opened = None, self.parts, {}
        return otherwise()


class _Contents(MutableMapping):
    """`Logbook.contents` over the file: each content asked once; what is set goes before the file."""

    def __init__(self, latest: dict, logs: Logbook, replaced: set[str]):
        self.latest, self.logs, self.replaced, self.seen, self.whole = latest, logs, replaced, {}, None

    def __getitem__(self, content):
        if content in self.latest:
            return self.latest[content]
        if content not in self.seen:
            self.seen[content] = self.logs._asked(lambda c: c.taken_with(content, self.replaced),
                                                  lambda: self._stacked().get(content))
        if self.seen[content] is None:
            raise KeyError(content)
        return self.seen[content]

    def _stacked(self) -> dict:
        """The contents of every month's log, the file let go (`Logbook._asked`)."""
        if self.whole is None:
            self.whole = self.logs.contents(self.replaced)
        return self.whole

    def __setitem__(self, content, source) -> None:
        self.latest[content] = source

    def __delitem__(self, content) -> None:
        raise TypeError("the closed months' contents are looked up, not changed")

    def __iter__(self):
        raise TypeError("the closed months' contents are looked up, not listed")

    def __len__(self) -> int:
        raise TypeError("the closed months' contents are looked up, not counted")


class _Closed:
    """The closed months' logs in their file (``path``), open until let go."""

    def __init__(self, connection: sqlite3.Connection, path: Path, months: list[str], dtypes: dict[str, dict]):
        self.connection, self.path, self.months, self.dtypes = connection, path, months, dtypes

    def _ask(self, query: str, keys) -> list:
        """``query``'s rows for the text ones of ``keys`` (its ``{keys}``), asked a chunk at a time."""
        out, keys = [], sorted(k for k in keys if isinstance(k, str))
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            out += self.connection.execute(query.format(keys=", ".join("?" * len(chunk))), chunk).fetchall()
        return out

    def rows(self, what: str, sources, fingerprints) -> pd.DataFrame | None:
        """The entries of ``sources`` or ``fingerprints``; None without one (most nights ask only about
        new reports: an empty frame made and conformed cost ~4 ms, six times a night)."""
        fields = L.SHEETS[L.SHEET_OF_FRAME[what]]
        columns = ", ".join(f'"{f.key}"' for f in fields)
        found = {row[0]: row[1:] for key, keys in (("source", sources), ("fingerprint", fingerprints))
                 for row in self._ask(f"SELECT seq, {columns} FROM {what} WHERE {key} IN ({{keys}})", keys)}
        if not found:
            return None
        frame = pd.DataFrame([found[seq] for seq in sorted(found)], columns=[f.key for f in fields], dtype=object)
        for f in fields:
            if f.type in _DATES:  # kept as nanoseconds
                frame[f.key] = pd.to_datetime(frame[f.key].astype(float), unit="ns")
        return L.conform(frame, fields).astype(self.dtypes[what])  # a date's resolution as the months had it

    def sources(self, fingerprints, day, pending: bool) -> set[str]:
        found = {s for (s,) in self._ask("SELECT DISTINCT source FROM imports WHERE fingerprint IN ({keys})",
                                          fingerprints)}
        if day is not None:
            found |= {s for (s,) in self.connection.execute("SELECT DISTINCT source FROM imports WHERE dated = ?",
                                                            (pd.Timestamp(day).strftime(_DAY),))}
        if pending:
            found |= {s for (s,) in self.connection.execute("SELECT DISTINCT source FROM imports WHERE pending = 1")}
        return found

    def taken_with(self, content: str, replaced: set[str]) -> str | None:
        rows = self.connection.execute("SELECT source FROM imports WHERE content = ? AND taken = 1 ORDER BY seq DESC",
                                       (content,))
        return next((s for (s,) in rows if s not in replaced), None)

    def months_naming(self, what: str, sources: set[str]) -> set[str]:
        return {m for (m,) in self._ask(f"SELECT DISTINCT month FROM {what} WHERE source IN ({{keys}})", sources)}


def _read(master: Path, parts: dict[str, store.Partition], names: list[str], build: bool) -> _Closed | None:
    """The file of the months ``names``, built first (with ``build``) from their tables."""
    stamps = store.stamps({name: parts[name] for name in names})
    if None in stamps.values():
        return None
    key = (_FORMAT, tuple(stamps.items()))
    path = store.cache_dir() / f"{store._cache_key(master)}.logs.{hashlib.sha1(repr(key).encode()).hexdigest()}.sqlite"
    opened = _open(path, key, names)
    if opened is None and build and _write(path, key, {name: parts[name] for name in names}):
        opened = _open(path, key, names)
    return opened


def _open(path: Path, key: tuple, names: list[str]) -> _Closed | None:
    if not path.exists():
        return None
    connection = None
    try:
        connection = sqlite3.connect(path, check_same_thread=False)  # a path: no URI of a network folder
        connection.execute("PRAGMA query_only = ON")
        meta = dict(connection.execute("SELECT k, v FROM meta").fetchall())
        if pickle.loads(meta["key"]) == key:
            return _Closed(connection, path, names, pickle.loads(meta["dtypes"]))
    except Exception:  # noqa: BLE001 - broken, foreign or half-written: built again, or the months' way
        pass
    if connection is not None:
        connection.close()
    return None


def _write(path: Path, key: tuple, parts: dict[str, store.Partition]) -> bool:
    """Write the file of the months ``parts`` whole (`closed_book.write_whole`)."""
    def fill(connection: sqlite3.Connection) -> None:
        imports, problems = (store.concat(parts, what) for what in ("imports", "problems"))
        connection.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v BLOB)")
        dtypes = {what: frame.dtypes.to_dict() for what, frame in (("imports", imports), ("problems", problems))}
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [("key", pickle.dumps(key)),
                                                                ("dtypes", pickle.dumps(dtypes))])
        taken = imports["replaced_by"].isna() & imports["status"].isin(TAKEN)
        day = dated(imports)
        _insert(connection, "imports", imports, _months(parts, "imports"), taken=taken.astype(int).tolist(),
                pending=imports["status"].isin(PENDING).astype(int).tolist(),
                dated=day.dt.strftime(_DAY).where(day.notna(), None).tolist())
        _insert(connection, "problems", problems, _months(parts, "problems"))
        for table, column in (("imports", "source"), ("imports", "fingerprint"), ("imports", "content"),
                              ("imports", "dated"), ("imports", "pending"), ("problems", "source"),
                              ("problems", "fingerprint")):
            connection.execute(f"CREATE INDEX {table}_{column} ON {table} ({column})")
    return closed_book.write_whole(path, ".logs.", fill)


def _months(parts: dict[str, store.Partition], what: str) -> list[str]:
    return [name for name, part in parts.items() for _ in range(len(getattr(part, what)))]


def _insert(connection: sqlite3.Connection, table: str, frame: pd.DataFrame, months: list[str], **more) -> None:
    """``frame``'s rows into a new ``table``: its fields as columns (dates as nanoseconds), after the
    row's place, its month and ``more`` (name → values)."""
    fields = L.SHEETS[L.SHEET_OF_FRAME[table]]
    connection.execute(f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, month TEXT, "
                       + ", ".join([*more, *(f'"{f.key}"' for f in fields)]) + ")")
    columns = [_plain(frame[f.key], f.type) for f in fields]
    connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * (2 + len(more) + len(fields)))})",
                           zip(range(len(frame)), months, *more.values(), *columns))


def _plain(column: pd.Series, kind: str) -> list:
    """A column's values as SQLite keeps them: a date as its nanoseconds, a blank as NULL."""
    if kind in _DATES:
        return column.astype("datetime64[ns]").astype("int64").where(column.notna(), None).tolist()
    return column.where(column.notna(), None).tolist()
