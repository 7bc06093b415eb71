"""What every benchmark measures against besides the naive script: the floor, and best-of-N timing.

The floor of a job is the least any Python program doing it could spend: python-calamine reading
the same input files (every sheet's cells as Python values), plus xlsxwriter writing the same output
cells (read back from what xlpy wrote), unformatted, in constant_memory mode, one row at a time:
no validation, no statistics, no formats, tables or widths.

Timings are best of N, wall clock and CPU time of this process (the machine may be shared: CPU
time is what a busy neighbour disturbs least). Each ratio is between two figures of the same run.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook


@dataclass
class Timing:
    wall: float
    cpu: float

    def __truediv__(self, other: "Timing") -> "Timing":
        return Timing(self.wall / other.wall, self.cpu / other.cpu)

    def __add__(self, other: "Timing") -> "Timing":
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def seconds(self) -> str:
        return f"{self.wall:.2f} s (cpu {self.cpu:.2f} s)"

    def ratio(self) -> str:
        return f"{self.wall:.2f}x (cpu {self.cpu:.2f}x)"


def cpu_time() -> float:
    """CPU time of this process and of its finished children: a large batch is read by worker
    processes (io/reading.py), whose time is the job's as much as this process's."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def timed(fn) -> Timing:
    wall, cpu = time.perf_counter(), cpu_time()
    fn()
    return Timing(time.perf_counter() - wall, cpu_time() - cpu)


def best(timings: list[Timing]) -> Timing:
    """The best of N, wall and CPU each (a run disturbed by a neighbour is slower, never faster)."""
    return Timing(min(t.wall for t in timings), min(t.cpu for t in timings))


def read_cells(path: Path) -> list[tuple[str, list[list]]]:
    book = CalamineWorkbook.from_path(str(path))
    return [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]


def floor_read(files: list[Path]) -> None:
    for f in files:
        read_cells(f)


def output_cells(folder: Path) -> dict[str, list[tuple[str, list[list]]]]:
    """The cells of every workbook xlpy wrote in ``folder`` (not its backups), to write again."""
    return {f.name: read_cells(f) for f in sorted(Path(folder).glob("*.xlsx"))}


def floor_write(outputs: dict[str, list[tuple[str, list[list]]]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, sheets in outputs.items():
        book = xlsxwriter.Workbook(str(folder / name), {"constant_memory": True})
        for sheet, rows in sheets:
            ws = book.add_worksheet(sheet)
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)
        book.close()
