"""Matchmaking and scheduling engines: the validator on hand-built schedules, the scheduler on random events."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.analytics.matchmaking import match_candidates
from dashboard.analytics.scheduling import (
    EventGrid,
    parse_availability,
    schedule_meetings,
    score_upper_bound,
    validate_schedule,
)

GRID = EventGrid(starts_on=dt.date(2027, 3, 17), days=2, day_start_minute=9 * 60, day_end_minute=17 * 60,
                 slot_minutes=20)


def people(rows: list[tuple]) -> pd.DataFrame:
    """(id, role, stand, availability, max) rows."""
    return pd.DataFrame(rows, columns=["id", "role", "stand", "availability", "max_meetings"])


def meetings(rows: list[tuple]) -> pd.DataFrame:
    """(exhibitor, visitor, slot, stand) rows."""
    return pd.DataFrame(rows, columns=["exhibitor_id", "visitor_id", "slot", "stand"])


BASE = people([(1, "exposant", "A01", "", 3), (2, "exposant", "A02", "", 3), (10, "visiteur", None, "J1AM", 2),
               (11, "visiteur", None, "", 1)])


def kinds(found) -> set[str]:
    return {v.kind for v in found}


def test_grid_slots_half_days_and_times():
    assert GRID.slots_per_day == 24 and GRID.n_slots == 48
    assert GRID.half_day_of(0) == "J1AM" and GRID.half_day_of(11) == "J1AM" and GRID.half_day_of(12) == "J1PM"
    assert GRID.half_day_of(24) == "J2AM"
    assert GRID.starts_at(25) == dt.datetime(2027, 3, 18, 9, 20)
    assert bin(GRID.mask("J1AM;J2PM")).count("1") == 24
    assert GRID.mask("") == (1 << 48) - 1
    assert parse_availability("j2pm, J1AM", GRID) == ("J1AM", "J2PM")
    with pytest.raises(ValueError, match="J3AM"):
        parse_availability("J3AM", GRID)


def test_a_feasible_schedule_has_no_violation():
    ok = meetings([(1, 10, 0, "A01"), (2, 10, 1, "A02"), (1, 11, 1, "A01")])
    assert validate_schedule(ok, BASE, GRID) == []


@pytest.mark.parametrize("rows, kind", [
    ([(1, 10, 0, "A01"), (2, 10, 0, "A02")], "double_booking"),  # visitor 10 twice in slot 0
    ([(1, 10, 0, "A01"), (1, 11, 0, "A01")], "double_booking"),  # exhibitor 1 twice in slot 0
    ([(1, 10, 12, "A01")], "outside_availability"),  # visitor 10 is only there on day 1 morning
    ([(1, 11, 0, "A01"), (2, 11, 1, "A02")], "over_maximum"),  # visitor 11 accepts one meeting
    ([(1, 10, 0, "A01"), (1, 10, 1, "A01")], "duplicate_pair"),
    ([(1, 10, 0, "A02")], "wrong_stand"),  # exhibitor 1 meets at its stand A01
    ([(10, 1, 0, "A01")], "wrong_role"),  # sides swapped
    ([(1, 10, 48, "A01")], "bad_slot"),
])
def test_the_validator_catches_every_broken_constraint(rows, kind):
    assert kind in kinds(validate_schedule(meetings(rows), BASE, GRID))


def test_cancelled_meetings_free_their_slot():
    frame = meetings([(1, 10, 0, "A01"), (2, 10, 0, "A02")]).assign(status=["cancelled", "scheduled"])
    assert validate_schedule(frame, BASE, GRID) == []


def candidates(rows: list[tuple]) -> pd.DataFrame:
    """(exhibitor, visitor, origin, score) rows."""
    frame = pd.DataFrame(rows, columns=["exhibitor_id", "visitor_id", "origin", "score"])
    return frame.assign(why="test")


def test_mutual_requests_come_before_requests_and_recommendations():
    # One visitor with room for one meeting: the mutual request wins over a better-scored recommendation.
    who = people([(1, "exposant", "A01", "", 5), (2, "exposant", "A02", "", 5), (3, "exposant", "A03", "", 5),
                  (10, "visiteur", None, "", 1)])
    result = schedule_meetings(who, candidates([(1, 10, "recommendation", 95.0), (2, 10, "request", 80.0),
                                                (3, 10, "mutual", 20.0)]), GRID)
    assert result.meetings["origin"].tolist() == ["mutual"]
    two = people([(1, "exposant", "A01", "", 5), (2, "exposant", "A02", "", 5), (10, "visiteur", None, "", 1)])
    result = schedule_meetings(two, candidates([(1, 10, "recommendation", 95.0), (2, 10, "request", 10.0)]), GRID)
    assert result.meetings["origin"].tolist() == ["request"]
    # The greedy baseline (score only) takes the recommendation instead.
    greedy = schedule_meetings(two, candidates([(1, 10, "recommendation", 95.0), (2, 10, "request", 10.0)]), GRID,
                               by_tier=False, repair=False)
    assert greedy.meetings["origin"].tolist() == ["recommendation"]


def test_repair_moves_a_meeting_to_make_room():
    # Three slots. Visitor 11 is only free in slot 0 (kept meetings in 1 and 2), where 1-10 went first:
    # the repair moves 1-10 to slot 1 so that 1-11 fits in slot 0; the baseline places one meeting only.
    grid = EventGrid(starts_on=dt.date(2027, 3, 17), days=1, day_start_minute=9 * 60, day_end_minute=10 * 60,
                     slot_minutes=20)
    who = people([(1, "exposant", "A01", "", 3), (2, "exposant", "A02", "", 3), (3, "exposant", "A03", "", 3),
                  (10, "visiteur", None, "", 3), (11, "visiteur", None, "", 3)])
    kept = meetings([(2, 11, 1, "A02"), (3, 11, 2, "A03")])
    todo = candidates([(1, 10, "mutual", 50.0), (1, 11, "mutual", 40.0)])
    result = schedule_meetings(who, todo, grid, kept=kept)
    assert len(result.meetings) == 2 and result.repairs == 1
    assert dict(zip(result.meetings["visitor_id"], result.meetings["slot"])) == {10: 1, 11: 0}
    assert validate_schedule(pd.concat([kept, result.meetings[kept.columns]]), who, grid) == []
    assert len(schedule_meetings(who, todo, grid, kept=kept, repair=False).meetings) == 1


def test_kept_meetings_never_move_and_cancelled_pairs_are_not_proposed_again():
    who = people([(1, "exposant", "A01", "", 4), (2, "exposant", "A02", "", 4), (10, "visiteur", None, "", 4),
                  (11, "visiteur", None, "", 4)])
    kept = meetings([(1, 10, 5, "A01"), (2, 11, 0, "A02")])
    todo = candidates([(1, 10, "mutual", 90.0), (2, 10, "request", 60.0), (1, 11, "request", 60.0),
                       (2, 11, "recommendation", 40.0)])
    result = schedule_meetings(who, todo, GRID, kept=kept, excluded_pairs=[(1, 11)])
    pairs = set(zip(result.meetings["exhibitor_id"], result.meetings["visitor_id"]))
    assert pairs == {(2, 10)}  # 1-10 and 2-11 already meet (kept), 1-11 was cancelled
    assert validate_schedule(pd.concat([kept, result.meetings[kept.columns]]), who, GRID) == []


@st.composite
def events(draw):
    n_ex = draw(st.integers(1, 5))
    n_vi = draw(st.integers(1, 12))
    half = ["J1AM", "J1PM", "J2AM", "J2PM"]
    rows = [(i + 1, "exposant", f"S{i}", draw(st.sampled_from(["", "J1AM", "J1AM;J2PM"])), draw(st.integers(1, 6)))
            for i in range(n_ex)]
    rows += [(100 + j, "visiteur", None, ";".join(draw(st.lists(st.sampled_from(half), max_size=3, unique=True))),
              draw(st.integers(1, 4))) for j in range(n_vi)]
    pairs = draw(st.lists(st.tuples(st.integers(1, n_ex), st.integers(100, 99 + n_vi),
                                    st.sampled_from(["mutual", "request", "recommendation"]),
                                    st.floats(0, 100, allow_nan=False)), max_size=40))
    days = draw(st.integers(1, 2))
    minutes = draw(st.sampled_from([15, 20, 30, 60]))
    return people(rows), candidates(pairs), EventGrid(starts_on=dt.date(2027, 3, 17), days=days,
                                                      day_start_minute=9 * 60, day_end_minute=11 * 60,
                                                      slot_minutes=minutes)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_the_scheduler_output_is_always_feasible(event):
    who, todo, grid = event
    grid_people = who.assign(availability=[a if grid.days == 2 else ";".join(x for x in a.split(";")
                                                                             if x.startswith("J1"))
                                           for a in who["availability"]])
    for options in ({}, {"repair": False, "by_tier": False}):
        result = schedule_meetings(grid_people, todo, grid, **options)
        assert validate_schedule(result.meetings, grid_people, grid) == []
        assert len(result.meetings) + len(result.unplaced) == len(todo)
    best = schedule_meetings(grid_people, todo, grid).meetings["score"].sum()
    assert best <= score_upper_bound(grid_people, todo, grid) + 1e-6


def test_pair_score_and_plain_french_reasons():
    who = pd.DataFrame([(1, "exposant", 49.12, 6.17), (2, "exposant", 48.17, 6.45), (10, "visiteur", 48.69, 6.18)],
                       columns=["id", "role", "lat", "lon"])
    caps = pd.DataFrame([(1, "traitement_thermique", "offer"), (2, "traitement_thermique", "offer"),
                         (10, "traitement_thermique", "need"), (10, "tournage", "offer"), (1, "tournage", "need")],
                        columns=["participant_id", "capability_code", "kind"])
    certs = pd.DataFrame([(1, "EN9100")], columns=["participant_id", "certification_code"])
    out = match_candidates(who, caps, pd.DataFrame(columns=["requester_id", "target_id"]), certifications=certs,
                           capability_labels={"traitement_thermique": "Traitement thermique", "tournage": "Tournage"},
                           certification_labels={"EN9100": "EN 9100"})
    first = out.sort_values("score", ascending=False).iloc[0]
    assert first["exhibitor_id"] == 1 and first["origin"] == "recommendation"
    assert first["why"].startswith("cherche : traitement thermique · propose : traitement thermique, EN 9100")
    assert "en retour : tournage" in first["why"] and first["why"].endswith(" km")
    assert 0 < first["score"] <= 100
    # Exhibitor 2 offers the same but farther, without credentials or a need of its own: lower score.
    assert out.set_index("exhibitor_id").loc[2, "score"] < first["score"]


def test_requests_become_mutual_or_one_sided_candidates():
    who = pd.DataFrame([(1, "exposant", 49.0, 6.0), (10, "visiteur", 49.0, 6.1), (11, "visiteur", 49.1, 6.0),
                        (12, "visiteur", 49.1, 6.1)], columns=["id", "role", "lat", "lon"])
    requests = pd.DataFrame([(10, 1), (1, 10), (11, 1), (12, 11)], columns=["requester_id", "target_id"])
    out = match_candidates(who, pd.DataFrame(columns=["participant_id", "capability_code", "kind"]), requests)
    origins = dict(zip(out["visitor_id"], out["origin"]))
    assert origins == {10: "mutual", 11: "request"}  # 12 -> 11 joins two visitors: ignored
    assert out.set_index("visitor_id").loc[11, "why"].startswith("demandé par le visiteur")


def test_freed_slots_are_filled_first_and_begun_slots_take_nothing():
    crowd = people([(1, "exposant", "A01", "", 2), (10, "visiteur", None, "", 1), (11, "visiteur", None, "", 1),
                    (12, "visiteur", None, "", 1)])
    kept = meetings([(1, 10, 3, "A01")])
    offers = candidates([(1, 11, "request", 60.0), (1, 12, "recommendation", 40.0)])
    plain = schedule_meetings(crowd, offers, GRID, kept=kept).meetings
    assert plain[["visitor_id", "slot"]].values.tolist() == [[11, 0]]  # earliest common slot, the freed one stays empty
    filled = schedule_meetings(crowd, offers, GRID, kept=kept, fill_first={1: 1 << 7}).meetings
    assert filled[["visitor_id", "slot"]].values.tolist() == [[11, 7]]  # the best candidate takes the freed slot
    busy = meetings([(1, 11, 7, "A01")]).assign(status="scheduled")  # nobody free then: the hole stays, no harm
    crowd_busy = crowd.assign(max_meetings=[3, 1, 1, 1])
    later = schedule_meetings(crowd_busy, offers.iloc[1:], GRID, kept=pd.concat([kept, busy]),
                              fill_first={1: 1 << 7}).meetings
    assert later[["visitor_id", "slot"]].values.tolist() == [[12, 0]]
    opened = schedule_meetings(crowd, offers, GRID, kept=kept, open_from=5).meetings
    assert opened["slot"].min() >= 5
    assert GRID.first_open_slot(dt.datetime(2027, 3, 17, 9, 0)) == 1  # slot 0 begins at 9:00
    assert GRID.first_open_slot(dt.datetime(2027, 3, 1)) == 0
    assert GRID.first_open_slot(dt.datetime(2027, 3, 19)) == GRID.n_slots
