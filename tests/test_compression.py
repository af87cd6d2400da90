"""Static bundles are compressed once and served from the cache; other responses are never cached."""

from __future__ import annotations

import gzip

from dashboard.compression import StaticCompressionCache


def test_static_bundles_are_compressed_once(app, client):
    scripts = [s for s in client.get("/").get_data(as_text=True).split('"')
               if s.startswith("/_dash-component-suites/") and s.endswith(".js") or "/_dash-component-suites/" in s
               and ".js?" in s]
    assert scripts, "the page links Dash's bundles"
    first = client.get(scripts[0], headers={"Accept-Encoding": "gzip"})
    second = client.get(scripts[0], headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.data == second.data
    assert len(gzip.decompress(first.data)) > len(first.data)
    cache = app.server.extensions["tissu_compression"]
    assert any(key.endswith(scripts[0]) for key in cache._entries)


def test_pages_callbacks_and_api_are_not_cached(app, client):
    cache = app.server.extensions["tissu_compression"]
    before = set(cache._entries)
    client.get("/api/v1/meta", headers={"Accept-Encoding": "gzip"})
    client.get("/", headers={"Accept-Encoding": "gzip"})
    assert set(cache._entries) == before


def test_cache_is_bounded_and_ignores_uncacheable_keys():
    cache = StaticCompressionCache()
    cache.set("gzip;-", b"x")
    assert cache.get("gzip;-") is None and not cache._entries
    for i in range(300):
        cache.set(f"gzip;/assets/{i}.js?m=1", b"y")
    assert len(cache._entries) == 256 and cache.get("gzip;/assets/299.js?m=1") == b"y"
