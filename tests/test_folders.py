"""The user's own folders (io/folders.py): one place for where the cache and the logs go."""
from __future__ import annotations

import sys

import pytest

from xlpy.cli import failures
from xlpy.excel import errors
from xlpy.io import folders, store


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the XDG folders of Linux")
def test_linux_folders_follow_xdg(tmp_path, monkeypatch):
    for env in folders.ENV.values():
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    assert store.cache_dir() == tmp_path / "c" / "xlpy"
    assert failures.user_log_dir() == errors.user_log_dir() == tmp_path / "s" / "xlpy" / "logs"


def test_one_variable_each_overrides_them(tmp_path, monkeypatch):
    monkeypatch.setenv("XLPY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XLPY_LOG_DIR", str(tmp_path / "logs"))
    assert store.cache_dir() == tmp_path / "cache"
    assert failures.user_log_dir() == errors.user_log_dir() == tmp_path / "logs"  # the command line and Excel alike
