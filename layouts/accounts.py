"""Sign-in, password, account, account management and audit pages (French, text only, no inline script).

The sign-in and password forms are plain HTML forms posted to Flask routes (`dashboard/sessions.py`): they work
before any script has run and keep passwords out of Dash callbacks.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.formatting import fr_datetime
from dashboard.policy import ROLE_LABELS, Action, Role, Viewer, can, may_issue_reset_link
from dashboard.repository import Account, TokenInfo
from layouts.components import dropdown


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def _notice(message: str | None, kind: str = "error") -> html.P | None:
    return html.P(message, className=f"form-notice form-notice-{kind}", role="alert") if message else None


def login_page(*, message: str | None, ok: bool, target: str, demo_hint: bool) -> html.Div:
    return html.Div([
        html.H1("Se connecter"),
        html.P("Les adhérents de l'UIMM Lorraine et l'équipe UIMM se connectent pour voir l'adhésion, "
               "gérer l'événement et créer des jetons d'API. La carte reste ouverte à tous."),
        _notice(message, "ok" if ok else "error"),
        html.Form([
            _field("Adresse e-mail", dcc.Input(id=ids.LOGIN_EMAIL, type="email", name="email", required=True,
                                               autoComplete="username", maxLength=254, className="form-input")),
            _field("Mot de passe", dcc.Input(id=ids.LOGIN_PASSWORD, type="password", name="mot_de_passe",
                                             required=True, autoComplete="current-password", maxLength=256,
                                             className="form-input")),
            dcc.Input(type="hidden", name="suivant", value=target),
            html.Button("Se connecter", type="submit", className="button", id=ids.LOGIN_SUBMIT),
        ], action="/connexion", method="post", className="form"),
        html.P("Compte perdu ou mot de passe oublié : l'équipe UIMM vous envoie un lien pour en choisir un "
               "nouveau.", className="form-hint"),
        html.P("Démonstration : les comptes fictifs et leurs mots de passe sont affichés une seule fois, au "
               "premier démarrage, dans la console du serveur.", className="form-hint") if demo_hint else None,
    ], className="page-message page-form")


def reset_page(*, account_email: str | None, secret: str, message: str | None) -> html.Div:
    if account_email is None:
        return html.Div([html.H1("Lien expiré"), _notice(
            message or "Ce lien n'est plus valable : demandez-en un nouveau à l'équipe UIMM."),
            html.A("Se connecter", href="/connexion", className="button")], className="page-message")
    return html.Div([
        html.H1("Choisir un mot de passe"),
        html.P(["Compte ", html.Strong(account_email), ". Au moins 12 caractères ; une phrase que vous retenez "
                "vaut mieux qu'un mot compliqué."]),
        _notice(message),
        html.Form([
            _field("Nouveau mot de passe", dcc.Input(type="password", name="mot_de_passe", required=True,
                                                     minLength=12, maxLength=256, autoComplete="new-password",
                                                     className="form-input")),
            _field("Confirmation", dcc.Input(type="password", name="confirmation", required=True, minLength=12,
                                             maxLength=256, autoComplete="new-password", className="form-input")),
            dcc.Input(type="hidden", name="lien", value=secret),
            html.Button("Enregistrer", type="submit", className="button"),
        ], action="/compte/mot-de-passe", method="post", className="form"),
    ], className="page-message page-form")


def restricted_page(viewer: Viewer, path: str) -> html.Div:
    """What a page reserved to other roles shows: an invitation to sign in, or a plain refusal."""
    if not viewer.signed_in:
        return html.Div([html.H1("Connexion requise"),
                         html.P("Cette page est réservée aux comptes de l'UIMM Lorraine et de ses adhérents."),
                         html.A("Se connecter", href=f"/connexion?suivant={path}", className="button")],
                        className="page-message")
    return html.Div([html.H1("Accès réservé"),
                     html.P(f"Votre compte ({ROLE_LABELS[viewer.role]}) ne donne pas accès à cette page."),
                     html.A("Revenir à la carte", href="/", className="button")], className="page-message")


def account_area(viewer: Viewer) -> list:
    """The header's corner: a sign-in link, or who is signed in with a link to their account."""
    if not viewer.signed_in:
        return [html.A("Se connecter", href="/connexion", className="nav-link account-link")]
    return [html.A([html.Span(viewer.label, className="account-name"),
                    html.Span(ROLE_LABELS[viewer.role], className="account-role")],
                   href="/compte", className="nav-link account-link", title="Mon compte")]


