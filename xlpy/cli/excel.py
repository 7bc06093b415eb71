"""The Excel front end's commands: `xlpy build-workbook`, `xlpy doctor` and `xlpy button ...`,
the headless twins of the control workbook's buttons (same code, on files)."""
from __future__ import annotations

import sys
from pathlib import Path

from xlpy.app import exits
from xlpy.cli.options import Vocabulary
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


# (sub-command, function in buttons); each one's help is help.button.<sub-command>
BUTTONS = (
    ("validate-sheet", "validate_active_sheet"),
    ("validate-inbox", "validate_inbox"),
    ("consolidate", "consolidate"),
    ("refresh-stats", "refresh_stats"),
    ("daily-briefing", "daily_briefing"),
)


def add_commands(sub, v: Vocabulary | None = None) -> None:
    """Add build-workbook, doctor and button to the `xlpy` sub-command parsers ``sub``."""
    v = v or Vocabulary("zh")
    p = v.parser(sub, "build-workbook")
    p.add_argument("-o", "--output", type=Path, default=WORKBOOK, metavar="FILE",
                   help=v.h("help.build-workbook.output"))
    p.add_argument("--macros", type=Path, default=MACROS, metavar="DIR",
                   help=v.h("help.build-workbook.macros"))
    p.add_argument("--refresh-xlwings", action="store_true", help=v.h("help.build-workbook.refresh-xlwings"))
    p.add_argument("--png", type=Path, metavar="PNG",
                   help=v.h("help.build-workbook.png"))
    v.lang_arg(p)
    p.set_defaults(func=cmd_build_workbook)

    p = v.parser(sub, "doctor")
    p.add_argument("workbook", nargs="?", type=Path, default=Path("SalesDesk.xlsm"), metavar="WORKBOOK",
                   help=v.h("help.doctor.workbook"))
    p.add_argument("--fix", action="store_true", help=v.h("help.doctor.fix"))
    v.lang_arg(p)
    p.set_defaults(func=cmd_doctor)

    p = v.parser(sub, "button")
    buttons = p.add_subparsers(dest="button_command", required=True, metavar="BUTTON")
    office_help = "help.button.office"
    for name, function in BUTTONS:
        b = v.parser(buttons, name, f"help.button.{name}")
        if name == "validate-sheet":
            b.add_argument("file", type=Path, metavar="FILE", help=v.h("help.button.validate-sheet.file"))
            b.add_argument("--sheet", help=v.h("help.button.validate-sheet.sheet"))
            b.add_argument("-o", "--output", type=Path, metavar="FILE", help=v.h("help.button.validate-sheet.output"))
        else:
            b.add_argument("file", type=Path, metavar="FILE", help=v.h("help.button.file"))
        v.date(b)  # every button judges or counts as of a day
        v.office(b, office_help)
        b.set_defaults(func=cmd_button, button=function)

    b = v.parser(buttons, "new-report", "help.button.new-report")
    b.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help=v.h("help.button.new-report.file"))
    b.add_argument("--rep", help=v.h("help.button.new-report.rep"))
    b.add_argument("--date", type=v.date_type, metavar="DATE",
                   help=v.h("help.button.new-report.date"))
    v.office(b, office_help)
    b.set_defaults(func=cmd_button, button="new_report")
