"""The control workbook: built from macros/ by ms-ovba + xlsxwriter, committed, and
equal to what `xlpy build-workbook` makes of the current sources."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import ms_ovba_compression.ms_ovba
import pytest
import xlwings
from ms_ovba_compression.ms_ovba import MsOvba
from oletools.olevba import decompress_stream
from olevba_sources import vba_sources
from openpyxl import load_workbook

from xlpy.excel import (
    CONF_KEYS,
    CONF_SHEET,
    OFFICE_NAME,
    SETTINGS_SHEET,
    UDF_MODULES,
    build,
    vba,
)

SUB = re.compile(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(", re.M | re.I)
RUNPYTHON = re.compile(r'RunPython\s+"([^"]*)"')
BUTTON_CALL = re.compile(r'^\s*RunButton\s+"(\w+)\(', re.M)  # the buttons' one RunPython, in RunButton


def normalised(text: str) -> list[str]:
    """Source lines without line-ending differences, `Attribute VB_` lines or a class header."""
    text = build._CLASS_HEADER.sub("", text.replace("\r\n", "\n"))
    return [line for line in text.split("\n") if not line.startswith("Attribute VB_")]


def modules_of(workbook: Path) -> dict[str, list[str]]:
    """Module name → normalised source, as olevba extracts them (empty document modules left out)."""
    return {Path(name).stem: normalised(code) for name, code in vba_sources(workbook).items()
            if normalised(code) != [""]}


def buttons_of(workbook: Path) -> list[tuple[str, str]]:
    """(caption, macro) of every form button, from the VML drawing parts."""
    out = []
    with zipfile.ZipFile(workbook) as z:
        for name in sorted(n for n in z.namelist() if n.endswith(".vml")):
            vml = z.read(name).decode()
            for shape in re.findall(r"<v:shape\b.*?</v:shape>", vml, re.S):
                macro = re.search(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", shape)
                caption = re.search(r"<font[^>]*>([^<]+)</font>", shape)
                if macro:
                    out.append((caption[1] if caption else "", macro[1]))
    return out


def sheets_of(workbook: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(workbook)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


EXCEL_MADE = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"  # saved by Excel, ships with xlwings


def module_attributes(code: str) -> list[str]:
    """The module's own `Attribute VB_*` lines, in order (not a member's `Attribute X.VB_*`)."""
    return re.findall(r"^Attribute VB_\w+ = .*$", code.replace("\r\n", "\n"), re.M)


@pytest.mark.skipif(not EXCEL_MADE.exists(), reason="xlwings' quickstart_standalone.xlsm is not installed")
def test_modules_carry_the_attributes_excel_stores():
    # Excel stores a class module with VB_Base (and the VBE's other class attributes); without it
    # `New Dictionary` does not compile. Compare every module both workbooks have, classes and documents.
    ours, excel = vba_sources(build.WORKBOOK), vba_sources(EXCEL_MADE)
    shared = set(ours) & set(excel)
    assert {"Dictionary.cls", "ThisWorkbook.cls", "Sheet1.cls", "xlwings.bas"} <= shared
    for name in shared:
        assert module_attributes(ours[name]) == module_attributes(excel[name]), name


def test_copytoken_fix_matches_the_spec():
    # MS-OVBA 2.4.1.3.19.1: at 4096 bytes into a chunk 12 offset bits leave 4 length bits → 15 + 3
    assert build._copytoken_help(4096)["maxLength"] == 18
    assert build._copytoken_help(1) == {"lengthMask": 0x0FFF, "offsetMask": 0xF000, "bitCount": 4, "maxLength": 4098}


def _pristine_compressor():
    """A fresh copy of ms-ovba-compression's MsOvba, without our fix."""
    spec = importlib.util.spec_from_file_location("pristine_ms_ovba", ms_ovba_compression.ms_ovba.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MsOvba()


def test_large_modules_survive_compression():
    data = (build.MACROS / "xlwings.bas").read_bytes()
    build.vba_project([], [])  # installs the fix
    assert decompress_stream(bytearray(MsOvba().compress(data))) == data  # oletools' own decompressor
    with pytest.raises(Exception):  # the defect the fix is for: unfixed, the stream does not decompress
        assert decompress_stream(bytearray(_pristine_compressor().compress(data))) == data


def test_committed_modules_equal_the_sources():
    sources = {m.name: normalised(m.text) for m in build.read_modules()}
    extracted = modules_of(build.WORKBOOK)
    assert set(sources) == {"SalesDesk", "xlwings", "Dictionary"}
    assert extracted == sources


def test_committed_workbook_is_what_the_build_makes(tmp_path):
    fresh = build.build_workbook(tmp_path / "SalesDesk.xlsm")
    assert modules_of(fresh) == modules_of(build.WORKBOOK)
    assert sheets_of(fresh) == sheets_of(build.WORKBOOK)
    assert buttons_of(fresh) == buttons_of(build.WORKBOOK)
    names = lambda p: {n: d.attr_text for n, d in load_workbook(p).defined_names.items()}  # noqa: E731
    assert names(fresh) == names(build.WORKBOOK)


def test_every_button_runs_a_sub_that_exists():
    subs = {sub for m in build.read_modules() for sub in SUB.findall(m.text)}
    found = buttons_of(build.WORKBOOK)
    assert found == [(caption, macro) for caption, macro, _ in build.BUTTONS]
    assert [c for c, _ in found] == ["校验当前表", "校验收件箱", "合并汇总", "刷新统计", "新建日报", "生成工作日志", "导入函数"]
    assert {macro for _, macro in found} <= subs


def test_every_runpython_names_a_button_function():
    # Changed with the interpreter check: the Subs call RunButton, which runs RunPython once Python
    # is known to exist, with the button's call after "b.".
    ours = (build.MACROS / "SalesDesk.bas").read_text(encoding="ascii")
    [command] = RUNPYTHON.findall(ours)
    assert re.search(r"If PythonReady\(\) Then RunPython \"" + re.escape(command) + r'" & buttonCall', ours)
    namespace: dict = {}
    exec(command.partition(";")[0], namespace)  # "import xlpy.excel.buttons as b"
    calls = BUTTON_CALL.findall(ours)
    assert len(calls) == len(build.BUTTONS) - 1  # 导入函数 calls xlwings' ImportPythonUDFs
    for name in calls:
        function = getattr(namespace["b"], name)
        assert callable(function) and hasattr(function, "__wrapped__"), f"{name} is not a @button"
    assert re.search(r"Sub ImportFunctions\(\)\s+#If Mac Then\s+MsgBox Zh\(MAC_UDFS\).*?#Else\s+ImportPythonUDFs\s+"
                     r"#End If\s+End Sub", ours, re.S)
    assert "Sub ImportPythonUDFs()" in (build.MACROS / "xlwings.bas").read_text(encoding="ascii")
    assert "validate_active_sheet(target=" in ours  # the workbook looked at last, for a click on the control sheet


def chinese_messages() -> dict[str, str]:
    """The Chinese messages of SalesDesk.bas (constants of hex UTF-16 code units), decoded as Zh() does."""
    ours = (build.MACROS / "SalesDesk.bas").read_text(encoding="ascii")
    return {name: "".join(chr(int(code, 16)) for code in codes.split(" "))
            for name, codes in re.findall(r'^Private Const (\w+) As String = "([0-9A-F ]+)"$', ours, re.M)}


def test_the_macros_say_in_chinese_what_to_run_when_python_is_missing():
    messages = chinese_messages()
    assert set(messages) == {"NO_PYTHON", "MAC_UDFS"}
    assert "找不到运行按钮所需的 Python" in messages["NO_PYTHON"] and "命令提示符" in messages["NO_PYTHON"]
    assert "Windows" in messages["MAC_UDFS"] and "按钮" in messages["MAC_UDFS"]
    ours = (build.MACROS / "SalesDesk.bas").read_text(encoding="ascii")
    assert 'MsgBox Zh(NO_PYTHON) & vbCrLf & vbCrLf & "xlpy doctor --fix """ & ThisWorkbook.FullName' in ours
    # looked up as xlwings' RunPython looks it up, checked on disk when it is a path
    assert 'GetConfig("INTERPRETER_WIN", "")' in ours and 'GetConfig("INTERPRETER_MAC", "")' in ours
    assert "PythonReady = FileExists(interpreter)" in ours


def test_doctor_reads_the_vba_as_olevba_does():
    for workbook in (build.WORKBOOK, *([EXCEL_MADE] if EXCEL_MADE.exists() else [])):
        assert vba.modules(workbook) == {Path(name).stem: code for name, code in vba_sources(workbook).items()}


def test_the_control_sheet_shows_the_quick_access_toolbar_steps():
    shown = [v for row in load_workbook(build.WORKBOOK)["控制台"].iter_rows(values_only=True) for v in row if v]
    assert list(build.QAT_STEPS) == [v for v in shown if v in build.QAT_STEPS]
    assert any("快速访问工具栏" in v and "ValidateActiveSheet" in v for v in build.QAT_STEPS)


def test_sources_are_ascii_and_need_no_licence():
    for path in build.MACROS.iterdir():
        path.read_bytes().decode("ascii")
    vba = (build.MACROS / "xlwings.bas").read_text(encoding="ascii")
    # xlwings asks for a licence key only for code embedded in sheets named *.py: the workbook has none
    assert all(not name.endswith(".py") for name in load_workbook(build.WORKBOOK).sheetnames)
    assert re.search(r'XLWINGS_VERSION As String = "([^"]+)"', vba)[1] == xlwings.__version__
    assert "xlwings.pro" not in (build.MACROS / "SalesDesk.bas").read_text(encoding="ascii")


def test_workbook_layout():
    wb = load_workbook(build.WORKBOOK)
    assert wb.defined_names[OFFICE_NAME].attr_text == f"'{SETTINGS_SHEET}'!$B$2"
    conf = [tuple(r[:2]) for r in wb[CONF_SHEET].iter_rows(values_only=True)]
    assert [k for k, _ in conf] == list(CONF_KEYS)
    assert dict(conf)["UDF Modules"] == UDF_MODULES
    examples = [r for r in wb["函数示例"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[0] for r in examples] == [f for f, _ in build.EXAMPLES]
    assert all(isinstance(f, str) and f.startswith("=XLPY_") and re.search(r"[\u4e00-\u9fff]", what)
               for f, what in examples)
    assert [e[0] for e in build.EXAMPLES] == [
        '=XLPY_SALES("net_amount","华东")', '=XLPY_ATTAINMENT("华东","2026-11")', '=XLPY_RANK("张伟","2026-11")',
        "=XLPY_OUTSTANDING()", '=XLPY_STATS("region","2026-11")', "=XLPY_CHECK(A1:N20)",
        '=XLPY_SALES("contracts",,"张伟",,"2026-11-01","2026-11-15")', '=XLPY_UNIT("1-102")']


soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


@soffice
def test_libreoffice_reads_the_macros_and_the_buttons(tmp_path):
    subprocess.run(["soffice", "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(build.WORKBOOK)],
                   check=True, capture_output=True, timeout=300)
    with zipfile.ZipFile(tmp_path / "SalesDesk.ods") as ods:
        names = ods.namelist()
        content = ods.read("content.xml").decode()
        salesdesk = ods.read("Basic/VBAProject/SalesDesk.xml").decode()
    assert {"Basic/VBAProject/xlwings.xml", "Basic/VBAProject/Dictionary.xml"} <= set(names)
    assert "Sub ValidateActiveSheet" in salesdesk
    bound = re.findall(r"vnd\.sun\.star\.script:VBAProject\.SalesDesk\.(\w+)\?", content)
    assert bound == [macro for _, macro, _ in build.BUTTONS]
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    assert labels == [caption for caption, _, _ in build.BUTTONS]


@soffice
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_control_sheet_renders(tmp_path):
    png = build.render(build.WORKBOOK, tmp_path / "control.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
