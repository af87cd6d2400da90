"""B2B meeting schedule of an event: slots, a priority-aware placement heuristic, a feasibility validator.

A meeting joins one exhibitor (at its stand) and one visitor in one slot. Slots are numbered over the
whole event: day d (0-based) has `slots_per_day` slots from `day_start_minute`; a half-day is
"J<d+1>AM" before the middle of the day and "J<d+1>PM" after it. Availability is a set of half-days
("" = always available). Constraints (checked by `validate_schedule`): at most one meeting per
participant and slot, slots within both availabilities, per-participant maxima, no pair twice,
exhibitor at its stand.

The heuristic (`schedule_meetings`) places candidates tier by tier (mutual requests, one-sided
requests, then recommendations), by decreasing score inside a tier, in the earliest slot free for
both sides (bitmask intersection). When no common slot is free, it tries a one-step repair: move one
of the exhibitor's (or the visitor's) meetings to another slot free for its own pair, which frees a
slot for the new pair; meetings that are *kept* (already held or confirmed) never move. Its gap to an
upper bound (the slot-free b-matching optimum, `score_upper_bound`) is measured in benchmarks/event.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

ORIGINS = ("mutual", "request", "recommendation")  # placement tiers, first placed first
ORIGIN_LABELS = {"mutual": "demande mutuelle", "request": "demande", "recommendation": "recommandation"}
STATUSES = ("scheduled", "held", "cancelled")
STATUS_LABELS = {"scheduled": "planifié", "held": "tenu", "cancelled": "annulé"}
_HALF_DAY = re.compile(r"^J(\d{1,2})(AM|PM)$")
MEETING_COLUMNS = ["exhibitor_id", "visitor_id", "slot", "stand", "origin", "score", "why"]


@dataclass(frozen=True)
class EventGrid:
    """The slots of an event: `days` days from `starts_on`, `slot_minutes`-minute slots between two times."""

    starts_on: dt.date
    days: int = 2
    day_start_minute: int = 9 * 60
    day_end_minute: int = 17 * 60
    slot_minutes: int = 20

    def __post_init__(self) -> None:
        if self.days < 1 or self.slot_minutes < 5 or self.day_end_minute - self.day_start_minute < self.slot_minutes:
            raise ValueError("an event needs at least one day and one slot of 5 minutes or more")

    @property
    def slots_per_day(self) -> int:
        """Slots in one day."""
        return (self.day_end_minute - self.day_start_minute) // self.slot_minutes

    @property
    def n_slots(self) -> int:
        """Slots over the whole event."""
        return self.days * self.slots_per_day

    @property
    def half_days(self) -> tuple[str, ...]:
        """Every half-day code of the event, in order (J1AM, J1PM, J2AM…)."""
        return tuple(f"J{d + 1}{p}" for d in range(self.days) for p in ("AM", "PM"))

    def half_day_of(self, slot: int) -> str:
        """Half-day code of a slot (AM when it starts before the middle of the day)."""
        day, index = divmod(int(slot), self.slots_per_day)
        middle = (self.day_end_minute - self.day_start_minute) / 2
        return f"J{day + 1}{'AM' if index * self.slot_minutes < middle else 'PM'}"

    def starts_at(self, slot: int) -> dt.datetime:
        """Start time of a slot."""
        day, index = divmod(int(slot), self.slots_per_day)
        minute = self.day_start_minute + index * self.slot_minutes
        return dt.datetime.combine(self.starts_on + dt.timedelta(days=day), dt.time(minute // 60, minute % 60))

    def ends_at(self, slot: int) -> dt.datetime:
        """End time of a slot."""
        return self.starts_at(slot) + dt.timedelta(minutes=self.slot_minutes)

    def first_open_slot(self, now: dt.datetime) -> int:
        """The first slot that has not begun at `now` (n_slots once the last one has begun)."""
        return next((s for s in range(self.n_slots) if self.starts_at(s) > now), self.n_slots)

    def mask(self, availability: str | None) -> int:
        """Bitmask of the slots within an availability ("J1AM;J2PM", "" = every slot). Unknown codes raise."""
        codes = parse_availability(availability, self)
        if not codes:
            return (1 << self.n_slots) - 1
        wanted = set(codes)
        bits = 0
        for slot in range(self.n_slots):
            if self.half_day_of(slot) in wanted:
                bits |= 1 << slot
        return bits


def parse_availability(text: str | None, grid: EventGrid) -> tuple[str, ...]:
    """Half-day codes of an availability text (separators ; , or spaces; case-insensitive); ValueError if unknown."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ()
    codes = [c.strip().upper() for c in re.split(r"[;,\s]+", str(text)) if c.strip()]
    known = set(grid.half_days)
    bad = [c for c in codes if c not in known]
    if bad:
        raise ValueError(f"demi-journée inconnue : {bad[0]} (valeurs possibles : {', '.join(grid.half_days)})")
    return tuple(sorted(set(codes), key=grid.half_days.index))


