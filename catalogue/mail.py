"""Outgoing mail through a pluggable sender: the log by default, SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


SMTP_TIMEOUT_S = 5


def send_mail(mail: Mail) -> None:
    """Send now. Local set-ups without SMTP get the mail in the log, links included."""
    sender = current_app.extensions.get("mail_sender", _send)
    sender(mail)


def _send(mail: Mail) -> None:
    smtp = current_app.config["SMTP"]
    if not smtp["host"]:
        log.warning("mail to %s (no SMTP configured): %s\n%s", mail.to, mail.subject, mail.body)
        return
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    # Decisions send their mail before their commit, holding the database's write lock on
    # SQLite: give up well before other writers' busy timeout (10 s, catalogue.database) runs out.
    with smtplib.SMTP(smtp["host"], smtp["port"], timeout=SMTP_TIMEOUT_S) as connection:
        if smtp["starttls"]:
            connection.starttls()
        if smtp["username"]:
            connection.login(smtp["username"], smtp["password"])
        connection.send_message(message)
