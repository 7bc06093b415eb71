"""Messages users see that are not rule messages (those live with the rules), in
Simplified Chinese and English."""
from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, tuple[str, str]] = {
    # why a file cannot be read (reader.Unreadable codes)
    "empty": ("文件是空的（0 字节），请让填报人重新保存并发送", "the file is empty (0 bytes); ask the sender to save and send it again"),
    "too-large": ("文件过大（{detail}），超过设置的上限", "the file is too large ({detail}), over the configured limit"),
    "no-access": ("没有读取权限：{detail}", "no permission to read it: {detail}"),
    "io": ("读取失败：{detail}", "reading failed: {detail}"),
    "encrypted": ("工作簿设置了打开密码。请在 Excel 中打开它，选择 文件 > 信息 > 保护工作簿 > 用密码进行加密，清空密码后保存",
                  "the workbook is password-encrypted. Open it in Excel, choose File > Info > Protect Workbook > "
                  "Encrypt with Password, clear the password and save"),
    "text-file": ("这是文本文件（可能是改了扩展名的 CSV），不是 Excel 工作簿。请在 Excel 中打开后另存为 .xlsx",
                  "this is a text file (perhaps a CSV renamed), not an Excel workbook. Open it in Excel and save as .xlsx"),
    "not-spreadsheet": ("不是 Excel 工作簿（文件内容无法识别）", "not an Excel workbook (the content is not recognised)"),
    "corrupt": ("文件已损坏或不完整，请让填报人重新发送（{detail}）", "the file is damaged or incomplete; ask for it again ({detail})"),
    "unparsable": ("工作簿内容无法解析（{detail}）。请在 Excel 中打开它，另存为 .xlsx 后重新发送",
                   "the workbook's content cannot be parsed ({detail}). Open it in Excel, save it as .xlsx and send it again"),
    "zip-bomb": ("解压后过大（{detail}），为安全起见拒绝读取", "it unpacks to {detail}, over the safety limit; refused"),
    "xml-entities": ("文件含有 XML 实体声明（{detail}），为安全起见拒绝读取",
                     "the file declares XML entities ({detail}); refused for safety"),
    "too-many-cells": ("工作表过大（{detail}），不像日报表", "a sheet is far too large for a daily report ({detail})"),
    "timeout": ("读取超时（{detail}），已跳过", "reading took too long ({detail}); skipped"),
    # the reference workbook
    "reference-missing": ("找不到基础资料工作簿：{path}", "reference workbook not found: {path}"),
    "reference-unreadable": ("无法读取基础资料工作簿 {path}：{detail}", "cannot read the reference workbook {path}: {detail}"),
    "reference-sheet-missing": ("基础资料 {path} 缺少工作表“{sheet}”", "the reference workbook {path} has no sheet “{sheet}”"),
    "reference-columns": ("基础资料 {path} 的工作表“{sheet}”缺少列：{missing}",
                          "sheet “{sheet}” of the reference workbook {path} lacks column(s): {missing}"),
    "reference-duplicate-rep": ("基础资料 {path} 中销售代表“{name}”出现了两次", "rep “{name}” appears twice in the reference workbook {path}"),
    # statuses and summaries
    "status-ok": ("通过", "ok"),
    "status-invalid": ("有错误", "invalid"),
    "status-unreadable": ("无法读取", "unreadable"),
    "status-skipped": ("已跳过", "skipped"),
    "not-spreadsheet-suffix": ("不是电子表格文件", "not a spreadsheet file"),
    "summary": ("共 {files} 个文件，{rows} 行：{errors} 个错误，{warnings} 个警告，{notices} 个提示",
                "{files} file(s), {rows} row(s): {errors} error(s), {warnings} warning(s), {notices} notice(s)"),
    # consolidation
    "consolidate-file": ("{source}：{status}，读取 {read} 行 = 接收 {accepted} + 拒收 {rejected} + 副本跳过 {copies}",
                         "{source}: {status}, read {read} = accepted {accepted} + rejected {rejected} + copies skipped {copies}"),
    "cstatus-accepted": ("已接收", "accepted"), "cstatus-partial": ("部分接收", "partly accepted"),
    "cstatus-rejected": ("已拒收", "rejected"), "cstatus-unreadable": ("无法读取", "unreadable"),
    "cstatus-copy": ("副本，已跳过", "copy, skipped"), "cstatus-unchanged": ("未变化", "unchanged"),
    "correction": ("（更正：替换了之前的版本）", " (correction: earlier version replaced)"),
    "reconciliation": ("对账 {ok}：读取 {read} 行 = 接收 {accepted} + 拒收 {rejected} + 副本跳过 {copies}",
                       "Reconciliation {ok}: read {read} = accepted {accepted} + rejected {rejected} + copies skipped {copies}"),
    "written": ("已写入：{files}（{master}）", "Written: {files} (in {master})"),
    "master-open": ("总表 {path} 正在 Excel 中打开，请关闭后重试；总表未做任何改动",
                    "the master {path} is open in Excel; close it and try again. Nothing was changed"),
    "master-readonly": ("总表 {path} 是只读的，无法写入；总表未做任何改动",
                        "the master {path} is read-only; nothing was changed"),
    "master-unreadable": ("总表 {path} 已损坏，无法读取（{detail}）。请从 master/backup/ 中取回最近的备份替换它",
                          "the master {path} is damaged ({detail}). Put back its latest copy from master/backup/"),
    "master-write-failed": ("写入总表失败（{detail}），可能磁盘已满；总表保持原样",
                            "writing the master failed ({detail}), perhaps the disk is full; the master is unchanged"),
    "lock-timeout": ("另一个合并正在进行（{path}），等待 {seconds} 秒后放弃；请稍后重试",
                     "another consolidation is running ({path}); gave up after {seconds} s. Try again later"),
    "lock-busy": ("另一个合并正在进行（{path}），请稍后再点一次", "another consolidation is running ({path}); try again in a moment"),
    "no-files": ("没有找到要处理的文件：{paths}", "no files to process in: {paths}"),
    "no-units": ("{path} 没有房源表：此办公室不按房源销售", "{path} has no 房源表 (unit list): this office does not sell units"),
    # the daily briefing (工作日志) and the nightly batch
    "bf-subject": ("工作日志 {day}", "Daily briefing {day}"),
    "bf-title": ("工作日志 {day}（{weekday}）", "Daily briefing {day} ({weekday})"),
    "bf-day": ("当日业绩", "The day"),
    "bf-top": ("本月业绩前三名（截至当日）", "Top three reps this month (to date)"),
    "bf-regions": ("各区域本月目标完成", "Month-to-date attainment by region"),
    "bf-overdue": ("逾期超过 {days} 天的应收账款", "Receivables overdue more than {days} days"),
    "bf-missing": ("未交日报", "Reports missing"),
    "bf-rejected": ("被拒收的日报", "Reports rejected"),
    "bf-trend": ("本月每日净销售额（当日为深色）", "Net sales per day this month (the day in dark)"),
    "bf-none": ("无", "none"),
    "bf-footer": ("本邮件由 xlpy 根据总表自动生成，数字与“xlpy stats”一致。",
                  "Generated by xlpy from the master workbooks; the figures equal `xlpy stats`."),
    "nightly-start": ("夜间批处理开始：办公文件夹 {office}，日期 {day}", "Nightly batch: office {office}, day {day}"),
    "nightly-consolidate": ("校验并合并收件箱", "validate and consolidate the inbox"),
    "nightly-briefing": ("刷新统计并写工作日志", "refresh statistics and write the briefing"),
    "nightly-send": ("发送工作日志", "send the briefing"),
    "nightly-written": ("工作日志已写入 {workbook}（工作表“{sheet}”）和 {eml}",
                        "Briefing written to {workbook} (sheet “{sheet}”) and {eml}"),
    "nightly-sent": ("已发送给 {to}", "sent to {to}"),
    "nightly-send-failed": ("发送给 {to} 失败：{detail}；邮件保留在 {eml}",
                            "sending to {to} failed: {detail}; the message stays in {eml}"),
    "nightly-already-sent": ("今天已发送给 {to}，不再重复发送（需要时用 --resend）",
                             "already sent to {to} for this day; not sent again (use --resend)"),
    "nightly-no-smtp": ("xlpy.toml 中没有 [smtp] 设置：工作日志未发送，邮件保存在 {eml}",
                        "no [smtp] section in xlpy.toml: not sent; the message is saved as {eml}"),
    "nightly-no-recipients": ("基础资料的“收件人”表中没有邮箱：工作日志未发送",
                              "no e-mail addresses on the 收件人 sheet of the reference workbook: not sent"),
    "nightly-failed": ("失败：{detail}；总表未被改动", "failed: {detail}; the record is unchanged"),
    "nightly-briefing-failed": ("写工作日志失败：{detail}（合并已完成）",
                                "writing the briefing failed: {detail} (the consolidation is done)"),
    "nightly-summary": ("完成：{files} 个文件，{rows} 行，接收 {accepted}，拒收 {rejected}，用时 {seconds:.1f} 秒，退出码 {status}",
                        "Done: {files} file(s), {rows} row(s), {accepted} accepted, {rejected} rejected, "
                        "{seconds:.1f} s, exit status {status}"),
}


@dataclass
class Msg:
    """A message to be rendered later, in the reader's language."""

    code: str
    params: dict = field(default_factory=dict)

    def render(self, lang: str = "zh") -> str:
        return say(self.code, lang, **self.params)


def pick(table: dict[str, tuple], code: str, lang: str = "zh", **params):
    """The zh or en entry of ``code`` in a table of (zh, en) pairs, filled in with ``params``
    (a `Msg` among them rendered in the same language). Modules keep the texts only they
    use in tables of their own and read them with ``partial(pick, TABLE)``."""
    zh, en = table[code]
    chosen = en if lang == "en" else zh
    if not params:
        return chosen
    return chosen.format(**{k: v.render(lang) if isinstance(v, Msg) else v for k, v in params.items()})


def say(code: str, lang: str = "zh", **params) -> str:
    return pick(MESSAGES, code, lang, **params)