def sign_out_form() -> html.Form:
    return html.Form([html.Button("Se déconnecter", type="submit", className="button button-light")],
                     action="/deconnexion", method="post", className="form-inline")


def token_rows(tokens: list[TokenInfo]) -> html.Div:
    if not tokens:
        return html.Div(html.P("Aucun jeton.", className="form-hint"))
    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("Nom", "Début", "Créé le", "Dernier usage", "")])),
        html.Tbody([html.Tr([
            html.Td(t.label), html.Td(html.Code(t.prefix + "…")), html.Td(fr_datetime(t.created_at)),
            html.Td(fr_datetime(t.last_used_at) if t.last_used_at else "jamais"),
            html.Td(html.Button("Révoquer", id={"type": ids.TOKEN_REVOKE, "token": t.id},
                                className="button button-light button-small")),
        ]) for t in tokens]),
    ], className="data-table"))


def account_page(account: Account, tokens: list[TokenInfo], *, can_use_tokens: bool,
                 names: dict[str, str] | None = None) -> html.Div:
    role = ROLE_LABELS[Role(account.role)]
    names = names or {}
    establishments = [html.Div(f"{key} · {names[key]}" if key in names else f"{key} (absent des données actives)")
                      for key in account.sirets] or "aucun"
    return html.Div([
        html.H1("Mon compte"),
        html.Dl([html.Dt("Nom"), html.Dd(account.display_name), html.Dt("E-mail"), html.Dd(account.email),
                 html.Dt("Rôle"), html.Dd(role), html.Dt("Établissements (SIRET)"), html.Dd(establishments),
                 html.Dt("Dernière connexion"),
                 html.Dd(fr_datetime(account.last_login_at) if account.last_login_at else "—")],
                className="facts"),
        sign_out_form(),
        html.H2("Jetons d'accès à l'API"),
        html.P(["Un jeton donne à un script les mêmes droits que votre compte sur l'API JSON "
                "(en-tête ", html.Code("Authorization: Bearer …"), "). Il n'est montré qu'une fois ; "
                "seule son empreinte est conservée."]) if can_use_tokens else None,
        html.Div([
            dcc.Input(id=ids.TOKEN_LABEL, placeholder="Nom du jeton (ex. : ERP atelier)", maxLength=80,
                      className="form-input"),
            html.Button("Créer un jeton", id=ids.TOKEN_CREATE, className="button"),
        ], className="form-inline") if can_use_tokens else None,
        html.Div(id=ids.TOKEN_MESSAGE, role="status"),
        html.Div(token_rows(tokens), id=ids.TOKEN_LIST),
    ], className="page-message page-account")


def new_token_message(secret: str) -> html.Div:
    return html.Div([html.P("Copiez ce jeton maintenant : il ne sera plus affiché."),
                     html.Pre(secret, className="token-secret")], className="form-notice form-notice-ok")


_ROLE_CHOICES = [{"label": ROLE_LABELS[r], "value": r.value} for r in (Role.MEMBER, Role.STAFF, Role.ADMIN)]


def _account_actions(account: Account, viewer: Viewer) -> list:
    """The buttons the viewer may use on this account (the services check the policy again on click)."""
    def button(action: str, label: str) -> html.Button:
        return html.Button(label, id={"type": ids.ADMIN_ACTION, "action": action, "user": account.id},
                           className="button button-light button-small")
    reset = [button("reset", "Lien de mot de passe")] if may_issue_reset_link(viewer, account.role) else []
    if not can(viewer, Action.MANAGE_ACCOUNTS):
        return reset
    toggle = button("disable", "Désactiver") if account.is_active else button("enable", "Réactiver")
    roles = [button(f"role:{r.value}", f"→ {ROLE_LABELS[r]}") for r in (Role.MEMBER, Role.STAFF, Role.ADMIN)
             if r.value != account.role]
    return [*reset, toggle, *roles]


