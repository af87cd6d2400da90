"""The authorisation policy: what each role may see and do. The one place that decides; everything else asks.

Roles, from least to most trusted: anonymous (the public, a fair visitor), member (an account tied to one or
more member establishments), staff (UIMM staff: everything, runs the event), admin (staff who also manage
accounts). Services call `require` before a write and the `redact_*` functions before data leaves them, so
pages, callbacks, the API and exports all receive data already cut to the viewer; layouts never hide data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"


ROLE_LABELS = {Role.ANONYMOUS: "Public", Role.MEMBER: "Adhérent", Role.STAFF: "Équipe UIMM",
               Role.ADMIN: "Administrateur"}
ACCOUNT_ROLES = (Role.MEMBER, Role.STAFF, Role.ADMIN)  # roles an account can hold


class Action(StrEnum):
    SEE_MEMBERSHIP = "see_membership"  # the UIMM member flag, the member filter and the member share
    USE_API_TOKEN = "use_api_token"  # create and use personal API tokens
    RUN_EVENT = "run_event"  # mark meetings held or cancelled, re-schedule the event
    READ_AUDIT = "read_audit"  # read and export the audit log
    ISSUE_RESET_LINK = "issue_reset_link"  # a one-time password link for a member account (any account: admins)
    MANAGE_ACCOUNTS = "manage_accounts"  # create accounts, change roles, disable, links for any account
    POST_NEED = "post_need"  # post, edit and close a need for an establishment one speaks for
    POST_OFFER = "post_offer"  # post, edit and close a spare capacity or a by-product
    REQUEST_INTRODUCTION = "request_introduction"  # ask for, accept, decline and follow introductions
    SEE_NETWORK_NAMES = "see_network_names"  # buyers' names, members-only needs, offers in full
    SEE_NETWORK_OUTCOMES = "see_network_outcomes"  # every introduction, stalled ones, the outcomes
    JOIN_CIRCLE = "join_circle"  # ask to join a circle for one's site, register for its sessions, leave
    SEE_CIRCLE_MEMBERS = "see_circle_members"  # who takes part in circles and sessions (names)
    MANAGE_CIRCLES = "manage_circles"  # create and edit any circle and session, decide any join request
    SEE_CIRCLE_STATS = "see_circle_stats"  # participation by territory and theme, unmet interest, export
    WRITE_PRACTICE = "write_practice"  # write, edit and submit practice sheets for an establishment one speaks for
    REVIEW_PRACTICES = "review_practices"  # publish a submitted practice sheet or return it with a comment
    SEE_PRACTICE_CONTACTS = "see_practice_contacts"  # the contact written on a published practice sheet


_SIGNED_IN = frozenset({Role.MEMBER, Role.STAFF, Role.ADMIN})
_STAFF = frozenset({Role.STAFF, Role.ADMIN})
RULES: Mapping[Action, frozenset[Role]] = {
    Action.SEE_MEMBERSHIP: _SIGNED_IN,
    Action.USE_API_TOKEN: _SIGNED_IN,
    Action.RUN_EVENT: _STAFF,
    Action.READ_AUDIT: _STAFF,
    Action.ISSUE_RESET_LINK: _STAFF,
    Action.MANAGE_ACCOUNTS: frozenset({Role.ADMIN}),
    Action.POST_NEED: _SIGNED_IN,
    Action.POST_OFFER: _SIGNED_IN,
    Action.REQUEST_INTRODUCTION: _SIGNED_IN,
    Action.SEE_NETWORK_NAMES: _SIGNED_IN,
    Action.SEE_NETWORK_OUTCOMES: _STAFF,
    Action.JOIN_CIRCLE: _SIGNED_IN,
    Action.SEE_CIRCLE_MEMBERS: _SIGNED_IN,
    Action.MANAGE_CIRCLES: _STAFF,
    Action.SEE_CIRCLE_STATS: _STAFF,
    Action.WRITE_PRACTICE: _SIGNED_IN,
    Action.REVIEW_PRACTICES: _STAFF,
    Action.SEE_PRACTICE_CONTACTS: _SIGNED_IN,
}

# Establishment record fields only a viewer allowed SEE_MEMBERSHIP receives (records, cards, API, exports).
MEMBER_ONLY_FIELDS = frozenset({"member"})
# Criteria (explorer filters, API parameters) that reveal membership.
MEMBER_ONLY_CRITERIA = frozenset({"member"})
# Map metrics that reveal membership (a commune with one establishment would show its flag).
MEMBER_ONLY_METRICS = frozenset({"member_share"})


@dataclass(frozen=True)
class Viewer:
    """Who is asking: their role, account and the establishments (SIRET) they speak for."""

    role: Role = Role.ANONYMOUS
    user_id: int | None = None
    label: str = ""  # e-mail of the account; "cli:<user>" for the command line
    sirets: frozenset[str] = field(default_factory=frozenset)

    @property
    def signed_in(self) -> bool:
        return self.role is not Role.ANONYMOUS


ANONYMOUS = Viewer()


class Forbidden(Exception):
    """The viewer may not do this; `message` is French and shown as is."""

    def __init__(self, action: Action, message: str):
        super().__init__(message)
        self.action = action
        self.message = message


_REFUSALS = {
    Action.SEE_MEMBERSHIP: "L'adhésion à l'UIMM n'est visible que des comptes adhérents et de l'équipe UIMM.",
    Action.USE_API_TOKEN: "Connectez-vous pour créer un jeton d'accès à l'API.",
    Action.RUN_EVENT: "Seule l'équipe UIMM peut modifier les rendez-vous de l'événement.",
    Action.READ_AUDIT: "Le journal des modifications est réservé à l'équipe UIMM.",
    Action.ISSUE_RESET_LINK: "Seule l'équipe UIMM peut émettre un lien de mot de passe.",
    Action.MANAGE_ACCOUNTS: "La gestion des comptes est réservée aux administrateurs.",
    Action.POST_NEED: "Connectez-vous avec un compte adhérent pour publier un besoin.",
    Action.POST_OFFER: "Connectez-vous avec un compte adhérent pour publier une offre.",
    Action.REQUEST_INTRODUCTION: "Connectez-vous avec un compte adhérent pour demander une mise en relation.",
    Action.SEE_NETWORK_NAMES: "Le nom des acheteurs n'est visible que des comptes adhérents et de l'équipe UIMM.",
    Action.SEE_NETWORK_OUTCOMES: "Les résultats du réseau sont réservés à l'équipe UIMM.",
    Action.JOIN_CIRCLE: "Connectez-vous avec un compte adhérent pour rejoindre un cercle ou vous inscrire.",
    Action.SEE_CIRCLE_MEMBERS: "Les participants des cercles ne sont visibles que des comptes adhérents.",
    Action.MANAGE_CIRCLES: "Seule l'équipe UIMM peut créer ou modifier un cercle.",
    Action.SEE_CIRCLE_STATS: "Le suivi des cercles est réservé à l'équipe UIMM.",
    Action.WRITE_PRACTICE: "Connectez-vous avec un compte adhérent pour écrire une fiche bonne pratique.",
    Action.REVIEW_PRACTICES: "Seule l'équipe UIMM relit et publie les fiches bonnes pratiques.",
    Action.SEE_PRACTICE_CONTACTS: "Le contact d'une fiche n'est visible que des comptes adhérents et de l'équipe UIMM.",
}


def can(viewer: Viewer, action: Action) -> bool:
    return viewer.role in RULES[action]


def require(viewer: Viewer, action: Action) -> None:
    """Raise Forbidden unless the viewer may do `action` (services call it before every write)."""
    if not can(viewer, action):
        raise Forbidden(action, _REFUSALS[action])


def hidden_fields(viewer: Viewer) -> frozenset[str]:
    """Establishment record fields withheld from this viewer."""
    return frozenset() if can(viewer, Action.SEE_MEMBERSHIP) else MEMBER_ONLY_FIELDS


def redact_record(viewer: Viewer, record: Mapping[str, Any]) -> dict[str, Any]:
    hidden = hidden_fields(viewer)
    return {k: v for k, v in record.items() if k not in hidden}


def redact_records(viewer: Viewer, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    hidden = hidden_fields(viewer)
    return [{k: v for k, v in r.items() if k not in hidden} for r in records]


def visible_columns(viewer: Viewer, columns: Iterable[str]) -> list[str]:
    """`columns` (of a frame or an export) without those withheld from the viewer, order kept."""
    hidden = hidden_fields(viewer)
    return [c for c in columns if c not in hidden]


def check_criteria(viewer: Viewer, names: Iterable[str]) -> None:
    """Raise Forbidden when a filter the viewer may not use is set (a member filter reveals membership)."""
    if not can(viewer, Action.SEE_MEMBERSHIP) and MEMBER_ONLY_CRITERIA & set(names):
        raise Forbidden(Action.SEE_MEMBERSHIP, _REFUSALS[Action.SEE_MEMBERSHIP])


def may_issue_reset_link(viewer: Viewer, target_role: str) -> bool:
    """Staff reset members' passwords (a lost password at a fair); only admins reset staff and admin accounts,
    so that a staff account cannot take over a more trusted one."""
    if target_role == Role.MEMBER.value:
        return can(viewer, Action.ISSUE_RESET_LINK)
    return can(viewer, Action.MANAGE_ACCOUNTS)


def may_act_for(viewer: Viewer, siret: str | None) -> bool:
    """Whether the viewer speaks for this establishment (its member account) or runs the network (staff)."""
    return can(viewer, Action.RUN_EVENT) or (siret is not None and siret in viewer.sirets)


def require_act_for(viewer: Viewer, action: Action, siret: str | None) -> None:
    """Raise Forbidden unless the viewer may do `action` and speaks for `siret` (staff: on any member's behalf)."""
    require(viewer, action)
    if not may_act_for(viewer, siret):
        raise Forbidden(action, "Vous ne pouvez agir que pour les établissements de votre compte.")


# --- The network (needs, offers, introductions) --------------------------------------------------------

# What the public sees of an open public need: what is asked, where (territory, commune and its centre, never
# the site's own point) and until when; never who.
PUBLIC_NEED_FIELDS = ("id", "capabilities", "capability_labels", "certifications_required", "territory",
                      "department_code", "commune", "commune_lat", "commune_lon", "deadline")


def visible_needs(viewer: Viewer, needs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Needs cut to the viewer: signed-in viewers get them whole (no contacts: those belong to introductions);
    the public only public needs, anonymised to PUBLIC_NEED_FIELDS."""
    if can(viewer, Action.SEE_NETWORK_NAMES):
        return [dict(n) for n in needs]
    return [{k: n[k] for k in PUBLIC_NEED_FIELDS if k in n} for n in needs if n.get("visibility") == "public"]


def may_see_offers(viewer: Viewer) -> bool:
    """Offers name who has spare capacity or scrap to sell: members and staff only (the public gets counts)."""
    return can(viewer, Action.SEE_NETWORK_NAMES)


def is_party(viewer: Viewer, requester_siret: str, target_siret: str) -> bool:
    return bool(viewer.sirets & {requester_siret, target_siret})


def may_see_introduction(viewer: Viewer, requester_siret: str, target_siret: str) -> bool:
    """Its two sides, and staff (who follow every introduction)."""
    return can(viewer, Action.SEE_NETWORK_OUTCOMES) or (viewer.signed_in and is_party(viewer, requester_siret,
                                                                                        target_siret))


def may_see_contacts(viewer: Viewer, requester_siret: str, target_siret: str, accepted: bool) -> bool:
    """Contacts only once both sides accepted (the requester by asking, the target by accepting), and only to
    those who may see the introduction."""
    return accepted and may_see_introduction(viewer, requester_siret, target_siret)


# --- Cercles d'excellence ------------------------------------------------------------------------------

# What the public sees of a circle: what it is about, where, and its sessions' dates and counts; never who.
PUBLIC_CIRCLE_FIELDS = ("id", "name", "theme", "theme_label", "territory_kind", "territory_code",
                        "territory_label", "description", "status", "members_count", "sessions", "is_demo")
PUBLIC_SESSION_FIELDS = ("id", "title", "starts_at", "duration_min", "commune_code", "commune", "lat", "lon",
                         "capacity", "registered", "seats_left", "full", "upcoming", "status")


def is_facilitator(viewer: Viewer, facilitator_user: int | None, facilitator_siret: str | None) -> bool:
    """The circle's facilitator: its account, or an account that speaks for its named establishment."""
    if not viewer.signed_in:
        return False
    return (facilitator_user is not None and viewer.user_id == facilitator_user) or (
        facilitator_siret is not None and facilitator_siret in viewer.sirets)


def may_run_circle(viewer: Viewer, facilitator_user: int | None, facilitator_siret: str | None) -> bool:
    """Staff run every circle; a facilitator runs theirs (sessions, join requests)."""
    return can(viewer, Action.MANAGE_CIRCLES) or is_facilitator(viewer, facilitator_user, facilitator_siret)


def require_run_circle(viewer: Viewer, facilitator_user: int | None, facilitator_siret: str | None) -> None:
    require(viewer, Action.JOIN_CIRCLE)  # signed in, first: the public is told to sign in
    if not may_run_circle(viewer, facilitator_user, facilitator_siret):
        raise Forbidden(Action.MANAGE_CIRCLES, "Seuls l'animateur du cercle et l'équipe UIMM peuvent faire cela.")


def visible_circle(viewer: Viewer, item: Mapping[str, Any]) -> dict[str, Any]:
    """A circle cut to the viewer: signed-in viewers see who takes part; the public PUBLIC_CIRCLE_FIELDS, with
    sessions cut to PUBLIC_SESSION_FIELDS (dates, places, counts)."""
    if can(viewer, Action.SEE_CIRCLE_MEMBERS):
        return dict(item)
    out = {k: item[k] for k in PUBLIC_CIRCLE_FIELDS if k in item}
    if "sessions" in out:
        out["sessions"] = [{k: s[k] for k in PUBLIC_SESSION_FIELDS if k in s} for s in out["sessions"]]
    return out
# --- Practice sheets (circles of excellence) -----------------------------------------------------------

PRACTICE_CONTACT_FIELDS = frozenset({"contact", "created_by"})  # never to the public, on a page or in the API


def may_see_practice(viewer: Viewer, status: str, site_siret: str) -> bool:
    """Published sheets: everyone. Others: their authors (the accounts of the sheet's site) and staff."""
    if status == "published" or can(viewer, Action.REVIEW_PRACTICES):
        return True
    return viewer.signed_in and site_siret in viewer.sirets


def visible_practices(viewer: Viewer, sheets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sheets cut to the viewer: only those it may see; without contacts unless SEE_PRACTICE_CONTACTS."""
    hidden = frozenset() if can(viewer, Action.SEE_PRACTICE_CONTACTS) else PRACTICE_CONTACT_FIELDS
    return [{k: v for k, v in s.items() if k not in hidden} for s in sheets
            if may_see_practice(viewer, str(s.get("status")), str(s.get("site_id")))]
