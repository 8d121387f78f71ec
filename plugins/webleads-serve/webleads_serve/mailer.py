"""Sending a verification code by email, through the configured SMTP server.

The recipient is an already checked address (:mod:`webleads_serve.identifiers`) and the
envelope names exactly that one address: whatever a form field holds, no header can be
added and no third party can be reached.  TLS certificates are verified
(``ssl.create_default_context``; the standard library does not verify by default).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP

from webleads_core import ConfigError

from .identifiers import Identifier
from .settings import SmtpSettings


class MailError(Exception):
    """The SMTP server refused or could not be reached (reason code, no address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def send_code(smtp: SmtpSettings, to: Identifier, subject: str, body: str) -> None:
    """Send ``body`` to the checked address ``to``; raises :class:`MailError`."""
    if not smtp.configured:
        raise ConfigError("serve.smtp is not configured: the portal cannot send codes")
    if to.kind != "email" or not to.address:
        raise MailError("mail.not_an_email")
    for value in (subject, to.address):
        if any(c in value for c in "\r\n\0"):
            raise MailError("mail.header_injection")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = smtp.sender
    msg["To"] = to.address
    msg["Subject"] = subject
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    context = ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)
    try:
        if smtp.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise MailError("mail.starttls_missing")
                client.starttls(context=context)
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, smtp.password)
            refused = client.send_message(msg, from_addr=smtp.sender, to_addrs=[to.address])
            if refused:
                raise MailError("mail.refused")
    except MailError:
        raise
    except ssl.SSLError:
        raise MailError("mail.tls_error") from None
    except smtplib.SMTPAuthenticationError:
        raise MailError("mail.auth_failed") from None
    except smtplib.SMTPRecipientsRefused:
        raise MailError("mail.refused") from None
    except (smtplib.SMTPException, OSError):
        raise MailError("mail.unavailable") from None
