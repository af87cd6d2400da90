"""Circles of excellence, write side: staff create and edit circles; members ask to join for one of their
sites, the facilitator or staff decide; runners plan sessions; members register and unregister their sites.

Every write checks the policy first, validates (services/circles_input.py), and is one transaction with its
audit entry (repository/circles.py). Seats and membership moves are compare-and-set in the database.
"""

from __future__ import annotations

from dashboard import repository
from dashboard.analytics import circles as rules
from dashboard.policy import (
    Action,
    Forbidden,
    Viewer,
    may_act_for,
    may_run_circle,
    require,
    require_run_circle,
)
from dashboard.services import DataService
from dashboard.services.circles import CircleNotFound, now, site, themes
from dashboard.services.circles_input import CircleInputError, circle_values, join_message, session_values
from dashboard.services.input_rules import site_for_write

CircleRuleError = rules.CircleRuleError
FAILURES = (Forbidden, CircleInputError, CircleNotFound, CircleRuleError)  # all carry a French message


def _audit(viewer: Viewer, action: str, address: str) -> repository.AuditRecord:
    return repository.AuditRecord(viewer.user_id, viewer.label or "anonyme", action, "", address=address)


def _circle_row(service: DataService, circle_id) -> dict:
    row = repository.circle_by_id(service.engine, circle_id) if isinstance(circle_id, int) else None
    if row is None:
        raise CircleNotFound(f"Cercle introuvable : n° {str(circle_id)[:12]}.")
    return row


def _site_key(service: DataService, viewer: Viewer, action: Action, key) -> str:
    """A site the viewer speaks for (staff: any known site)."""
    return site_for_write(viewer, action, key, find=lambda k: site(service, k), error=CircleInputError)


def _facilitator(service: DataService, raw: dict, values: dict, *, required: bool) -> None:
    """facilitator_user (an active account id) and facilitator_site (a known site) into `values`."""
    if "facilitator_user" in raw:
        user = raw.get("facilitator_user")
        if user in (None, ""):
            values["facilitator_user"] = None
        else:
            account = repository.account_by_id(service.engine, user) if isinstance(user, int) and not \
                isinstance(user, bool) else None
            if account is None or not account.is_active:
                raise CircleInputError("facilitator_user", f"Compte animateur inconnu : « {str(user)[:20]} ».")
            values["facilitator_user"] = account.id
    if "facilitator_site" in raw:
        key = raw.get("facilitator_site")
        if key in (None, ""):
            values["facilitator_siret"] = None
        else:
            found = site(service, key)
            if found is None:
                raise CircleInputError("facilitator_site", f"Établissement animateur inconnu : « {str(key)[:40]} ».")
            values["facilitator_siret"] = found["id"]
    if required and not values.get("facilitator_user") and not values.get("facilitator_siret"):
        raise CircleInputError("facilitator_site", "Indiquez l'animateur : un compte ou un établissement nommé.")


def _circle_inputs(service: DataService, raw: dict, *, partial: bool) -> dict:
    look = service.lookups
    values = circle_values(raw, themes=set(themes()), departments=set(look.departments["code"]),
                           zones=set(look.zones["code"]), partial=partial)
    _facilitator(service, raw, values, required=not partial)
    return values


def create_circle(service: DataService, viewer: Viewer, raw: dict, *, address: str = "") -> int:
    """A new circle (staff); raises Forbidden or CircleInputError (French)."""
    require(viewer, Action.MANAGE_CIRCLES)
    values = _circle_inputs(service, raw, partial=False)
    row = {**values, "status": values.get("status", "open"), "created_by": viewer.user_id, "is_demo": False}
    return repository.insert_circle(service.engine, row, audit=_audit(viewer, "circle.create", address))


def update_circle(service: DataService, viewer: Viewer, circle_id: int, raw: dict, *, address: str = "") -> None:
    """Change fields of a circle, or close it (`{"status": "closed"}`) (staff)."""
    require(viewer, Action.MANAGE_CIRCLES)
    row = _circle_row(service, circle_id)
    values = _circle_inputs(service, raw, partial=True)
    if not (values.get("facilitator_user", row["facilitator_user"]) or values.get("facilitator_siret",
                                                                                   row["facilitator_siret"])):
        raise CircleInputError("facilitator_site", "Un cercle garde un animateur : un compte ou un établissement.")
    if values:
        repository.update_circle(service.engine, circle_id, values, audit=_audit(viewer, "circle.update", address))


# --- Membership -------------------------------------------------------------------------------------------

def _membership(service: DataService, circle_id: int, key: str) -> str | None:
    members = repository.circle_members_frame(service.engine, circle_id=circle_id)
    found = members[members["siret"] == key] if len(members) else members
    return None if found.empty else str(found["status"].iloc[0])


def request_join(service: DataService, viewer: Viewer, circle_id: int, site_key, *, message: str = "",
                 address: str = "") -> None:
    """Ask, for one of the viewer's sites, to join a circle (again after a refusal or a departure)."""
    require(viewer, Action.JOIN_CIRCLE)
    row = _circle_row(service, circle_id)
    if row["status"] != "open":
        raise CircleRuleError("Ce cercle est clos : il n'accueille plus de membres.")
    key = _site_key(service, viewer, Action.JOIN_CIRCLE, site_key)
    text = join_message(message)
    current = _membership(service, circle_id, key)
    rules.check_member_move(current, "requested")
    if not repository.request_membership(service.engine, circle_id, key, user_id=viewer.user_id, message=text,
                                         expected=current, audit=_audit(viewer, "circle.join_request", address)):
        raise CircleRuleError("Une demande est déjà en attente pour cet établissement.")


