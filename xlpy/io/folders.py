"""The user's own folders, for what belongs to no office: the read cache, and the log of a failure
outside an office. Never the shared office folder, where another user could plant a pickle."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = {"cache": "XLPY_CACHE", "logs": "XLPY_LOG_DIR"}  # overrides (tests, locked-down PCs)


def user_dir(kind: str) -> Path:
    """The folder for ``kind`` ("cache" or "logs") where this operating system keeps such things."""
    if os.environ.get(ENV[kind]):
        return Path(os.environ[ENV[kind]])
    home = Path.home()
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "xlpy" / kind
    if sys.platform == "darwin":
        return home / "Library" / ("Caches" if kind == "cache" else "Logs") / "xlpy"
    if kind == "cache":
        return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "xlpy"
    return Path(os.environ.get("XDG_STATE_HOME") or home / ".local" / "state") / "xlpy" / "logs"
