"""What the control workbook's buttons do. Each function takes the workbook it works on
(default: the one whose button was clicked, `xw.Book.caller()`) and works through the
`book.Book` interface, so that `xlpy button ...` runs the same code on files.

Every button returns an exit status (0 done, 1 problems found, 2 could not run) and
never raises: what went wrong reaches the user as one plain sentence.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib
from dataclasses import replace
from pathlib import Path

from xlpy.app import exits, validate
from xlpy.contract import config
from xlpy.contract.messages import Coded, say, texts, voice
from xlpy.core import rules, values
from xlpy.core.rules import Context
from xlpy.excel import (
    CONSOLIDATION_SHEET,
    CONTROL_SHEET,
    DATE_NAME,
    INBOX_SHEET,
    OFFICE_NAME,
    REP_NAME,
    errors,
)
from xlpy.excel.book import Book, XwBook
from xlpy.io import annotate, clock, reader, store
from xlpy.io.reference import BadReference, Reference, read_reference

text = voice("button")
desk = voice("desk")  # the control workbook's captions (Chinese, as the workbook shows them)


class Plain(Coded):
    """A problem told to the user in plain words: ``code`` names a text `button.<code>` of the catalogue."""


def button(func):
    """Run a button on its workbook, turning every failure into a message box (Excel) or
    an alert line (a file) and exit status 2; each failure is logged with its traceback
    (`errors.write_failure`) and the message names the log file."""
    @functools.wraps(func)
    def run(book: Book | None = None, **options) -> int:
        lang = options.get("lang") or "zh"
        if book is None:
            try:
                book = XwBook.caller()
            except Exception:  # no workbook to tell: logged, and xlwings shows the traceback
                errors.write_failure(func.__name__, options.get("office"))
                raise
        options["today"] = options.get("today") or clock.today()  # the click's day, decided once
        try:
            return func(book, **options)
        except Exception as e:  # noqa: BLE001 - every failure reaches the user as plain words
            message = _plain(e, lang)
            logged = errors.write_failure(f"{func.__name__} ({book.name}): {message}",
                                          options.get("office") or _office_or_none(book))
        book.alert(message + (text("logged", lang, path=logged) if logged else ""))
        return exits.UNUSABLE
    return run


def _plain(e: Exception, lang: str) -> str:
    """What went wrong, in one sentence for the person who clicked."""
    if isinstance(e, Plain):
        return text(e.code, lang, **e.params)
    if isinstance(e, (BadReference, store.MasterError)):
        return say(e.code, lang, **e.params)
    if isinstance(e, store.LockTimeout):
        return say("lock-busy", lang, path=Path(e.lock_file).parent)
    if isinstance(e, (ValueError, OSError)):  # settings, paths, files: their messages are for people
        return str(e)
    return text("failed", lang, detail=f"{type(e).__name__}: {e}")


def _office_or_none(book: Book) -> Path | None:
    try:
        return office_folder(book)
    except Exception:  # noqa: BLE001 - only for finding a log folder: the user's one will do
        return None


# ---------------------------------------------------------------- shared steps


def office_folder(book: Book) -> Path | None:
    """The office folder the workbook names (relative paths from the workbook's folder);
    None when the workbook defines no such name (a plain report file)."""
    try:
        value = book.named(OFFICE_NAME)
    except KeyError:
        return None
    if values.is_blank(value):
        raise Plain("office-unset")
    folder = Path(str(value).strip()).expanduser()
    if not folder.is_absolute() and book.path is not None:
        folder = book.path.parent / folder
    return folder


def office_settings(book: Book, office: Path | None = None, lang: str | None = None) -> config.Settings:
    """The office's settings: ``office`` if given, else the folder the workbook names,
    else the current folder (as every `xlpy` command)."""
    folder = office or office_folder(book)
    if folder is not None and not Path(folder).is_dir():
        raise Plain("office-missing", path=folder)
    settings = replace(config.load(folder), workers=1)  # inside Excel one process reads: no worker processes
    return replace(settings, language=lang) if lang else settings


def context(settings: config.Settings, today: dt.date) -> Context:
    """What the rules compare against; the reference workbook when the office has one."""
    path = settings.path("reference")
    reference = read_reference(path, settings) if path.is_file() else None
    return Context(reference=reference, settings=settings, today=today, lang=settings.language)


def report_from_grid(name: str, sheet: str, grid: list[list], ctx: Context) -> reader.Report:
    """The report `reader.read_report` would make of one sheet, from its cells as Excel
    shows them now (edits not yet saved included)."""
    reps = ctx.reference.rep_index if ctx.reference is not None else {}
    return reader.report_from_grids(Path(name), [(sheet, grid)], reps, today=ctx.today)


# Our notes begin "错误：…", "warning: …": how a note is told apart from the user's own.
_NOTE_STARTS = tuple(annotate.comment_line(s, "", lang) for s in annotate.SEVERITIES for lang in ("zh", "en"))


def clear_marks(book: Book, sheet: str) -> None:
    """Remove the fills and notes an earlier check left, keeping the user's own notes."""
    for cell in book.noted_cells(sheet):
        note = book.note(sheet, cell)
        if not note.startswith(_NOTE_STARTS):
            continue
        book.set_note(sheet, cell, note.partition(annotate.KEEP_PRIOR)[2] or None)
        if book.fill_of(sheet, cell) in annotate.COLOURS.values():
            book.fill(sheet, cell, None)


def mark(book: Book, sheet: str, issues: list[rules.Issue], lang: str = "zh") -> None:
    """Errors red, warnings yellow, a note on each cell saying why (a note the cell already
    had is kept below ours); earlier marks cleared first."""
    clear_marks(book, sheet)
    for (where, cell), found in annotate.by_cell(issues).items():
        if where != sheet:
            continue
        colour = annotate.COLOURS.get(annotate.worst(found))
        if colour:
            book.fill(sheet, cell, colour)
        prior = book.note(sheet, cell)
        book.set_note(sheet, cell, annotate.comment_text(found, lang) + (annotate.KEEP_PRIOR + prior if prior else ""))


def write_issues(book: Book, issues: list[rules.Issue], lang: str = "zh") -> None:
    """The 校验结果 sheet: one row per issue, its cell a link to the cell."""
    book.clear(annotate.SHEET)
    book.write(annotate.SHEET, annotate.issue_rows(issues, lang))
    sheets = set(book.sheet_names())
    for row, issue in enumerate(issues, start=2):
        if issue.cell and issue.sheet in sheets:
            book.link(annotate.SHEET, reader.address(3, row), issue.sheet, issue.cell)


def optional(module: str, feature: str, lang: str):
    """A module of xlpy that a later version brings; a plain message while it is missing."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
        raise Plain("not-installed", feature=feature, module=module) from None


# ---------------------------------------------------------------- the buttons


@button
def validate_active_sheet(book: Book, today: dt.date, office: Path | None = None, lang: str | None = None,
                          target: str | None = None) -> int:
    """校验当前表: check the sheet the user is looking at, mark its cells, list the issues.
    In Excel that is the active sheet of the active workbook (a report opened next to the
    control workbook, when the macro runs from Alt+F8 or the Quick Access Toolbar); clicked
    on the control sheet, the active sheet of ``target``, the workbook the user looked at
    last (the macro finds it), else of the only other open workbook."""
    ctx = context(office_settings(book, office, lang), today)
    target = _report_book(book, target)
    sheet = target.active_sheet()
    if sheet in (annotate.SHEET, CONTROL_SHEET):
        raise Plain("own-sheet", sheet=sheet)
    report = report_from_grid(target.name, sheet, target.grid(sheet), ctx)
    issues = validate.judge_sheet(report, ctx)  # inside an office: as consolidation would judge it
    for issue in issues:  # "no table" and the like name no sheet: they concern this one
        issue.sheet = issue.sheet or sheet
    mark(target, sheet, issues, ctx.lang)
    write_issues(target, issues, ctx.lang)
    target.activate(sheet)
    result = validate.FileResult(report.path, "", report, issues)
    target.status(text("validated", ctx.lang, sheet=sheet, summary=validate.summary_line([result], ctx.lang),
                       results=annotate.SHEET))
    return 1 if result.count(rules.ERROR) else 0


def _report_book(book: Book, target: str | None) -> Book:
    """The workbook 校验当前表 checks: the active one, unless that is the control sheet itself."""
    active = book.active_book()
    if active.name != book.name or active.active_sheet() != CONTROL_SHEET:
        return active
    others = [name for name in book.open_books() if name != book.name]
    if target in others:
        return book.book_named(target)
    if len(others) == 1:
        return book.book_named(others[0])
    if others:
        raise Plain("pick-book", books="、".join(others))
    raise Plain("own-sheet", sheet=CONTROL_SHEET)


@button
def validate_inbox(book: Book, today: dt.date, office: Path | None = None, lang: str | None = None) -> int:
    """校验收件箱: check every report in the office's inbox; a table of files on 收件箱."""
    ctx = context(office_settings(book, office, lang), today)
    inbox = ctx.settings.path("inbox")
    results, _ = validate.run([inbox], ctx)
    rows = [texts("button.inbox-headings", ctx.lang)]
    for r in results:
        first = next((i for i in r.issues if i.severity != rules.NOTICE), None)
        rows.append([str(r.path.relative_to(inbox)) if r.path.is_relative_to(inbox) else str(r.path),
                     say("status-" + r.status, ctx.lang), r.rows, r.count(rules.ERROR), r.count(rules.WARNING),
                     r.count(rules.NOTICE), first.message(ctx.lang) if first else None])
    book.clear(INBOX_SHEET)
    book.write(INBOX_SHEET, rows)
    book.activate(INBOX_SHEET)
    book.status(validate.summary_line(results, ctx.lang) if results else say("no-files", ctx.lang, paths=inbox))
    return 1 if any(r.status in ("invalid", "waiting", "unreadable") for r in results) else 0


@button
def new_report(book: Book, today: dt.date, rep: str | None = None, date: dt.date | None = None,
               office: Path | None = None, lang: str | None = None) -> int:
    """新建日报: a blank report for the rep and date typed on the control sheet (or given),
    written into the inbox and opened in Excel."""
    settings = office_settings(book, office, lang)
    rep = rep or _named_or_none(book, REP_NAME)
    if values.is_blank(rep):
        raise Plain("rep-unset")
    date = date or _date(_named_or_none(book, DATE_NAME), today) or today
    template = optional("xlpy.io.template", desk("new-report"), settings.language)
    path = settings.path("reference")
    reference = read_reference(path, settings) if path.is_file() else Reference.empty()
    written = template.write_template(str(rep).strip(), date, reference, None, settings)
    book.open_file(written)
    book.status(text("new-report", settings.language, path=written))
    return 0


@button
def consolidate(book: Book, today: dt.date, office: Path | None = None, lang: str | None = None) -> int:
    """合并汇总: consolidate the inbox into the master workbooks; the reconciliation (each file's
    rows read = accepted + rejected + copies, and the errors that kept rows out) on 合并结果."""
    settings = office_settings(book, office, lang)
    module = optional("xlpy.app.consolidate", desk("consolidate"), settings.language)
    outcome = module.run_consolidation(settings, today=today)
    book.clear(CONSOLIDATION_SHEET)
    book.write(CONSOLIDATION_SHEET, reconciliation(module, outcome, settings.language))
    book.activate(CONSOLIDATION_SHEET)
    lines = module.to_text(outcome, settings.language).splitlines()
    if outcome.exit_code:  # rejected reports: the user needs every line to act on
        book.alert("\n".join(lines))
    book.status(text("consolidated", settings.language, summary=lines[-1]))
    return outcome.exit_code


def reconciliation(module, outcome, lang: str) -> list[list]:
    """The 合并结果 sheet: a row per file and the totals, the check that they add up, what was
    written, then every error that kept rows out, by file and cell."""
    found = module.to_json(outcome, lang)
    t = found["totals"]
    rows = [texts("button.consolidation-headings", lang)]
    rows += [[f["source"], say("cstatus-" + f["status"], lang), f["rows_read"], f["accepted"], f["rejected"],
              f["copies"], text("yes", lang) if f["correction"] else None, f["partition"]] for f in found["files"]]
    rows.append([text("total", lang), None, t["rows_read"], t["accepted"], t["rejected"], t["copies"]])
    rows += [[], [say("reconciliation", lang, read=t["rows_read"], accepted=t["accepted"], rejected=t["rejected"],
                      copies=t["copies"], ok="✓" if found["reconciles"] else "✗")],
             [say("written", lang, files=", ".join(found["written"]) or "-", master=str(outcome.master))]]
    errors = [[f["source"], f"{e['sheet'] or ''}!{e['cell'] or ''}", e["rule"], e["message"]]
              for f in found["files"] for e in f["errors"]]
    return rows + ([[], texts("button.error-headings", lang), *errors] if errors else [])


@button
def refresh_stats(book: Book, today: dt.date, office: Path | None = None, lang: str | None = None) -> int:
    """刷新统计: every statistics table, from the master workbooks, onto the sheets the master
    workbook has too, written by the code that writes 总表's (`stats_sheets.write_sheets`): each
    table under its title as an Excel table with the same formats, side by side, and the same
    charts right of them. The sheets keep their zh names, the workbook's VBA knows them so."""
    settings = office_settings(book, office, lang)
    stats = optional("xlpy.core.stats", desk("refresh-stats"), settings.language)
    from xlpy.io import stats_sheets, xlsx
    parts = store.read_partitions(settings.path("master"))
    ctx = context(settings, today)
    tables = stats.all_tables(store.concat(parts, "ledger"), store.concat(parts, "activity"),
                              ctx.reference or Reference.empty(), ctx.today, settings.ranking_weights)
    stats_sheets.write_sheets(xlsx.BookTarget(book), tables, settings.language, sheet_lang="zh")
    if ctx.reference is not None and ctx.reference.sells_units:  # the sales status board too (销控表)
        from xlpy.core import units
        from xlpy.io import unit_board
        ref, ledger = ctx.reference, store.concat(parts, "ledger")
        board = units.board(ref.units, units.events(ledger, set(ref.unit_index)), ctx.today, settings.sign_within_days)
        unit_board.write_board_to_book(book, board, ctx.today, settings.language)
    book.status(text("stats", settings.language, count=len(tables), day=ctx.today.isoformat()))
    return 0


@button
def daily_briefing(book: Book, today: dt.date, office: Path | None = None, lang: str | None = None,
                   date: dt.date | None = None) -> int:
    """生成工作日志: the end-of-day briefing for management."""
    settings = office_settings(book, office, lang)
    briefing = optional("xlpy.app.briefing", desk("briefing"), settings.language)
    try:
        path = briefing.write_briefing(settings, date or today)
    except store.MasterError as e:  # 总表 open in Excel: say so plainly
        book.alert(say(e.code, settings.language, **e.params))
        return exits.UNUSABLE
    book.open_file(path)
    book.status(text("briefing", settings.language, path=path))
    return 0


def _named_or_none(book: Book, name: str):
    try:
        return book.named(name)
    except KeyError:
        return None


def _date(value, today: dt.date) -> dt.date | None:
    if values.is_blank(value):
        return None
    try:
        return values.date(value, today)
    except values.BadValue:
        raise Plain("bad-date", value=value) from None
