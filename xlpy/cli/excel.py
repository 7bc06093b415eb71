"""The Excel front end's commands: `xlpy build-workbook`, `xlpy doctor` and `xlpy button ...`,
the headless twins of the control workbook's buttons (same code, on files)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xlpy.app import exits
from xlpy.cli.options import date_arg, parse_date
from xlpy.excel import MACROS, WORKBOOK

LANG_HELP = "language of messages (default: the office's setting, else zh)"


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


def add_commands(sub) -> None:
    """Add build-workbook, doctor and button to the `xlpy` sub-command parsers ``sub``."""
    p = sub.add_parser("build-workbook", help="build the control workbook SalesDesk.xlsm from macros/", description=(
        "Build the control workbook (buttons, settings, xlwings.conf, example formulas) around a VBA project "
        "compiled from the .bas/.cls files in macros/. Runs on any OS; no Excel needed."))
    p.add_argument("-o", "--output", type=Path, default=WORKBOOK, help="the workbook to write (default: workbook/SalesDesk.xlsm of this source tree)")
    p.add_argument("--macros", type=Path, default=MACROS, help="the VBA source folder (default: macros/ of this source tree)")
    p.add_argument("--refresh-xlwings", action="store_true",
                   help="first copy xlwings.bas and Dictionary.cls from the installed xlwings into the macros folder")
    p.add_argument("--png", type=Path, metavar="PNG",
                   help="also render the control sheet to this picture (needs LibreOffice and pdftoppm)")
    p.set_defaults(func=cmd_build_workbook)

    p = sub.add_parser("doctor", help="check that this machine can run the control workbook", description=(
        "Check what the control workbook's buttons and functions need here: the Python named in its "
        "xlwings.conf sheet, the xlwings version of its VBA against this Python's, its office folder and "
        "reference workbook, and (Windows) Excel's macro settings. Says how to fix each problem. "
        "Exit status: 0 all well, 1 problems found, 2 no workbook."))
    p.add_argument("workbook", nargs="?", type=Path, default=Path("SalesDesk.xlsm"), metavar="WORKBOOK",
                   help="the control workbook (default: SalesDesk.xlsm in the current folder)")
    p.add_argument("--fix", action="store_true", help="write this Python into the workbook's xlwings.conf sheet first")
    p.add_argument("--lang", choices=("zh", "en"), help="language of messages (default: zh)")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("button", help="run a control-workbook button on files, without Excel", description=(
        "The headless twins of the control workbook's buttons: the same code, on workbook files "
        "(opened with openpyxl, saved back; VBA and buttons are kept). Exit status: 0 done, "
        "1 problems found, 2 could not run."))
    buttons = p.add_subparsers(dest="button_command", required=True, metavar="BUTTON")
    for name, function, help in BUTTONS:
        b = buttons.add_parser(name, help=help, description=help)
        if name == "validate-sheet":
            b.add_argument("file", type=Path, metavar="FILE", help="the report workbook (marked up in place)")
            b.add_argument("--sheet", help="the sheet to check (default: the workbook's active sheet)")
            b.add_argument("-o", "--output", type=Path, help="save the marked-up workbook here instead")
        else:
            b.add_argument("file", type=Path, metavar="FILE", help="the control workbook (SalesDesk.xlsm)")
        date_arg(b, "the day to brief" if name == "daily-briefing" else "judge and count as of this day (default: today)")
        _office(b)
        b.set_defaults(func=cmd_button, button=function)

    b = buttons.add_parser("new-report", help="新建日报: write a blank daily report into the inbox",
                           description="新建日报: write a blank daily report for a rep and day into the office inbox.")
    b.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="the control workbook, for its office folder and the rep and date typed on it")
    b.add_argument("--rep", help="the sales rep (default: the one typed on the control sheet)")
    b.add_argument("--date", type=parse_date, help="the report date (default: the one typed on the control sheet, else today)")
    _office(b)
    b.set_defaults(func=cmd_button, button="new_report")


def _office(p: argparse.ArgumentParser) -> None:
    p.add_argument("--office", type=Path, help="the office folder (default: the one named in the workbook, "
                                               "else the current folder)")
    p.add_argument("--lang", choices=("zh", "en"), help=LANG_HELP)
