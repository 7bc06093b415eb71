"""Sending over SMTP to a real server on loopback; the password's sources; the sent-log."""
from __future__ import annotations

import datetime as dt
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from xlpy.contract.config import PASSWORD_ENV, Smtp
from xlpy.io import mail

DAY = dt.date(2026, 11, 27)
PEOPLE = [("林国华", "chairman@example.com"), ("吴志强", "gm@example.com")]


class Keep:
    def __init__(self):
        self.got = []

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("nobody@"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.got.append((session.authenticated, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def check_password(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == b"assistant" and auth_data.password == b"s3cret")


@pytest.fixture
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=check_password,
                            auth_require_tls=False)
    controller.start()
    yield handler, Smtp("127.0.0.1", port, "none", user="assistant", sender="assistant@example.com")
    controller.stop()


def note() -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "工作日志 2026-11-27", "assistant@example.com", "everyone"
    msg.set_content("净销售额：1.00")
    return msg


def test_each_recipient_gets_a_message_addressed_to_them_alone(server, monkeypatch):
    handler, smtp = server
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    done = mail.send(note(), PEOPLE, smtp, mail.password(smtp))
    assert [d.ok for d in done] == [True, True]
    assert [rcpt for _, rcpt, _ in handler.got] == [["chairman@example.com"], ["gm@example.com"]]
    assert all(authenticated for authenticated, _, _ in handler.got)
    assert b"gm@example.com" in handler.got[1][2] and b"chairman@" not in handler.got[1][2]


def test_a_refused_recipient_fails_alone(server):
    handler, smtp = server
    done = mail.send(note(), [("x", "nobody@example.com"), *PEOPLE], Smtp(smtp.host, smtp.port, "none"))
    assert [d.ok for d in done] == [False, True, True] and "550" in done[0].detail


def test_no_server_is_a_failed_delivery_not_an_exception(server):
    _, smtp = server
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    done = mail.send(note(), PEOPLE, Smtp("127.0.0.1", closed, "none"), timeout=5)
    assert not any(d.ok for d in done) and "Refused" in done[0].detail


def test_the_password_comes_from_the_environment_only(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    smtp = Smtp("h", user="assistant")
    try:
        import keyring  # noqa: F401
    except ImportError:
        assert mail.password(smtp) is None  # no keyring: nowhere else to look
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    assert mail.password(smtp) == "from-env"


def test_the_sent_log_remembers_deliveries_per_day(tmp_path):
    mail.record(tmp_path, DAY, [mail.Delivery("a@x", True), mail.Delivery("b@x", False, "550")], "<id@xlpy>")
    mail.record(tmp_path, DAY + dt.timedelta(days=1), [mail.Delivery("c@x", True)], None)
    assert mail.sent_to(tmp_path, DAY) == {"a@x"}
    assert mail.sent_to(tmp_path, DAY + dt.timedelta(days=1)) == {"c@x"}
    assert mail.sent_to(tmp_path / "empty", DAY) == set()
