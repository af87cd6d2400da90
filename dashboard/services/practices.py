"""Practice sheets of the circles of excellence: read models (cut by the policy), search, writes and review.

Reads are not cached (the table is small and changes with every save); Markdown is rendered and sanitised
by `markdown_text.render_markdown` (its own bounded cache) when a layout shows it. Writes check the policy
(members write for their own establishments, staff review), validate at the edge (practices_input.py) and
are one transaction with their audit entry; status moves are compare-and-set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dashboard import repository
from dashboard.analytics import practices as rules
from dashboard.markdown_text import markdown_problem, plain_text
from dashboard.policy import Action, Forbidden, Viewer, can, may_act_for, require, require_act_for, visible_practices
from dashboard.reference import load_reference
from dashboard.services import DataService
from dashboard.services.network import _sites, site_options  # the same site table as the network's
from dashboard.services.options import capability_options
from dashboard.services.practices_input import (
    MAX_TEXT,
    TEXT_FIELDS,
    PracticeInputError,
    practice_values,
    review_comment,
)

PracticeInputError = PracticeInputError  # re-exported: callers catch it from here
TransitionError = rules.TransitionError
PAGE_SIZE = 100  # sheets listed on the page and by default in the API


class PracticeNotFound(LookupError):
    """No sheet with this id, or not one the viewer may see; French message."""


def _audit(viewer: Viewer, action: str, address: str) -> repository.AuditRecord:
    return repository.AuditRecord(viewer.user_id, viewer.label or "anonyme", action, "", address=address)


def theme_labels() -> dict[str, str]:
    themes = load_reference().circle_themes
    return dict(zip(themes["code"], themes["label"]))


def _items(service: DataService, frame: pd.DataFrame, viewer: Viewer) -> list[dict]:
    """Sheets as dicts for pages and the API (everything: `visible_practices` cuts them afterwards)."""
    if frame.empty:
        return []
    themes = theme_labels()
    caps = dict(zip(service.lookups.capabilities["code"], service.lookups.capabilities["label"]))
    sites = _sites(service.snapshot())
    out = []
    for r in frame.to_dict("records"):
        site = sites.loc[r["site_siret"]] if r["site_siret"] in sites.index else None
        theme_codes, cap_codes = rules.codes(r["themes"]), rules.codes(r["capabilities"])
        circle = r["circle_id"]
        out.append({
            "id": int(r["id"]), "title": r["title"], "problem": r["problem"], "actions": r["actions"],
            "results": r["results"], "themes": list(theme_codes),
            "theme_labels": [themes.get(c, c) for c in theme_codes],
            "capabilities": list(cap_codes), "capability_labels": [caps.get(c, c) for c in cap_codes],
            "contact": r["contact"], "created_by": r["created_by"],
            "site_id": r["site_siret"], "site_name": site["name"] if site is not None else "",
            "commune": site["commune_name"] if site is not None else "",
            "department_code": site["department_code"] if site is not None else "",
            "circle_id": int(circle) if circle is not None and not pd.isna(circle) else None,
            "status": r["status"], "status_label": rules.STATUS_LABELS.get(r["status"], r["status"]),
            "created_at": r["created_at"], "updated_at": r["updated_at"],
            "published_at": r["published_at"] if not pd.isna(r["published_at"]) else None,
            "is_demo": bool(r["is_demo"]),
            "mine": viewer.signed_in and r["site_siret"] in viewer.sirets,
        })
    return out


@dataclass(frozen=True)
class PracticeQuery:
    """What a list asks for, parsed (page controls, URL or API parameters)."""

    text: str = ""
    theme: str | None = None
    capability: str | None = None
    department: str | None = None
    circle: int | None = None
    status: str | None = None  # None: published; another status or "all" (every status): staff only
    mine: bool = False  # the viewer's own sheets, every status


def search(service: DataService, viewer: Viewer, query: PracticeQuery = PracticeQuery()) -> list[dict]:
    """Sheets the viewer may see that match `query`, best first (newest first without words), cut by policy."""
    if query.mine:
        if not viewer.sirets:
            return []
        frame = repository.practices_frame(service.engine, site_sirets=viewer.sirets)
    elif query.status not in (None, "published"):
        require(viewer, Action.REVIEW_PRACTICES)
        frame = repository.practices_frame(service.engine,
                                           statuses=None if query.status == "all" else [str(query.status)])
    else:
        frame = repository.practices_frame(service.engine, statuses=["published"])
    items = visible_practices(viewer, _items(service, frame, viewer))
    if not items:
        return []
    table = pd.DataFrame(items)
    table["circle_id"] = table["circle_id"].astype(object)
    table = table[rules.filter_mask(table.assign(themes=table["themes"].map(tuple),
                                                 capabilities=table["capabilities"].map(tuple)),
                                    theme=query.theme, capability=query.capability, department=query.department,
                                    circle=query.circle)]
    if query.text:
        table = table.assign(**{f"{f}_text": table[f].map(plain_text) for f in ("problem", "actions", "results")},
                             theme_labels_text=table["theme_labels"].map(" ".join))
        order = rules.search_order(table, query.text)
        table = table.loc[order]
    kept = set(table["id"])
    by_id = {i["id"]: i for i in items}
    return [by_id[i] for i in table["id"] if i in kept]


def sheet(service: DataService, sheet_id: int, viewer: Viewer) -> dict:
    row = repository.practice_by_id(service.engine, sheet_id)
    items = visible_practices(viewer, _items(service, pd.DataFrame([row]), viewer)) if row else []
    if not items:
        raise PracticeNotFound(f"Fiche introuvable : n° {sheet_id}.")
    return items[0]


def history(service: DataService, sheet_id: int, viewer: Viewer) -> list[dict]:
    """A sheet's status steps (its authors and staff see comments; the public only sees a published sheet's
    publication date, on the sheet itself)."""
    item = sheet(service, sheet_id, viewer)
    if not (can(viewer, Action.REVIEW_PRACTICES) or item["mine"]):
        return []
    steps = repository.practice_reviews(service.engine, [sheet_id])
    return [{"at": r["at"], "by": r["by_label"], "from": r["from_status"], "to": r["to_status"],
             "to_label": rules.STATUS_LABELS.get(r["to_status"], r["to_status"]), "comment": r["comment"]}
            for r in steps.to_dict("records")]


# --- Writes ---------------------------------------------------------------------------------------------

def _values(service: DataService, raw: dict, *, submit: bool) -> dict:
    values = practice_values(raw, themes=set(theme_labels()), capabilities=set(service.lookups.capabilities["code"]),
                             submit=submit)
    circle = values.get("circle_id")
    if circle is not None and repository.circle_by_id(service.engine, circle) is None:
        raise PracticeInputError("circle_id", f"Cercle n° {circle} inconnu : choisissez un cercle existant.")
    return values


def _site_for_write(service: DataService, viewer: Viewer, key) -> str:
    if not isinstance(key, str) or not key.strip():
        raise PracticeInputError("site", "Choisissez l'établissement qui a mené cette pratique.")
    key = key.strip()
    if key not in _sites(service.snapshot()).index:
        raise PracticeInputError("site", f"Établissement inconnu dans le jeu de données actif : « {key[:40]} ».")
    require_act_for(viewer, Action.WRITE_PRACTICE, key)
    return key


def create_sheet(service: DataService, viewer: Viewer, raw: dict, *, submit: bool = False,
                 address: str = "") -> int:
    """Write a new sheet for one of the viewer's sites, as a draft or submitted for review; raises Forbidden
    (not signed in, someone else's site) or PracticeInputError (French, nothing saved)."""
    require(viewer, Action.WRITE_PRACTICE)
    values = _values(service, raw, submit=submit)
    site = _site_for_write(service, viewer, raw.get("site"))
    row = {**values, "site_siret": site, "status": "submitted" if submit else "draft",
           "created_by": viewer.user_id, "is_demo": False}
    return repository.insert_practice(service.engine, row, by_label=viewer.label,
                                      audit=_audit(viewer, "practice.submit" if submit else "practice.create", address))


def _own_sheet(service: DataService, viewer: Viewer, sheet_id: int) -> dict:
    row = repository.practice_by_id(service.engine, sheet_id)
    if row is None or not (viewer.signed_in and may_act_for(viewer, row["site_siret"])):
        raise PracticeNotFound(f"Fiche introuvable parmi les vôtres : n° {sheet_id}.")
    return row


def update_sheet(service: DataService, viewer: Viewer, sheet_id: int, raw: dict, *, submit: bool = False,
                 address: str = "") -> None:
    """Change one of the viewer's sheets while it is a draft or returned (every field given again), and submit
    it when `submit`."""
    require(viewer, Action.WRITE_PRACTICE)
    row = _own_sheet(service, viewer, sheet_id)
    if row["status"] not in rules.EDITABLE:
        raise TransitionError(f"Une fiche « {rules.STATUS_LABELS[row['status']]} » ne se modifie plus : "
                              "l'équipe UIMM peut vous la renvoyer.")
    if "site" in raw and raw["site"] != row["site_siret"]:
        raise PracticeInputError("site", "L'établissement d'une fiche ne change pas : écrivez-en une nouvelle.")
    values = _values(service, {k: v for k, v in raw.items() if k != "site"}, submit=submit)
    review = None
    if submit:
        rules.check_transition(row["status"], "submitted")
        values["status"] = "submitted"
        review = {"by_user": viewer.user_id, "by_label": viewer.label, "to_status": "submitted", "comment": ""}
    done = repository.update_practice(service.engine, sheet_id, values, expected=rules.EDITABLE, review=review,
                                      audit=_audit(viewer, "practice.submit" if submit else "practice.update",
                                                   address))
    if not done:
        raise TransitionError("Cette fiche vient de changer : rechargez la page.")


def submit_sheet(service: DataService, viewer: Viewer, sheet_id: int, *, address: str = "") -> None:
    """Send one of the viewer's drafts (or returned sheets) to review, as saved."""
    row = _own_sheet(service, viewer, sheet_id)
    raw = {k: row[k] for k in ("title", "problem", "actions", "results", "contact", "circle_id")}
    raw |= {"themes": list(rules.codes(row["themes"])), "capabilities": list(rules.codes(row["capabilities"]))}
    update_sheet(service, viewer, sheet_id, raw, submit=True, address=address)


def review_sheet(service: DataService, viewer: Viewer, sheet_id: int, decision: str, *, comment=None,
                 address: str = "") -> None:
    """Staff publish a submitted sheet or return it (submitted or published) to its author with a comment."""
    require(viewer, Action.REVIEW_PRACTICES)
    if decision not in ("published", "returned"):
        raise PracticeInputError("decision", "Décision : « published » (publier) ou « returned » (renvoyer).")
    text = review_comment(comment)
    row = repository.practice_by_id(service.engine, sheet_id)
    if row is None:
        raise PracticeNotFound(f"Fiche introuvable : n° {sheet_id}.")
    who = rules.check_transition(row["status"], decision, comment=text)
    if who != "staff":  # defensive: every move to published / returned is staff's (analytics.practices)
        raise Forbidden(Action.REVIEW_PRACTICES, "Seule l'équipe UIMM relit les fiches.")
    changes: dict = {"status": decision}
    if decision == "published":
        changes["published_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    done = repository.update_practice(
        service.engine, sheet_id, changes, expected=[row["status"]],
        review={"by_user": viewer.user_id, "by_label": viewer.label, "to_status": decision, "comment": text},
        audit=_audit(viewer, f"practice.{'publish' if decision == 'published' else 'return'}", address))
    if not done:
        raise TransitionError("Cette fiche vient de changer : rechargez la page.")


def preview(texts: dict) -> list[dict]:
    """The three texts as they would be shown, each with what would stop it being saved (None when fine)."""
    out = []
    for name, label in TEXT_FIELDS.items():
        value = texts.get(name)
        text = value.strip() if isinstance(value, str) else ""
        out.append({"name": name, "label": label, "text": text, "problem": markdown_problem(text, limit=MAX_TEXT)})
    return out


# --- The page -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PracticesPage:
    """Everything /cercles/pratiques shows to one viewer, already cut by the policy."""

    signed_in: bool
    can_write: bool
    can_review: bool
    query: PracticeQuery
    sheets: list[dict] = field(default_factory=list)  # published, matching the query
    selected: dict | None = None  # the sheet of ?fiche=
    selected_history: list[dict] = field(default_factory=list)
    mine: list[dict] = field(default_factory=list)
    queue: list[dict] = field(default_factory=list)  # staff: submitted sheets, oldest first
    site_options: list[dict] = field(default_factory=list)
    theme_options: list[dict] = field(default_factory=list)
    capability_options: list[dict] = field(default_factory=list)
    department_options: list[dict] = field(default_factory=list)
    is_demo: bool = False


def theme_options() -> list[dict]:
    return [{"label": label, "value": code} for code, label in theme_labels().items()]


def department_options(service: DataService) -> list[dict]:
    d = service.lookups.departments
    return [{"label": f"{r['name']} ({r['code']})", "value": r["code"]} for r in d.to_dict("records")]


def page(service: DataService, viewer: Viewer, query: PracticeQuery, *, selected: int | None = None) -> PracticesPage:
    chosen, steps = None, []
    if selected is not None:
        try:
            chosen = sheet(service, selected, viewer)
            steps = history(service, selected, viewer)
        except PracticeNotFound:
            chosen = None
    sheets = search(service, viewer, PracticeQuery(text=query.text, theme=query.theme, capability=query.capability,
                                                   department=query.department, circle=query.circle))
    reviewer = can(viewer, Action.REVIEW_PRACTICES)
    queue = search(service, viewer, PracticeQuery(status="submitted"))[::-1] if reviewer else []
    return PracticesPage(
        signed_in=viewer.signed_in, can_write=can(viewer, Action.WRITE_PRACTICE), can_review=reviewer, query=query,
        sheets=sheets[:PAGE_SIZE], selected=chosen, selected_history=steps,
        mine=search(service, viewer, PracticeQuery(mine=True)), queue=queue,
        site_options=site_options(service, viewer), theme_options=theme_options(),
        capability_options=capability_options(service.lookups.capabilities),
        department_options=department_options(service), is_demo=any(s["is_demo"] for s in sheets))
