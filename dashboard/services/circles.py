"""Circles of excellence, read side: circles with their members and sessions cut to the viewer, the map,
"who near me", and UIMM's follow-up (participation, unmet interest, sessions per quarter, export).

Reads of the circle tables are not cached (they change with every request and registration and are small);
the establishments they name come from the snapshot. Writes are in `services/circle_actions.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from dashboard import repository, territory
from dashboard.analytics import circles as rules
from dashboard.analytics.geodesy import territory_bounds
from dashboard.policy import Action, Viewer, can, is_facilitator, may_run_circle, require, visible_circle
from dashboard.reference import load_reference
from dashboard.services import DataService, Snapshot, practices
from dashboard.services.circles_input import CircleInputError
from dashboard.services.downloads import ExportFile
from dashboard.services.partners import communes_payload

CIRCLES_NOTICE = "Cercles, séances et participants de démonstration (fictifs)."
DEFAULT_NEAR_KM = 50.0


class CircleNotFound(LookupError):
    """No circle or session with this id; French message."""


def now(service: DataService) -> dt.datetime:
    """Local time, to the minute (sessions are stored in local time)."""
    return service.clock().replace(tzinfo=None, second=0, microsecond=0)


def themes() -> dict[str, str]:
    """code -> label of the shared circle themes, in taxonomy order."""
    frame = load_reference().circle_themes
    return dict(zip(frame["code"], frame["label"]))


def sites(snap: Snapshot) -> pd.DataFrame:
    """Active establishments by key (public id, and SIRET when it differs): name, commune, territory, point."""
    def build() -> pd.DataFrame:
        e = snap.establishments
        frame = e[["public_id", "siret", "name", "commune_code", "commune_name", "department_code", "zone_code",
                   "lat", "lon", "is_member"]].copy()
        by_siret = frame[frame["siret"].notna() & (frame["siret"] != frame["public_id"])].assign(
            public_id=lambda f: f["siret"])
        return pd.concat([frame, by_siret]).drop_duplicates("public_id").set_index("public_id")
    return snap.cached("circle_sites", build)


def site(service: DataService, key) -> dict | None:
    table = sites(service.snapshot())
    if not isinstance(key, str) or key not in table.index:
        return None
    return {"id": key, **table.loc[key].to_dict()}


def territory_label(service: DataService, kind: str, code: str) -> str:
    look = service.lookups
    if kind == "department":
        names = dict(zip(look.departments["code"], look.departments["name"]))
        return f"{names.get(code, code)} ({code})"
    if kind == "zone":
        return f"Zone d'emploi de {dict(zip(look.zones['code'], look.zones['name'])).get(code, code)}"
    return territory.active().whole_label


def territory_options(service: DataService) -> list[dict]:
    """Territory choices as 'kind:code' values (departments, employment zones, Lorraine)."""
    look = service.lookups
    return ([{"label": territory.active().whole_label, "value": "lorraine:"}]
            + [{"label": f"{n} ({c})", "value": f"department:{c}"} for c, n in
               zip(look.departments["code"], look.departments["name"])]
            + [{"label": f"Zone d'emploi de {n}", "value": f"zone:{c}"} for c, n in
               sorted(zip(look.zones["code"], look.zones["name"]), key=lambda cn: cn[1])])


def _communes(service: DataService) -> pd.DataFrame:
    return service.lookups.communes.set_index("code")


# --- Items ------------------------------------------------------------------------------------------------

def _session_items(service: DataService, frame: pd.DataFrame, registrations: pd.DataFrame, *,
                   at: dt.datetime) -> list[dict]:
    communes = _communes(service)
    table = sites(service.snapshot())
    out = []
    for r in frame.to_dict("records"):
        commune = communes.loc[r["commune_code"]] if r["commune_code"] in communes.index else None
        located = r["lat"] is not None and not pd.isna(r["lat"])
        who = registrations[registrations["session_id"] == r["id"]]["siret"].tolist() if len(registrations) else []
        starts = pd.Timestamp(r["starts_at"]).to_pydatetime()
        out.append({
            "id": int(r["id"]), "circle_id": int(r["circle_id"]), "title": r["title"], "starts_at": starts,
            "duration_min": int(r["duration_min"]), "commune_code": r["commune_code"],
            "commune": commune["name"] if commune is not None else r["commune_code"], "address": r["address"],
            "lat": float(r["lat"]) if located else (float(commune["lat"]) if commune is not None else None),
            "lon": float(r["lon"]) if located else (float(commune["lon"]) if commune is not None else None),
            "capacity": int(r["capacity"]), "registered": int(r["registered"]),
            "seats_left": rules.seats_left(r["capacity"], r["registered"]),
            "full": rules.seats_left(r["capacity"], r["registered"]) == 0,
            "upcoming": rules.is_upcoming(starts, now=at), "status": r["status"],
            "registrants": [{"site": k, "name": table.loc[k, "name"] if k in table.index else k} for k in who],
        })
    return out


def _circle_item(service: DataService, row: dict, members: pd.DataFrame, sessions: list[dict]) -> dict:
    table = sites(service.snapshot())
    accepted = members[(members["circle_id"] == row["id"]) & (members["status"] == "accepted")] \
        if len(members) else members
    facilitator_name = ""
    if row["facilitator_user"] is not None and not pd.isna(row["facilitator_user"]):
        account = repository.account_by_id(service.engine, int(row["facilitator_user"]))
        facilitator_name = account.display_name if account else ""
    fsite = row["facilitator_siret"] if isinstance(row["facilitator_siret"], str) else None
    site_name = table.loc[fsite, "name"] if fsite and fsite in table.index else ""
    return {
        "id": int(row["id"]), "name": row["name"], "theme": row["theme_code"],
        "theme_label": themes().get(row["theme_code"], row["theme_code"]),
        "territory_kind": row["territory_kind"], "territory_code": row["territory_code"],
        "territory_label": territory_label(service, row["territory_kind"], row["territory_code"]),
        "description": row["description"], "status": row["status"], "is_demo": bool(row["is_demo"]),
        "facilitator": {"name": " · ".join(x for x in (facilitator_name, site_name) if x) or "Équipe UIMM",
                        "site": fsite, "user_id": None if pd.isna(row["facilitator_user"]) else
                        int(row["facilitator_user"])},
        "members_count": int(len(accepted)),
        "members": [{"site": k, "name": table.loc[k, "name"] if k in table.index else k,
                     "commune": table.loc[k, "commune_name"] if k in table.index else ""}
                    for k in accepted["siret"]] if len(accepted) else [],
        "sessions": [s for s in sessions if s["circle_id"] == row["id"]],
    }


def _all_items(service: DataService) -> list[dict]:
    e = service.engine
    frame = repository.circles_frame(e)
    if frame.empty:
        return []
    members = repository.circle_members_frame(e)
    sessions = _session_items(service, repository.circle_sessions_frame(e), repository.circle_registrations_frame(e),
                              at=now(service))
    return [_circle_item(service, row, members, sessions) for row in frame.to_dict("records")]


def list_circles(service: DataService, viewer: Viewer, *, theme: str | None = None,
                 department: str | None = None) -> list[dict]:
    """Open circles (staff: closed ones too), of a theme or covering a department when given, cut to the viewer."""
    items = [i for i in _all_items(service) if i["status"] == "open" or can(viewer, Action.MANAGE_CIRCLES)]
    if theme:
        items = [i for i in items if i["theme"] == theme]
    if department:
        communes = service.lookups.communes
        zones_in = set(communes.loc[communes["department_code"] == department, "zone_code"])  # zones cross borders
        items = [i for i in items if i["territory_kind"] == "lorraine"
                 or (i["territory_kind"] == "department" and i["territory_code"] == department)
                 or (i["territory_kind"] == "zone" and i["territory_code"] in zones_in)]
    return [visible_circle(viewer, i) for i in items]


def circle(service: DataService, circle_id: int, viewer: Viewer) -> dict:
    row = repository.circle_by_id(service.engine, circle_id)
    if row is None or (row["status"] != "open" and not can(viewer, Action.MANAGE_CIRCLES)
                       and not is_facilitator(viewer, row["facilitator_user"], row["facilitator_siret"])):
        raise CircleNotFound(f"Cercle introuvable : n° {circle_id}.")
    e = service.engine
    sessions = _session_items(service, repository.circle_sessions_frame(e, circle_id=circle_id),
                              repository.circle_registrations_frame(e, circle_id=circle_id), at=now(service))
    return visible_circle(viewer, _circle_item(service, row, repository.circle_members_frame(e, circle_id=circle_id),
                                               sessions))


# --- The map and "who near me" -----------------------------------------------------------------------------

def _places(items: list[dict], table: pd.DataFrame, *, upcoming_only: bool = True) -> pd.DataFrame:
    """circle_id, lat, lon of the circles' sessions (to come) and member sites."""
    rows = [{"circle_id": i["id"], "lat": s["lat"], "lon": s["lon"]} for i in items for s in i["sessions"]
            if s["status"] == "planned" and (s["upcoming"] or not upcoming_only)]
    rows += [{"circle_id": i["id"], "lat": table.loc[m["site"], "lat"], "lon": table.loc[m["site"], "lon"]}
             for i in items for m in i.get("members", []) if m["site"] in table.index]
    return pd.DataFrame(rows, columns=["circle_id", "lat", "lon"])


