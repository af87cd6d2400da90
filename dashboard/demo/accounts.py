"""Demo accounts, one per role, so that a visitor of the demo can try what each role sees and does.

Fictitious e-mails on the reserved `.example` domain; random passwords, generated at creation and printed
once (never a fixed password: a demo reachable on a fair's Wi-Fi must not open with a published secret).
The member account speaks for two demo member establishments. `TISSU_DEMO_ACCOUNTS=0` creates none, and
existing ones can no longer sign in.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine

from dashboard import accounts, repository
from dashboard.policy import Role, Viewer

DEMO_ACCOUNTS = (
    ("adherent@tissu.example", "Adhérent de démonstration (fictif)", Role.MEMBER),
    ("equipe@tissu.example", "Équipe UIMM de démonstration (fictive)", Role.STAFF),
    ("admin@tissu.example", "Administrateur de démonstration (fictif)", Role.ADMIN),
)
_DEMO_ACTOR = Viewer(Role.ADMIN, None, "démo")


def _member_establishments(engine: Engine, count: int = 2) -> tuple[str, ...]:
    active = repository.active_dataset(engine)
    if active is None:
        return ()
    return repository.member_site_ids(engine, active.id, count)


def create_demo_accounts(engine: Engine) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; returns (e-mail, role, password) of those created."""
    created = []
    for email, name, role in DEMO_ACCOUNTS:
        if repository.account_by_email(engine, email) is not None:
            continue
        password = secrets.token_urlsafe(12)  # 16 characters, 96 bits
        sirets = _member_establishments(engine) if role is Role.MEMBER else ()
        accounts.create_account(engine, _DEMO_ACTOR, email=email, display_name=name, role=role.value,
                                sirets=sirets, password=password, is_demo=True)
        created.append((email, role.value, password))
    return created


def announce(created: list[tuple[str, str, str]]) -> str:
    """The console text that shows the new passwords, once."""
    if not created:
        return ""
    lines = ["Demo accounts (fictitious; passwords shown only now, change them or set TISSU_DEMO_ACCOUNTS=0):"]
    lines += [f"  {role:<7} {email:<26} {password}" for email, role, password in created]
    return "\n".join(lines)
