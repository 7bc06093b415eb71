"""The inbox files' fingerprints (SHA-256), hashed again only when a file has changed.

With archive off (the default) every report ever handed in stays in the inbox, and every
consolidation fingerprints every file to know the ones it has taken: after three years a 50-rep
office's inbox holds 37,500 files, over a gigabyte read every night. So the digests are kept in
the read cache by each file's stamp: size, modification time, file id and change time, which a
save, a copy over the file and a replace all change. As git does with its index, a file modified
less than `RACY_NS` before the digests were kept is hashed again: a second save within the file
system's timestamp tick could otherwise leave the first save's stamp.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from xlpy.io import store

CHUNK = 2**20  # bytes of a file hashed at a time
RACY_NS = 2 * 10**9  # FAT's modification times are two seconds apart


def fingerprint(path: Path) -> str:
    """SHA-256 of the file, or "" when it cannot be read (the reader then says why)."""
    try:
        with open(path, "rb", buffering=0) as f:  # in chunks: a huge file must not fill the memory; unbuffered: read once
            digest = hashlib.sha256()
            while chunk := f.read(CHUNK):  # hashlib.file_digest zeroes a 256 KB buffer for every file
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return ""


def of_inbox(paths: list[Path], inbox: Path) -> dict[Path, str]:
    """`fingerprint` of each path, the unchanged files' from what was kept for ``inbox``."""
    cache = store.cache_dir() / f"{store._cache_key(inbox)}.prints.pkl"
    known, trusted_before = _known(cache)
    out, keep = {}, {}
    for path in paths:
        stamp = _stamp(path)  # before hashing: a file saved meanwhile is hashed again next time
        entry = known.get(str(path))
        if stamp is not None and entry is not None and entry[0] == stamp and stamp[1] < trusted_before:
            out[path] = entry[1]
        else:
            out[path] = fingerprint(path)
        if stamp is not None and out[path]:
            keep[str(path)] = (stamp, out[path])
    if keep != known:
        store._keep(cache, keep)
    return out


def _known(cache: Path) -> tuple[dict, int]:
    """(what was kept, the modification time before which its files' stamps are trusted)."""
    try:
        with open(cache, "rb") as f:
            known = pickle.load(f)
            if isinstance(known, dict):
                return known, os.fstat(f.fileno()).st_mtime_ns - RACY_NS
    except Exception:  # noqa: BLE001 - none yet, or broken: every file hashed
        pass
    return {}, 0


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns
