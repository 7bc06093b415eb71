"""One clock: "today" is decided once per command, at its entry, and passed down."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import demo_copy
from xlpy.app import consolidate
from xlpy.contract import config
from xlpy.io import clock

PACKAGE = Path(__file__).resolve().parents[1] / "xlpy"
ASKS_THE_SYSTEM = re.compile(r"\b(?:date|Timestamp)\.today\(|\b(?:datetime|Timestamp)\.now\(|\btime\.localtime\(")
ENTRIES = {"cli/main.py", "cli/options.py", "excel/buttons.py", "excel/udfs.py"}  # a command, a click, a recalculation


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")


def test_only_the_clock_module_asks_the_system_for_the_date():
    asking = [name for name, text in _sources() if name != "io/clock.py" and ASKS_THE_SYSTEM.search(text)]
    assert asking == []


def test_only_the_entries_decide_today():
    deciding = {name for name, text in _sources() if "clock.today()" in text}
    assert deciding <= ENTRIES and deciding


def test_a_consolidation_judges_by_the_day_it_is_given(demo_office, tmp_path, monkeypatch):
    day = dt.date(2026, 11, 27)
    office = demo_copy(demo_office(day).dir, tmp_path)  # the run's demo office of that day (conftest)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2030, 1, 1))  # the machine's clock, far ahead
    outcome = consolidate.run_consolidation(config.load(office), today=day)
    future = [f for f in outcome.files if any(i.rule == "future-date" for i in f.issues)]
    assert len(future) == 1  # the demo's planted date two days after its last day is still in the future