def decide_join(service: DataService, viewer: Viewer, circle_id: int, site_key: str, status: str, *,
                address: str = "") -> None:
    """Accept or decline a join request (the facilitator or staff)."""
    row = _circle_row(service, circle_id)
    require_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])
    if status not in ("accepted", "declined"):
        raise CircleRuleError("Décision : « accepted » (accepter) ou « declined » (décliner).")
    current = _membership(service, circle_id, str(site_key))
    if current != "requested":
        raise CircleRuleError("Aucune demande en attente pour cet établissement (déjà traitée ?).")
    if not repository.set_membership_status(service.engine, circle_id, str(site_key), expected="requested",
                                            status=status, by_user=viewer.user_id,
                                            audit=_audit(viewer, f"circle.join_{status}", address)):
        raise CircleRuleError("Cette demande vient d'être traitée : rechargez la page.")


def leave_circle(service: DataService, viewer: Viewer, circle_id: int, site_key: str, *, address: str = "") -> None:
    """A member site leaves (its own account, the facilitator or staff); its registrations to come are freed."""
    require(viewer, Action.JOIN_CIRCLE)
    row = _circle_row(service, circle_id)
    key = str(site_key)
    if not (may_act_for(viewer, key) or may_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])):
        raise Forbidden(Action.JOIN_CIRCLE, "Vous ne pouvez agir que pour les établissements de votre compte.")
    rules.check_member_move(_membership(service, circle_id, key), "left")
    if not repository.set_membership_status(service.engine, circle_id, key, expected="accepted", status="left",
                                            by_user=viewer.user_id, audit=_audit(viewer, "circle.leave", address)):
        raise CircleRuleError("Cette adhésion vient de changer : rechargez la page.")


# --- Sessions -------------------------------------------------------------------------------------------

def _session_row(service: DataService, session_id) -> dict:
    row = repository.circle_session_by_id(service.engine, session_id) if isinstance(session_id, int) else None
    if row is None:
        raise CircleNotFound(f"Séance introuvable : n° {str(session_id)[:12]}.")
    return row


def create_session(service: DataService, viewer: Viewer, circle_id: int, raw: dict, *, address: str = "") -> int:
    """Plan a session of a circle (its facilitator or staff); raises Forbidden or CircleInputError."""
    row = _circle_row(service, circle_id)
    require_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])
    if row["status"] != "open":
        raise CircleRuleError("Ce cercle est clos : on n'y planifie plus de séance.")
    values = session_values(raw, communes=set(service.lookups.communes["code"]), now=now(service))
    new = {**values, "circle_id": circle_id, "status": values.get("status", "planned"), "created_by": viewer.user_id,
           "is_demo": False}
    return repository.insert_session(service.engine, new, audit=_audit(viewer, "circle_session.create", address))


def update_session(service: DataService, viewer: Viewer, session_id: int, raw: dict, *, address: str = "") -> None:
    """Change a session to come, or cancel it (`{"status": "cancelled"}`)."""
    session = _session_row(service, session_id)
    row = _circle_row(service, int(session["circle_id"]))
    require_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])
    if session["starts_at"] < now(service):
        raise CircleRuleError("Cette séance a déjà eu lieu : elle ne se modifie plus.")
    values = session_values(raw, communes=set(service.lookups.communes["code"]), now=now(service),
                            registered=int(session["registered"]), partial=True)
    if values and not repository.update_session(service.engine, session_id, values,
                                                audit=_audit(viewer, "circle_session.update", address)):
        raise CircleInputError("capacity", "Des inscriptions viennent d'arriver : la capacité ne suffit plus.")


def register(service: DataService, viewer: Viewer, session_id: int, site_key, *, address: str = "") -> None:
    """Register one of the viewer's member sites for a session to come; "Complet" when no seat is left."""
    require(viewer, Action.JOIN_CIRCLE)
    session = _session_row(service, session_id)
    key = _site_key(service, viewer, Action.JOIN_CIRCLE, site_key)
    circle_row = _circle_row(service, int(session["circle_id"]))
    if session["status"] != "planned":
        raise CircleRuleError("Cette séance est annulée.")
    if session["starts_at"] < now(service):
        raise CircleRuleError("Cette séance a déjà eu lieu : les inscriptions sont closes.")
    facilitator = key == circle_row["facilitator_siret"]
    if not facilitator and _membership(service, int(session["circle_id"]), key) != "accepted":
        raise CircleRuleError("Seuls les établissements membres du cercle s'inscrivent à ses séances : demandez "
                              "d'abord à le rejoindre.")
    outcome = repository.take_seat(service.engine, session_id, key, user_id=viewer.user_id,
                                   audit=_audit(viewer, "circle_session.register", address))
    if outcome == "full":
        raise CircleRuleError("Complet : il ne reste plus de place à cette séance.")
    if outcome == "twice":
        raise CircleRuleError("Cet établissement est déjà inscrit à cette séance.")


def unregister(service: DataService, viewer: Viewer, session_id: int, site_key: str, *, address: str = "") -> None:
    """Free a site's seat at a session to come (its account, the facilitator or staff)."""
    require(viewer, Action.JOIN_CIRCLE)
    session = _session_row(service, session_id)
    row = _circle_row(service, int(session["circle_id"]))
    key = str(site_key)
    if not (may_act_for(viewer, key) or may_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])):
        raise Forbidden(Action.JOIN_CIRCLE, "Vous ne pouvez agir que pour les établissements de votre compte.")
    if session["starts_at"] < now(service):
        raise CircleRuleError("Cette séance a déjà eu lieu.")
    if not repository.release_seat(service.engine, session_id, key,
                                   audit=_audit(viewer, "circle_session.unregister", address)):
        raise CircleRuleError("Cet établissement n'est pas inscrit à cette séance.")
