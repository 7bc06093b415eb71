"""The command line's own words in both languages, in one table: help texts (written in English
in the parser, looked up here for Chinese) and the messages of the command line itself."""
from __future__ import annotations

from functools import partial

from xlpy.contract.messages import pick

# English help text → its Chinese. A test checks that every help text of the parser is here.
HELP_ZH: dict[str, str] = {
    "Daily sales reports (销售日报表): validate, consolidate, statistics.":
        "销售日报表：校验、合并汇总、统计。",
    "show this help message and exit": "显示此帮助并退出",
    "language of messages and help (default: the office's setting, else zh)":
        "消息和帮助的语言（默认：办公文件夹的设置，否则 zh）",
    "the office folder holding xlpy.toml (default: the current folder)":
        "存放 xlpy.toml 的办公文件夹（默认：当前文件夹）",
    "the folder of reports (default: the office inbox)": "日报所在的文件夹（默认：办公文件夹的收件箱）",
    "the folder of master workbooks (default: the office master folder)":
        "总表所在的文件夹（默认：办公文件夹的 master）",
    "the reference workbook (default: the office's reference.xlsx)":
        "基础资料工作簿（默认：办公文件夹的 reference.xlsx）",
    "output format (default: text)": "输出格式（默认：text）",
    "the day the command runs as: judges dates, counts up to it (default: today)":
        "命令所按的日期：据此判断日期、统计截至此日（默认：今天）",
    "processes that read a large batch (1,000 files or more): 0 one per core, 1 this process only "
    "(default: the office's workers setting, else 0)":
        "读取大批日报（1,000 份及以上）所用的进程数：0 为每个 CPU 核一个，1 为只用本进程（默认：办公文件夹的 workers 设置，否则 0）",
    # validate
    "check daily reports cell by cell": "逐格检查日报表",
    "Check daily-report files (or folders of them) against the input contract and the reference workbook, "
    "and, with --master, against the consolidated record. Exit status: 0 no errors, 1 errors found, "
    "2 unusable arguments or reference workbook, 4 internal error.":
        "按填报规范和基础资料检查日报文件（或其文件夹）；指定 --master 时也对照已合并的记录检查。"
        "退出码：0 无错误，1 发现错误，2 参数或基础资料不可用，4 内部错误。",
    "report files or folders (default: the --inbox folder)": "日报文件或文件夹（默认：--inbox 文件夹）",
    "also check against the record in the master folder: contracts signed before, payments and "
    "cancellations of unknown contracts, stock, money owed":
        "同时对照总表文件夹中的记录检查：以前签过的合同、未知合同的回款和退订、库存、欠款",
    "write a marked-up copy of each report into DIR: errors red, warnings yellow, a comment on each cell "
    "and a 校验结果 sheet; originals are never changed":
        "把每份日报的标注副本写入 DIR：错误标红、警告标黄、每个单元格加批注并附“校验结果”表；原文件不改动",
    # consolidate
    "merge the inbox into the master workbooks": "把收件箱合并进总表",
    "Validate every report in the inbox and merge the accepted ones into the monthly master workbooks "
    "(master/YYYY-MM.xlsx). A report with errors is rejected whole (setting accept_valid_rows keeps its "
    "valid rows). Running again changes nothing; a renamed copy is skipped; a changed file replaces its "
    "earlier version. Exit status: 0 all accepted, 1 some rejected (the rest consolidated), 2 nothing done, "
    "4 internal error.":
        "校验收件箱中的每份日报，把通过的合并进按月的总表（master/YYYY-MM.xlsx）。有错误的日报整份拒收"
        "（设置 accept_valid_rows 可保留其有效行）。重复运行不会改变任何东西；改名的副本会跳过；"
        "修改过的文件替换其旧版本。退出码：0 全部接收，1 部分拒收（其余已合并），2 什么都没做，4 内部错误。",
    "the folder of master workbooks, created if missing (default: the office master folder)":
        "总表所在的文件夹，不存在时创建（默认：办公文件夹的 master）",
    # stats
    "figures from the master workbooks": "总表中的统计数字",
    "Figures from the consolidated record, one row per group: net sales, net units, leads, orders, "
    "contracts, cancellations, received, outstanding, visits, calls, conversion, target, attainment "
    "(meanings: docs/statistics.md). Without --period: the month of --date (by month, quarter or year: all), and the command says so. "
    "JSON keeps the machine names (net_amount, …) and ISO dates; CSV cells that begin with = + - @ are "
    "prefixed with ' so that Excel never runs them.":
        "已合并记录的统计，每组一行：净销售额、净销量、意向、认购、签约、退订、回款、未收、拜访、电话、"
        "转化率、目标、完成率（含义见 docs/statistics.md）。不指定 --period 时统计 --date 所在的月份（按月、季度或年度分组时为全部），并会注明。"
        "JSON 保留机器名称（net_amount 等）和 ISO 日期；CSV 中以 = + - @ 开头的单元格前加 '，Excel 不会执行它们。",
    "what to group by": "按什么分组",
    "only this period: 2026-11, 2026/11, 202611, 2026年11月, 2026-Q4, 2026Q4, 2026年第4季度, 2026, "
    "a day such as 2026-11-26, or all (default: the month of --date; by month, quarter or year: all)":
        "只统计此期间：2026-11、2026/11、202611、2026年11月、2026-Q4、2026Q4、2026年第4季度、2026、"
        "某一天如 2026-11-26，或 all（默认：--date 所在的月份；按月、季度或年度分组时为全部）",
    "from this day or period on (with --to: a range of days)": "从此日或此期间开始（与 --to 一起：一段日期）",
    "up to this day or period": "到此日或此期间为止",
    "output format (default: text, a table for people)": "输出格式（默认：text，给人看的表格）",
    # init
    "create an office folder": "创建办公文件夹",
    "the folder to create (may exist, must not hold xlpy.toml)": "要创建的文件夹（可以已存在，但不能已有 xlpy.toml）",
    # template
    "write a blank daily report for a rep": "为销售代表生成空白日报",
    "Write a blank daily report with the title area filled in and drop-down lists for rep, product and "
    "deal type taken from the reference workbook.":
        "生成一份空白日报：表头已填好，销售代表、产品和业务类型有取自基础资料的下拉列表。",
    "the sales rep's name": "销售代表姓名",
    "the file to write (default: inbox/REP_DATE.xlsx in the office)": "要写的文件（默认：办公文件夹的 inbox/姓名_日期.xlsx）",
    # demo
    "build a demo office and run everything on it": "建一个演示办公文件夹并在上面运行全部步骤",
    "the folder (default: ./xlpy-demo)": "文件夹（默认：./xlpy-demo）",
    # nightly
    "the nightly batch: consolidate, statistics, briefing, mail": "夜间批处理：合并、统计、工作日志、邮件",
    "For a scheduler: consolidate the inbox (validating each new report), refresh the statistics, write the "
    "day's briefing (工作日志 sheet in master/总表.xlsx and outbox/DAY.eml) and mail it when xlpy.toml has an "
    "[smtp] section (--no-send: not). Logs to logs/DAY.log. Exit status: 0 all good, 1 some reports rejected "
    "(the rest consolidated), 2 failed (the record unchanged), 3 the briefing could not be sent (it waits in "
    "the outbox), 4 internal error.":
        "供计划任务运行：合并收件箱（逐份校验新日报）、刷新统计、写当日工作日志（master/总表.xlsx 的“工作日志”表"
        "和 outbox/日期.eml），xlpy.toml 有 [smtp] 时发送邮件（--no-send 则不发）。日志写入 logs/日期.log。"
        "退出码：0 一切正常，1 部分日报被拒收（其余已合并），2 失败（记录未改动），3 工作日志未能发送（留在 outbox），"
        "4 内部错误。",
    "mail the briefing (nightly: by default; briefing: only when asked)": "发送工作日志邮件（nightly 默认发送；briefing 仅在指定时发送）",
    "mail again to recipients who already had this day's briefing": "再次发送给已收到当日工作日志的收件人",
    # briefing
    "write the daily briefing (工作日志) alone": "只写当日工作日志",
    "Write the day's briefing from the master workbooks as they are: the 工作日志 sheet in master/总表.xlsx "
    "(statistics refreshed as of the day) and outbox/DAY.eml; --send mails it as `xlpy nightly` does. "
    "Exit status: 0 done, 2 the master could not be written, 3 not sent, 4 internal error.":
        "按总表现状写当日工作日志：master/总表.xlsx 的“工作日志”表（统计按当日刷新）和 outbox/日期.eml；"
        "--send 像 `xlpy nightly` 一样发送邮件。退出码：0 完成，2 总表无法写入，3 未发送，4 内部错误。",
    # schedule
    "schedule the nightly batch (cron or Task Scheduler)": "安排夜间批处理（cron 或 Windows 任务计划程序）",
    "Print the line that runs `xlpy nightly` for this office, Monday to Friday, with absolute paths, for this "
    "system's scheduler (cron, or Task Scheduler on Windows; --both: both), or --check: run that very command "
    "line now, with the scheduler's bare environment, and say what failed (docs/nightly.md).":
        "打印在本系统的计划程序中（cron，Windows 上为任务计划程序；--both：两者）于周一至周五运行本办公文件夹的 "
        "`xlpy nightly` 的命令行（绝对路径），或 --check：现在就以计划程序的精简环境运行这条命令行，并说明哪里失败"
        "（见 docs/nightly.md）。",
    "print the scheduler line (nothing is installed)": "打印计划任务命令行（不安装任何东西）",
    "print the lines of both cron and Task Scheduler": "同时打印 cron 和任务计划程序的命令行",
    "run the scheduled command line now, as the scheduler would, and report": "现在像计划程序那样运行该命令行并报告结果",
    "time of day: 21:30, 9pm, 9:30pm (default: 21:30)": "每天的时间：21:30、9pm、9:30pm（默认：21:30）",
    # the Excel commands
    "build the control workbook SalesDesk.xlsm from macros/": "从 macros/ 生成控制工作簿 SalesDesk.xlsm",
    "Build the control workbook (buttons, settings, xlwings.conf, example formulas) around a VBA project "
    "compiled from the .bas/.cls files in macros/. Runs on any OS; no Excel needed.":
        "用 macros/ 中的 .bas/.cls 文件编译 VBA 工程，生成控制工作簿（按钮、设置、xlwings.conf、示例公式）。"
        "任何系统都可运行，无需 Excel。",
    "the workbook to write (default: workbook/SalesDesk.xlsm of this source tree)":
        "要写的工作簿（默认：本源码树的 workbook/SalesDesk.xlsm）",
    "the VBA source folder (default: macros/ of this source tree)": "VBA 源文件夹（默认：本源码树的 macros/）",
    "first copy xlwings.bas and Dictionary.cls from the installed xlwings into the macros folder":
        "先把已安装的 xlwings 中的 xlwings.bas 和 Dictionary.cls 复制到 macros 文件夹",
    "also render the control sheet to this picture (needs LibreOffice and pdftoppm)":
        "同时把控制表渲染成这张图片（需要 LibreOffice 和 pdftoppm）",
    "check that this machine can run the control workbook": "检查本机能否运行控制工作簿",
    "Check what the control workbook's buttons and functions need here: the Python named in its xlwings.conf "
    "sheet, the xlwings version of its VBA against this Python's and that version's DLL (Windows) or "
    "AppleScript file (macOS), its office folder and reference workbook, and (Windows) Excel's macro settings. "
    "Says how to fix each problem. Exit status: 0 all well, 1 problems found, 2 no workbook.":
        "检查控制工作簿的按钮和函数在本机需要的东西：xlwings.conf 表中指定的 Python、VBA 与本机 Python 的 xlwings "
        "版本及该版本的 DLL（Windows）或 AppleScript 文件（macOS）、办公文件夹和基础资料，以及（Windows）Excel 的宏设置，"
        "并说明如何修复。退出码：0 一切正常，1 发现问题，2 没有工作簿。",
    "the control workbook (default: SalesDesk.xlsm in the current folder)": "控制工作簿（默认：当前文件夹的 SalesDesk.xlsm）",
    "write this Python into the workbook's xlwings.conf sheet first": "先把本机 Python 写入工作簿的 xlwings.conf 表",
    "run a control-workbook button on files, without Excel": "不用 Excel，在文件上运行控制工作簿的按钮",
    "The headless twins of the control workbook's buttons: the same code, on workbook files (opened with "
    "openpyxl, saved back; VBA and buttons are kept). Exit status: 0 done, 1 problems found, 2 could not run.":
        "控制工作簿按钮的无界面版本：同样的代码，作用于工作簿文件（用 openpyxl 打开并保存，VBA 和按钮保留）。"
        "退出码：0 完成，1 发现问题，2 无法运行。",
    "校验当前表: check one sheet of a report, mark its cells, list the issues": "校验当前表：检查日报的一张表，标注单元格并列出问题",
    "校验收件箱: check the office inbox, a table of files on the 收件箱 sheet": "校验收件箱：检查办公文件夹的收件箱，在“收件箱”表列出文件",
    "合并汇总: consolidate the inbox into the master workbooks": "合并汇总：把收件箱合并进总表",
    "刷新统计: fill the statistics sheets from the master workbooks": "刷新统计：用总表填写统计表",
    "生成工作日志: write the daily briefing": "生成工作日志：写当日工作日志",
    "新建日报: write a blank daily report into the inbox": "新建日报：在收件箱中生成一份空白日报",
    "新建日报: write a blank daily report for a rep and day into the office inbox.":
        "新建日报：为某销售代表和某日在办公文件夹的收件箱中生成一份空白日报。",
    "the report workbook (marked up in place)": "日报工作簿（就地标注）",
    "the sheet to check (default: the workbook's active sheet)": "要检查的表（默认：工作簿的活动表）",
    "save the marked-up workbook here instead": "把标注后的工作簿另存到这里",
    "the control workbook (SalesDesk.xlsm)": "控制工作簿（SalesDesk.xlsm）",
    "the control workbook, for its office folder and the rep and date typed on it":
        "控制工作簿：取其办公文件夹及其上填写的销售代表和日期",
    "the sales rep (default: the one typed on the control sheet)": "销售代表（默认：控制表上填写的）",
    "the report date (default: the one typed on the control sheet, else today)": "日报日期（默认：控制表上填写的，否则今天）",
    "the office folder (default: the one named in the workbook, else the current folder)":
        "办公文件夹（默认：工作簿中指定的，否则当前文件夹）",
    "the reports not in the record: what to fix": "未入账的日报：待修正清单",
    ("Every report not in the record, rejected or waiting for another report, newest first: its rep, date, "
     "since when it waits, the cells to fix and the messages, in the office's language. Exit status: "
     "0 nothing pending, 1 some pending, 2 the master could not be read."):
        "列出所有未入账的日报（被拒收或在等待另一份日报），最新的在前：销售代表、日期、等待天数、需要修改的单元格和说明。"
        "退出状态：0 没有待处理，1 有待处理，2 无法读取总表。",
    ("judge again every report not in the record (rejected or waiting), e.g. after reference.xlsx was changed; "
     "a report waiting for another is judged again in every run anyway"):
        "重新校验所有未入账的日报（被拒收或等待中），例如修改了 reference.xlsx 之后；等待中的日报每次运行都会自动重新校验",
    "an office that sells units (房源): two buildings, the status board, exchanges": "按房源销售的办公室：两栋楼、销控表、换房",
    "every unit's status (offices that sell units)": "每套房源的状态（按房源销售的办公室）",
    ("Every unit of the 房源表 with its status as of --date: available, reserved, signed, withheld or sold, "
     "the contract, customer and rep that hold it, since when, and whether a reservation is overdue "
     "(not signed within sign_within_days). JSON is a list of objects (docs/units.md)."):
        "列出房源表中每套房源截至 --date 的状态：可售、已认购、已签约、保留或已售，占用它的合同、客户和置业顾问、起始日期，"
        "以及认购是否逾期未签（超过 sign_within_days 天未签约）。JSON 为对象列表（docs/units.md）。",
    "only this building": "只看这一栋",
    "only this status": "只看这一状态",
    "write the price list (价格一览表) of the unit list": "根据房源表生成价格一览表",
    ("Before a launch: the 价格一览表 from the reference workbook's 房源表, a sheet per building, floors "
     "top-down and units left to right with layout, area, list price and price per m², one printed page per "
     "building."):
        "开盘前：根据基础资料的房源表生成价格一览表，每栋一张表，楼层从上到下、房号从左到右，列出户型、面积、标准价和每平方米单价，"
        "每栋打印一页。",
    "the file to write (default: 价格一览表.xlsx in the office)": "要写入的文件（默认：办公文件夹中的 价格一览表.xlsx）",
    ("Create an office folder: xlpy.toml (settings), an empty reference.xlsx (reps, products, targets, "
     "recipients, each sheet with one example row marked 示例 that is ignored: fill it in Excel), inbox/, "
     "master/, outbox/ and logs/; prints the next three steps."):
        "新建办公文件夹：xlpy.toml（设置）、空白的 reference.xlsx（销售代表、产品价目、销售目标、收件人，每张表一行标有“示例”的"
        "示例行，读取时忽略：在 Excel 中填写）、inbox/、master/、outbox/ 和 logs/；并列出接下来的三步。",
    ("Build a demo office with three months of realistic reports up to --date (some with deliberate "
     "mistakes, a few cancellations, exchanges, late payments and corrections), run every step on it and "
     "print a short summary and what to open."):
        "建立一个演示办公室：截至 --date 的三个月真实风格日报（含故意埋下的错误、少量退订、换货、逾期回款和更正），"
        "在其上运行每一步，打印简短的总结和可以打开的文件。",
    "also list every file and every finding": "同时列出每个文件和每项发现",
    "also write the mail as DAY.html beside the .eml and open it in the browser": "同时把邮件写成 .eml 旁的 DAY.html 并在浏览器中打开",
}