@dataclass(frozen=True)
class ScheduleResult:
    """Placed meetings (MEETING_COLUMNS) and the candidates that found no slot."""

    meetings: pd.DataFrame
    unplaced: pd.DataFrame
    repairs: int  # meetings moved to make room (never kept ones)


class _Pool:
    """Mutable per-participant state of a placement: free slots, meetings left, who meets whom when."""

    def __init__(self, participants: pd.DataFrame, grid: EventGrid):
        self.grid = grid
        self.free: dict[int, int] = {}
        self.left: dict[int, int] = {}
        self.stand: dict[int, str | None] = {}
        self.role: dict[int, str] = {}
        for pid, role, availability, maximum, stand in zip(
                participants["id"], participants["role"], participants["availability"].fillna(""),
                participants["max_meetings"], participants["stand"]):
            pid = int(pid)
            self.free[pid] = grid.mask(availability)
            self.left[pid] = int(maximum)
            self.stand[pid] = None if stand is None or (isinstance(stand, float) and np.isnan(stand)) else str(stand)
            self.role[pid] = str(role)
        self.at: dict[tuple[int, int], int] = {}  # (participant, slot) -> meeting key
        self.meetings: dict[int, list] = {}  # key -> [exhibitor, visitor, slot, movable]
        self.pairs: set[tuple[int, int]] = set()
        self._next = 0

    def book(self, e: int, v: int, slot: int, *, movable: bool) -> int:
        key = self._next
        self._next += 1
        self.rebook(key, e, v, slot, movable=movable)
        return key

    def rebook(self, key: int, e: int, v: int, slot: int, *, movable: bool) -> None:
        """Book (again, after an `unbook`) meeting `key` of exhibitor e and visitor v at `slot`."""
        bit = 1 << slot
        self.free[e] &= ~bit
        self.free[v] &= ~bit
        self.left[e] -= 1
        self.left[v] -= 1
        self.at[e, slot] = key
        self.at[v, slot] = key
        self.meetings[key] = [e, v, slot, movable]
        self.pairs.add((e, v))

    def unbook(self, key: int) -> list:
        e, v, slot, movable = self.meetings.pop(key)
        for p in (e, v):
            self.free[p] |= 1 << slot
            self.left[p] += 1
            del self.at[p, slot]
        self.pairs.discard((e, v))
        return [e, v, slot, movable]

    def move(self, key: int, slot: int) -> None:
        e, v, old, _ = self.meetings[key]
        for p in (e, v):
            self.free[p] = (self.free[p] | (1 << old)) & ~(1 << slot)
            del self.at[p, old]
            self.at[p, slot] = key
        self.meetings[key][2] = slot

    def try_place(self, e: int, v: int, *, repair: bool) -> tuple[int | None, bool]:
        """Slot given to the pair (None when impossible) and whether another meeting was moved for it."""
        common = self.free[e] & self.free[v]
        if common:
            return _lowest_bit(common), False
        if not repair:
            return None, False
        # One-step repair: a slot where one side is free and the other has a movable meeting that can go elsewhere.
        for busy, idle in ((e, v), (v, e)):
            candidates = self.free[idle] & ~self.free[busy]
            while candidates:
                slot = _lowest_bit(candidates)
                candidates &= candidates - 1
                key = self.at.get((busy, slot))
                if key is None or not self.meetings[key][3]:
                    continue
                other = self.meetings[key][1] if busy == e else self.meetings[key][0]
                elsewhere = self.free[busy] & self.free[other]
                if elsewhere:
                    self.move(key, _lowest_bit(elsewhere))
                    return slot, True
        return None, False


