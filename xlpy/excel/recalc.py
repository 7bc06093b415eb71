"""The office's record as the worksheet functions see it: found, read, and looked at once per
recalculation.

Each function reads the office's consolidated record, loaded once and kept until a master
workbook, the reference workbook or xlpy.toml changes on disk (modification time and size).
Excel calls a sheet's formulas back to back when it recalculates: calls with no pause of
`PAUSE_SECONDS` between them are one recalculation, which looks at the files (lists and stats
the masters on the share) once, with its first call, and again every `RECHECK_SECONDS` if it
goes on that long. Whatever changed before a recalculation began — a consolidation by button,
by the nightly batch or by a colleague — is what that recalculation sees.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from xlpy.contract import config
from xlpy.contract.messages import Coded
from xlpy.excel.book import Book
from xlpy.excel.buttons import Plain, office_folder
from xlpy.io import store
from xlpy.io.reference import Reference, read_reference

ENV = "XLPY_OFFICE"
PAUSE_SECONDS = 0.2  # a pause between two calls this long ends a recalculation
RECHECK_SECONDS = 1.0  # a recalculation going on longer looks at the files again after this long
monotonic = time.monotonic  # the clock of both (a test sets its own)


class Bad(Coded):
    """An argument the function cannot use; ``code`` names a text `udf.<code>` of the catalogue."""


@dataclass
class Recalculation:
    """Which recalculation a call belongs to: `number` changes when a new one begins."""

    number: int = 0
    began: float = float("-inf")
    returned: float = float("-inf")  # when the last call returned

    def call(self) -> int:
        """A function is called: the number of its recalculation."""
        now = monotonic()
        if now - self.returned >= PAUSE_SECONDS or now - self.began >= RECHECK_SECONDS:
            self.number, self.began = self.number + 1, now
        return self.number

    def done(self) -> None:
        """The function returned: a pause, if one comes, is counted from here."""
        self.returned = monotonic()


recalculation = Recalculation()
_offices: dict[Path | str, tuple[Path, int]] = {}  # the folder as named → (resolved, the recalculation that found it)


def office_for(book: Book | None, looked: int | None = None) -> Path:
    """The office folder: the one ``book`` names on its 设置 sheet, else $XLPY_OFFICE, else here;
    looked for on disk unless recalculation ``looked`` found it already."""
    folder = None
    if book is not None:
        try:
            folder = office_folder(book)
        except Plain:  # the cell is blank: the fallbacks below decide
            folder = None
    named = folder or os.environ.get(ENV) or "."  # a call of the same recalculation needs no Path made
    found = _offices.get(named)
    if found is not None and looked is not None and found[1] == looked:
        return found[0]
    folder = Path(named).expanduser()
    if not folder.is_dir():
        raise Bad("office-missing", path=folder)
    _offices[named] = (folder.resolve(), looked)
    return _offices[named][0]


@dataclass
class Record:
    """An office's settings, reference and consolidated record, with the figures computed from them."""

    settings: config.Settings
    files: tuple[Path, Path, Path]  # xlpy.toml, the reference workbook, the master folder
    stamp: tuple
    reference: Reference
    ledger: pd.DataFrame
    activity: pd.DataFrame
    memo: dict = field(default_factory=dict)
    day: dt.date | None = None  # figures are as of this day: the recalculation's, set by `as_of`
    looked: int | None = None  # the recalculation that last compared the files with `stamp`

    @property
    def lang(self) -> str:
        return self.settings.language

    def as_of(self, day: dt.date) -> Record:
        """The record with figures as of ``day``: what was remembered for another day is dropped."""
        if self.day != day:
            self.memo, self.day = {}, day
        return self

    def remember(self, key, compute):
        """``compute()``, once per key and day."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


_records: dict[Path, Record] = {}


def _stamp(*paths: Path) -> tuple:
    return tuple((str(path), _file_stamp(path)) for path in paths)


def _file_stamp(path: Path) -> tuple | None:
    try:
        return store.file_stamp(path)
    except OSError:  # not there (yet): a file that appears is a change
        return None


def stamp(toml: Path, reference: Path, master: Path) -> tuple:
    """What a record is read from, as it is on disk now."""
    return _stamp(toml, reference, *store.partition_files(master).values())


def record(office: Path, looked: int | None = None) -> Record:
    """The office's record, read again only when one of its files changed; the files are looked
    at unless recalculation ``looked`` did already."""
    cached = _records.get(office)
    if cached is not None and looked is not None and cached.looked == looked:
        return cached
    if cached is not None and stamp(*cached.files) == cached.stamp:
        cached.looked = looked
        return cached
    settings = config.load(office)
    files = (office / config.CONFIG_NAME, settings.path("reference"), settings.path("master"))
    on_disk = stamp(*files)  # before reading: a change made meanwhile is read at the next look
    reference = read_reference(files[1], settings) if files[1].is_file() else Reference.empty()
    ledger, activity = store.read_record(files[2])
    cached = _records[office] = Record(settings, files, on_disk, reference, ledger, activity, looked=looked)
    return cached
