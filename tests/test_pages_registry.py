"""The page registry: a page declared once is routed, in the navigation, validated, and its API documented."""

from __future__ import annotations

import sys
import types

import pytest
from dash import html

from dashboard import pages
from dashboard.services.cache import BoundedCache, normalised_key


def _throwaway_modules():
    """A tiny page with its own layout, callback module and API module, built in memory."""
    page_module = types.ModuleType("tests_throwaway_page")
    page_module.render = lambda service, query: html.Div([html.H1("Page jetable"), html.Div(id="throwaway-out")])
    registered = []
    page_module.register = lambda app, service: registered.append(app)

    api_module = types.ModuleType("tests_throwaway_api")

    def register(route, service):
        @route("/throwaway")
        def throwaway():
            from dashboard.api.params import Params, json_response

            Params(set())
            return json_response({"ok": True, "establishments": int(len(service.snapshot().establishments))})

    api_module.register = register
    api_module.OPENAPI_PATHS = {"/api/v1/throwaway": {"get": {"summary": "Jetable", "responses": {
        "200": {"description": "OK"}}}}}
    return page_module, api_module, registered


@pytest.fixture(scope="module")
def throwaway_app(settings, engine):
    from dashboard.app import create_app

    page_module, api_module, registered = _throwaway_modules()
    sys.modules["tests_throwaway_page"] = page_module
    registry = (*pages.PAGES, pages.Page("/jetable", "tests_throwaway_page:render", nav_label="Jetable",
                                         callbacks="tests_throwaway_page", api=api_module))
    try:
        app = create_app(settings, engine, registry)
        yield app, registry, registered
    finally:
        sys.modules.pop("tests_throwaway_page", None)


def test_a_registered_page_is_routed_navigable_validated_and_documented(throwaway_app, service):
    from callbacks.routing import render_page

    app, registry, registered = throwaway_app
    body, _badge, nav, _account = render_page(service, "/jetable", "", registry)
    assert "Page jetable" in str(body)
    assert [(a.href, a.children) for a in nav][-1] == ("/jetable", "Jetable")
    assert any(a.className.endswith("active") for a in nav if a.href == "/jetable")
    assert "throwaway-out" in str(app.validation_layout)
    assert registered == [app]  # its callbacks module was registered once
    client = app.server.test_client()
    assert client.get("/api/v1/throwaway").get_json()["ok"] is True
    assert "/api/v1/throwaway" in client.get("/api/v1/openapi.json").get_json()["paths"]
    assert client.get("/api/v1/throwaway?x=1").status_code == 400


def test_the_default_registry_derives_nav_api_and_demo():
    assert [path for path, _ in pages.nav_entries()] == ["/", "/partenaires", "/couverture", "/reindustrialisation",
                                                         "/competences", "/evenement", "/reseau", "/cercles"]
    names = [m.__name__ for m in pages.api_modules()]
    assert names[0] == "dashboard.api.core" and len(names) == len(set(names))
    assert {"dashboard.api.establishments", "dashboard.api.partners", "dashboard.api.event",
            "dashboard.api.network", "dashboard.api.circles",
            "dashboard.api.practices"} <= set(names)
    assert [m.__name__ for m in pages.demo_modules()] == ["dashboard.demo.indicators", "dashboard.demo.skills",
                                                         "dashboard.demo.event", "dashboard.demo.network",
                                                         "dashboard.demo.circles", "dashboard.demo.practices"]
    assert all(callable(render) for render in pages.renderers().values())


def test_bounded_cache_evicts_least_recently_used():
    cache = BoundedCache(maxsize=3)
    builds = []
    for key in ["a", "b", "c", "a", "d"]:  # "a" used again: "b" is the oldest when "d" arrives
        cache.get_or_build(key, lambda k=key: builds.append(k) or k.upper())
    assert builds == ["a", "b", "c", "d"]
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in ["a", "c", "d"] if k in cache}
    assert len(cache) == 3


def test_user_keyed_coverage_entries_stay_bounded(service):
    snap = service.snapshot()
    for i in range(200):
        snap.lru(("probe", 10.0 + i / 10), lambda i=i: i)
    assert len(snap._user) == snap._user.maxsize


def test_normalised_keys_ignore_float_noise_and_list_order():
    assert normalised_key(40.0000001, ["b", "a"]) == normalised_key(40.0, ("a", "b"))
    assert normalised_key(" metz ") == normalised_key("metz")
    assert normalised_key(40.0) != normalised_key(40.5)
