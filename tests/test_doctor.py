"""`xlpy doctor` on a good and on a broken control workbook, and `--fix`."""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
import xlwings
from olevba_sources import vba_sources

from xlpy.cli.excel import add_commands
from xlpy.excel import CONF_SHEET, UDF_MODULES, build, doctor
from xlpy.excel.book import FileBook

ON_WINDOWS = sys.platform == "win32"


def run_cli(*argv) -> int:
    parser = argparse.ArgumentParser(prog="xlpy")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


def by_check(findings) -> dict:
    return {f.check: f for f in findings}


@pytest.fixture
def office(tmp_path, reference_path) -> Path:
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copyfile(reference_path, folder / "reference.xlsx")
    return folder


@pytest.fixture
def good(tmp_path, office) -> Path:
    path = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, path)
    doctor.fix(path)
    book = FileBook(path)
    book.write("设置", [[str(office)]], at="B2")
    book.save()
    return path


def test_a_good_workbook(good, office):
    found = by_check(doctor.diagnose(good))
    assert found["interpreter"].ok and "本 Python" in found["interpreter"].message
    assert found["version"].ok
    assert found["office"].ok and found["office"].message == str(office)
    assert found["reference"].ok
    assert found["udfs"].ok is (importlib.util.find_spec(UDF_MODULES) is not None)
    assert (found["macros"].ok is None) is not ON_WINDOWS


def test_a_broken_workbook(tmp_path):
    macros = tmp_path / "macros"
    shutil.copytree(build.MACROS, macros)
    vba = macros / "xlwings.bas"
    vba.write_text(vba.read_text(encoding="ascii").replace('XLWINGS_VERSION As String = "', 'XLWINGS_VERSION As String = "0.1.'),
                   encoding="ascii")
    path = build.build_workbook(tmp_path / "Broken.xlsm", macros)
    book = FileBook(path)
    book.write(CONF_SHEET, [["Interpreter_Win", str(tmp_path / "no" / "python.exe")],
                            ["Interpreter_Mac", str(tmp_path / "no" / "python")], ["PYTHONPATH", ""],
                            ["UDF Modules", "my_udfs"]])
    book.write("设置", [[str(tmp_path / "no-office")]], at="B2")
    book.save()

    found = by_check(doctor.diagnose(path))
    for check in ("interpreter", "udfs", "version", "office"):
        assert found[check].ok is False and found[check].fix, check
    assert "0.1." in found["version"].message and "pip install xlwings==0.1." in found["version"].fix
    assert "my_udfs" in found["udfs"].message
    assert "no-office" in found["office"].message
    english = by_check(doctor.diagnose(path, "en"))
    assert "does not exist" in english["interpreter"].message


def test_an_office_without_reference_workbook(good, office):
    (office / "reference.xlsx").unlink()
    found = by_check(doctor.diagnose(good))
    assert found["office"].ok and found["reference"].ok is False and "xlpy init" in found["reference"].fix


@pytest.mark.skipif(ON_WINDOWS, reason="the stand-in Python is a shell script")
def test_another_python_is_probed(good, tmp_path):
    # Another folder, same Python: a script that runs this one (a symbolic link would not do in a
    # virtual environment: a linked interpreter finds no pyvenv.cfg beside it, so no xlpy either).
    other = tmp_path / "elsewhere" / "bin" / "python"
    other.parent.mkdir(parents=True)
    other.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    other.chmod(0o755)
    book = FileBook(good)
    row, _ = doctor.read_conf(book)[doctor.interpreter_key().upper()]
    book.write(CONF_SHEET, [[str(other)]], at=f"B{row}")
    book.save()
    found = by_check(doctor.diagnose(good))
    assert found["interpreter"].ok and "另一个 Python" in found["interpreter"].message


def test_fix_writes_this_python_and_keeps_vba_and_buttons(tmp_path):
    path = tmp_path / "SalesDesk.xlsm"
    shutil.copyfile(build.WORKBOOK, path)
    assert by_check(doctor.diagnose(path))["interpreter"].ok is False  # none as built
    before = vba_sources(path)
    with zipfile.ZipFile(path) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml")
    assert run_cli("doctor", path, "--fix") == 1  # the office folder is still blank
    conf = doctor.read_conf(FileBook(path))
    assert conf[doctor.interpreter_key().upper()][1] == sys.executable
    assert conf["UDF MODULES"][1] == UDF_MODULES
    assert vba_sources(path) == before
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/drawings/vmlDrawing1.vml") == vml
        assert "vbaProject" in z.read("xl/_rels/workbook.xml.rels").decode()
    assert FileBook(path).named("OfficeFolder") is None


def test_cli_exit_codes_and_language(good, tmp_path, capsys):
    code = run_cli("doctor", good, "--lang", "en")
    out = capsys.readouterr().out
    assert "Python interpreter" in out and "xlwings version" in out
    assert code == (0 if all(f.ok is not False for f in doctor.diagnose(good)) else 1)
    assert run_cli("doctor", tmp_path / "missing.xlsm") == 2


def test_the_version_check_needs_only_the_runtime_requirements(good):
    """No oletools: doctor reads the workbook's VBA itself (xlpy.excel.vba)."""
    import subprocess
    dev_only = ["ms_ovba", "ms_ovba_compression", "oletools", "hypothesis", "aiosmtpd", "pytest"]
    code = (f"import sys; sys.modules.update(dict.fromkeys({dev_only!r})); from xlpy.cli import main; "
            f"sys.exit(main(['doctor', {str(good)!r}, '--lang', 'en']))")
    # a fresh interpreter: what a process that never imported the dev packages can import is the point
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert f"✓ xlwings version: the workbook and Python both have {xlwings.__version__}" in done.stdout, done.stderr


def test_the_xlwings_runtime_for_the_workbooks_version(tmp_path):
    version = xlwings.__version__
    env = tmp_path / "venv"
    (env / "Scripts").mkdir(parents=True)
    python = env / "Scripts" / "python.exe"
    missing = doctor.check_runtime(version, python, "zh", platform="win32")
    assert missing.ok is False and f"xlwings64-{version}.dll" in missing.message
    assert missing.fix == f"在该 Python 中运行 pip install xlwings=={version}"
    (env / f"xlwings64-{version}.dll").write_bytes(b"MZ")  # where pip puts it in a virtual environment
    assert doctor.check_runtime(version, python, "zh", platform="win32").ok
    assert doctor.check_runtime("0.1.0", python, "zh", platform="win32").ok is False  # another version's DLL

    home = tmp_path / "home"
    mac = doctor.check_runtime(version, Path("/usr/bin/python3"), "en", platform="darwin", home=home)
    assert mac.ok is False and "xlwings runpython install" in mac.fix
    script = home / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{version}.applescript"
    script.parent.mkdir(parents=True)
    script.write_text("on VbaHandler()\nend VbaHandler\n", encoding="utf-8")
    assert doctor.check_runtime(version, Path("/usr/bin/python3"), "en", platform="darwin", home=home).ok
    assert doctor.check_runtime(version, python, "zh", platform="linux").ok is None


def test_the_shipped_workbook_names_no_interpreter():
    # A blank Interpreter_Win row would override the user's own xlwings settings (a key on the sheet wins)
    conf = doctor.read_conf(FileBook(build.WORKBOOK))
    assert set(conf) == {"UDF MODULES"}