def accounts_table(accounts: list[Account], viewer: Viewer) -> html.Table:
    return html.Table([
        html.Thead(html.Tr([html.Th(h) for h in ("E-mail", "Nom", "Rôle", "Établissements", "État",
                                                  "Dernière connexion", "Actions")])),
        html.Tbody([html.Tr([
            html.Td(a.email), html.Td(a.display_name), html.Td(ROLE_LABELS[Role(a.role)]),
            html.Td(", ".join(a.sirets) or "—"),
            html.Td(("actif" if a.is_active else "désactivé") + (" · démo" if a.is_demo else "")),
            html.Td(fr_datetime(a.last_login_at) if a.last_login_at else "jamais"),
            html.Td(_account_actions(a, viewer), className="table-actions"),
        ]) for a in accounts]),
    ], className="data-table")


def admin_page(accounts: list[Account], viewer: Viewer) -> html.Div:
    """Account management: admins create and change accounts; staff see them and issue members' links."""
    manage = can(viewer, Action.MANAGE_ACCOUNTS)
    lead = ("Créez les comptes des adhérents et de l'équipe. Un nouveau compte reçoit un lien à usage unique "
            "(valable 72 h) pour choisir son mot de passe : il s'affiche ici, transmettez-le à la personne. "
            "Un changement de rôle ou une désactivation met fin à ses sessions." if manage else
            "Un adhérent a perdu son mot de passe : émettez-lui un lien à usage unique (valable 72 h) et "
            "transmettez-le. La création et la modification des comptes sont réservées aux administrateurs.")
    form = [
        html.Div([
            _field("E-mail", dcc.Input(id=ids.ADMIN_EMAIL, type="email", maxLength=254, className="form-input")),
            _field("Nom", dcc.Input(id=ids.ADMIN_NAME, maxLength=120, className="form-input")),
            _field("Rôle", dropdown(id=ids.ADMIN_ROLE, options=_ROLE_CHOICES, value=Role.MEMBER.value,
                                    clearable=False)),
            _field("SIRET des établissements", dcc.Input(id=ids.ADMIN_SIRETS, maxLength=400,
                                                         className="form-input"),
                   "Séparés par des espaces ou des virgules (adhérents)."),
        ], className="form form-grid"),
        html.Button("Créer le compte", id=ids.ADMIN_CREATE, className="button"),
    ] if manage else []
    return html.Div([
        html.H1("Comptes"),
        html.P(lead),
        *form,
        html.Div(id=ids.ADMIN_MESSAGE, role="status"),
        html.Div(accounts_table(accounts, viewer), id=ids.ADMIN_ACCOUNTS, className="table-scroll"),
    ], className="page-wide")


def admin_message(text: str, *, ok: bool, link: str | None = None) -> html.Div:
    return html.Div([html.P(text), html.Pre(link, className="token-secret") if link else None],
                    className=f"form-notice form-notice-{'ok' if ok else 'error'}")


AUDIT_COLUMNS = [("at", "Date (heure de Paris)"), ("actor", "Par"), ("action", "Action"), ("target", "Objet"),
                 ("before", "Avant"), ("after", "Après"), ("address", "Adresse")]


def audit_page(rows: list[dict], total: int) -> html.Div:
    shown = f"{len(rows)} dernières modifications sur {total}" if total > len(rows) else f"{total} modifications"
    return html.Div([
        html.H1("Journal des modifications"),
        html.P(f"{shown}. Chaque écriture (rendez-vous, planning, comptes, jetons, connexions) y est consignée "
               "avec son auteur et les valeurs avant et après."),
        html.Div([html.Button("Exporter en CSV", id=ids.AUDIT_EXPORT_CSV, className="button button-light"),
                  html.Button("Exporter en Excel", id=ids.AUDIT_EXPORT_XLSX, className="button button-light"),
                  dcc.Download(id=ids.AUDIT_DOWNLOAD)], className="table-actions"),
        html.Div(html.Table([
            html.Thead(html.Tr([html.Th(label) for _, label in AUDIT_COLUMNS])),
            html.Tbody([html.Tr([html.Td(str(row[key]), className=f"audit-{key}") for key, _ in AUDIT_COLUMNS])
                        for row in rows]),
        ], className="data-table", id=ids.AUDIT_TABLE), className="table-scroll"),
    ], className="page-wide")