def map_points(service: DataService, viewer: Viewer) -> dict:
    """What the map shows: sessions to come (each), and member sites (signed-in) or counts by commune (public).

    sessions: circle, title, starts_at, commune, lat, lon, full; sites: name, circles, lat, lon;
    communes: commune, sessions, members, lat, lon."""
    items = [i for i in _all_items(service) if i["status"] == "open"]
    sessions = [{"circle_id": i["id"], "circle": i["name"], "title": s["title"], "starts_at": s["starts_at"],
                 "commune": s["commune"], "commune_code": s["commune_code"], "lat": s["lat"], "lon": s["lon"],
                 "full": s["full"]}
                for i in items for s in i["sessions"] if s["upcoming"] and s["status"] == "planned" and s["lat"]]
    table = sites(service.snapshot())
    memberships: dict[str, list[str]] = {}
    for i in items:
        for m in i["members"]:
            memberships.setdefault(m["site"], []).append(i["name"])
    if can(viewer, Action.SEE_CIRCLE_MEMBERS):
        points = [{"name": table.loc[k, "name"], "circles": names, "lat": float(table.loc[k, "lat"]),
                   "lon": float(table.loc[k, "lon"])} for k, names in memberships.items() if k in table.index]
        return {"sessions": sessions, "sites": points, "communes": []}
    communes = _communes(service)
    counts: dict[str, dict] = {}
    for s in sessions:
        counts.setdefault(s["commune_code"], {"sessions": 0, "members": 0})["sessions"] += 1
    for k in memberships:
        if k in table.index:
            counts.setdefault(table.loc[k, "commune_code"], {"sessions": 0, "members": 0})["members"] += 1
    return {"sessions": [{k: v for k, v in s.items() if k != "circle_id"} | {"circle": s["circle"]}
                         for s in sessions], "sites": [],
            "communes": [{"commune": communes.loc[c, "name"], **n, "lat": float(communes.loc[c, "lat"]),
                          "lon": float(communes.loc[c, "lon"])} for c, n in sorted(counts.items())
                         if c in communes.index]}


