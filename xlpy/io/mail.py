"""Sending the briefing over SMTP, one message per recipient, and the sent-log that keeps a
second run of the same day from mailing anyone twice.

The password is never read from a file: the environment variable XLPY_SMTP_PASSWORD, else the
OS keyring (service "xlpy", the SMTP user) when the `keyring` package is installed.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from xlpy.contract.config import PASSWORD_ENV, Smtp
from xlpy.io import clock

SENT_LOG = "sent.jsonl"
KEYRING_SERVICE = "xlpy"


@dataclass
class Delivery:
    email: str
    ok: bool
    detail: str = ""


def password(smtp: Smtp) -> str | None:
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not smtp.user:
        return None
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, smtp.user)
    except Exception:  # noqa: BLE001 - no usable keyring backend is the same as no password
        return None


def send(msg: EmailMessage, recipients: list[tuple[str, str]], smtp: Smtp, secret: str | None = None,
         timeout: float = 30) -> list[Delivery]:
    """Send ``msg`` to each recipient separately (each sees only their own address).
    Never raises: what went wrong is in each Delivery."""
    try:
        server = _connect(smtp, timeout)
    except (OSError, smtplib.SMTPException) as e:
        return [Delivery(email, False, _detail(e)) for _, email in recipients]
    out = []
    with server:
        try:
            if smtp.user and secret:
                server.login(smtp.user, secret)
        except smtplib.SMTPException as e:
            return [Delivery(email, False, _detail(e)) for _, email in recipients]
        for name, email in recipients:
            one = copy.deepcopy(msg)
            del one["To"]
            one["To"] = formataddr((name, email))
            try:
                server.send_message(one, from_addr=smtp.from_address, to_addrs=[email])
                out.append(Delivery(email, True))
            except (OSError, smtplib.SMTPException) as e:
                out.append(Delivery(email, False, _detail(e)))
    return out


def _connect(smtp: Smtp, timeout: float) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout, context=ssl.create_default_context())
    server = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
    if smtp.security == "starttls":
        server.starttls(context=ssl.create_default_context())
    return server


def _detail(e: Exception) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        text = e.smtp_error.decode(errors="replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
        return f"{e.smtp_code} {text}"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode(errors='replace')}" for code, msg in e.recipients.values())
    return f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- the sent-log


def sent_to(outbox: Path, day: dt.date) -> set[str]:
    """Addresses the briefing of ``day`` was delivered to."""
    log = Path(outbox) / SENT_LOG
    if not log.is_file():
        return set()
    entries = (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip())
    return {e["to"] for e in entries if e["day"] == day.isoformat()}


def record(outbox: Path, day: dt.date, deliveries: list[Delivery], message_id: str | None) -> None:
    """Append the delivered ones: one JSON line each (day, to, at, message_id)."""
    done = [d for d in deliveries if d.ok]
    if not done:
        return
    now = clock.now().isoformat(timespec="seconds")
    with (Path(outbox) / SENT_LOG).open("a", encoding="utf-8") as f:
        for d in done:
            f.write(json.dumps({"day": day.isoformat(), "to": d.email, "at": now, "message_id": message_id},
                               ensure_ascii=False) + "\n")
