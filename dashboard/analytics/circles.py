"""The circles' rules, pure: membership moves, seats, "who near me" distances, quarters, and unmet interest.

Dates are local (Europe/Paris) naive datetimes; distances in km (great circle, `analytics.geodesy`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.analytics.geodesy import haversine_km

# --- Membership: requested -> accepted | declined; accepted -> left; declined | left -> requested ---------

MEMBER_STATUSES = ("requested", "accepted", "declined", "left")
MEMBER_STATUS_LABELS = {"requested": "Demande en attente", "accepted": "Membre", "declined": "Demande déclinée",
                        "left": "A quitté le cercle"}
_MOVES = {"requested": ("accepted", "declined"), "accepted": ("left",), "declined": ("requested",),
          "left": ("requested",)}
TERRITORY_KINDS = {"department": "Département", "zone": "Zone d'emploi", "lorraine": "Toute la Lorraine"}
NEARBY_KM = 40.0  # a circle "nearby": one of its places within this distance, or the site's own territory
MAX_RADIUS_KM = 200.0


class CircleRuleError(ValueError):
    """A move the rules do not allow; the message is French."""


def check_member_move(current: str | None, new: str) -> None:
    """Raise CircleRuleError unless a membership at `current` (None: no row yet) may move to `new`."""
    if new not in MEMBER_STATUS_LABELS:
        raise CircleRuleError(f"Statut inconnu : « {new[:20]} ».")
    if current is None:
        if new != "requested":
            raise CircleRuleError("Aucune demande d'adhésion à ce cercle pour cet établissement.")
        return
    if new in _MOVES[current]:
        return
    if new == "requested":
        raise CircleRuleError("Cet établissement est déjà membre du cercle." if current == "accepted"
                              else "Une demande est déjà en attente pour cet établissement.")
    raise CircleRuleError(f"Impossible de passer de « {MEMBER_STATUS_LABELS[current]} » à "
                          f"« {MEMBER_STATUS_LABELS[new]} ».")


# --- Seats ------------------------------------------------------------------------------------------------

def seats_left(capacity: int, registered: int) -> int:
    """Seats still free (never negative)."""
    return max(int(capacity) - int(registered), 0)


def is_upcoming(starts_at: dt.datetime, *, now: dt.datetime) -> bool:
    return starts_at >= now


# --- Territories and distances ---------------------------------------------------------------------------

def covers(kind: str, code: str, *, department_code: str | None, zone_code: str | None) -> bool:
    """Whether a circle's territory contains a place of this department and employment zone."""
    if kind == "lorraine":
        return True
    if kind == "department":
        return department_code is not None and code == department_code
    return zone_code is not None and code == zone_code


def circle_distances(places: pd.DataFrame, *, lat: float, lon: float) -> pd.Series:
    """km from (lat, lon) to each circle's nearest place; `places` has circle_id, lat, lon (rows without a
    point are ignored). Indexed by circle_id."""
    located = places.dropna(subset=["lat", "lon"])
    if located.empty:
        return pd.Series(dtype=float, name="distance_km")
    km = np.asarray(haversine_km(lat, lon, located["lat"].to_numpy(float), located["lon"].to_numpy(float)),
                    dtype=float)
    return pd.Series(km, index=located["circle_id"].to_numpy()).groupby(level=0).min().rename("distance_km")


def circles_near(circles: pd.DataFrame, places: pd.DataFrame, *, lat: float, lon: float, radius_km: float,
                 department_code: str | None, zone_code: str | None, theme: str | None = None) -> pd.DataFrame:
    """Circles (of `theme` when given) within `radius_km` km of the origin, nearest first.

    A circle's distance is that of its nearest place (sessions, member sites); a circle whose territory
    contains the origin is at 0 km ("sur votre territoire"). `circles`: id, theme, territory_kind,
    territory_code. Adds distance_km and on_territory."""
    frame = circles if theme is None else circles[circles["theme"] == theme]
    if frame.empty:
        return frame.assign(distance_km=pd.Series(dtype=float), on_territory=pd.Series(dtype=bool))
    distance = circle_distances(places, lat=lat, lon=lon)
    on = np.array([covers(k, c, department_code=department_code, zone_code=zone_code)
                   for k, c in zip(frame["territory_kind"], frame["territory_code"])], dtype=bool)
    km = frame["id"].map(distance).to_numpy(float)
    km = np.where(on, 0.0, km)
    out = frame.assign(distance_km=km, on_territory=on)
    out = out[out["distance_km"] <= radius_km]
    return out.sort_values(["distance_km", "id"], kind="mergesort")


# --- For UIMM ---------------------------------------------------------------------------------------------

def quarter_label(moment: dt.datetime | pd.Timestamp) -> str:
    """'2026 T4' for a date in October-December 2026."""
    return f"{moment.year} T{(moment.month - 1) // 3 + 1}"


def sessions_per_quarter(starts: pd.Series, *, now: dt.datetime) -> pd.DataFrame:
    """Sessions held (started before `now`) per quarter, oldest first: quarter, sessions."""
    held = pd.to_datetime(starts[pd.to_datetime(starts) < pd.Timestamp(now)])
    if held.empty:
        return pd.DataFrame({"quarter": pd.Series(dtype=str), "sessions": pd.Series(dtype=int)})
    keys = held.dt.year * 10 + (held.dt.month - 1) // 3 + 1
    counts = keys.value_counts().sort_index()
    return pd.DataFrame({"quarter": [f"{k // 10} T{k % 10}" for k in counts.index],
                         "sessions": counts.to_numpy(int)})


def unmet_interest(requests: pd.DataFrame, circles: pd.DataFrame, places: pd.DataFrame, *,
                   nearby_km: float = NEARBY_KM) -> pd.DataFrame:
    """Themes people asked about (join requests, any outcome) from sites with no circle of that theme nearby.

    `requests`: theme, siret, lat, lon, department_code, zone_code (the requesting site); `circles`: id, theme,
    territory_kind, territory_code (open circles); `places`: circle_id, lat, lon. A site has a circle nearby
    when one of the theme's circles covers its territory or has a place within `nearby_km` km. Returns theme,
    department_code, requests, sites, sorted by requests (most first)."""
    columns = ["theme", "department_code", "requests", "sites"]
    if requests.empty:
        return pd.DataFrame(columns=columns)
    far = []
    for r in requests.itertuples(index=False):
        mine = circles[circles["theme"] == r.theme]
        covered = any(covers(k, c, department_code=r.department_code, zone_code=r.zone_code)
                      for k, c in zip(mine["territory_kind"], mine["territory_code"]))
        if not covered and not pd.isna(r.lat):
            distance = circle_distances(places[places["circle_id"].isin(mine["id"])], lat=r.lat, lon=r.lon)
            covered = bool((distance <= nearby_km).any())
        far.append(not covered)
    unmet = requests[np.array(far, dtype=bool)]
    if unmet.empty:
        return pd.DataFrame(columns=columns)
    grouped = unmet.groupby(["theme", "department_code"]).agg(requests=("siret", "size"), sites=("siret", "nunique"))
    return grouped.reset_index().sort_values(["requests", "theme"], ascending=[False, True], kind="mergesort")[columns]