@dataclass(frozen=True)
class NearOrigin:
    label: str
    lat: float
    lon: float
    department_code: str | None
    zone_code: str | None


def near_origin(service: DataService, *, site_key: str | None = None, commune: str | None = None) -> NearOrigin:
    """The origin of "who near me": one of the viewer's sites (any site for the service) or a commune."""
    if site_key:
        found = site(service, site_key)
        if found is None:
            raise CircleInputError("site", f"Établissement inconnu : « {str(site_key)[:40]} ».")
        return NearOrigin(f"{found['name']} ({found['commune_name']})", float(found["lat"]), float(found["lon"]),
                          found["department_code"], found["zone_code"])
    communes = _communes(service)
    if not commune or commune not in communes.index:
        raise CircleInputError("commune", "Choisissez votre établissement ou une commune de départ.")
    row = communes.loc[commune]
    return NearOrigin(str(row["name"]), float(row["lat"]), float(row["lon"]), row["department_code"], row["zone_code"])


def circles_near(service: DataService, viewer: Viewer, origin: NearOrigin, *, theme: str | None,
                 radius_km: float = DEFAULT_NEAR_KM) -> list[dict]:
    """Open circles (of a theme) within `radius_km` km of the origin, nearest first, each with distance_km and
    on_territory: the distance is to its nearest session to come or member site (great circle, as the partners
    engine measures), 0 when the circle's territory contains the origin."""
    if theme and theme not in themes():
        raise CircleInputError("theme", f"Thème inconnu : « {str(theme)[:40]} ».")
    if not 1 <= radius_km <= rules.MAX_RADIUS_KM:
        raise CircleInputError("radius_km", f"Rayon : de 1 à {rules.MAX_RADIUS_KM:g} km.")
    items = [i for i in _all_items(service) if i["status"] == "open"]
    if not items:
        return []
    frame = pd.DataFrame([{k: i[k] for k in ("id", "theme", "territory_kind", "territory_code")} for i in items])
    found = rules.circles_near(frame, _places(items, sites(service.snapshot())), lat=origin.lat, lon=origin.lon,
                               radius_km=radius_km, department_code=origin.department_code,
                               zone_code=origin.zone_code, theme=theme or None)
    by_id = {i["id"]: i for i in items}
    return [visible_circle(viewer, by_id[int(r["id"])]) | {"distance_km": float(r["distance_km"]),
                                                          "on_territory": bool(r["on_territory"])}
            for r in found.to_dict("records")]


