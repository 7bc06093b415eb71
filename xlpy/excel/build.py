"""Build the control workbook SalesDesk.xlsm from the VBA source in `macros/`, on any OS.

ms-ovba compiles the source files into a `vbaProject.bin` (source only: Excel compiles
it on first open) and xlsxwriter writes the sheets, the buttons and the defined names
around it. `xlpy build-workbook` runs this; the result is committed as
`workbook/SalesDesk.xlsm` and a test checks that it matches the sources.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from ms_ovba.Models.Entities.doc_module import DocModule
from ms_ovba.Models.Entities.reference import Reference
from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
from ms_ovba.Models.Entities.std_module import StdModule
from ms_ovba.Models.Fields.libid_reference import LibidReference
from ms_ovba.vbaProject import VbaProject
from ms_ovba.Views.project_ole_file import ProjectOleFile
from ms_ovba_compression.ms_ovba import MsOvba

from xlpy.contract.messages import texts, voice
from xlpy.excel import (
    CONF_KEYS,
    CONF_SHEET,
    CONSOLIDATION_SHEET,
    CONTROL_SHEET,
    DATE_NAME,
    EXAMPLES_SHEET,
    INBOX_SHEET,
    MACROS,
    OFFICE_NAME,
    REP_NAME,
    SETTINGS_SHEET,
    UDF_MODULES,
    WORKBOOK,
)
from xlpy.io.stats_sheets import SHEETS as STATS_SHEETS

XLWINGS_FILES = ("xlwings.bas", "addin/Dictionary.cls")  # in the installed xlwings package

# The workbook is built in Chinese, its texts the catalogue's `desk.…` (English entries beside them).
desk = voice("desk")

# (caption, the Sub in macros/SalesDesk.bas it runs, what it does)
BUTTONS = (
    (desk("validate-sheet"), "ValidateActiveSheet", desk("validate-sheet-about")),
    (desk("validate-inbox"), "ValidateInbox", desk("validate-inbox-about")),
    (desk("consolidate"), "Consolidate", desk("consolidate-about")),
    (desk("refresh-stats"), "RefreshStats", desk("refresh-stats-about", sheets="、".join(zh for zh, _, _ in STATS_SHEETS))),
    (desk("new-report"), "NewReport", desk("new-report-about")),
    (desk("briefing"), "DailyBriefing", desk("briefing-about")),
    (desk("import-functions"), "ImportFunctions", desk("import-functions-about")),
)

# How to put 校验当前表 on the Quick Access Toolbar, so that it runs on the report being looked at
QAT_STEPS = tuple(texts("desk.qat-steps"))

# (formula, what it gives) for the 函数示例 sheet. The formulas name the demo's regions, reps and
# units (data, as typed in a cell), not texts to translate.
EXAMPLES = (
    ('=XLPY_SALES("net_amount","华东")', desk("example-sales")),
    ('=XLPY_ATTAINMENT("华东","2026-11")', desk("example-attainment")),
    ('=XLPY_RANK("张伟","2026-11")', desk("example-rank")),
    ("=XLPY_OUTSTANDING()", desk("example-outstanding")),
    ('=XLPY_STATS("region","2026-11")', desk("example-stats")),
    ("=XLPY_CHECK(A1:N20)", desk("example-check")),
    ('=XLPY_SALES("contracts",,"张伟",,"2026-11-01","2026-11-15")', desk("example-sales-half")),
    ('=XLPY_UNIT("1-102")', desk("example-unit")),
)


# ---------------------------------------------------------------- the VBA project


@dataclass(frozen=True)
class Module:
    name: str
    kind: str  # "module" (.bas) | "class" (.cls)
    text: str


def read_modules(macros: Path = MACROS) -> list[Module]:
    """The modules in ``macros``: our own first, then xlwings' (any order builds the same project)."""
    out = []
    for path in sorted(Path(macros).glob("*.*"), key=lambda p: (p.name in ("xlwings.bas", "Dictionary.cls"), p.name)):
        if path.suffix.lower() not in (".bas", ".cls"):
            continue
        text = path.read_text(encoding="ascii")  # VBA source is stored in a code page: keep it ASCII
        name = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.M)
        if name is None:
            raise ValueError(f"{path}: no `Attribute VB_Name` line")
        out.append(Module(name[1], "class" if path.suffix.lower() == ".cls" else "module", text))
    return out


