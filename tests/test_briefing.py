"""The briefing's views: the e-mail's parts, the inline chart, the 工作日志 sheet, the button."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email
import html
import json
import re
import shutil
import socket
import struct
import subprocess
import webbrowser
import zipfile
from email.policy import default
from pathlib import Path

import pandas as pd
import pytest
from conftest import demo_copy
from openpyxl import load_workbook
from printing import assert_prints

from xlpy.app import briefing
from xlpy.cli.main import main
from xlpy.contract import config
from xlpy.excel import buttons
from xlpy.excel.book import FileBook
from xlpy.io import charts, page, store
from xlpy.io.reference import read_reference

DAY = dt.date(2026, 11, 27)


@pytest.fixture
def office(consolidated_office) -> Path:
    return consolidated_office  # the run's demo (conftest), of DAY


@pytest.fixture(scope="module")
def written(demo_consolidated, tmp_path_factory) -> briefing.Written:
    office = demo_copy(demo_consolidated, tmp_path_factory.mktemp("w"))
    return briefing.make_briefing(config.load(office), DAY)


def test_the_eml_is_text_with_an_html_alternative_and_inline_charts(written):
    msg = email.message_from_bytes(written.eml.read_bytes(), policy=default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == f"工作日志 {DAY}" and "chairman@example.com" in msg["To"]
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and "净销售额" in plain.get_content()
    html_part, *images = related.get_payload()
    assert html_part.get_content_type() == "text/html" and len(images) == 2  # the trend and the attainment
    html = html_part.get_content()
    for image in images:
        assert image.get_content_type() == "image/png" and image.get_content_disposition() == "inline"
        assert f'cid:{image["Content-ID"].strip("<>")}' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'width="600"' in html and "max-width:600px" in html


def test_the_mail_names_no_command_and_no_cell_address(written, office):
    bodies = [part.get_content() for part in written.message.walk() if part.get_content_maintype() == "text"]
    for body in bodies:
        assert not re.search(r"xlpy\s+[a-z]", body) and "日报!" not in body  # no `xlpy stats`, no 日报!K9
    day = _a_day_with_a_rejection(office)
    b = briefing.make_briefing(config.load(office), day).briefing
    reasons = " ".join(b.rejected["reasons"])
    assert re.search(r"第 \d+ 行 \S+：", reasons) and "!" not in reasons and all(b.rejected["rep"])


def _a_day_with_a_rejection(office: Path) -> dt.date:
    imports = store.concat(store.read_partitions(office / "master"), "imports")
    return imports.loc[imports["status"] == "rejected", "report_date"].max().date()


def test_every_number_in_the_mail_equals_the_statistics(written, office, capsys):
    html = written.message.get_body(("html",)).get_content()
    shown = re.findall(r'data-key="(\w+)"[^>]*>([^<]+)<', html)
    assert main(["stats", "--by", "day", "--period", "2026-11", "--date", str(DAY), "--format", "json",
                 "--office", str(office)]) == 0
    day = next(r for r in json.loads(capsys.readouterr().out) if r["day"].startswith(str(DAY)))
    figures = {k: v for k, v in shown[:len(briefing.worklog.FIGURES)]}
    assert set(figures) == set(briefing.worklog.FIGURES)
    for key, text in figures.items():
        assert _number(text) == pytest.approx(day[key], abs=0.006 if key != "conversion" else 0.0006), key
    assert main(["stats", "--by", "rep", "--period", "2026-11", "--date", str(DAY), "--format", "json",
                 "--office", str(office)]) == 0
    reps = {r["rep"]: r for r in json.loads(capsys.readouterr().out)}
    ranked = written.briefing.ranking
    sales = [_number(t) for k, t in shown if k == "net_amount"][1:1 + len(ranked)]  # after the day's figure
    assert sales == [pytest.approx(reps[r]["net_amount"], abs=0.006) for r in ranked["rep"]]
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))  # 销售排名's order (weighted score): one ranking


def _number(text: str) -> float:
    text = text.replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def test_numbers_never_wrap_and_tables_stack_on_a_phone(written):
    html = written.message.get_body(("html",)).get_content()
    cells = re.findall(r'<(?:td|div)[^>]*data-key="\w+"[^>]*>', html)
    assert cells and all("white-space:nowrap" in c for c in cells)
    assert "@media only screen and (max-width:480px)" in html and 'class="stack"' in html


def test_the_charts_are_drawn_with_labels_in_a_cjk_font(written, caplog):
    png = charts.trend_png(written.briefing.trend, DAY)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (charts.WIDTH_PX * charts.DPI // 100, charts.TREND_HEIGHT * charts.DPI // 100)
    if charts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk): the charts fall back to English")
    assert charts.cjk_font() in charts.FONTS or "CJK" in charts.cjk_font()


def test_the_day_lists_its_deals_and_comments(written):
    b = written.briefing
    kinds = set(b.deals["kind"])
    assert {"reserve", "sign"} <= kinds and set(b.deals.columns) == set(briefing.worklog.DEALS)
    assert b.deals["amount"].notna().all() and (b.deals.loc[b.deals["kind"] == "sign", "contract_no"].notna()).all()
    assert len(b.comments) and not b.comments["note"].str.match(briefing.worklog.BOOKKEEPING_NOTE).any()
    text = briefing.to_text(b)
    assert "当日定、退、换与签约" in text and b.comments["note"].iloc[0] in text
    assert "本月销售排名（综合得分，截至当日）" in text  # labelled with what it ranks by: the one ranking


def test_the_sheet_comes_first_holds_numbers_and_prints_on_one_page(written):
    wb = load_workbook(written.workbook)
    assert wb.sheetnames[0] == briefing.SHEET[0] and "应收账款" in wb.sheetnames
    ws = wb[briefing.SHEET[0]]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells[0].value.startswith(f"工作日志 {DAY}")
    label = next(c for c in cells if c.value == "净销售额")
    value = ws.cell(label.row, label.column + 1)
    assert value.value == pytest.approx(written.briefing.figures["net_amount"]) and value.number_format == "#,##0.00"
    rate = ws.cell(next(c for c in cells if c.value == "转化率").row, next(c for c in cells if c.value == "转化率").column + 1)
    assert isinstance(rate.value, float) and rate.number_format == "0.0%"
    assert not [c for c in cells if isinstance(c.value, str) and re.fullmatch(r"[\d,]+\.\d\d%?", c.value)]
    assert_prints(ws, one_page=True, office="office")
    assert ws.page_setup.orientation == "portrait"


def test_every_sheet_of_the_summary_and_the_month_prints(written):
    for path in (written.workbook, written.workbook.with_name("2026-11.xlsx")):
        wb = load_workbook(path)
        for ws in wb.worksheets[path == written.workbook:]:  # the 工作日志 is one page (above)
            assert_prints(ws, office="office")
    wide = load_workbook(written.workbook)["区域业绩"]
    assert wide.page_setup.orientation == "landscape" and wide.row_breaks.brk  # a page starts at each chart


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdfinfo"),
                    reason="LibreOffice (soffice) and poppler-utils (pdfinfo) are not installed: "
                           "apt-get install libreoffice-calc-nogui poppler-utils")
def test_the_work_log_of_twenty_reps_prints_on_one_a4_page(written, tmp_path):
    b = written.briefing
    many = pd.concat([b.ranking.assign(rep=b.ranking["rep"] + str(i)) for i in range(3)]).head(20)
    log = dataclasses.replace(b, ranking=many.assign(rank=range(1, len(many) + 1)), missing=list(many["rep"][:6]),
                              deals=pd.concat([b.deals] * 2), comments=pd.concat([b.comments] * 2))
    book = store.new_workbook(tmp_path / "log.xlsx", page.Facts("演示办公室", DAY))
    briefing.write_sheet(book, log)
    book.close()
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "log.xlsx")], check=True, timeout=180,
                   capture_output=True)
    info = subprocess.run(["pdfinfo", str(tmp_path / "log.pdf")], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "(A4)" in info


@pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium is not installed (apt-get install chromium)")
def test_the_mail_fits_a_phone_of_390_px(written, tmp_path):
    mail = written.message.get_body(("html",)).get_content()
    # Headless Chromium keeps its window at least 500 px wide: the mail goes in a 390 px frame.
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<html><head><title>-</title></head><body style="margin:0"><iframe id="f" width="390" height="800" '
        f'style="border:0" srcdoc="{html.escape(mail)}"></iframe><script>window.onload = function () {{'
        'var d = document.getElementById("f").contentDocument;'
        'document.title = "W" + d.documentElement.scrollWidth + "/" + d.defaultView.innerWidth; };</script>'
        '</body></html>', encoding="utf-8")
    out = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=600,900",
                          "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    width = re.search(r"<title>W(\d+)/(\d+)</title>", out)
    assert width and int(width.group(1)) <= int(width.group(2)) <= 390, out[:300]


def test_the_sender_is_the_smtp_user_or_the_office_at_this_machine(office):
    sender = briefing.sender(config.load(office))
    assert sender == f"office <office@{socket.gethostname()}>" and not sender.startswith("xlpy@")
    with (office / config.CONFIG_NAME).open("a", encoding="utf-8") as f:
        f.write('\n[smtp]\nhost = "mail.example.com"\nuser = "assistant@example.com"\n')
    assert briefing.sender(config.load(office)) == "assistant@example.com"


def test_preview_writes_the_html_beside_the_eml_and_opens_it(written, monkeypatch):
    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)  # no browser window in a test
    path = briefing.preview(written)
    assert path == written.eml.with_suffix(".html") and opened == [path.resolve().as_uri()]
    text = path.read_text(encoding="utf-8")
    assert "cid:" not in text and f"{DAY}-trend.png" in text and (path.parent / f"{DAY}-trend.png").is_file()


def test_english_briefing(written):
    text = briefing.to_text(written.briefing, "en")
    assert text.startswith(f"Daily briefing {DAY} (Fri)") and "  Net Sales: " in text
    # was "Reports rejected": the section now names what to do, and the rep to chase
    assert "Reports pending" in text and "| rejected |" in text.split("Reports pending")[1]


def test_a_day_without_reports_has_zeros_and_everyone_missing(office):
    settings = config.load(office)
    sunday = dt.date(2026, 11, 29)
    b = briefing.make_briefing(settings, sunday).briefing
    assert b.figures["net_amount"] == 0 and b.figures["leads"] == 0
    active = read_reference(settings.path("reference"), settings).reps.query("active")["name"]
    assert b.missing == list(active) and b.rejected.empty


def test_the_button_writes_the_same_briefing(office):
    book = FileBook(None)
    assert buttons.daily_briefing(book, office=office, date=DAY) == 0
    assert "工作日志已生成" in book.shown[-1]
    assert load_workbook(office / "master" / store.SUMMARY, read_only=True).sheetnames[0] == "工作日志"
    assert (office / "outbox" / f"{DAY}.eml").is_file()


def test_the_button_says_plainly_when_the_summary_is_open(office):
    (office / "master" / f"~${store.SUMMARY}").write_bytes(b"")  # Excel's lock file
    book = FileBook(None)
    assert buttons.daily_briefing(book, office=office, date=DAY) == 2
    assert "正在 Excel 中打开" in book.shown[-1]


def test_smtp_settings(tmp_path):
    toml = tmp_path / config.CONFIG_NAME
    toml.write_text('[smtp]\nhost = "mail.example.com"\nport = 465\nsecurity = "ssl"\nuser = "a@example.com"\n',
                    encoding="utf-8")
    smtp = config.load(tmp_path).smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.from_address) == ("mail.example.com", 465, "ssl", "a@example.com")
    toml.write_text('[smtp]\nhost = "h"\npassword = "secret"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="XLPY_SMTP_PASSWORD"):
        config.load(tmp_path)
    toml.write_text('[smtp]\nhost = "h"\nsecurity = "tls"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="starttls"):
        config.load(tmp_path)
    assert config.load(tmp_path / "nowhere").smtp is None


def test_the_summary_charts_do_not_mislead(written):
    """Bars from zero, categories named, the trend of a single month a column rather than a dot."""
    with zipfile.ZipFile(written.workbook) as z:
        charts_xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts_xml) == 4
    for xml in charts_xml:
        assert "<c:barChart>" in xml and "<c:lineChart>" not in xml, xml[:200]  # one month: all columns/bars
        value_axis = re.search(r"<c:valAx>.*?</c:valAx>", xml, re.S).group(0)
        assert '<c:min val="0"/>' in value_axis
        assert xml.count("<c:ser>") == xml.count("<c:cat>")  # every series has its categories
        assert '<c:delete val="1"/>' not in re.search(r"<c:catAx>.*?</c:catAx>", xml, re.S).group(0)


@pytest.fixture
def no_cjk_font(monkeypatch):
    """A machine whose fonts are none of those the charts look for."""
    monkeypatch.setattr(charts, "FONTS", ("No Such Font",))
    monkeypatch.setattr(charts, "FONT_FILES", ())
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()


def test_without_a_cjk_font_the_charts_speak_english_and_the_log_says_so(written, no_cjk_font, caplog):
    with caplog.at_level("WARNING", logger="xlpy"):
        png = charts.attainment_png(written.briefing.regions, "zh")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and "no CJK font" in caplog.text
    assert charts.compact(123_456, "en") == "123k"  # the English labels the fallback uses


def test_cli_briefing_preview(office, monkeypatch, capsys):
    opened = []
    monkeypatch.setattr(webbrowser, "open", opened.append)  # no browser window in a test
    assert main(["briefing", "--office", str(office), "--date", str(DAY), "--preview"]) == 0
    preview = office / "outbox" / f"{DAY}.html"
    assert str(preview) in capsys.readouterr().out and opened == [preview.resolve().as_uri()]
    assert '<meta name="viewport"' in preview.read_text(encoding="utf-8")


def test_a_large_summary_written_through_scratch_files_is_the_same_workbook(written, tmp_path, monkeypatch):
    """总表 above `IN_MEMORY_ROWS` goes through xlsxwriter's scratch files (a rebuild's); the parts are the same."""
    monkeypatch.setattr(briefing, "IN_MEMORY_ROWS", 0)
    office = demo_copy(written.workbook.parents[1], tmp_path)
    large = briefing.make_briefing(config.load(office), DAY).workbook
    with zipfile.ZipFile(written.workbook) as small, zipfile.ZipFile(large) as scratch:
        assert sorted(scratch.namelist()) == sorted(small.namelist())
        differ = [n for n in small.namelist() if small.read(n) != scratch.read(n)]
    assert set(differ) <= {"docProps/core.xml"}  # its creation time, and nothing else
    assert not list(office.rglob("*.tmp*")) and not list(office.rglob("tmp*"))