# --- For UIMM (staff) --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CircleStats:
    """UIMM's follow-up of the circles."""

    circles: int
    members: int  # accepted memberships
    member_share: float | None  # UIMM member establishments in at least one open circle / all of them
    participation: pd.DataFrame  # department_code, theme, theme_label, members, circles
    unmet: pd.DataFrame  # theme_label, department_code, requests, sites
    per_quarter: pd.DataFrame  # quarter, sessions
    requests_by_theme: pd.DataFrame  # theme_label, requests


def stats(service: DataService, viewer: Viewer) -> CircleStats:
    """Participation by territory and theme, share of UIMM members active, unmet interest, sessions held."""
    require(viewer, Action.SEE_CIRCLE_STATS)
    e = service.engine
    circles_ = repository.circles_frame(e)
    members = repository.circle_members_frame(e)
    sessions = repository.circle_sessions_frame(e)
    table = sites(service.snapshot())
    labels = themes()
    open_ids = set(circles_.loc[circles_["status"] == "open", "id"]) if len(circles_) else set()
    theme_of = dict(zip(circles_["id"], circles_["theme_code"])) if len(circles_) else {}
    accepted = members[(members["status"] == "accepted") & members["circle_id"].isin(open_ids)] if len(members) \
        else members
    joined = accepted.join(table[["department_code", "is_member"]], on="siret") if len(accepted) else accepted
    if len(joined):
        joined = joined.assign(theme=joined["circle_id"].map(theme_of))
        participation = (joined.groupby(["department_code", "theme"]).agg(members=("siret", "nunique"),
                                                                         circles=("circle_id", "nunique"))
                         .reset_index())
        participation["theme_label"] = participation["theme"].map(labels)
    else:
        participation = pd.DataFrame(columns=["department_code", "theme", "members", "circles", "theme_label"])
    uimm = table[table["is_member"].astype(bool)]
    uimm = uimm[~uimm.index.duplicated()]
    active = set(accepted["siret"]) if len(accepted) else set()
    share = (len(active & set(uimm.index)) / len(uimm)) if len(uimm) else None
    requests = members.assign(theme=members["circle_id"].map(theme_of)) if len(members) else members
    located = (requests.join(table[["lat", "lon", "department_code", "zone_code"]], on="siret")
               .dropna(subset=["department_code"])) if len(requests) else pd.DataFrame(
        columns=["theme", "siret", "lat", "lon", "department_code", "zone_code"])
    open_circles = circles_[circles_["status"] == "open"].rename(columns={"theme_code": "theme"}) \
        if len(circles_) else pd.DataFrame(columns=["id", "theme", "territory_kind", "territory_code"])
    items = [i for i in _all_items(service) if i["status"] == "open"]
    unmet = rules.unmet_interest(located, open_circles, _places(items, table, upcoming_only=False))
    unmet = unmet.assign(theme_label=unmet["theme"].map(labels))
    by_theme = (requests.groupby("theme").size().rename("requests").reset_index()
                .sort_values(["requests", "theme"], ascending=[False, True], kind="mergesort")) if len(requests) \
        else pd.DataFrame(columns=["theme", "requests"])
    by_theme = by_theme.assign(theme_label=by_theme["theme"].map(labels))
    held = sessions.loc[sessions["status"] == "planned", "starts_at"] if len(sessions) else pd.Series(
        dtype="datetime64[ns]")
    return CircleStats(circles=len(open_ids), members=int(len(accepted)), member_share=share,
                       participation=participation.sort_values(["department_code", "theme"], kind="mergesort"),
                       unmet=unmet, per_quarter=rules.sessions_per_quarter(held, now=now(service)),
                       requests_by_theme=by_theme)


