"""Every file of the shared xlsx corpus through `validate.run`: a status each, no exception.

The corpus holds third-party test files (password-encrypted, Strict OOXML, entity bombs,
truncated zips, 1904 dates, macros …), see its MANIFEST.tsv and ODD_FILES.md.
"""
from __future__ import annotations

import collections
import datetime as dt
import time

import pytest
from conftest import CORPUS

from xlpy.app import validate
from xlpy.core.rules import Context

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent")

# Files whose fate the corpus documents (ODD_FILES.md).
EXPECTED = {
    "python-calamine/password.xlsx": "encrypted",
    "poi/protected_passtika.xlsx": "encrypted",
    "poi/poc-xmlbomb.xlsx": "xml-entities",
    "poi/54764-2.xlsx": "xml-entities",
    "python-calamine/empty_file.xlsx": "empty",
    "openpyxl-2015/openpyxl/reader/tests/data/null_file.xlsx": "empty",
    "calamine/issue252.xlsx": "corrupt",
    "openpyxl-2015/openpyxl/tests/data/reader/null_archive.xlsx": "corrupt",
}
READABLE = ["poi/SimpleStrict.xlsx", "poi/49609.xlsx", "calamine/issue_419.xlsx", "sheetjs/1904/1904.xlsx",
            "calamine/inlineStr_cdata.xlsx", "poi/duplicate-filename.xlsx"]


@pytest.mark.slow
def test_corpus_sweep():
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    start = time.perf_counter()
    results = validate.validate_files(files, Context(lang="en", today=dt.date(2026, 11, 27)))
    as_json = validate.to_json(results, "en")  # renders every message
    validate.to_text(results, "zh")
    seconds = time.perf_counter() - start
    statuses = collections.Counter(r.status for r in results)
    print(f"\ncorpus sweep: {len(files)} files in {seconds:.1f} s: {dict(statuses)}")
    assert len(results) == len(files) == len(as_json["files"])
    assert all(f["status"] in ("ok", "invalid", "unreadable", "skipped") for f in as_json["files"])
    by_name = {r.path.relative_to(CORPUS).as_posix(): r for r in results}
    for name, code in EXPECTED.items():
        if name in by_name:
            assert by_name[name].report.unreadable.code == code, name
    for name in READABLE:
        if name in by_name:
            assert by_name[name].status != "unreadable", (name, by_name[name].issues[0].message("en"))
    for f in as_json["files"]:
        for issue in f["issues"]:
            assert "\n" not in issue["message"] and "Traceback" not in issue["message"], f["path"]
    assert {r.path.suffix.lower() for r in results if r.status == "skipped"} <= {".md", ".tsv", ".xltx", ".xltm"}
