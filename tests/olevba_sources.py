"""The VBA source of a workbook as oletools' olevba extracts it: the independent reader the tests
hold the committed workbook (and `xlpy.excel.vba`, doctor's own reader) against."""
from __future__ import annotations

from pathlib import Path

from oletools.olevba import VBA_Parser


def vba_sources(workbook: Path) -> dict[str, str]:
    """Module name (as olevba names it, e.g. `xlwings.bas`) → its source."""
    parser = VBA_Parser(str(workbook))
    try:
        return {name: code for _, _, name, code in parser.extract_all_macros()} if parser.detect_vba_macros() else {}
    finally:
        parser.close()