def stats_export(service: DataService, viewer: Viewer) -> ExportFile:
    """The follow-up as a workbook (staff): participation, unmet interest, sessions per quarter."""
    view = stats(service, viewer)
    participation = view.participation.rename(columns={
        "department_code": "Département", "theme_label": "Thème", "members": "Établissements membres",
        "circles": "Cercles"})[["Département", "Thème", "Établissements membres", "Cercles"]]
    unmet = view.unmet.rename(columns={"theme_label": "Thème", "department_code": "Département",
                                       "requests": "Demandes", "sites": "Établissements"})[
        ["Thème", "Département", "Demandes", "Établissements"]]
    quarters = view.per_quarter.rename(columns={"quarter": "Trimestre", "sessions": "Séances tenues"})
    return ExportFile(participation, "cercles-suivi", sheet="Participation",
                      extra_sheets={"Intérêt sans cercle proche": unmet, "Séances par trimestre": quarters})


# --- The pages ---------------------------------------------------------------------------------------------

def site_options(service: DataService, viewer: Viewer) -> list[dict]:
    table = sites(service.snapshot())
    keys = sorted(k for k in viewer.sirets if k in table.index)
    return [{"label": f"{table.loc[k, 'name']} – {table.loc[k, 'commune_name']}", "value": k} for k in keys]


@dataclass(frozen=True)
class CirclesPage:
    """Everything /cercles shows to one viewer, already cut by the policy."""

    signed_in: bool
    can_manage: bool
    circles: list[dict]
    points: dict
    theme_options: list[dict]
    territory_options: list[dict]
    communes_url: str  # the commune options: the partners page's payload (~190 KB), fetched once per tab
    site_options: list[dict]
    tile_url: str
    tile_attribution: str
    is_demo: bool
    now: dt.datetime
    stats: CircleStats | None = None  # staff only


