"""The network's rules, pure: the introduction state machine, expiry of needs and offers, and the partner query
a need stands for (so that its suppliers are ranked by the partners engine, with the same scores).

Dates are calendar days (`datetime.date`); distances in km.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from dashboard.analytics.geodesy import _haversine_rad, haversine_km
from dashboard.analytics.partner_query import PartnerQuery

# --- Introductions: demandée -> acceptée -> échanges -> devis -> commande, or sans suite -----------------

STATUSES = ("demandee", "acceptee", "echanges", "devis", "commande", "sans_suite")
STATUS_LABELS = {"demandee": "Demandée", "acceptee": "Acceptée", "echanges": "Échanges", "devis": "Devis",
                 "commande": "Commande", "sans_suite": "Sans suite"}
PROGRESSION = STATUSES[:5]
FINAL = frozenset({"commande", "sans_suite"})
# Statuses at which both sides have accepted: the contacts are shown.
MUTUAL = frozenset({"acceptee", "echanges", "devis", "commande"})
REASONS = {"pas_de_besoin": "Plus de besoin", "prix": "Prix", "delai": "Délai", "capacite": "Capacité insuffisante",
           "certification": "Certification manquante", "refus": "Demande déclinée", "autre": "Autre raison"}
VALUE_BANDS = {"lt10k": "moins de 10 k€", "10-50k": "10 à 50 k€", "50-200k": "50 à 200 k€",
               "gt200k": "plus de 200 k€"}
ORIGINS = {"need": "Besoin", "offer": "Offre", "partners": "Recherche de partenaires", "meeting": "Rendez-vous"}


class TransitionError(ValueError):
    """A status change the timeline does not allow; the message is French."""


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses an introduction at `status` may move to: the next step, or sans suite; none once final."""
    if status in FINAL:
        return ()
    step = PROGRESSION.index(status)
    return (PROGRESSION[step + 1], "sans_suite")


def check_transition(current: str, new: str, *, reason: str | None = None, value_band: str | None = None) -> None:
    """Raise TransitionError unless `current` -> `new` is one step forward or sans suite with a known reason."""
    if new not in STATUS_LABELS:
        raise TransitionError(f"Statut inconnu : « {new} ».")
    if new not in next_statuses(current):
        if current in FINAL:
            raise TransitionError(f"Cette mise en relation est close ({STATUS_LABELS[current].lower()}).")
        raise TransitionError(f"Impossible de passer de « {STATUS_LABELS[current]} » à « {STATUS_LABELS[new]} » : "
                              f"étape suivante « {STATUS_LABELS[next_statuses(current)[0]]} » ou « Sans suite ».")
    if new == "sans_suite" and reason not in REASONS:
        raise TransitionError("Indiquez pourquoi la mise en relation est sans suite.")
    if value_band and (new != "commande" or value_band not in VALUE_BANDS):
        raise TransitionError("La tranche de montant ne s'indique qu'à la commande, parmi les tranches proposées.")


def stalled(frame: pd.DataFrame, *, now: dt.datetime, days: int = 21) -> pd.Series:
    """Open introductions (not final) whose last change is older than `days` days (boolean mask)."""
    open_ = ~frame["status"].isin(list(FINAL))
    return open_ & (pd.to_datetime(frame["updated_at"]) < pd.Timestamp(now - dt.timedelta(days=days)))


# --- Expiry: a need or an offer past its date is never listed (no scheduler needed) ----------------------

def listed_mask(status: pd.Series, until: pd.Series, *, today: dt.date) -> pd.Series:
    """Open rows whose date (deadline, available until) is today or later."""
    dates = pd.to_datetime(until).dt.date
    return (status == "open") & (dates >= today)


def is_listed(status: str, until: dt.date, *, today: dt.date) -> bool:
    return status == "open" and until >= today


# --- Matching ---------------------------------------------------------------------------------------------

def codes(text: str | None) -> tuple[str, ...]:
    """The codes of a ';'-joined column (empty for none)."""
    return tuple(c for c in (text or "").split(";") if c)


def joined(values: Iterable[str]) -> str:
    return ";".join(dict.fromkeys(v for v in values if v))


def need_query(*, site: str, capabilities: Iterable[str], certifications: Iterable[str],
               radius_km: float) -> PartnerQuery:
    """The partner search a need stands for: from its site, suppliers of any of its capabilities that hold every
    required certification, within its radius (km), ranked by score. Wished certifications do not filter."""
    return PartnerQuery(site=site, capabilities=tuple(capabilities), capability_mode="any",
                        certifications=tuple(certifications), radius_km=float(radius_km), sort="score")


