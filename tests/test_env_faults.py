"""Environment faults: a read-only inbox or master folder, a master deleted between runs,
a broken reference workbook, a full disk. Each gives a clear message and an exit status,
and the record stays as it was.

Tests run as root in CI, where chmod stops nothing: read-only folders and a small disk are
made with a read-only bind mount and a tiny tmpfs when `mount` is allowed (else chmod for
a non-root user, else the test is skipped with the reason). The commands run in this process
(`H.run_here`): what is tested is the folder and the disk, not the process (but see the full disk).
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent / "soak"))
import harness as H  # noqa: E402

from xlpy.app import consolidate
from xlpy.contract import config
from xlpy.io import store  # noqa: E402

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, demo_office):
    """An office with a consolidation pending in both months, and the record after it."""
    office = H.pending_office(tmp_path_factory.mktemp("scenario"), demo=demo_office(H.TODAY).dir)
    done = H.copy_office(office, tmp_path_factory.mktemp("done") / "office")
    code = H.run_here("consolidate", "--office", done).returncode
    return office, H.record(done / "master"), code


@pytest.fixture
def office(scenario, tmp_path):
    return H.copy_office(scenario[0], tmp_path / "office")


def snapshot(master: Path) -> dict[str, bytes]:
    """Every file of the master folder but the lock: what must not change when a run fails."""
    return {p.relative_to(master).as_posix(): p.read_bytes() for p in sorted(master.rglob("*"))
            if p.is_file() and p.name != store.LOCK}


def _mount(*args) -> bool:
    return shutil.which("mount") is not None and subprocess.run(["mount", *map(str, args)],
                                                                capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], check=True)


@contextlib.contextmanager
def read_only(path: Path):
    """``path`` read-only for this user, root included."""
    if hasattr(os, "geteuid") and not ROOT:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    why = "read-only folders need a non-root user, or root allowed to mount (a read-only bind mount)"
    if not _mount("--bind", path, path):
        pytest.skip(why)
    if not _mount("-o", "remount,bind,ro", path):
        _umount(path)
        pytest.skip(why)
    try:
        yield
    finally:
        _umount(path)


@contextlib.contextmanager
def small_disk(path: Path, kb: int):
    """``path`` on a file system of ``kb`` KB, its current files copied in."""
    keep = path.with_name(path.name + "-before")
    shutil.copytree(path, keep)
    if not _mount("-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", path):
        shutil.rmtree(keep)
        pytest.skip("a small disk needs root allowed to mount a tmpfs; "
                    "test_disk_full_while_zipping simulates one instead")
    try:
        shutil.copytree(keep, path, dirs_exist_ok=True)
        yield
    finally:
        _umount(path)
        shutil.rmtree(keep)


# ---------------------------------------------------------------- read-only folders


def test_read_only_inbox_is_consolidated(scenario, office):
    _, expected, code = scenario
    with read_only(office / "inbox"):
        assert not os.access(office / "inbox", os.W_OK)
        done = H.run_here("consolidate", "--office", office)
    assert done.returncode == code, done.stderr  # consolidation never writes to the inbox
    assert H.same(H.record(office / "master"), expected)


def test_read_only_master_folder_is_refused_and_left_alone(scenario, office):
    _, expected, code = scenario
    master = office / "master"
    before = snapshot(master)
    with read_only(master):
        done = H.run_here("consolidate", "--office", office)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.strip() == f"总表 {master.resolve()} 是只读的，无法写入；总表未做任何改动"
        english = H.run_here("consolidate", "--office", office, "--lang", "en")
        assert english.stderr.strip() == f"the master {master.resolve()} is read-only; nothing was changed"
    assert snapshot(master) == before
    assert H.run_here("consolidate", "--office", office).returncode == code
    assert H.same(H.record(master), expected)


# ---------------------------------------------------------------- a master deleted


def rows(record: dict, what: str, current_only: bool = False) -> list[tuple]:
    """One table across the months, as sorted rows (the order of a rebuild differs)."""
    frames = [record[m][what] for m in record]
    if current_only:  # the import log without the versions that were replaced
        frames = [f[f["replaced_by"].isna()] for f in frames]
    return sorted(tuple(map(str, r)) for f in frames for r in f.itertuples(index=False))


def test_deleted_master_is_rebuilt_from_the_reports_still_in_the_inbox(scenario, office):
    """The masters are the record: deleting one deletes its month's record and its import
    log, so the month's reports still in the inbox are new again and rebuild it: the same
    rows. The log's history of replaced versions was in the deleted master only."""
    _, expected, code = scenario
    assert H.run_here("consolidate", "--office", office).returncode == code
    month = min(expected)
    (office / "master" / f"{month}.xlsx").unlink()
    assert H.run_here("consolidate", "--office", office).returncode == code
    rebuilt = H.record(office / "master")
    for what in ("ledger", "activity", "problems"):
        assert rows(rebuilt, what) == rows(expected, what), what
    assert rows(rebuilt, "imports", current_only=True) == rows(expected, "imports", current_only=True)
    assert H.reconcile(office / "master") == []


