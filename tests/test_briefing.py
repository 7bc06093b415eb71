"""The briefing's views: the e-mail's parts, the inline chart, the 工作日志 sheet, the button."""
from __future__ import annotations

import datetime as dt
import email
import shutil
import struct
import zlib
from email.policy import default
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from xlpy.app import briefing, consolidate
from xlpy.app.demo import build_demo
from xlpy.contract import config
from xlpy.excel import buttons
from xlpy.excel.book import FileBook
from xlpy.io import store
from xlpy.io.reference import read_reference

DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory) -> Path:
    office = build_demo(tmp_path_factory.mktemp("demo") / "office", today=DAY).dir
    consolidate.run_consolidation(config.load(office), now=pd.Timestamp(DAY))
    return office


@pytest.fixture
def office(consolidated, tmp_path) -> Path:
    return Path(shutil.copytree(consolidated, tmp_path / "office"))


@pytest.fixture(scope="module")
def written(consolidated, tmp_path_factory) -> briefing.Written:
    office = Path(shutil.copytree(consolidated, tmp_path_factory.mktemp("w") / "office"))
    return briefing.make_briefing(config.load(office), DAY)


def test_the_eml_is_text_with_an_html_alternative_and_an_inline_chart(written):
    msg = email.message_from_bytes(written.eml.read_bytes(), policy=default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == f"工作日志 {DAY}" and "chairman@example.com" in msg["To"]
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and "净销售额" in plain.get_content()
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    assert f'cid:{image["Content-ID"].strip("<>")}' in html_part.get_content()


def test_the_chart_is_a_valid_png(written):
    png = briefing.trend_png(written.briefing, width=300, height=80)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    assert (width, height) == (300, 80) and len(raw) == height * (1 + 3 * width)
    assert b"\x15\x65\xc0" in raw  # the day's bar is drawn: the demo sold something that day


def test_the_sheet_comes_first_in_the_summary_workbook(written):
    wb = load_workbook(written.workbook, read_only=True)
    assert wb.sheetnames[0] == briefing.SHEET[0] and "应收账款" in wb.sheetnames
    cells = [v for row in wb[briefing.SHEET[0]].iter_rows(values_only=True) for v in row if v is not None]
    assert cells[0].startswith(f"工作日志 {DAY}") and "净销售额" in cells
    assert briefing.shown("net_amount", written.briefing.figures["net_amount"]) in cells


def test_english_briefing(written):
    text = briefing.to_text(written.briefing, "en")
    assert text.startswith(f"Daily briefing {DAY} (Fri)") and "  Net Sales: " in text
    assert "Reports rejected" in text and "rejected" in text.split("Reports rejected")[1]


def test_a_day_without_reports_has_zeros_and_everyone_missing(office):
    settings = config.load(office)
    sunday = dt.date(2026, 11, 29)
    b = briefing.make_briefing(settings, sunday).briefing
    assert b.figures["net_amount"] == 0 and b.figures["leads"] == 0
    active = read_reference(settings.path("reference"), settings).reps.query("active")["name"]
    assert b.missing == list(active) and b.rejected.empty


def test_missing_reps_respects_hire_dates_and_leavers(office):
    reference = read_reference(office / "reference.xlsx")
    assert "周强" not in briefing.missing_reps(reference, DAY, set())  # has left
    assert briefing.missing_reps(reference, dt.date(2019, 1, 2), set()) == ["杨磊"]  # the only one hired by then
    assert briefing.missing_reps(reference, DAY, {"张伟", "杨磊"})[:2] == ["王芳", "李娜"]


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
