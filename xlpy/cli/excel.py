"""The Excel front end's commands: `xlpy build-workbook`, `xlpy doctor` and `xlpy button ...`,
the headless twins of the control workbook's buttons (same code, on files)."""
from __future__ import annotations

import sys
from pathlib import Path

from xlpy.app import exits
from xlpy.cli.options import Vocabulary, parse_date
from xlpy.excel import MACROS, WORKBOOK


def cmd_build_workbook(args) -> int:
    try:
        from xlpy.excel import build
    except ImportError as e:  # ms-ovba is needed by whoever builds the workbook, not by its users
        print(f"xlpy build-workbook: {e.name} is not installed: pip install -r requirements-dev.txt", file=sys.stderr)
        return exits.UNUSABLE
    if args.refresh_xlwings:
        for path in build.refresh_xlwings(args.macros):
            print(path, file=sys.stderr)
    print(build.build_workbook(args.output, args.macros))
    if args.png:
        print(build.render(args.output, args.png))
    return exits.OK


def cmd_doctor(args) -> int:
    from xlpy.excel import doctor
    lang = args.lang or "zh"
    if not args.workbook.is_file():
        print(f"xlpy doctor: {args.workbook}: no such workbook", file=sys.stderr)
        return exits.UNUSABLE
    if args.fix:
        print(doctor.fix(args.workbook, lang))
    findings = doctor.diagnose(args.workbook, lang)
    print(doctor.to_text(findings, lang))
    return exits.FOUND if any(f.ok is False for f in findings) else exits.OK


def cmd_button(args) -> int:
    from xlpy.excel import buttons
    from xlpy.excel.book import FileBook
    book = FileBook(args.file, active=getattr(args, "sheet", None), output=getattr(args, "output", None))
    options = {k: v for k, v in vars(args).items() if k in ("office", "lang", "today", "rep", "date") and v is not None}
    status = getattr(buttons, args.button)(book, **options)
    for line in book.shown:
        print(line, file=sys.stderr if status == exits.UNUSABLE else sys.stdout)
    if status != exits.UNUSABLE and book.path is not None:
        book.save()
    return status


# (sub-command, function in buttons, help)
BUTTONS = (
    ("validate-sheet", "validate_active_sheet", "校验当前表: check one sheet of a report, mark its cells, list the issues"),
    ("validate-inbox", "validate_inbox", "校验收件箱: check the office inbox, a table of files on the 收件箱 sheet"),
    ("consolidate", "consolidate", "合并汇总: consolidate the inbox into the master workbooks"),
    ("refresh-stats", "refresh_stats", "刷新统计: fill the statistics sheets from the master workbooks"),
    ("daily-briefing", "daily_briefing", "生成工作日志: write the daily briefing"),
)


def add_commands(sub, v: Vocabulary | None = None) -> None:
    """Add build-workbook, doctor and button to the `xlpy` sub-command parsers ``sub``."""
    v = v or Vocabulary("zh")
    p = v.parser(sub, "build-workbook", "build the control workbook SalesDesk.xlsm from macros/", (
        "Build the control workbook (buttons, settings, xlwings.conf, example formulas) around a VBA project "
        "compiled from the .bas/.cls files in macros/. Runs on any OS; no Excel needed."))
    p.add_argument("-o", "--output", type=Path, default=WORKBOOK, metavar="FILE",
                   help=v.h("the workbook to write (default: workbook/SalesDesk.xlsm of this source tree)"))
    p.add_argument("--macros", type=Path, default=MACROS, metavar="DIR",
                   help=v.h("the VBA source folder (default: macros/ of this source tree)"))
    p.add_argument("--refresh-xlwings", action="store_true", help=v.h(
        "first copy xlwings.bas and Dictionary.cls from the installed xlwings into the macros folder"))
    p.add_argument("--png", type=Path, metavar="PNG",
                   help=v.h("also render the control sheet to this picture (needs LibreOffice and pdftoppm)"))
    v.lang_arg(p)
    p.set_defaults(func=cmd_build_workbook)

    p = v.parser(sub, "doctor", "check that this machine can run the control workbook", (
        "Check what the control workbook's buttons and functions need here: the Python named in its xlwings.conf "
        "sheet, the xlwings version of its VBA against this Python's and that version's DLL (Windows) or "
        "AppleScript file (macOS), its office folder and reference workbook, and (Windows) Excel's macro settings. "
        "Says how to fix each problem. Exit status: 0 all well, 1 problems found, 2 no workbook."))
    p.add_argument("workbook", nargs="?", type=Path, default=Path("SalesDesk.xlsm"), metavar="WORKBOOK",
                   help=v.h("the control workbook (default: SalesDesk.xlsm in the current folder)"))
    p.add_argument("--fix", action="store_true", help=v.h("write this Python into the workbook's xlwings.conf sheet first"))
    v.lang_arg(p)
    p.set_defaults(func=cmd_doctor)

    p = v.parser(sub, "button", "run a control-workbook button on files, without Excel", (
        "The headless twins of the control workbook's buttons: the same code, on workbook files (opened with "
        "openpyxl, saved back; VBA and buttons are kept). Exit status: 0 done, 1 problems found, 2 could not run."))
    buttons = p.add_subparsers(dest="button_command", required=True, metavar="BUTTON")
    office_help = "the office folder (default: the one named in the workbook, else the current folder)"
    for name, function, help in BUTTONS:
        b = v.parser(buttons, name, help, help)
        if name == "validate-sheet":
            b.add_argument("file", type=Path, metavar="FILE", help=v.h("the report workbook (marked up in place)"))
            b.add_argument("--sheet", help=v.h("the sheet to check (default: the workbook's active sheet)"))
            b.add_argument("-o", "--output", type=Path, metavar="FILE", help=v.h("save the marked-up workbook here instead"))
        else:
            b.add_argument("file", type=Path, metavar="FILE", help=v.h("the control workbook (SalesDesk.xlsm)"))
        v.date(b)  # every button judges or counts as of a day
        v.office(b, office_help)
        b.set_defaults(func=cmd_button, button=function)

    b = v.parser(buttons, "new-report", "新建日报: write a blank daily report into the inbox",
                 "新建日报: write a blank daily report for a rep and day into the office inbox.")
    b.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help=v.h("the control workbook, for its office folder and the rep and date typed on it"))
    b.add_argument("--rep", help=v.h("the sales rep (default: the one typed on the control sheet)"))
    b.add_argument("--date", type=parse_date, metavar="DATE",
                   help=v.h("the report date (default: the one typed on the control sheet, else today)"))
    v.office(b, office_help)
    b.set_defaults(func=cmd_button, button="new_report")