def _copytoken_help(difference: int) -> dict:
    """ms-ovba-compression 1.0.1 computes maxLength as ``0xFFFF << bit_count + 3``: the
    compressor then emits copy tokens longer than their length bits hold, and every module
    over ~650 bytes is corrupted. MS-OVBA §2.4.1.3.19.1 says ``(0xFFFF >> bit_count) + 3``.
    This is that function with the one line fixed; `vba_project` installs it."""
    bit_count = MsOvba.ceil_log2(difference)
    length_mask = 0xFFFF >> bit_count
    return {"lengthMask": length_mask, "offsetMask": ~length_mask & 0xFFFF, "bitCount": bit_count,
            "maxLength": length_mask + 3}


class _ClassModule(StdModule):
    """ms-ovba 0.0.1 knows standard and document modules only. A class module is a
    MODULETYPE 0x0022 record in the dir stream (like a document) and `Class=` in PROJECT."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.type = "Document"

    def to_project_module_string(self) -> str:
        return f"Class={self.name}"


_DOC_MODULE = ('VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  \'True\nEND\nAttribute VB_Name = "{name}"\n'
               "Attribute VB_GlobalNameSpace = False\nAttribute VB_Creatable = False\n"
               "Attribute VB_PredeclaredId = True\nAttribute VB_Exposed = True\n")
_CLASS_HEADER = re.compile(r"\AVERSION 1\.0 CLASS\s*\nBEGIN\n.*?^END\n", re.S | re.M)
# A class module as Excel stores it: the attributes the VBE adds on import, which a .cls
# export leaves out (Excel's own quickstart_standalone.xlsm in xlwings stores Dictionary so).
# Without VB_Base, Excel fails `New <class>` with "Invalid procedure call or argument"
# (reported from live Excel in the pyOpenVBA project, issue #1).
_CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\n'
_CLASS_TAIL = "Attribute VB_TemplateDerived = False\nAttribute VB_Customizable = False\n"
_WORKBOOK_GUID = uuid.UUID("00020819-0000-0000-C000-000000000046")
_SHEET_GUID = uuid.UUID("00020820-0000-0000-C000-000000000046")
# The references every Excel project has (as ms-ovba's own example sets them).
_REFERENCES = (
    ("stdole", "00020430-0000-0000-C000-000000000046", r"C:\Windows\System32\stdole2.tlb", "OLE Automation"),
    ("Office", "2DF8D04C-5BFA-101B-BDE5-00AA0044DE52",
     r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL", "Microsoft Office 16.0 Object Library"),
)
_PROJECT_ID = "{5F0B0E6B-3C47-4E1B-9C5A-2A63D5D1C0A1}"  # fixed: the same sources give the same project


def vba_project(modules: list[Module], sheets: list[str]) -> bytes:
    """A vbaProject.bin holding ``modules`` and a document module for the workbook and
    for each sheet code name in ``sheets``."""
    MsOvba.copytoken_help = staticmethod(_copytoken_help)
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):  # ms-ovba writes its parts to the cwd
        project = VbaProject()
        project.project_id = _PROJECT_ID
        for name, guid in [("ThisWorkbook", _WORKBOOK_GUID), *((s, _SHEET_GUID) for s in sheets)]:
            Path(f"{name}.cls").write_text(_DOC_MODULE.format(name=name), encoding="ascii")
            project.add_module(_load(DocModule(name), f"{name}.cls", guid))
        for m in modules:
            file = f"{m.name}.src"
            Path(file).write_text(_class_stream_text(m.text) if m.kind == "class" else m.text, encoding="ascii")
            project.add_module(_load((_ClassModule if m.kind == "class" else StdModule)(m.name), file))
        for name, guid, path, description in _REFERENCES:
            ref = LibidReference(uuid.UUID(guid), "2.0", "0", path, description)
            project.add_reference(Reference(ReferenceRegistered(ref), name))
        ProjectOleFile.write_file(project)
        return Path("vbaProject.bin").read_bytes()


def _class_stream_text(text: str) -> str:
    """A .cls export as a class module stream holds it: no VERSION preamble, Excel's class attributes."""
    text = _CLASS_HEADER.sub("", text)
    text = re.sub(r"^Attribute VB_Name = .*\n", lambda m: m[0] + _CLASS_BASE, text, count=1, flags=re.M)
    return re.sub(r"^Attribute VB_Exposed = .*\n", lambda m: m[0] + _CLASS_TAIL, text, count=1, flags=re.M)


