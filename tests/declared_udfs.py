"""The UDF module as xlwings on Windows declares it, on any OS.

Off Windows `xw.func`/`xw.arg` leave functions as they are. xlwings' Windows decorators
(`xlwings.udfs.xlfunc`/`xlarg`) and its VBA generator (`generate_vba_wrapper`, what 导入函数 runs)
are plain Python, but `xlwings.udfs` imports pywin32 at the top: empty stand-ins for those
modules let it import (nothing here calls COM). The module is then executed afresh under the
real decorators, so each function carries the `__xlfunc__` declaration Excel would see.
"""
from __future__ import annotations

import importlib.util
import io
import re
import sys
import types
from types import SimpleNamespace

import xlwings
from memory_excel import ENGINE_NAME
from xlwings import conversion

from xlpy.excel import UDF_MODULES, udfs

# MS-VBAL 3.3.5.2 (reserved identifiers) and the statement and marker keywords of chapter 5:
# none can name a parameter.
VBA_RESERVED = {w.lower() for w in """
Abs AddressOf And Any Array As Attribute Base Boolean ByRef Byte ByVal Call Case CBool CByte CCur CDate
CDbl CDec CInt Circle CLng CLngLng CLngPtr Close Const CSng CStr Currency CVar CVErr Date Debug Decimal
Declare DefBool DefByte DefCur DefDate DefDbl DefDec DefInt DefLng DefLngLng DefLngPtr DefObj DefSng
DefStr DefVar Dim Do DoEvents Double Each Else ElseIf Empty End EndIf Enum Eqv Erase Error Event Exit
False Fix For Friend Function Get Global GoSub GoTo If Imp Implements In Input InputB Int Integer Is
LBound Len LenB Let Like Lock Long LongLong LongPtr Loop LSet Me Mod New Next Not Nothing Null Object On
Open Option Optional Or ParamArray Preserve Print Private Property PSet Public Put RaiseEvent ReDim Rem
Resume Return RSet Scale Seek Select Set Sgn Shared Single Spc Static Step Stop String Sub Tab Then To
True Type TypeOf UBound Until Variant Wend While With WithEvents Write Xor
""".split()}
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")


def xlwings_udfs():
    """xlwings.udfs, importable without pywin32."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = getattr(sys.modules["pythoncom"], "CoInitialize", lambda: None)
    sys.modules["win32com.client"].Dispatch = getattr(sys.modules["win32com.client"], "Dispatch", None)
    import xlwings.udfs as declared
    return declared


def declared_module(source=udfs):
    """A fresh copy of ``source`` (a module) with xlwings' Windows decorators applied."""
    declared = xlwings_udfs()
    saved = xlwings.func, xlwings.arg, xlwings.ret
    xlwings.func, xlwings.arg, xlwings.ret = declared.xlfunc, declared.xlarg, declared.xlret
    try:
        spec = importlib.util.spec_from_file_location(f"{source.__name__}_declared", source.__file__)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved
    return module


def vba_wrapper(module, name: str = UDF_MODULES) -> str:
    """The VBA module 导入函数 writes for ``module`` (xlwings' own generator)."""
    out = io.StringIO()
    xlwings_udfs().generate_vba_wrapper(name, module, out, SimpleNamespace(Name="SalesDesk.xlsm"))
    return out.getvalue()


def bad_vba_names(vba: str) -> list[str]:
    """Function and parameter names in ``vba`` that VBA does not accept."""
    bad = []
    for fname, params in re.findall(r"^Function (\w+)\((.*)\)$", vba, re.M):
        for param in filter(None, (p.strip() for p in params.split(","))):
            name = re.sub(r"^(Optional|ParamArray) ", "", param).removesuffix("()")
            if name.lower() in VBA_RESERVED or not _IDENTIFIER.match(name):
                bad.append(f"{fname}({name})")
    return bad


def call_udf(func, *args, caller=None):
    """``func`` (from `declared_module`) called as xlwings' `call_udf` calls it from Excel: each
    argument converted by its declared options (a Range argument read through xlwings'
    conversion), missing ones given their defaults, the calling cell as ``caller``, and the
    result converted back for the cell."""
    info = func.__xlfunc__
    values = []
    for i, arg_info in enumerate(info["args"]):
        if arg_info["name"] == "caller":
            values.append(caller)
        elif i >= len(args) or args[i] is None:
            values.append(arg_info.get("optional"))
        elif isinstance(args[i], xlwings.Range):
            values.append(conversion.read(args[i], None, arg_info["options"]))
        else:
            values.append(conversion.read(None, args[i], arg_info["options"], engine_name=ENGINE_NAME))
    result = func(*values)
    return conversion.write(result, None, info["ret"]["options"], engine_name=ENGINE_NAME)
