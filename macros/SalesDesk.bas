Attribute VB_Name = "SalesDesk"
' The buttons of the SalesDesk control workbook. Each Sub hands over to Python
' (xlpy.excel.buttons); all logic, captions and messages live there.
' Built into workbook/SalesDesk.xlsm by `xlpy build-workbook`; edit this file, not the workbook.
Option Explicit

Sub ValidateActiveSheet()
    RunPython "import xlpy.excel.buttons as b; b.validate_active_sheet()"
End Sub

Sub ValidateInbox()
    RunPython "import xlpy.excel.buttons as b; b.validate_inbox()"
End Sub

Sub Consolidate()
    RunPython "import xlpy.excel.buttons as b; b.consolidate()"
End Sub

Sub RefreshStats()
    RunPython "import xlpy.excel.buttons as b; b.refresh_stats()"
End Sub

Sub NewReport()
    RunPython "import xlpy.excel.buttons as b; b.new_report()"
End Sub

Sub DailyBriefing()
    RunPython "import xlpy.excel.buttons as b; b.daily_briefing()"
End Sub

Sub ImportFunctions()
    ImportPythonUDFs
End Sub
