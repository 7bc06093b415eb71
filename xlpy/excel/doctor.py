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
from functools import partial
from pathlib import Path

import xlwings

from xlpy.contract import config
from xlpy.contract.messages import pick, say
from xlpy.excel import CONF_SHEET, UDF_MODULES, vba
from xlpy.excel.book import FileBook
from xlpy.excel.buttons import Plain, office_folder
from xlpy.excel.buttons import text as button_text
from xlpy.io.reference import BadReference, read_reference

TEXT = {
    "interpreter": ("Python 解释器", "Python interpreter"),
    "udfs": ("自定义函数模块", "functions module"),
    "version": ("xlwings 版本", "xlwings version"),
    "office": ("办公文件夹", "office folder"),
    "reference": ("基础资料", "reference workbook"),
    "macros": ("宏安全设置", "macro settings"),
    "vbom": ("信任 VBA 项目访问", "trust access to the VBA project"),
    "run-fix": ("运行 xlpy doctor --fix 写入本机的 Python：{python}",
                "run xlpy doctor --fix to write this Python: {python}"),
    "unset": ("xlwings.conf 表中 {key} 为空，Excel 会用 PATH 上的 python，它未必装有 xlpy",
              "{key} is blank on the xlwings.conf sheet: Excel would use whatever python is on PATH"),
    "missing": ("{key} 指向的文件不存在：{path}", "{key} points to a file that does not exist: {path}"),
    "this": ("{path}（就是本 Python）", "{path} (this Python)"),
    "other-ok": ("{path}（另一个 Python，已装有 xlpy 和 xlwings {version}）",
                 "{path} (another Python, with xlpy and xlwings {version})"),
    "other-bad": ("{path} 无法导入 xlpy 或 xlwings", "{path} cannot import xlpy or xlwings"),
    "other-fix": ("在那个 Python 中安装 xlpy，或运行 xlpy doctor --fix 改用本 Python：{python}",
                  "install xlpy into that Python, or run xlpy doctor --fix to use this one: {python}"),
    "udfs-wrong": ("UDF Modules 为“{value}”，应为 {expected}", "UDF Modules is “{value}”, expected {expected}"),
    "udfs-absent": ("模块 {module} 尚未安装，导入函数会失败", "module {module} is not installed: 导入函数 would fail"),
    "udfs-fix": ("更新 xlpy（pip install -U xlpy）", "update xlpy (pip install -U xlpy)"),
    "same": ("工作簿和 Python 都是 {version}", "the workbook and Python both have {version}"),
    "differs": ("工作簿的 VBA 模块是 {vba}，Python 中的 xlwings 是 {python}",
                "the workbook's VBA module is {vba}, Python's xlwings is {python}"),
    "version-fix": ("运行 pip install xlwings=={vba}，或用 xlpy build-workbook --refresh-xlwings 重建工作簿",
                    "run pip install xlwings=={vba}, or rebuild the workbook with xlpy build-workbook --refresh-xlwings"),
    "no-vba": ("工作簿中没有找到 xlwings 的 VBA 模块", "no xlwings VBA module found in the workbook"),
    "no-vba-fix": ("用 xlpy build-workbook 重建控制台工作簿", "rebuild the control workbook with xlpy build-workbook"),
    "runtime": ("xlwings 组件", "xlwings runtime"),
    "dll-ok": ("{path}", "{path}"),
    "dll-missing": ("找不到工作簿的 VBA 要加载的 {name}（查找了 {folders}）",
                    "{name}, which the workbook's VBA loads, is not in {folders}"),
    "dll-fix": ("在该 Python 中运行 pip install xlwings=={version}", "run pip install xlwings=={version} in that Python"),
    "script-missing": ("找不到按钮所需的 {path}", "the buttons need {path}, which is missing"),
    "script-fix": ("在终端运行 xlwings runpython install", "run xlwings runpython install in a Terminal"),
    "not-needed": ("只在 Windows 和 macOS 上需要（已跳过）", "needed on Windows and macOS only (skipped)"),
    "office-fix": ("在“设置”表 B2 单元格填写办公文件夹的完整路径；新办公室可用 xlpy init 文件夹 创建",
                   "type the office folder's full path into cell B2 of the 设置 sheet; xlpy init DIR creates a new one"),
    "reference-fix": ("用 xlpy init 创建示例基础资料，或把基础资料放进办公文件夹",
                      "create a sample with xlpy init, or put the reference workbook into the office folder"),
    "not-windows": ("只能在 Windows 上读取（已跳过）", "readable on Windows only (skipped)"),
    "no-setting": ("注册表中没有 Excel 的安全设置（将使用默认值）", "no Excel security settings in the registry (defaults apply)"),
    "warnings-ok": ("VBAWarnings = {value}（可以运行宏）", "VBAWarnings = {value} (macros can run)"),
    "warnings-bad": ("VBAWarnings = {value}：宏被禁用", "VBAWarnings = {value}: macros are disabled"),
    "warnings-fix": ("Excel：文件 > 选项 > 信任中心 > 信任中心设置 > 宏设置，选“禁用所有宏，并发出通知”，"
                     "或把办公文件夹加入“受信任位置”",
                     "Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings: choose "
                     "“Disable all macros with notification”, or add the office folder to Trusted Locations"),
    "vbom-ok": ("已允许", "allowed"),
    "vbom-bad": ("未允许：导入函数需要它", "not allowed: 导入函数 needs it"),
    "vbom-fix": ("Excel：信任中心设置 > 宏设置 > 勾选“信任对 VBA 工程对象模型的访问”",
                 "Excel: Trust Center Settings > Macro Settings > tick “Trust access to the VBA project object model”"),
    "fixed": ("已写入 {sheet} 表：{keys}", "written to the {sheet} sheet: {keys}"),
    "fix-hint": ("修复", "fix"),
}


_t = partial(pick, TEXT)


@dataclass
class Finding:
    check: str  # a key of TEXT naming the check
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