def _load(module, file: str, guid: uuid.UUID | None = None):
    module.add_file(file)
    if guid is not None:
        module.add_guid(guid)
    module.normalize_file()
    return module


# ---------------------------------------------------------------- the workbook


def build_workbook(output: Path = WORKBOOK, macros: Path = MACROS) -> Path:
    """Write the control workbook to ``output`` from the sources in ``macros``."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"title": desk("title-property"), "created": dt.datetime(2026, 1, 1)})
    f = _formats(wb)
    sheets = [CONTROL_SHEET, SETTINGS_SHEET, INBOX_SHEET, CONSOLIDATION_SHEET, *(zh for zh, _, _ in STATS_SHEETS),
              EXAMPLES_SHEET, CONF_SHEET]
    ws = {name: wb.add_worksheet(name) for name in sheets}
    for n, name in enumerate(sheets, start=1):
        ws[name].set_vba_name(f"Sheet{n}")
    _control(wb, ws[CONTROL_SHEET], f)
    _settings(wb, ws[SETTINGS_SHEET], f)
    _heading(ws[INBOX_SHEET], f, desk("inbox-title"), desk("inbox-hint"))
    _heading(ws[CONSOLIDATION_SHEET], f, CONSOLIDATION_SHEET, desk("consolidation-hint"))
    for name, _, _ in STATS_SHEETS:
        _heading(ws[name], f, name, desk("stats-hint"))
    _examples(ws[EXAMPLES_SHEET], f)
    _conf(ws[CONF_SHEET])
    ws[CONTROL_SHEET].activate()
    wb.set_vba_name("ThisWorkbook")
    wb.add_vba_project(io.BytesIO(vba_project(read_modules(macros), [f"Sheet{n}" for n in range(1, len(sheets) + 1)])),
                       is_stream=True)
    wb.close()
    output.write_bytes(buffer.getvalue())
    return output


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 18}),
        "hint": wb.add_format({"italic": True, "font_color": "#595959"}),
        "label": wb.add_format({"bold": True}),
        "input": wb.add_format({"bg_color": "#FFF2CC", "border": 1}),
        "date": wb.add_format({"bg_color": "#FFF2CC", "border": 1, "num_format": "yyyy-mm-dd"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "vcenter"}),
        "code": wb.add_format({"font_name": "Consolas"}),
    }


def _control(wb, ws, f) -> None:
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)
    ws.set_column("A:A", 2)
    ws.set_column("B:B", 18)
    ws.set_column("C:C", 16)
    ws.set_column("D:D", 70)
    ws.write("B1", desk("control-title"), f["title"])
    ws.write("B2", desk("control-hint"), f["hint"])
    for r, (caption, macro, what) in enumerate(BUTTONS, start=3):
        ws.set_row(r, 34)
        ws.insert_button(r, 1, {"macro": macro, "caption": caption, "width": 150, "height": 36, "y_offset": 5})
        ws.write(r, 3, what, f["wrap"])
    r = 3 + len(BUTTONS) + 1
    ws.write(r, 1, desk("new-report"), f["label"])
    ws.write(r + 1, 1, desk("rep"))
    ws.write_blank(r + 1, 2, None, f["input"])
    ws.write(r + 1, 3, desk("rep-hint"), f["hint"])
    ws.write(r + 2, 1, desk("date"))
    ws.write_blank(r + 2, 2, None, f["date"])
    ws.write(r + 2, 3, desk("date-hint"), f["hint"])
    wb.define_name(REP_NAME, f"={_quote(CONTROL_SHEET)}!$C${r + 2}")
    wb.define_name(DATE_NAME, f"={_quote(CONTROL_SHEET)}!$C${r + 3}")
    r += 5
    ws.write(r, 1, desk("check-reports"), f["label"])
    for i, line in enumerate(QAT_STEPS, start=1):
        ws.write(r + i, 1, line, f["hint"] if i == len(QAT_STEPS) else None)


def _settings(wb, ws, f) -> None:
    ws.set_column("A:A", 14)
    ws.set_column("B:B", 60)
    ws.write("A1", SETTINGS_SHEET, f["title"])
    ws.write("A2", desk("office-folder"), f["label"])
    ws.write_blank("B2", None, f["input"])
    ws.write("B3", desk("office-folder-hint"), f["hint"])
    wb.define_name(OFFICE_NAME, f"={_quote(SETTINGS_SHEET)}!$B$2")


def _heading(ws, f, title: str, hint: str) -> None:
    ws.write("A1", title, f["title"])
    ws.write("A2", hint, f["hint"])


def _examples(ws, f) -> None:
    ws.set_column("A:A", 40)
    ws.set_column("B:B", 70)
    ws.write("A1", desk("examples-title"), f["title"])
    ws.write("A2", desk("examples-hint"), f["hint"])
    ws.write_row("A4", texts("desk.examples-headings"), f["label"])
    for r, (formula, what) in enumerate(EXAMPLES, start=4):
        ws.write_string(r, 0, formula, f["code"])  # as text: the functions exist only after 导入函数
        ws.write_string(r, 1, what)


def _conf(ws) -> None:
    ws.set_column("A:A", 18)
    ws.set_column("B:B", 60)
    values = {"UDF Modules": UDF_MODULES}
    for r, key in enumerate(CONF_KEYS):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, values[key])


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def render(workbook: Path, png: Path, soffice: str = "soffice") -> Path:
    """A picture of the control sheet (for the README), through LibreOffice: xlsm → ods,
    with the buttons made printable (form controls are not printed by default) → pdf → png."""
    png = Path(png)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _run(soffice, "--headless", "--convert-to", "ods", "--outdir", tmp, workbook)
        ods = tmp / f"{Path(workbook).stem}.ods"
        with zipfile.ZipFile(ods) as zin, zipfile.ZipFile(tmp / "print.ods", "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "content.xml":
                    data = data.replace(b'form:printable="false"', b'form:printable="true"')
                zout.writestr(info, data)
        _run(soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, tmp / "print.ods")
        _run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", tmp / "print.pdf", tmp / "page")
        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "page.png", png)
    return png


def _run(*command) -> None:
    subprocess.run([str(c) for c in command], check=True, capture_output=True, timeout=300)


def refresh_xlwings(macros: Path = MACROS) -> list[Path]:
    """Copy xlwings' VBA module and its Dictionary class from the installed xlwings into
    ``macros`` (after an xlwings upgrade), refusing non-ASCII source."""
    import xlwings
    package = Path(xlwings.__file__).parent
    out = []
    for name in XLWINGS_FILES:
        source = package / name
        source.read_bytes().decode("ascii")  # raises on anything VBA's code page could mangle
        out.append(Path(shutil.copyfile(source, Path(macros) / source.name)))
    return out
