"""`xlpy doctor`: can the control workbook's buttons (RunPython) and functions (UDFs) work
on this machine? Each check says what it found and, when something is wrong, how to fix it.
`--fix` writes this Python into the workbook's xlwings.conf sheet.
"""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import xlwings

from xlpy.contract import config
from xlpy.contract.messages import say, voice
from xlpy.excel import CONF_SHEET, UDF_MODULES, vba
from xlpy.excel.book import FileBook
from xlpy.excel.buttons import Plain, office_folder
from xlpy.excel.buttons import text as button_text
from xlpy.io.reference import BadReference, read_reference

_t = voice("doctor")


@dataclass
class Finding:
    check: str  # the code of the text `doctor.<check>` naming the check
    ok: bool | None  # None: not checked here
    message: str
    fix: str = ""


def interpreter_key() -> str:
    """The xlwings.conf key Excel on this OS reads (Linux has no Excel: the Windows key)."""
    return "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"


def read_conf(book: FileBook) -> dict[str, tuple[int, object]]:
    """xlwings.conf as xlwings' VBA reads it: keys from A1 down to the first blank, upper-cased
    → (1-based row, value)."""
    out = {}
    for r, row in enumerate(book.grid(CONF_SHEET) if CONF_SHEET in book.sheet_names() else [], start=1):
        if not row or row[0] in (None, ""):
            break
        out[str(row[0]).upper()] = (r, row[1] if len(row) > 1 else None)
    return out


def diagnose(workbook: Path, lang: str = "zh") -> list[Finding]:
    book = FileBook(workbook)
    conf = read_conf(book)
    version = vba_version(Path(workbook))
    configured = conf.get(interpreter_key().upper(), (0, None))[1]
    interpreter = Path(str(configured)) if configured not in (None, "") else Path(sys.executable)
    return [check_interpreter(conf, lang), check_udfs(conf, lang), check_version(version, lang),
            check_runtime(version, interpreter, lang), *check_office(book, lang), *check_trust(lang)]


