"""Sending e-mail through a configurable backend.

``PORTAL_MAIL_BACKEND`` (settings file): ``"console"`` (default: the message
is written to the log), ``"memory"`` (kept in ``app.extensions["portal_outbox"]``,
for tests) or ``"smtp"`` with ``PORTAL_SMTP_HOST``, ``PORTAL_SMTP_PORT``,
``PORTAL_SMTP_USER``, ``PORTAL_SMTP_PASSWORD``, ``PORTAL_MAIL_FROM``.
"""

from __future__ import annotations

import logging

from flask import current_app

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> None:
    """Send one plain-text message; failures are logged, never raised."""
    import smtplib  # here: imported by every worker through portal.plugin, used by few
    from email.message import EmailMessage

    config = current_app.config
    backend = config.get("PORTAL_MAIL_BACKEND", "console")
    message = EmailMessage()
    message["From"] = config.get("PORTAL_MAIL_FROM", "portal-warga@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if backend == "memory":
        current_app.extensions.setdefault("portal_outbox", []).append(message)
    elif backend == "smtp":
        try:
            with smtplib.SMTP(
                config["PORTAL_SMTP_HOST"], int(config.get("PORTAL_SMTP_PORT", 587)), timeout=10
            ) as smtp:
                smtp.starttls()
                if config.get("PORTAL_SMTP_USER"):
                    smtp.login(config["PORTAL_SMTP_USER"], config["PORTAL_SMTP_PASSWORD"])
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.error("mail to %s not sent: %s", to, error)
    else:
        log.info("mail to %s: %s\n%s", to, subject, body)
