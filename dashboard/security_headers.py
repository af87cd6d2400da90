"""Security headers on every response (pages, callbacks, API, assets, payloads, errors), set in one place.

The Content-Security-Policy allows scripts from this origin only, plus Dash's own inline scripts by hash
(`Dash.csp_hashes()`: the renderer start-up and any inline clientside callback). The other `<script>` tags
of a page are data blocks (`type="application/json"`: Dash's config, `#tissu-bundles`), which browsers
never execute, so they need no hash. Neither Dash, dash-leaflet, dash-ag-grid nor the Plotly traces used
here evaluate strings as code, so there is no 'unsafe-eval' (tests/test_browser_security.py visits every
page and fails on any violation).

Styles keep 'unsafe-inline': Plotly writes `style` attributes and `<style>` rules on its SVG, Leaflet
positions every tile, marker and tooltip with inline styles, and React's `style` props are inline too.
Injected CSS cannot run script in a current browser; the script policy is what stops injected markup.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

from dash import Dash
from flask import Response

from dashboard.settings import Settings

REFERRER_POLICY = "strict-origin-when-cross-origin"
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a Leaflet tile URL template (`https://{s}.tile.example.org/{z}/{x}/{y}.png` ->
    `https://*.tile.example.org`), or None when it is empty, relative or not http(s)."""
    parts = urllib.parse.urlsplit(tile_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    # A placeholder label ({s}, {r}...) is a wildcard; CSP only allows one, as the leftmost label.
    if labels and re.fullmatch(r"\{\w+\}", labels[0]):
        labels[0] = "*"
    # Only plain host names and ports reach the header: nothing that could end the directive or add one.
    named = labels[1:] if labels[0] == "*" else labels
    if not named or not all(_LABEL.fullmatch(label) for label in named) or (port and not port.isdigit()):
        return None
    return f"{parts.scheme}://{'.'.join(labels)}" + (f":{port}" if port else "")


def content_security_policy(script_hashes: Iterable[str], *, tile_url: str = "") -> str:
    """The CSP header value: scripts from 'self' and the given inline hashes, images also from the tile host."""
    images = ["'self'", "data:", "blob:"]
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def install_security_headers(app: Dash, settings: Settings) -> None:
    """Add the headers to every response of `app`. Call last: the hashes cover the inline scripts defined so far."""
    headers = {
        "Content-Security-Policy": content_security_policy(app.csp_hashes(), tile_url=settings.tile_url),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",  # frame-ancestors for browsers that predate it
        "Referrer-Policy": REFERRER_POLICY,
    }

    @app.server.after_request
    def secure(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