# argparse's own words in its help pages.
ARGPARSE_ZH = {"usage: ": "用法：", "positional arguments": "位置参数", "options": "选项",
               "commands": "命令"}

MESSAGES: dict[str, tuple[str, str]] = {
    "internal": ("xlpy 内部错误（{detail}）。这不是你的错；详细信息已写入 {log}，请把它发给维护者",
                 "xlpy internal error ({detail}). Not your fault; the details are in {log}: send it to the maintainers"),
    "no-such-path": ("找不到{what}：{path}", "{what} {path} does not exist"),
    "no-units": ("{path} 没有房源表：此办公室不按房源销售", "{path} has no 房源表 (unit list): this office does not sell units"),
    "not-a-folder": ("{what} {path} 是一个文件，不是文件夹", "{what} {path} is a file, not a folder"),
    "not-a-file": ("{what} {path} 是一个文件夹，不是文件", "{what} {path} is a folder, not a file"),
    "os-error": ("{path}：{detail}", "{path}: {detail}"),
    "bad-period": ("无法识别的期间 {value}；可用的写法：{forms}，或 all", "not a period: {value}; write one of {forms}, or all"),
    "period-default": ("未指定 --period：统计 {period}（--date 所在的月份），目标和完成率也按此月；全部期间请用 --period all",
                       "no --period: figures for {period} (the month of --date), targets and attainment too; "
                       "for everything use --period all"),
    "no-reference": ("没有基础资料工作簿（{path}）：本次不使用销售代表、产品、价格和目标资料；要使用请用 --reference 指定",
                     "no reference workbook ({path}): running without its reps, products, prices and targets; "
                     "give one with --reference"),
    "needs-reference": ("找不到基础资料工作簿 {path}：此命令需要它；请用 --reference 指定，或在办公文件夹中运行（xlpy init 会创建一个）",
                        "reference workbook {path} not found: this command needs it; give it with --reference, "
                        "or run inside an office folder (xlpy init creates one)"),
    "what-inbox": ("收件箱", "the inbox"),
    "what-reference": ("基础资料工作簿", "the reference workbook"), "what-office": ("办公文件夹", "the office folder"),
    "what-file": ("文件", "the file"), "what-annotate": ("标注输出文件夹", "the annotation folder"),
    "what-output": ("输出文件", "the output file"),
}

text = partial(pick, MESSAGES)


def help_text(english: str, lang: str) -> str:
    return HELP_ZH[english] if lang != "en" else english
