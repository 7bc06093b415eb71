Attribute VB_Name = "SalesDesk"
' The buttons of the SalesDesk control workbook. Each Sub hands over to Python
' (xlpy.excel.buttons); all logic, captions and messages live there, except the two
' messages below, shown when Python cannot be reached.
' Built into workbook/SalesDesk.xlsm by `xlpy build-workbook`; edit this file, not the workbook.
' The file stays ASCII (VBA source is stored in a code page): Chinese text is written as
' UTF-16 code units in hex, decoded by Zh().
Option Explicit

' "Python for the buttons not found (not set on the xlwings.conf sheet, or the file is missing).
' Run this command in a Command Prompt (Mac: Terminal), then click the button again:"
Private Const NO_PYTHON As String = "627E 4E0D 5230 8FD0 884C 6309 94AE 6240 9700 7684 0020 0050 0079 0074 0068 006F 006E FF08 0078 006C 0077 0069 006E 0067 0073 002E 0063 006F 006E 0066 0020 8868 4E2D 6CA1 6709 8BBE 7F6E FF0C 6216 8BBE 7F6E 7684 6587 4EF6 4E0D 5B58 5728 FF09 3002 8BF7 5728 547D 4EE4 63D0 793A 7B26 FF08 004D 0061 0063 FF1A 7EC8 7AEF FF09 4E2D 8FD0 884C 4E0B 9762 7684 547D 4EE4 FF0C 7136 540E 518D 70B9 4E00 6B21 6309 94AE FF1A"
' "The XLPY_ functions need Excel for Windows and cannot be imported on a Mac; the buttons work."
Private Const MAC_UDFS As String = "0058 004C 0050 0059 005F 0020 81EA 5B9A 4E49 51FD 6570 9700 8981 0020 0057 0069 006E 0064 006F 0077 0073 0020 7248 0020 0045 0078 0063 0065 006C FF0C 5728 0020 004D 0061 0063 0020 4E0A 65E0 6CD5 5BFC 5165 FF1B 63A7 5236 53F0 7684 6309 94AE 5728 0020 004D 0061 0063 0020 4E0A 7167 5E38 53EF 7528 3002"

Sub ValidateActiveSheet()
    ' Clicked on the control sheet: Python checks the workbook looked at before it
    RunButton "validate_active_sheet(target=" & PyText(LastOtherWorkbook()) & ")"
End Sub

Sub ValidateInbox()
    RunButton "validate_inbox()"
End Sub

Sub Consolidate()
    RunButton "consolidate()"
End Sub

Sub RefreshStats()
    RunButton "refresh_stats()"
End Sub

Sub NewReport()
    RunButton "new_report()"
End Sub

Sub DailyBriefing()
    RunButton "daily_briefing()"
End Sub

Sub ImportFunctions()
    #If Mac Then
        MsgBox Zh(MAC_UDFS), vbInformation, "SalesDesk"
    #Else
        ImportPythonUDFs
    #End If
End Sub

Private Sub RunButton(ByVal buttonCall As String)
    ' A function of xlpy.excel.buttons, once the Python that xlwings will start is known to exist
    If PythonReady() Then RunPython "import xlpy.excel.buttons as b; b." & buttonCall
End Sub

Private Function PythonReady() As Boolean
    ' The interpreter as xlwings' RunPython looks it up (sheet, folder, user settings). Without one
    ' xlwings runs whatever "python" is on PATH, which has no xlpy: say what to run instead.
    Dim interpreter As String
    #If Mac Then
        interpreter = GetConfig("INTERPRETER_MAC", "")
    #Else
        interpreter = GetConfig("INTERPRETER_WIN", "")
    #End If
    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "")
    If interpreter <> "" Then
        If IsFullName(interpreter) Then
            PythonReady = FileExists(interpreter)
        Else
            PythonReady = True  ' a command name the user chose, found on PATH
        End If
    End If
    If Not PythonReady Then
        MsgBox Zh(NO_PYTHON) & vbCrLf & vbCrLf & "xlpy doctor --fix """ & ThisWorkbook.FullName & """", _
            vbExclamation, "SalesDesk"
    End If
End Function

Private Function LastOtherWorkbook() As String
    ' Windows(1) is the active window; the others follow in the order they were last active
    Dim i As Long
    For i = 1 To Application.Windows.Count
        If Application.Windows(i).Visible Then
            If Not Application.Windows(i).Parent Is ThisWorkbook Then
                LastOtherWorkbook = Application.Windows(i).Parent.Name
                Exit Function
            End If
        End If
    Next i
End Function

Private Function PyText(ByVal s As String) As String
    ' s as a Python string literal (None when empty); file names hold no double quote
    If s = "" Then
        PyText = "None"
    Else
        PyText = "'" & Replace(Replace(s, "\", "\\"), "'", "\'") & "'"
    End If
End Function

Private Function Zh(ByVal codes As String) As String
    ' Text from UTF-16 code units in hex, separated by spaces
    Dim part As Variant
    For Each part In Split(codes, " ")
        Zh = Zh & ChrW(Val("&H" & part))
    Next part
End Function