def test_deleted_master_without_its_reports_is_gone_and_its_backup_restores_it(scenario, office, tmp_path):
    _, expected, code = scenario
    master = office / "master"
    assert H.run_here("consolidate", "--office", office).returncode == code
    month = min(expected)
    (master / f"{month}.xlsx").unlink()
    shutil.move(office / "inbox", tmp_path / "archived")  # the reports were archived
    (office / "inbox").mkdir()
    done = H.run_here("consolidate", "--office", office)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert H.same(H.record(master), {m: expected[m] for m in expected if m != month})  # the month is gone
    newest = sorted((master / store.BACKUP).glob(f"{month}.*.xlsx"))[-1]  # the version before the last run
    shutil.copy(newest, master / f"{month}.xlsx")
    assert H.reconcile(master) == [] and month in H.record(master)


# ---------------------------------------------------------------- the reference workbook


@pytest.mark.parametrize("spoil, message", [
    (lambda book: book.remove(book["销售代表"]), "基础资料 {path} 缺少工作表“销售代表”"),
    (lambda book: book["销售代表"].append(["张伟", "华南", "是"]), "基础资料 {path} 中销售代表“张伟”出现了两次"),
], ids=["missing-sheet", "duplicate-rep"])
def test_broken_reference_workbook_stops_the_run_before_anything_changes(office, spoil, message):
    reference = config.load(office).path("reference")
    book = load_workbook(reference)
    spoil(book)
    book.save(reference)
    before = snapshot(office / "master")
    done = H.run_here("consolidate", "--office", office)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == message.format(path=reference)
    assert snapshot(office / "master") == before


# ---------------------------------------------------------------- a full disk


@pytest.mark.slow
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # no "Exception ignored" noise
def test_full_disk_at_every_size_fails_cleanly_or_succeeds(scenario, office):
    """The master folder on disks from too small for anything to just large enough: each
    run either succeeds, or says the disk may be full and leaves the record as it was."""
    _, expected, code = scenario
    master = office / "master"
    kb = sum(p.stat().st_size for p in master.rglob("*") if p.is_file()) // 1024 + 8
    outcomes = set()
    while code not in outcomes and kb < 100_000:
        kb = int(kb * 1.6)
        with small_disk(master, kb):
            before = snapshot(master)
            # in this process: a failed write's files must be closed at once, or the small disk
            # could not unmount (store.commit clears the failed writer's frames)
            done = H.run_here("consolidate", "--office", office)
            if done.returncode == 2:
                assert done.stderr.strip().startswith("写入总表失败（[Errno 28] No space left on device"), done.stderr
                assert "可能磁盘已满；总表保持原样" in done.stderr
                assert snapshot(master) == before and not (master / store.TMP).exists()
            else:
                assert done.returncode == code, done.stderr
                assert H.same(H.record(master), expected)
            outcomes.add(done.returncode)
    assert outcomes == {2, code}  # the sweep went from too small to large enough


def test_disk_full_while_zipping(office, monkeypatch):
    """What a full disk looks like inside xlsxwriter (it wraps the OSError in its own
    FileCreateError): reported as a failed write; nothing changed, nothing left behind."""
    master = office / "master"
    before = snapshot(master)

    def no_space(*args, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(zipfile.ZipFile, "write", no_space)  # a part from a scratch file
    monkeypatch.setattr(zipfile.ZipFile, "writestr", no_space)  # a part assembled in memory (every workbook here)
    with pytest.raises(store.MasterError) as e:
        consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert e.value.code == "master-write-failed" and "No space left on device" in e.value.params["detail"]
    assert snapshot(master) == before and not (master / store.TMP).exists()
