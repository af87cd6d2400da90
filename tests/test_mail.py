"""Mailed one-time password links, against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from dashboard import mail


class _Inbox:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


def _parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def inbox():
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, f"smtp://127.0.0.1:{controller.port}"
    controller.stop()


def test_the_link_is_mailed_in_french_to_the_account(inbox):
    handler, url = inbox
    sent = mail.deliver_reset_link(url, "tissu@uimm.example", to="jeanne@exemple.fr", name="Jeanne",
                                   link="https://tissu.example/compte/mot-de-passe?lien=abc")
    assert sent and len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.mail_from == "tissu@uimm.example" and envelope.rcpt_tos == ["jeanne@exemple.fr"]
    message = _parsed(envelope)
    assert "mot-de-passe?lien=abc" in message.get_content() and "Jeanne" in message.get_content()
    assert message["Subject"] == "tissu : choisissez votre mot de passe"


def test_without_a_server_nothing_is_sent_and_a_dead_server_is_one_line():
    assert mail.deliver_reset_link("", "a@b.fr", to="c@d.fr", name="C", link="x") is False
    with pytest.raises(mail.MailError, match="not sent") as error:
        mail.send(f"smtp://127.0.0.1:{_free_port()}", mail.reset_message(sender="a@b.fr", to="c@d.fr", name="C",
                                                                         link="x"))
    assert "\n" not in str(error.value)
    with pytest.raises(mail.MailError, match="expected smtp://"):
        mail.send("http://example.org", mail.reset_message(sender="a@b.fr", to="c@d.fr", name="C", link="x"))


def test_the_accounts_page_mails_the_link_instead_of_showing_it(new_database, demo_database, tmp_path, inbox):
    import json

    from auth_support import signed_in_client
    from test_accounts import _callback

    from dashboard import ids
    from dashboard.app import create_app
    from dashboard.settings import load_settings

    handler, url = inbox
    db = new_database(demo_database)
    app = create_app(load_settings({}, database_url=db.url, instance_dir=tmp_path, auto_demo=False, smtp_url=url),
                     db.engine)
    admin = signed_in_client(app, "admin")
    answer = _callback(admin, [(ids.ADMIN_MESSAGE, "children"), (ids.ADMIN_ACCOUNTS, "children")],
                       [(ids.ADMIN_CREATE, "n_clicks", 1)],
                       [(ids.ADMIN_EMAIL, "value", "lea@exemple.fr"), (ids.ADMIN_NAME, "value", "Léa"),
                        (ids.ADMIN_ROLE, "value", "member"), (ids.ADMIN_SIRETS, "value", "")])
    text = json.dumps(answer.get_json(), ensure_ascii=False)
    assert "envoyé par e-mail à lea@exemple.fr" in text and "lien=" not in text
    assert handler.messages and "lien=" in _parsed(handler.messages[0]).get_content()
