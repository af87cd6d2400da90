"""Explained exhibitor–visitor matchmaking: a 0–100 pair score and a plain-French "pourquoi" per pair.

Score of exhibitor e and visitor v (points, total at most 100; definitions in docs/event.md):
* fit, 55: share of v's needed capabilities that e offers;
* reverse fit, 15: share of e's needed capabilities that v offers;
* credentials, 10: e's certifications (min(n, 3) / 3), only when e offers something v needs;
* proximity, 15: 15 × max(0, 1 − d / 150 km), d the great-circle distance (local sourcing);
* complementarity, 5: the exchange goes both ways (fit and reverse fit both positive).

Candidates: explicit requests between an exhibitor and a visitor ("mutual" when both asked,
"request" otherwise), then "recommendation": each visitor's best exhibitors that offer at least one
capability it needs, `per_visitor` at most, score ≥ `min_score`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analytics.geodesy import haversine_km
from dashboard.formatting import fr_number

FIT_POINTS, REVERSE_POINTS, CREDENTIAL_POINTS, PROXIMITY_POINTS, COMPLEMENT_POINTS = 55.0, 15.0, 10.0, 15.0, 5.0
PROXIMITY_RANGE_KM = 150.0  # km beyond which proximity earns nothing
CANDIDATE_COLUMNS = ["exhibitor_id", "visitor_id", "origin", "score", "why", "distance_km"]


def _matrix(links: pd.DataFrame, ids: np.ndarray, codes: list[str], kind: str | None) -> np.ndarray:
    """Boolean (len(ids), len(codes)) participant × code matrix from (participant_id, code[, kind]) links."""
    out = np.zeros((len(ids), len(codes)), dtype=bool)
    if links is None or not len(links):
        return out
    frame = links if kind is None else links[links["kind"] == kind]
    rows = pd.Index(ids).get_indexer(pd.Index(frame["participant_id"].astype(int)))
    cols = pd.Index(codes).get_indexer(pd.Index(frame.iloc[:, 1].astype(str)))
    ok = (rows >= 0) & (cols >= 0)
    out[rows[ok], cols[ok]] = True
    return out


def _distance_text(km: float) -> str:
    return "distance inconnue" if not np.isfinite(km) else ("même commune" if km < 1 else f"{fr_number(km)} km")


def match_candidates(
    participants: pd.DataFrame,
    capabilities: pd.DataFrame,
    requests: pd.DataFrame,
    *,
    certifications: pd.DataFrame | None = None,
    capability_labels: dict[str, str] | None = None,
    certification_labels: dict[str, str] | None = None,
    per_visitor: int = 3,
    min_score: float = 25.0,
) -> pd.DataFrame:
    """Candidate meetings (CANDIDATE_COLUMNS; score 0–100, distance_km great-circle km) with their "pourquoi".

    `participants`: id, role (exposant/visiteur), lat, lon (NaN when unknown). `capabilities`:
    participant_id, capability_code, kind (offer/need). `requests`: requester_id, target_id.
    `certifications`: participant_id, certification_code.
    """
    cap_labels = capability_labels or {}
    cert_labels = certification_labels or {}
    ex = participants[participants["role"] == "exposant"].reset_index(drop=True)
    vi = participants[participants["role"] == "visiteur"].reset_index(drop=True)
    e_ids, v_ids = ex["id"].to_numpy(dtype=np.int64), vi["id"].to_numpy(dtype=np.int64)
    if not len(e_ids) or not len(v_ids):
        return pd.DataFrame(columns=CANDIDATE_COLUMNS)
    codes = sorted(set(capabilities["capability_code"].astype(str))) if len(capabilities) else []
    offer_e, need_e = _matrix(capabilities, e_ids, codes, "offer"), _matrix(capabilities, e_ids, codes, "need")
    offer_v, need_v = _matrix(capabilities, v_ids, codes, "offer"), _matrix(capabilities, v_ids, codes, "need")
    certs = certifications if certifications is not None else pd.DataFrame(columns=["participant_id", "code"])
    cert_codes = sorted(set(certs.iloc[:, 1].astype(str))) if len(certs) else []
    cert_e = _matrix(certs, e_ids, cert_codes, None)

    # (V, E) matrices: matched need counts both ways, distances, score.
    fit_count = need_v.astype(np.int32) @ offer_e.T.astype(np.int32)
    reverse_count = (offer_v.astype(np.int32) @ need_e.T.astype(np.int32))
    fit = fit_count / np.maximum(need_v.sum(axis=1), 1)[:, None]
    reverse = reverse_count / np.maximum(need_e.sum(axis=1), 1)[None, :]
    with np.errstate(invalid="ignore"):
        dist = np.asarray(haversine_km(vi["lat"].to_numpy(float)[:, None], vi["lon"].to_numpy(float)[:, None],
                                       ex["lat"].to_numpy(float)[None, :], ex["lon"].to_numpy(float)[None, :]))
    proximity = np.where(np.isfinite(dist), np.clip(1 - dist / PROXIMITY_RANGE_KM, 0, 1), 0.0)
    credentials = (np.minimum(cert_e.sum(axis=1), 3) / 3)[None, :] * (fit_count > 0)
    both = (fit_count > 0) & (reverse_count > 0)
    score = (FIT_POINTS * fit + REVERSE_POINTS * reverse + CREDENTIAL_POINTS * credentials
             + PROXIMITY_POINTS * proximity + COMPLEMENT_POINTS * both)

    # Requests between an exhibitor and a visitor, in either direction.
    e_pos = pd.Series(np.arange(len(e_ids)), index=e_ids)
    v_pos = pd.Series(np.arange(len(v_ids)), index=v_ids)
    asked: dict[tuple[int, int], set[str]] = {}
    for requester, target in zip(requests.get("requester_id", []), requests.get("target_id", [])):
        requester, target = int(requester), int(target)
        if requester in v_pos.index and target in e_pos.index:
            asked.setdefault((int(e_pos[target]), int(v_pos[requester])), set()).add("visiteur")
        elif requester in e_pos.index and target in v_pos.index:
            asked.setdefault((int(e_pos[requester]), int(v_pos[target])), set()).add("exposant")
    picks: list[tuple[int, int, str, str]] = []
    for (ei, vj), sides in asked.items():
        if len(sides) == 2:
            picks.append((ei, vj, "mutual", "demande mutuelle"))
        else:
            picks.append((ei, vj, "request", f"demandé par {'le visiteur' if 'visiteur' in sides else 'l’exposant'}"))

    # Recommendations: each visitor's best exhibitors offering something it needs.
    eligible = np.where((fit_count > 0) & (score >= min_score), score, -np.inf)
    for ei, vj, _, _ in picks:
        eligible[vj, ei] = -np.inf
    k = min(per_visitor, len(e_ids))
    if k > 0:
        top = np.argpartition(-eligible, k - 1, axis=1)[:, :k]
        for vj in range(len(v_ids)):
            for ei in top[vj]:
                if np.isfinite(eligible[vj, ei]):
                    picks.append((int(ei), vj, "recommendation", "recommandé"))

    rows = []
    for ei, vj, origin, prefix in picks:
        sought = [cap_labels.get(codes[c], codes[c]) for c in np.flatnonzero(need_v[vj] & offer_e[ei])]
        cert_names = [cert_labels.get(cert_codes[c], cert_codes[c]) for c in np.flatnonzero(cert_e[ei])]
        offered = [s.lower() for s in sought] + cert_names[:2] if sought else []
        back = [cap_labels.get(codes[c], codes[c]) for c in np.flatnonzero(need_e[ei] & offer_v[vj])]
        parts = [] if origin == "recommendation" else [prefix]
        if sought:
            parts += [f"cherche : {', '.join(sought[:3]).lower()}", f"propose : {', '.join(offered[:4])}"]
        if back:
            parts.append(f"en retour : {', '.join(back[:2]).lower()}")
        parts.append(_distance_text(float(dist[vj, ei])))
        rows.append((int(e_ids[ei]), int(v_ids[vj]), origin, round(float(score[vj, ei]), 1), " · ".join(parts),
                     round(float(dist[vj, ei]), 1) if np.isfinite(dist[vj, ei]) else None))
    return pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
