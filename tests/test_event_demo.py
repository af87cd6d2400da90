"""The demo event: needs from the purchasing model, an industrial visitor mix, plausible requests (docs/event.md)."""

from __future__ import annotations

import pandas as pd

from dashboard import repository
from dashboard.analytics.purchasing import capabilities_bought
from dashboard.demo.event import VISITOR_SHARES, visitor_quotas
from dashboard.reference import load_reference
from dashboard.services import event as ev

INDUSTRIAL = {"metal", "meca", "auto", "electro", "plasturgie", "transport", "maintenance"}


def _demo(engine):
    event = ev.current_event(engine)
    assert event is not None and event.is_demo
    people = repository.event_participants(engine, event.id)
    return event, people, repository.event_capabilities(engine, event.id), repository.event_meetings(engine, event.id)


def test_visitor_quotas_follow_the_shares_and_hand_shortfalls_on() -> None:
    available = pd.Series({"metal": 1000, "auto": 10, "agro": 1000, "none": 500})
    quotas = visitor_quotas(available, total=100, shares={"metal": 50, "auto": 30, "agro": 20})
    assert quotas.sum() == 100 and quotas["none"] == 0
    assert quotas["auto"] == 10  # capped by what exists
    assert quotas["metal"] == 64 and quotas["agro"] == 26  # the 20 missing split 50:20 (64.3, 25.7)
    small = visitor_quotas(pd.Series({"metal": 3, "agro": 2}), total=100, shares={"metal": 1, "agro": 1})
    assert small.to_dict() == {"metal": 3, "agro": 2}
    # Industry runs out: agri-food stays within 1.5 times its share of a smaller fair.
    assert visitor_quotas(pd.Series({"metal": 10, "agro": 1000}), total=100,
                          shares={"metal": 80, "agro": 20}).to_dict() == {"metal": 10, "agro": 4}
    assert sum(VISITOR_SHARES.values()) == 100
    assert set(VISITOR_SHARES) == set(load_reference().filieres["code"])


def test_demo_visitor_mix_fits_an_industrial_fair(engine) -> None:
    _, people, _, _ = _demo(engine)
    share = people[people["role"] == "visiteur"]["filiere_code"].value_counts(normalize=True)
    assert share.get("agro", 0) < share.get("metal", 0) + share.get("meca", 0)
    assert share.get("agro", 0) < 0.10
    assert share[share.index.isin(INDUSTRIAL)].sum() > 0.55


def test_demo_needs_come_from_the_purchasing_model_of_the_filiere(engine) -> None:
    _, people, caps, _ = _demo(engine)
    purchases = load_reference().purchases
    filiere = people.set_index("id")["filiere_code"]
    needs = caps[caps["kind"] == "need"]
    assert len(needs) > len(people)
    bought = {f: set(capabilities_bought(purchases, f).index) for f in set(filiere)}
    outside = [(p, c) for p, c in zip(needs["participant_id"], needs["capability_code"]) if c not in bought[filiere[p]]]
    assert outside == []
    agro = needs[needs["participant_id"].map(filiere).eq("agro")]["capability_code"]
    assert len(agro) and "fonderie_alu" not in set(agro)


def test_demo_requested_meetings_pair_a_need_with_an_offer(engine) -> None:
    _, _, caps, meetings = _demo(engine)
    offers = caps[caps["kind"] == "offer"].groupby("participant_id")["capability_code"].apply(set).to_dict()
    needs = caps[caps["kind"] == "need"].groupby("participant_id")["capability_code"].apply(set).to_dict()
    requested = meetings[meetings["origin"].isin(["mutual", "request"])]
    assert (requested["origin"] == "mutual").sum() > 50
    implausible = [(e, v) for e, v in zip(requested["exhibitor_id"], requested["visitor_id"])
                   if not offers.get(e, set()) & needs.get(v, set())]
    assert implausible == []
    mutual = requested[requested["origin"] == "mutual"]
    assert mutual["why"].str.startswith("demande mutuelle · cherche : ").all()