def _lowest_bit(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


def _tier(origin: str) -> int:
    return ORIGINS.index(origin) if origin in ORIGINS else len(ORIGINS)


def schedule_meetings(
    participants: pd.DataFrame,
    candidates: pd.DataFrame,
    grid: EventGrid,
    *,
    kept: pd.DataFrame | None = None,
    excluded_pairs: Iterable[tuple[int, int]] = (),
    fill_first: Mapping[int, int] | None = None,
    open_from: int = 0,
    repair: bool = True,
    by_tier: bool = True,
) -> ScheduleResult:
    """Place candidate meetings (exhibitor_id, visitor_id, origin, score, why) in slots; scores are 0–100.

    `participants` needs id, role, stand, availability, max_meetings. `kept` meetings (exhibitor_id,
    visitor_id, slot) are fixed: they occupy their slot and count towards maxima, and never move.
    `excluded_pairs` (e.g. cancelled meetings) are not proposed again. `by_tier=False, repair=False`
    is the greedy baseline: by score only, first common slot, no repair.
    `fill_first` (exhibitor id -> bitmask of slots, e.g. freed by cancellations) is filled before anything
    else: a first pass, in the same order, places candidates only there. Slots before `open_from` (already
    begun) take no new meeting.
    """
    pool = _Pool(participants, grid)
    if open_from > 0:
        closed = (1 << min(open_from, grid.n_slots)) - 1
        pool.free = {p: bits & ~closed for p, bits in pool.free.items()}
    if kept is not None and len(kept):
        for e, v, slot in zip(kept["exhibitor_id"], kept["visitor_id"], kept["slot"]):
            pool.book(int(e), int(v), int(slot), movable=False)
    excluded = {(int(e), int(v)) for e, v in excluded_pairs}
    frame = candidates.reset_index(drop=True)
    if len(frame):
        tiers = frame["origin"].map(_tier).to_numpy() if by_tier else np.zeros(len(frame), dtype=int)
        order = np.lexsort((frame["visitor_id"].to_numpy(), frame["exhibitor_id"].to_numpy(),
                            -frame["score"].to_numpy(dtype=float), tiers))
    else:
        order = np.empty(0, dtype=int)
    placed: dict[int, int] = {}  # candidate row -> meeting key
    unplaced: list[int] = []
    repairs = 0
    ex = frame["exhibitor_id"].to_numpy(dtype=np.int64) if len(frame) else np.empty(0, np.int64)
    vi = frame["visitor_id"].to_numpy(dtype=np.int64) if len(frame) else np.empty(0, np.int64)
    holes = {int(e): int(bits) for e, bits in (fill_first or {}).items() if bits}
    first: set[int] = set()
    for row in order if holes else ():  # freed slots first: a cancellation's slot goes to the best candidate free then
        e, v = int(ex[row]), int(vi[row])
        if not holes.get(e) or not _placeable(pool, e, v, excluded):
            continue
        common = pool.free[e] & pool.free[v] & holes[e]
        if common:
            slot = _lowest_bit(common)
            holes[e] &= ~(1 << slot)
            placed[row] = pool.book(e, v, slot, movable=True)
            first.add(row)
    for row in order:
        if row in first:
            continue
        e, v = int(ex[row]), int(vi[row])
        if not _placeable(pool, e, v, excluded):
            unplaced.append(row)
            continue
        slot, moved = pool.try_place(e, v, repair=repair)
        if slot is None:
            unplaced.append(row)
            continue
        repairs += moved
        placed[row] = pool.book(e, v, slot, movable=True)
    if repair:  # improvement pass: a better recommendation replaces a participant's weakest recommendation
        swaps = _swap_pass(pool, frame, ex, vi, placed, unplaced, excluded, keep_rows=first)
        repairs += swaps
    rows = sorted(placed)
    meetings = frame.loc[rows, ["exhibitor_id", "visitor_id", "origin", "score", "why"]].copy() if rows else \
        pd.DataFrame(columns=["exhibitor_id", "visitor_id", "origin", "score", "why"])
    meetings["slot"] = [pool.meetings[placed[r]][2] for r in rows]
    meetings["stand"] = [pool.stand[int(e)] for e in meetings["exhibitor_id"]]
    meetings = meetings[MEETING_COLUMNS].sort_values(["slot", "exhibitor_id"]).reset_index(drop=True)
    return ScheduleResult(meetings=meetings, unplaced=frame.loc[sorted(unplaced)].reset_index(drop=True),
                          repairs=repairs)


def _placeable(pool: _Pool, e: int, v: int, excluded: set) -> bool:
    """Whether pair (e, v) may get a meeting at all: new, not excluded, right roles, a stand, both with room."""
    if (e, v) in pool.pairs or (e, v) in excluded or e not in pool.free or v not in pool.free:
        return False
    if pool.role.get(e) != "exposant" or pool.role.get(v) != "visiteur" or not pool.stand.get(e):
        return False
    return pool.left[e] > 0 and pool.left[v] > 0


def _swap_pass(pool: _Pool, frame: pd.DataFrame, ex, vi, placed: dict[int, int], unplaced: list[int],
               excluded: set, *, keep_rows: Collection[int] = ()) -> int:
    """Unplaced recommendations, best first, may replace a full participant's weakest placed recommendation.

    Rows in `keep_rows` (meetings that filled a freed slot) are never replaced: the swap would empty the slot.
    """
    scores = frame["score"].to_numpy(dtype=float)
    is_rec = (frame["origin"] == "recommendation").to_numpy()
    row_of = {key: row for row, key in placed.items()}
    recs_of: dict[int, set[int]] = {}
    for row, key in placed.items():
        if is_rec[row] and row not in keep_rows:
            recs_of.setdefault(int(ex[row]), set()).add(key)
            recs_of.setdefault(int(vi[row]), set()).add(key)
    swaps = 0
    still: list[int] = []
    for row in sorted(unplaced, key=lambda r: -scores[r]):
        e, v = int(ex[row]), int(vi[row])
        if (not is_rec[row] or (e, v) in pool.pairs or (e, v) in excluded or e not in pool.free
                or v not in pool.free or pool.role.get(e) != "exposant" or pool.role.get(v) != "visiteur"
                or not pool.stand.get(e)):
            still.append(row)
            continue
        victims = [p for p in (e, v) if pool.left[p] <= 0]
        dropped = []
        ok = True
        for p in victims:
            keys = recs_of.get(p, set())
            if not keys:
                ok = False
                break
            weakest = min(keys, key=lambda k: scores[row_of[k]])
            if scores[row_of[weakest]] >= scores[row] - 1e-9:
                ok = False
                break
            dropped.append((weakest, pool.unbook(weakest)))
        slot = None
        if ok:
            slot, _ = pool.try_place(e, v, repair=False)
        if slot is None:
            for key, (de, dv, dslot, movable) in reversed(dropped):  # undo: same keys, same slots
                pool.rebook(key, de, dv, dslot, movable=movable)
            still.append(row)
            continue
        for key, (de, dv, _, _) in dropped:
            old_row = row_of.pop(key)
            del placed[old_row]
            still.append(old_row)
            recs_of[de].discard(key)
            recs_of[dv].discard(key)
            swaps += 1
        key = pool.book(e, v, slot, movable=True)
        placed[row] = key
        row_of[key] = row
        recs_of.setdefault(e, set()).add(key)
        recs_of.setdefault(v, set()).add(key)
    unplaced[:] = still
    return swaps


# --- Feasibility ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    kind: str  # double_booking, outside_availability, over_maximum, duplicate_pair, wrong_stand, wrong_role, bad_slot
    detail: str


def validate_schedule(meetings: pd.DataFrame, participants: pd.DataFrame, grid: EventGrid) -> list[Violation]:
    """Every broken constraint of a schedule (empty list = feasible); cancelled meetings are ignored.

    `meetings` needs exhibitor_id, visitor_id, slot, stand (and optionally status); `participants` id,
    role, stand, availability, max_meetings.
    """
    out: list[Violation] = []
    if "status" in meetings.columns:
        meetings = meetings[meetings["status"] != "cancelled"]
    info = {int(r["id"]): r for r in participants.to_dict("records")}
    masks = {pid: grid.mask(r.get("availability") or "") for pid, r in info.items()}
    seen_slot: dict[tuple[int, int], int] = {}
    counts: dict[int, int] = {}
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(meetings.to_dict("records")):
        e, v, slot = int(m["exhibitor_id"]), int(m["visitor_id"]), int(m["slot"])
        label = f"rendez-vous {i + 1} ({e}↔{v}, créneau {slot})"
        if not 0 <= slot < grid.n_slots:
            out.append(Violation("bad_slot", f"{label} : créneau hors de l'événement"))
            continue
        for pid, role in ((e, "exposant"), (v, "visiteur")):
            if pid not in info:
                out.append(Violation("wrong_role", f"{label} : participant {pid} inconnu"))
                continue
            if info[pid]["role"] != role:
                out.append(Violation("wrong_role", f"{label} : {pid} n'est pas {role}"))
            if not masks[pid] >> slot & 1:
                half_day = grid.half_day_of(slot)
                out.append(Violation("outside_availability", f"{label} : {pid} indisponible ({half_day})"))
            if (pid, slot) in seen_slot:
                out.append(Violation("double_booking", f"{label} : {pid} a déjà un rendez-vous à ce créneau"))
            seen_slot[pid, slot] = i
            counts[pid] = counts.get(pid, 0) + 1
        if (e, v) in pairs:
            out.append(Violation("duplicate_pair", f"{label} : cette paire se rencontre déjà"))
        pairs.add((e, v))
        stand = info.get(e, {}).get("stand") if e in info else None
        if not stand or m.get("stand") != stand:
            out.append(Violation("wrong_stand", f"{label} : lieu {m.get('stand')!r} au lieu du stand {stand!r}"))
    for pid, n in counts.items():
        if pid in info and n > int(info[pid]["max_meetings"]):
            out.append(Violation("over_maximum", f"participant {pid} : {n} rendez-vous pour un maximum de "
                                                 f"{int(info[pid]['max_meetings'])}"))
    return out


def score_upper_bound(participants: pd.DataFrame, candidates: pd.DataFrame, grid: EventGrid, *,
                      force_requested: bool = False) -> float:
    """Upper bound of the total score (0–100 per meeting): the best b-matching ignoring slot clashes (HiGHS LP).

    Capacities are min(maximum, available slots); bipartite b-matching LPs have integral optima, so
    the bound is exact for the relaxation that ignores who meets when. With `force_requested`, every
    requested pair (mutual or one-sided) must be in the matching: the bound under the priority rule.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    frame = (candidates.sort_values("score", ascending=False)  # a pair meets once: its best candidate counts
             .drop_duplicates(["exhibitor_id", "visitor_id"]).reset_index(drop=True))
    if not len(frame):
        return 0.0
    cap = {int(pid): min(int(mx), bin(grid.mask(av or "")).count("1"))
           for pid, mx, av in zip(participants["id"], participants["max_meetings"], participants["availability"])}
    people = sorted(set(frame["exhibitor_id"].astype(int)) | set(frame["visitor_id"].astype(int)))
    row_of = {p: i for i, p in enumerate(people)}
    n = len(frame)
    rows = np.concatenate([frame["exhibitor_id"].map(row_of).to_numpy(), frame["visitor_id"].map(row_of).to_numpy()])
    cols = np.concatenate([np.arange(n), np.arange(n)])
    a = coo_matrix((np.ones(2 * n), (rows, cols)), shape=(len(people), n)).tocsr()
    b = np.array([cap.get(p, 0) for p in people], dtype=float)
    forced = frame["origin"].isin(["mutual", "request"]).to_numpy() if force_requested else np.zeros(n, bool)
    bounds = np.column_stack([forced.astype(float), np.ones(n)])
    res = linprog(-frame["score"].to_numpy(dtype=float), A_ub=a, b_ub=b, bounds=bounds, method="highs")
    return float(-res.fun) if res.status == 0 else float(frame["score"].sum())
