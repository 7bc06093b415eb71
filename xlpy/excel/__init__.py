"""The Excel front end: the control workbook SalesDesk.xlsm (built from `macros/`), the
glue its buttons call (`buttons`, through the `book` interface), and `doctor`.

The names below are the workbook's layout, shared by the builder, the buttons and doctor.
"""
from pathlib import Path

from xlpy.contract.messages import say

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"  # the VBA source
WORKBOOK = ROOT / "workbook" / "SalesDesk.xlsm"

# The workbook is built in Chinese: its sheets' names are the catalogue's Chinese `desk.…-sheet`.
CONTROL_SHEET = say("desk.control-sheet")
SETTINGS_SHEET = say("desk.settings-sheet")
INBOX_SHEET = say("desk.inbox-sheet")
CONSOLIDATION_SHEET = say("desk.consolidation-sheet")  # 合并汇总's reconciliation
EXAMPLES_SHEET = say("desk.examples-sheet")
CONF_SHEET = "xlwings.conf"  # read by xlwings' VBA: keys from A1 down, values in column B

OFFICE_NAME = "OfficeFolder"  # defined name of the cell holding the office folder
REP_NAME, DATE_NAME = "NewRep", "NewDate"  # the inputs of 新建日报

UDF_MODULES = "xlpy.excel.udfs"
# The xlwings.conf keys the workbook ships with (xlwings upper-cases them when reading). No
# Interpreter_Win/_Mac rows: a key on the sheet wins even when blank, over the user's own xlwings
# settings; `xlpy doctor --fix` adds this PC's Python.
CONF_KEYS = ("UDF Modules",)
