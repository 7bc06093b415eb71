"""The inbox files' fingerprints: kept by each file's stamp, hashed again when it changes."""
from __future__ import annotations

import hashlib
import os
import pickle

import pytest

from xlpy.io import fingerprints, store


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    monkeypatch.setenv("XLPY_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("张伟_2026-11-26.xlsx", "李娜_2026-11-26.xlsx"):
        (folder / name).write_bytes(name.encode() * 100)
    return folder


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept(inbox):
    return store.cache_dir() / f"{store._cache_key(inbox)}.prints.pkl"


def _plant(inbox, path, digest: str, kept_after_ns: int) -> None:
    """What an earlier night kept for ``path`` at its current stamp, ``digest``, kept that long after its last save."""
    cache = _kept(inbox)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "wb") as f:
        pickle.dump({str(path): (fingerprints._stamp(path), digest)}, f)
    saved = path.stat().st_mtime_ns + kept_after_ns
    os.utime(cache, ns=(saved, saved))


def test_digests_are_the_files_and_a_report_saved_again_is_hashed_again(inbox):
    files = sorted(inbox.iterdir())
    assert fingerprints.of_inbox(files, inbox) == {p: _sha(p) for p in files}
    assert _kept(inbox).exists()
    files[0].write_bytes(b"x" * files[0].stat().st_size)  # a typo fixed: same size, new content
    (inbox / "gone.xlsx").unlink(missing_ok=True)
    assert fingerprints.of_inbox([*files, inbox / "gone.xlsx"], inbox) == {**{p: _sha(p) for p in files},
                                                                           inbox / "gone.xlsx": ""}


def test_an_unchanged_file_is_not_hashed_again_unless_saved_within_a_tick_of_the_keeping(inbox):
    path = sorted(inbox.iterdir())[0]
    _plant(inbox, path, "kept", kept_after_ns=10 * 10**9)
    assert fingerprints.of_inbox([path], inbox) == {path: "kept"}  # the stamp is the same: not read
    _plant(inbox, path, "kept", kept_after_ns=fingerprints.RACY_NS - 1)  # saved again in the same tick?
    assert fingerprints.of_inbox([path], inbox) == {path: _sha(path)}


@pytest.mark.parametrize("content", [b"", b"garbage", pickle.dumps(["not", "a", "dict"])])
def test_a_broken_cache_is_hashed_again(inbox, content):
    files = sorted(inbox.iterdir())
    _kept(inbox).parent.mkdir(parents=True)
    _kept(inbox).write_bytes(content)
    assert fingerprints.of_inbox(files, inbox) == {p: _sha(p) for p in files}