def offers_near_need(offers: pd.DataFrame, *, lat: float, lon: float, capabilities: Iterable[str],
                     radius_km: float) -> pd.DataFrame:
    """Capacity offers (kind, capability, lat, lon) of one of `capabilities` within `radius_km` of the point,
    nearest first, with `distance_km`."""
    wanted = set(capabilities)
    keep = offers[(offers["kind"] == "capacity") & offers["capability"].isin(wanted)].copy()
    keep["distance_km"] = np.asarray(haversine_km(lat, lon, keep["lat"].to_numpy(float), keep["lon"].to_numpy(float)),
                                     dtype=float) if len(keep) else np.array([], dtype=float)
    return keep[keep["distance_km"] <= radius_km].sort_values("distance_km", kind="mergesort")


def needs_near_offer(needs: pd.DataFrame, *, lat: float, lon: float, capability: str | None) -> pd.DataFrame:
    """Needs (lat, lon, radius_km, capabilities: a list of codes) asking for `capability` whose radius reaches
    the point, nearest first, with `distance_km`."""
    if not capability or needs.empty:
        return needs.iloc[0:0].assign(distance_km=pd.Series(dtype=float))
    asks = needs[[capability in c for c in needs["capabilities"]]].copy()
    asks["distance_km"] = np.asarray(haversine_km(lat, lon, asks["lat"].to_numpy(float), asks["lon"].to_numpy(float)),
                                     dtype=float) if len(asks) else np.array([], dtype=float)
    return asks[asks["distance_km"] <= asks["radius_km"]].sort_values("distance_km", kind="mergesort")


# --- Outcomes (staff) -------------------------------------------------------------------------------------

def funnel(events: pd.DataFrame) -> dict[str, int]:
    """Introductions that reached each status of the timeline (a deal counts at every step before it), and
    those that ended sans suite; `events` has introduction_id and status."""
    reached = events.groupby("status")["introduction_id"].nunique().to_dict() if len(events) else {}
    return {s: int(reached.get(s, 0)) for s in STATUSES}


def median_days_to_exchange(events: pd.DataFrame) -> float | None:
    """Median days (calendar, fractional) from the request to the first exchange, over introductions that got
    there; None when none did."""
    if events.empty:
        return None
    at = pd.to_datetime(events["at"])
    asked = at[events["status"] == "demandee"].groupby(events["introduction_id"]).min()
    exchanged = at[events["status"] == "echanges"].groupby(events["introduction_id"]).min()
    days = ((exchanged - asked.reindex(exchanged.index)).dt.total_seconds() / 86400).dropna()
    return float(days.median()) if len(days) else None


def share_within(distance_km: pd.Series, *, km: float = 50.0) -> float | None:
    """Share (0–1) of the distances (km) at most `km`; None for none."""
    values = distance_km.dropna()
    return float((values <= km).mean()) if len(values) else None


# --- Many points, one query point: the offers near a need, the needs an offer reaches ---------------------

class PointSet:
    """Points kept in radians with their latitude cosines, so that each query is one numpy pass (km).

    A missing point (NaN) is never within any distance."""

    def __init__(self, lat: ArrayLike, lon: ArrayLike):
        self.phi = np.radians(np.asarray(lat, dtype=float))
        self.lam = np.radians(np.asarray(lon, dtype=float))
        self.cos_phi = np.cos(self.phi)

    def __len__(self) -> int:
        return len(self.phi)

    def distances_km(self, lat: float, lon: float, positions: NDArray[np.intp]) -> NDArray[np.float64]:
        """Great-circle distances (km) from (lat, lon) in degrees to the points at `positions`."""
        phi, lam = np.radians(float(lat)), np.radians(float(lon))
        return _haversine_rad(phi, lam, self.phi[positions], self.lam[positions], np.cos(phi),
                              self.cos_phi[positions])


def positions_by_code(code_lists: Iterable[Iterable[str]]) -> dict[str, NDArray[np.intp]]:
    """For each code, the ascending positions of the rows whose list holds it."""
    found: dict[str, list[int]] = {}
    for position, row in enumerate(code_lists):
        for code in dict.fromkeys(row):
            found.setdefault(code, []).append(position)
    return {code: np.asarray(rows, dtype=np.intp) for code, rows in found.items()}


def nearest_within(points: PointSet, positions: NDArray[np.intp], *, lat: float, lon: float,
                   radius_km: float | NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """The positions (of `positions`) within `radius_km` (one radius, or one per point of the set) of the
    point, nearest first (ties in position order), and their distances (km)."""
    if not len(positions):
        return positions, np.array([], dtype=float)
    distances = points.distances_km(lat, lon, positions)
    reach = radius_km[positions] if isinstance(radius_km, np.ndarray) else radius_km
    keep = distances <= reach
    kept, kept_d = positions[keep], distances[keep]
    order = np.argsort(kept_d, kind="stable")
    return kept[order], kept_d[order]
