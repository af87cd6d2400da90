"""The validation layout is rendered over a specimen of the data: it must declare what the full data renders."""

from __future__ import annotations

from callbacks import routing
from dashboard import pages
from dashboard.callback_inputs import kinds_of_components


def test_a_specimen_has_a_sample_of_establishments_and_only_their_links(service):
    full = service.snapshot()
    sample = service.specimen(size=50).snapshot()
    assert 0 < len(sample.establishments) <= 50 < len(full.establishments)
    kept = set(sample.establishments["id"])
    assert kept <= set(full.establishments["id"])
    assert set(sample.capability_links["establishment_id"]) <= kept
    expected = full.capability_links[full.capability_links["establishment_id"].isin(kept)]
    assert len(sample.capability_links) == len(expected) > 0
    assert set(sample.establishments["department_code"]) == set(full.establishments["department_code"])


def test_every_page_over_a_specimen_has_the_components_and_kinds_it_has_with_all_the_data(service):
    reserved = pages.requirements()
    specimen = service.specimen()
    assert len(specimen.snapshot().establishments) < len(service.snapshot().establishments)
    compared = 0
    for path, render in pages.renderers().items():
        if path in reserved:
            continue
        whole = routing.identified(render(service, {}))
        sampled = routing.identified(render(specimen, {}))
        assert [c.id for c in sampled] == [c.id for c in whole], path
        assert [type(c) for c in sampled] == [type(c) for c in whole], path
        assert kinds_of_components(sampled) == kinds_of_components(whole), path
        compared += 1
    assert compared >= 10


def test_the_specimen_leaves_the_service_caches_alone(service):
    snap = service.snapshot()
    service.specimen().snapshot().cached("probe", lambda: 1)
    assert "probe" not in snap._derived