def page(service: DataService, viewer: Viewer) -> CirclesPage:
    manage = can(viewer, Action.MANAGE_CIRCLES)
    return CirclesPage(
        signed_in=viewer.signed_in, can_manage=manage, circles=list_circles(service, viewer),
        points=map_points(service, viewer), theme_options=[{"label": lab, "value": c} for c, lab in themes().items()],
        territory_options=territory_options(service),
        communes_url=communes_payload(service).url, site_options=site_options(service, viewer),
        tile_url=service.settings.tile_url, tile_attribution=service.settings.tile_attribution,
        is_demo=service.snapshot().is_demo, now=now(service),
        stats=stats(service, viewer) if can(viewer, Action.SEE_CIRCLE_STATS) else None)


@dataclass(frozen=True)
class CirclePage:
    """One circle's page for one viewer: the circle (cut), what the viewer's sites are to it, what they may do."""

    circle: dict
    signed_in: bool
    can_run: bool  # facilitator or staff: sessions, join requests
    can_manage: bool  # staff: edit the circle
    memberships: dict[str, str]  # the viewer's sites -> their membership status
    site_options: list[dict]  # the viewer's sites
    pending: list[dict]  # join requests to decide (runners only): site, name, commune, message, requested_at
    registered: dict[int, list[str]]  # session id -> the viewer's sites registered
    communes_url: str  # runners' session form: the commune options payload ("" for others)
    now: dt.datetime
    practices: list[dict] = field(default_factory=list)  # the circle's published sheets: id, title, site name
    bounds: list[list[float]] | None = None  # the map fits the circle's department or zone (None: all Lorraine)


_TERRITORY_COLUMN = {"department": "department_code", "zone": "zone_code"}


def territory_box(service: DataService, kind: str, code: str) -> list[list[float]] | None:
    """[[south, west], [north, east]] of a circle's territory from its communes; None for all of Lorraine."""
    column = _TERRITORY_COLUMN.get(kind)
    return territory_bounds(service.lookups.communes, column, [code])[0] if column else None


def circle_page(service: DataService, viewer: Viewer, circle_id: int) -> CirclePage:
    item = circle(service, circle_id, viewer)
    row = repository.circle_by_id(service.engine, circle_id)
    assert row is not None  # circle() raised otherwise
    run = may_run_circle(viewer, row["facilitator_user"], row["facilitator_siret"])
    members = repository.circle_members_frame(service.engine, circle_id=circle_id)
    mine = members[members["siret"].isin(viewer.sirets)] if len(members) else members
    table = sites(service.snapshot())
    pending = []
    if run and len(members):
        for r in members[members["status"] == "requested"].to_dict("records"):
            pending.append({"site": r["siret"], "name": table.loc[r["siret"], "name"] if r["siret"] in table.index
                            else r["siret"], "commune": table.loc[r["siret"], "commune_name"]
                            if r["siret"] in table.index else "", "message": r["message"],
                            "requested_at": r["requested_at"]})
    registrations = repository.circle_registrations_frame(service.engine, circle_id=circle_id)
    registered: dict[int, list[str]] = {}
    for r in registrations.to_dict("records") if len(registrations) else []:
        if r["siret"] in viewer.sirets:
            registered.setdefault(int(r["session_id"]), []).append(r["siret"])
    return CirclePage(
        circle=item, signed_in=viewer.signed_in, can_run=run, can_manage=can(viewer, Action.MANAGE_CIRCLES),
        memberships=dict(zip(mine["siret"], mine["status"])) if len(mine) else {},
        site_options=site_options(service, viewer), pending=pending, registered=registered,
        communes_url=communes_payload(service).url if run else "", now=now(service),
        practices=practices.search(service, viewer, practices.PracticeQuery(circle=circle_id)),
        bounds=territory_box(service, row["territory_kind"], row["territory_code"]))