def check_interpreter(conf: dict, lang: str) -> Finding:
    key, python = interpreter_key(), sys.executable
    value = conf.get(key.upper(), (0, None))[1]
    if value in (None, ""):
        return Finding("interpreter", False, _t("unset", lang, key=key), _t("run-fix", lang, python=python))
    path = Path(str(value))
    if not path.is_file():
        return Finding("interpreter", False, _t("missing", lang, key=key, path=path), _t("run-fix", lang, python=python))
    if path.absolute().parent == Path(python).absolute().parent:  # python.exe or pythonw.exe of this environment
        return Finding("interpreter", True, _t("this", lang, path=path))
    probe = subprocess.run([str(path), "-c", "import xlpy, xlwings; print(xlwings.__version__)"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode == 0:
        return Finding("interpreter", True, _t("other-ok", lang, path=path, version=probe.stdout.strip()))
    return Finding("interpreter", False, _t("other-bad", lang, path=path), _t("other-fix", lang, python=python))


def check_udfs(conf: dict, lang: str) -> Finding:
    value = conf.get("UDF MODULES", (0, None))[1]
    if value != UDF_MODULES:
        return Finding("udfs", False, _t("udfs-wrong", lang, value=value or "", expected=UDF_MODULES),
                       _t("run-fix", lang, python=sys.executable))
    if importlib.util.find_spec(UDF_MODULES) is None:
        return Finding("udfs", False, _t("udfs-absent", lang, module=UDF_MODULES), _t("udfs-fix", lang))
    return Finding("udfs", True, UDF_MODULES)


_VERSION = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', re.I)


def vba_version(workbook: Path) -> str | None:
    """The xlwings version the workbook's VBA module names (XLWINGS_VERSION); None without one."""
    try:
        sources = vba.modules(workbook)
    except (ValueError, KeyError, zipfile.BadZipFile):  # no VBA project, or not one we can read
        return None
    return next((m[1] for code in sources.values() if (m := _VERSION.search(code))), None)


def check_version(found: str | None, lang: str) -> Finding:
    if found is None:
        return Finding("version", False, _t("no-vba", lang), _t("no-vba-fix", lang))
    if found != xlwings.__version__:
        return Finding("version", False, _t("differs", lang, vba=found, python=xlwings.__version__),
                       _t("version-fix", lang, vba=found))
    return Finding("version", True, _t("same", lang, version=found))


def check_runtime(version: str | None, interpreter: Path, lang: str, platform: str = sys.platform,
                  home: Path | None = None) -> Finding:
    """What xlwings' VBA loads besides Python: on Windows its DLL for ``version``, looked for where
    the VBA looks (the interpreter's folder, then the one above it: a virtual environment); on
    macOS the AppleScript file RunPython calls."""
    if version is None:
        return Finding("runtime", None, _t("no-vba", lang))
    if platform == "win32":
        folders = [interpreter.parent, interpreter.parent.parent]
        names = [f"xlwings64-{version}.dll", f"xlwings32-{version}.dll"]
        found = next((f / n for n in names for f in folders if (f / n).is_file()), None)
        if found:
            return Finding("runtime", True, _t("dll-ok", lang, path=found))
        return Finding("runtime", False, _t("dll-missing", lang, name=names[0], folders=", ".join(map(str, folders))),
                       _t("dll-fix", lang, version=version))
    if platform == "darwin":
        script = (home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel" / \
            f"xlwings-{version}.applescript"
        if script.is_file():
            return Finding("runtime", True, _t("dll-ok", lang, path=script))
        return Finding("runtime", False, _t("script-missing", lang, path=script), _t("script-fix", lang))
    return Finding("runtime", None, _t("not-needed", lang))


def check_office(book: FileBook, lang: str) -> list[Finding]:
    try:
        folder = office_folder(book)
    except Plain as e:
        return [Finding("office", False, button_text(e.code, lang, **e.params), _t("office-fix", lang))]
    if folder is None or not folder.is_dir():
        message = button_text("office-missing", lang, path=folder) if folder else button_text("office-unset", lang)
        return [Finding("office", False, message, _t("office-fix", lang))]
    try:
        settings = config.load(folder)
    except ValueError as e:
        return [Finding("office", False, str(e), _t("office-fix", lang))]
    found = [Finding("office", True, str(folder))]
    try:
        read_reference(settings.path("reference"), settings)
        found.append(Finding("reference", True, str(settings.path("reference"))))
    except BadReference as e:
        found.append(Finding("reference", False, say(e.code, lang, **e.params), _t("reference-fix", lang)))
    return found


def check_trust(lang: str) -> list[Finding]:
    """Excel's macro settings, from the registry (Windows only)."""
    if sys.platform != "win32":
        return [Finding("macros", None, _t("not-windows", lang)), Finding("vbom", None, _t("not-windows", lang))]
    warnings, vbom = _registry("VBAWarnings"), _registry("AccessVBOM")
    if warnings is None:
        macros = Finding("macros", True, _t("no-setting", lang))
    elif warnings in (1, 2):  # enable all / disable with notification: the user can click Enable
        macros = Finding("macros", True, _t("warnings-ok", lang, value=warnings))
    else:
        macros = Finding("macros", False, _t("warnings-bad", lang, value=warnings), _t("warnings-fix", lang))
    if vbom == 1:
        return [macros, Finding("vbom", True, _t("vbom-ok", lang))]
    return [macros, Finding("vbom", False, _t("vbom-bad", lang), _t("vbom-fix", lang))]


def _registry(name: str) -> int | None:
    import winreg
    for version in ("16.0", "15.0"):
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"Software\Microsoft\Office\{version}\Excel\Security") as key:
                return int(winreg.QueryValueEx(key, name)[0])
        except OSError:
            continue
    return None


def fix(workbook: Path, lang: str = "zh") -> str:
    """Write this Python and the functions module into the workbook's xlwings.conf (VBA and
    buttons are kept); return what was written."""
    book = FileBook(workbook)
    conf = read_conf(book)
    wanted = {interpreter_key(): sys.executable, "UDF Modules": UDF_MODULES}
    next_row = max((row for row, _ in conf.values()), default=0) + 1
    for key, value in wanted.items():
        row, _ = conf.get(key.upper(), (None, None))
        if row is None:
            row, next_row = next_row, next_row + 1
        book.write(CONF_SHEET, [[key, value]], at=f"A{row}")
    book.save()
    return _t("fixed", lang, sheet=CONF_SHEET, keys="; ".join(f"{k} = {v}" for k, v in wanted.items()))


def to_text(findings: list[Finding], lang: str = "zh") -> str:
    lines = []
    for f in findings:
        mark = {True: "✓", False: "✗", None: "–"}[f.ok]
        lines.append(f"{mark} {_t(f.check, lang)}{': ' if lang == 'en' else '：'}{f.message}")
        if f.fix:
            lines.append(f"    → {_t('fix-hint', lang)}{': ' if lang == 'en' else '：'}{f.fix}")
    return "\n".join(lines)
