"""`tissu user add|list|role|disable|enable|reset-link|demo`: accounts from the command line.

Whoever runs the CLI has the server's files, so it acts as an administrator; each change is audited as
`cli:<operating-system user>`.
"""

from __future__ import annotations

import getpass

from dashboard.policy import ACCOUNT_ROLES, ROLE_LABELS, Role, Viewer

_ROLES = [r.value for r in ACCOUNT_ROLES]


def _context():
    from dashboard.bootstrap import prepare_database
    from dashboard.database import make_engine
    from dashboard.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    prepare_database(engine)
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        who = "?"
    return settings, engine, Viewer(Role.ADMIN, None, f"cli:{who}")


def _refused(error: Exception) -> int:
    print(f"error: {error}")
    return 2


def cmd_user_add(args) -> int:
    from dashboard import accounts

    settings, engine, actor = _context()
    try:
        account = accounts.create_account(engine, actor, email=args.email, display_name=args.name or "",
                                          role=args.role, sirets=tuple(args.siret or ()))
        link = accounts.issue_reset_link(engine, actor, account.id, base_url=settings.base_url)
    except accounts.AccountError as error:
        return _refused(error)
    print(f"Account created: {account.email} ({account.role}). One-time link to set the password "
          f"(valid {accounts.RESET_HOURS} h):\n{link}")
    return 0


def cmd_user_list(args) -> int:
    from dashboard import repository

    _settings, engine, _actor = _context()
    rows = repository.list_accounts(engine)
    if not rows:
        print("No account. Create one with `tissu user add EMAIL --role admin`.")
    for a in rows:
        state = "active" if a.is_active else "disabled"
        print(f"{a.email:<32} {a.role:<7} {state:<8} {'demo' if a.is_demo else '':<4} {' '.join(a.sirets)}")
    return 0


def cmd_user_role(args) -> int:
    from dashboard import accounts

    _settings, engine, actor = _context()
    try:
        account = accounts.set_role(engine, actor, args.email, args.role)
    except accounts.AccountError as error:
        return _refused(error)
    print(f"{account.email} is now {account.role} ({ROLE_LABELS[Role(account.role)]}); their sessions ended.")
    return 0


def cmd_user_active(args) -> int:
    from dashboard import accounts

    _settings, engine, actor = _context()
    try:
        account = accounts.set_active(engine, actor, args.email, args.user_command == "enable")
    except accounts.AccountError as error:
        return _refused(error)
    print(f"{account.email} is {'enabled' if account.is_active else 'disabled'}.")
    return 0


def cmd_user_reset_link(args) -> int:
    from dashboard import accounts

    settings, engine, actor = _context()
    try:
        link = accounts.issue_reset_link(engine, actor, args.email, base_url=settings.base_url)
    except accounts.AccountError as error:
        return _refused(error)
    print(f"One-time link (valid {accounts.RESET_HOURS} h; earlier links stop working):\n{link}")
    return 0


def cmd_user_demo(args) -> int:
    from dashboard.demo import accounts as demo_accounts

    settings, engine, _actor = _context()
    if not settings.demo_accounts:
        print("error: TISSU_DEMO_ACCOUNTS=0: demo accounts are disabled")
        return 2
    text = demo_accounts.announce(demo_accounts.create_demo_accounts(engine))
    print(text or "The demo accounts exist already (their passwords were shown when they were created; "
                  "`tissu user reset-link EMAIL` issues a new one).")
    return 0


def add_user_commands(sub) -> None:
    user = sub.add_parser("user", help="accounts: add, list, change role, disable, issue a password link")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="create an account and print its one-time password link")
    add.add_argument("email")
    add.add_argument("--role", choices=_ROLES, default="member")
    add.add_argument("--name", help="display name (default: the e-mail)")
    add.add_argument("--siret", action="append", help="an establishment the member speaks for (repeatable)")
    add.set_defaults(func=cmd_user_add)
    user_sub.add_parser("list", help="list accounts").set_defaults(func=cmd_user_list)
    role = user_sub.add_parser("role", help="change an account's role (ends its sessions)")
    role.add_argument("email")
    role.add_argument("role", choices=_ROLES)
    role.set_defaults(func=cmd_user_role)
    for action, text in (("disable", "disable an account (ends its sessions)"), ("enable", "enable it again")):
        toggle = user_sub.add_parser(action, help=text)
        toggle.add_argument("email")
        toggle.set_defaults(func=cmd_user_active)
    reset = user_sub.add_parser("reset-link", help="print a one-time link to set the password")
    reset.add_argument("email")
    reset.set_defaults(func=cmd_user_reset_link)
    user_sub.add_parser("demo", help="create the demo accounts (random passwords, printed once)") \
        .set_defaults(func=cmd_user_demo)
