"""The Excel front end: the control workbook SalesDesk.xlsm (built from `macros/`), the
glue its buttons call (`buttons`, through the `book` interface), and `doctor`.

The names below are the workbook's layout, shared by the builder, the buttons and doctor.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MACROS = ROOT / "macros"  # the VBA source
WORKBOOK = ROOT / "workbook" / "SalesDesk.xlsm"

CONTROL_SHEET = "控制台"
SETTINGS_SHEET = "设置"
INBOX_SHEET = "收件箱"
CONSOLIDATION_SHEET = "合并结果"  # 合并汇总's reconciliation
EXAMPLES_SHEET = "函数示例"
CONF_SHEET = "xlwings.conf"  # read by xlwings' VBA: keys from A1 down, values in column B

OFFICE_NAME = "OfficeFolder"  # defined name of the cell holding the office folder
REP_NAME, DATE_NAME = "NewRep", "NewDate"  # the inputs of 新建日报

UDF_MODULES = "xlpy.excel.udfs"
# The xlwings.conf keys the workbook ships with (xlwings upper-cases them when reading). No
# Interpreter_Win/_Mac rows: a key on the sheet wins even when blank, over the user's own xlwings
# settings; `xlpy doctor --fix` adds this PC's Python.
CONF_KEYS = ("UDF Modules",)
