"""The network's outcomes, pure: the period filter, the per-event path meetings → follow-ups → deals, order value
bands and introductions by group. Frames in, frames or numbers out; dates are naive local datetimes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.analytics.network import VALUE_BANDS

PERIODS = {3: "3 derniers mois", 6: "6 derniers mois", 12: "12 derniers mois", 0: "Depuis le début"}
# A meeting's follow-up: an introduction between the same two sites created at most this long after it.
FOLLOW_UP_DAYS = 180


def period_start(months: int | None, *, now: dt.datetime) -> dt.datetime | None:
    """The first moment of the last `months` months (None or 0: no limit)."""
    if not months:
        return None
    return (pd.Timestamp(now) - pd.DateOffset(months=int(months))).to_pydatetime()


def in_period(created_at: pd.Series, *, months: int | None, now: dt.datetime) -> pd.Series:
    """Rows created in the last `months` months (boolean mask; every row when months is None or 0)."""
    start = period_start(months, now=now)
    if start is None:
        return pd.Series(True, index=created_at.index)
    return pd.to_datetime(created_at) >= pd.Timestamp(start)


def deals(events: pd.DataFrame) -> pd.DataFrame:
    """One row per introduction that reached commande: introduction_id, at (first commande), value_band."""
    done = events[events["status"] == "commande"].sort_values("at", kind="mergesort")
    return done.drop_duplicates("introduction_id")[["introduction_id", "at", "value_band"]].reset_index(drop=True)


def value_band_counts(events: pd.DataFrame) -> list[tuple[str, int]]:
    """Deals per order value band (label, count) in band order, then those without a band ("non renseigné")."""
    bands = deals(events)["value_band"].fillna("")
    counts = bands.value_counts().to_dict()
    rows = [(label, int(counts.get(code, 0))) for code, label in VALUE_BANDS.items()]
    missing = int(sum(n for code, n in counts.items() if code not in VALUE_BANDS))
    return rows + ([("non renseigné", missing)] if missing else [])


def _pair(a: pd.Series, b: pd.Series) -> pd.Series:
    """An unordered key of two sites (the same pair whoever asked whom)."""
    return pd.Series([f"{x}|{y}" if str(x) <= str(y) else f"{y}|{x}" for x, y in zip(a, b)], index=a.index,
                     dtype=object)


def meeting_follow_ups(meetings: pd.DataFrame, introductions: pd.DataFrame, *,
                       days: int = FOLLOW_UP_DAYS) -> pd.DataFrame:
    """The introductions that follow an event's held meetings, with the event they follow (`event_id`).

    `meetings`: id, event_id, starts_at, status, site_a, site_b (the two establishments, SIRET or public id);
    `introductions`: id, origin, meeting_id, requester_siret, target_siret, created_at. An introduction follows
    an event when its origin is one of the event's meetings, or when it joins the two sites of a held meeting of
    that event and was created after the meeting (within `days` days). Each introduction counts once per event.
    """
    empty = introductions.iloc[0:0].assign(event_id=pd.Series(dtype="int64"))
    if meetings.empty or introductions.empty:
        return empty
    by_origin = introductions[introductions["origin"] == "meeting"].merge(
        meetings[["id", "event_id"]].rename(columns={"id": "meeting_id"}), on="meeting_id", how="inner")
    held = meetings[meetings["status"] == "held"].dropna(subset=["site_a", "site_b"])
    held = held.assign(pair=_pair(held["site_a"], held["site_b"]))[["pair", "event_id", "starts_at"]]
    intros = introductions.assign(pair=_pair(introductions["requester_siret"], introductions["target_siret"]))
    joined = intros.merge(held, on="pair", how="inner")
    created, met = pd.to_datetime(joined["created_at"]), pd.to_datetime(joined["starts_at"])
    by_pair = joined[(created >= met) & (created <= met + pd.Timedelta(days=days))]
    both = pd.concat([by_origin[list(introductions.columns) + ["event_id"]],
                      by_pair[list(introductions.columns) + ["event_id"]]], ignore_index=True)
    return both.drop_duplicates(["id", "event_id"]).reset_index(drop=True)


def event_paths(events: pd.DataFrame, meetings: pd.DataFrame, follow_ups: pd.DataFrame,
                deal_ids: set) -> list[dict]:
    """Per event (events: id, name, starts_on): meetings planned (not cancelled), held, follow-ups (count of
    introductions, `meeting_follow_ups`) and deals (follow-ups that reached commande), newest event first."""
    rows = []
    for event in events.sort_values("starts_on", ascending=False, kind="mergesort").to_dict("records"):
        own = meetings[meetings["event_id"] == event["id"]]
        follows = follow_ups[follow_ups["event_id"] == event["id"]]
        rows.append({"event_id": int(event["id"]), "name": event["name"], "starts_on": event["starts_on"],
                     "meetings": int((own["status"] != "cancelled").sum()),
                     "held": int((own["status"] == "held").sum()),
                     "follow_ups": int(follows["id"].nunique()),
                     "deals": int(follows["id"].isin(deal_ids).sum())})
    return rows


def by_group(frame: pd.DataFrame, column: str, labels: dict[str, str]) -> list[dict]:
    """Introductions and deals (`deal`: bool column) per value of `column`, most introductions first; rows
    without a value are "non renseigné"."""
    if frame.empty:
        return []
    keys = frame[column].fillna("").astype(str)
    grouped = frame.assign(_key=keys).groupby("_key").agg(introductions=("id", "size"), deals=("deal", "sum"))
    grouped = grouped.sort_values("introductions", ascending=False, kind="mergesort")
    return [{"code": k, "label": labels.get(k, k) if k else "non renseigné", "introductions": int(r["introductions"]),
             "deals": int(r["deals"])} for k, r in grouped.iterrows()]


def open_needs_by_capability(needs: pd.DataFrame, labels: dict[str, str]) -> list[dict]:
    """Open needs per capability (needs: capabilities as a list of codes, deadline): label, needs, the nearest
    deadline; most needs first, then the nearest deadline. No buyer in, none out."""
    if needs.empty:
        return []
    exploded = needs[["capabilities", "deadline"]].explode("capabilities").dropna(subset=["capabilities"])
    grouped = exploded.groupby("capabilities").agg(needs=("deadline", "size"), deadline=("deadline", "min"))
    grouped = grouped.reset_index().sort_values(["needs", "deadline", "capabilities"], ascending=[False, True, True],
                                                kind="mergesort")
    return [{"capability": r["capabilities"], "label": labels.get(r["capabilities"], r["capabilities"]),
             "needs": int(r["needs"]), "deadline": r["deadline"]} for r in grouped.to_dict("records")]
