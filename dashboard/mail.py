"""E-mail of one-time password links through the SMTP server of `TISSU_SMTP_URL` (optional).

`smtp://user:password@host:587` speaks STARTTLS when the server offers it (required unless the host is this
machine); `smtps://user:password@host:465` is TLS from the start. Without the setting nothing is sent and the
link is shown to the staff member who issued it.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from dashboard.accounts import RESET_HOURS

TIMEOUT_SECONDS = 10
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class MailError(RuntimeError):
    """The message could not be sent; the text is one line, for the log and the staff member's notice."""


def mail_configured(smtp_url: str) -> bool:
    return bool(smtp_url)


def reset_message(*, sender: str, to: str, name: str, link: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = "tissu : choisissez votre mot de passe"
    message.set_content(
        f"Bonjour {name},\n\n"
        "L'équipe de l'UIMM Lorraine vous a ouvert un accès à tissu, la carte du tissu industriel lorrain.\n"
        f"Choisissez votre mot de passe avec ce lien, valable {RESET_HOURS} heures et une seule fois :\n\n"
        f"{link}\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le : sans ce lien, rien ne change.\n")
    return message


def send(smtp_url: str, message: EmailMessage) -> None:
    """Send `message` through the server of `smtp_url`; MailError (one line) on any failure."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise MailError("TISSU_SMTP_URL: expected smtp://user:password@host:587 or smtps://…:465")
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            client = smtplib.SMTP(parts.hostname, port, timeout=TIMEOUT_SECONDS)
        with client:
            if parts.scheme == "smtp":
                client.ehlo()
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif parts.hostname not in _LOCAL_HOSTS:
                    raise MailError(f"{parts.hostname} does not offer STARTTLS: refusing to send a password link "
                                    "in clear (use smtps://)")
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"mail to {message['To']} not sent: {type(error).__name__}: {error}") from None


def deliver_reset_link(smtp_url: str, sender: str, *, to: str, name: str, link: str) -> bool:
    """Mail the link when a server is configured (True); False when there is none (the caller shows it).
    MailError when the server refuses or cannot be reached."""
    if not mail_configured(smtp_url):
        return False
    send(smtp_url, reset_message(sender=sender, to=to, name=name, link=link))
    return True
