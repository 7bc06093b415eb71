"""Two consolidations at once, as real processes (`python -m xlpy consolidate`, and the
button's headless twin `xlpy button consolidate`): one waits for the other or refuses
with a clear message, and no row is doubled or lost."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "soak"))
import harness as H  # noqa: E402

from xlpy.io import store  # noqa: E402

WORKBOOK = Path(__file__).resolve().parents[1] / "workbook" / "SalesDesk.xlsm"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_office):
    """A demo office nothing has been consolidated into (the run's, conftest), and the record of
    one run over it."""
    office = demo_office(H.TODAY).dir
    once = H.copy_office(office, tmp_path_factory.mktemp("once") / "office")
    done = H.run_here("consolidate", "--office", once)  # the record to expect: one run, no race
    assert done.returncode in (0, 1), done.stderr
    return office, H.record(once / "master"), done.returncode


@pytest.fixture
def office(demo, tmp_path):
    return H.copy_office(demo[0], tmp_path / "office")


def start(*args) -> subprocess.Popen:
    """`xlpy ARGS` as a process of its own: two processes racing for the masters is the point."""
    return subprocess.Popen(H.xlpy(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=H.environ())


def finish(*procs: subprocess.Popen) -> list[tuple[int, str, str]]:
    outputs = [p.communicate(timeout=300) for p in procs]
    return [(p.returncode, *out) for p, out in zip(procs, outputs)]


def assert_recorded_once(office: Path, expected: dict) -> None:
    master = office / "master"
    assert H.same(H.record(master), expected)
    assert H.rows_lost_or_doubled(master, expected) == 0
    assert H.reconcile(master) == []


def test_two_consolidations_at_once_one_waits_for_the_other(demo, office):
    _, expected, code = demo
    results = finish(*(start("consolidate", "--office", office, "--format", "json") for _ in range(2)))
    assert [r[0] for r in results] == [code, code], [r[2] for r in results]
    written = sorted(len(json.loads(out)["written"]) for _, out, _ in results)
    assert written == [0, 3]  # the second found the first's work done: the masters and the summary
    assert_recorded_once(office, expected)


def test_a_consolidation_that_cannot_wait_refuses_with_a_clear_message(demo, office):
    _, expected, code = demo
    H.set_option(office, "lock_timeout", 0.5)
    with store.lock(office / "master", 1):  # a long consolidation holds the masters
        results = finish(*(start("consolidate", "--office", office) for _ in range(2)))
    for returncode, out, err in results:
        assert returncode == 2 and out == ""
        assert err.strip() == f"另一个合并正在进行（{office.resolve() / 'master'}），等待 0.5 秒后放弃；请稍后重试"
    assert not list((office / "master").glob("*.xlsx"))
    assert H.run_here("consolidate", "--office", office).returncode == code  # alone, after the race
    assert_recorded_once(office, expected)


@pytest.fixture
def workbook(tmp_path):
    if not WORKBOOK.is_file():
        pytest.skip(f"{WORKBOOK} is absent")
    return Path(shutil.copy(WORKBOOK, tmp_path / WORKBOOK.name))


def test_the_nightly_run_and_the_button_at_once(demo, office, workbook):
    _, expected, code = demo
    # the button is told the day as well: reports waiting for another are judged again by whichever runs second
    results = finish(start("consolidate", "--office", office),
                     start("button", "consolidate", workbook, "--office", office, "--today", H.TODAY))
    assert [r[0] for r in results] == [code, code], [r[2] for r in results]
    assert_recorded_once(office, expected)


def test_the_button_refuses_while_a_consolidation_runs(demo, office, workbook):
    H.set_option(office, "lock_timeout", 0.5)
    with store.lock(office / "master", 1):
        [(returncode, out, err)] = finish(start("button", "consolidate", workbook, "--office", office))
    assert returncode == 2 and "Traceback" not in err
    assert "另一个合并正在进行" in err and str(office.resolve() / "master") in err  # in plain words
    assert not list((office / "master").glob("*.xlsx"))
