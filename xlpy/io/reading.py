"""A batch of report files read in several processes: both cores (or more) for a large batch.

Reading a report (the sniff, calamine's parse, every value parsed with its cell) is Python work
that one process does on one core; a report read costs ~0.8 ms of CPU and ~0.08 ms to send back
from another process. So a large batch is read by a pool of worker processes, a chunk of files a
task, and a small one (fewer than `MIN_FILES`: starting the processes would cost more than they
save) in this process, as is every batch when ``workers`` is 1 (Excel's buttons). The reports are
the reader's own, in the order of the files, whichever process read them: a file that cannot be
read (time-out included, each worker keeping its own time limit) is a report that says why. A
worker process that dies hands its files back to this process, which reads them as one process
would have.

The workers are spawned (as Windows always does), so the entry script must be guarded by
``if __name__ == "__main__"`` (xlpy/__main__.py is).
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Self

from xlpy.contract.config import Settings
from xlpy.core.report import Report
from xlpy.io import reader

MIN_FILES = 1_000  # a smaller batch is read here: where two workers would break even (docs/benchmarks.md)
CHUNK = 100  # files a task: few round trips, and still an even share for each worker


def processes(setting: int, files: int) -> int:
    """How many processes read a batch of ``files``: ``setting`` (0: one per core), one for a small batch."""
    if files < MIN_FILES:
        return 1
    return max(1, setting if setting > 0 else os.cpu_count() or 1)


class Reading:
    """Reads the reports of one batch; a pool of processes is started on the first large request
    and kept until the batch is done (use as a context manager)."""

    def __init__(self, settings: Settings, reps: dict, today: dt.date, files: int):
        self.args = (settings, reps, today)
        self.workers = processes(settings.workers, files)
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def reports(self, paths: list[Path]) -> list[Report]:
        """`reader.read_report` of each path, in order."""
        return self._read("report", paths)

    def titles(self, paths: list[Path]) -> list[Report]:
        """`reader.read_title` of each path, in order."""
        return self._read("title", paths)

    def _read(self, kind: str, paths: list[Path]) -> list[Report]:
        if self.workers == 1 or len(paths) < 2 * CHUNK:
            return _read(kind, paths, *self.args)
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                            initializer=_start, initargs=self.args)
        chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
        out = []
        for chunk, future in zip(chunks, [self._submit(kind, chunk) for chunk in chunks]):
            try:
                out += future.result()
            except BrokenProcessPool:  # a worker died (not a file's exception: those come back as reports)
                self.workers = 1  # the rest of the batch is read here
                out += _read(kind, chunk, *self.args)
        return out

    def _submit(self, kind: str, chunk: list[Path]) -> Future:
        """A chunk handed to the pool. A pool a worker left since the last request (between a
        rebuild's parts, say) refuses it: its future then fails as a chunk's whose worker died."""
        try:
            return self.pool.submit(_read_chunk, kind, chunk)
        except BrokenProcessPool as broken:
            refused = Future()
            refused.set_exception(broken)
            return refused


def _read(kind: str, paths: list[Path], settings: Settings, reps: dict, today: dt.date) -> list[Report]:
    if kind == "title":
        return reader.read_titles(paths, settings, today=today)
    return reader.read_reports(paths, settings, reps, today=today)


_given: tuple = ()  # in a worker: the batch's settings, reps and day, sent once


def _start(settings: Settings, reps: dict, today: dt.date) -> None:
    global _given
    _given = (settings, reps, today)


def _read_chunk(kind: str, paths: list[Path]) -> list[Report]:
    return _read(kind, paths, *_given)
