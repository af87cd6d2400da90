"""The app factory: `create_app()` builds a Dash app; importing this module does no work."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Sequence

import geobuf
from dash import Dash, html
from flask import Flask, Response, request
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import bootstrap, pages
from dashboard.api import api_blueprint
from dashboard.api.params import ApiError, error_response
from dashboard.compression import StaticCompressionCache, static_compression_key
from dashboard.database import make_engine
from dashboard.limits import install_request_limits
from dashboard.paths import ASSETS_DIR
from dashboard.reference import geojson_path
from dashboard.services import DataService
from dashboard.settings import Settings, load_settings

# Decimals kept in the geobuf basemap: 1e-4° is ≤ 11 m, far below the 75 m simplification of the polygons;
# neighbours share vertices, so rounding keeps their borders identical. Saves 30 % on the wire.
GEOBUF_PRECISION = 4
GEOMETRY_TYPES = {"geojson": "application/geo+json", "pbf": "application/x-protobuf"}
_COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                     "application/geo+json", "text/csv"]


def create_app(settings: Settings | None = None, engine: Engine | None = None,
               registry: Sequence[pages.Page] = pages.PAGES, *, prepare: bool = True) -> Dash:
    """Build the app: migrate and seed the database if needed, then wire the registry's pages and the API.

    prepare=False: the caller already ran `bootstrap.ensure_ready` (the server does, once, before forking).
    """
    from callbacks import routing
    from layouts.shell import shell

    settings = settings or load_settings()
    engine = engine or make_engine(settings.database_url)
    if prepare:
        bootstrap.ensure_ready(engine, settings, pages.demo_modules(registry))
    service = DataService(engine, settings, version_check_seconds=settings.version_check_seconds)

    server = Flask(__name__)
    server.config["COMPRESS_MIMETYPES"] = _COMPRESSED_TYPES
    # Dash's bundles (plotly.js alone is 1 MB) were gzipped again on every request: compress each once.
    server.config["COMPRESS_CACHE_BACKEND"] = lambda: server.extensions.setdefault(
        "tissu_compression", StaticCompressionCache())
    server.config["COMPRESS_CACHE_KEY"] = static_compression_key
    app = Dash(
        __name__,
        server=server,
        title="tissu · le tissu industriel lorrain",
        update_title=None,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        compress=True,
    )
    install_request_limits(app.server, max_request_kb=settings.max_request_kb,
                           callback_path=app.config.routes_pathname_prefix + "_dash-update-component")
    if settings.proxy_hops:  # trust that many proxies' X-Forwarded-* so links and QR codes carry the public address
        hops = settings.proxy_hops
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    nav = pages.nav_entries(registry)
    app.layout = shell(nav)
    # Pages are rendered into #page by the router: declare their trees so callbacks validate.
    app.validation_layout = html.Div([shell(nav), *routing.validation_pages(service, registry)])
    app.server.register_blueprint(api_blueprint(service, pages.api_modules(registry)))
    _register_static_geometry(app)
    _register_api_errors(app)
    routing.register(app, service, registry)
    for module in pages.callback_modules(registry):
        module.register(app, service)
    app.server.extensions["tissu"] = service
    return app


def _register_static_geometry(app: Dash) -> None:
    """Serve the bundled polygons, gzipped once in memory, cached by browsers (sent once per visitor)."""
    cache: dict[tuple[str, str], tuple[bytes, bytes, str]] = {}

    def _load(layer: str, fmt: str) -> tuple[bytes, bytes, str]:
        if (layer, fmt) not in cache:
            raw = geojson_path(layer).read_bytes()
            if fmt == "pbf":  # geobuf: 60 % smaller than gzipped GeoJSON on the wire
                raw = geobuf.encode(json.loads(raw), GEOBUF_PRECISION)
            cache[layer, fmt] = (raw, gzip.compress(raw, compresslevel=9, mtime=0),
                                 hashlib.sha1(raw).hexdigest()[:16])
        return cache[layer, fmt]

    @app.server.route("/geo/<layer>.<fmt>")
    def geometry(layer: str, fmt: str):
        if fmt not in GEOMETRY_TYPES:
            return Response("unknown format", status=404)
        try:
            raw, packed, etag = _load(layer, fmt)
        except ValueError:
            return Response("unknown layer", status=404)
        if request.if_none_match.contains(etag):
            return Response(status=304, headers={"ETag": f'"{etag}"'})
        use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = Response(packed if use_gzip else raw, mimetype=GEOMETRY_TYPES[fmt])
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = "public, max-age=86400"
        response.headers["ETag"] = f'"{etag}"'
        return response


def _register_api_errors(app: Dash) -> None:
    @app.server.errorhandler(404)
    def not_found(err):
        if request.path.startswith("/api/"):
            return error_response(ApiError(404, "not_found", f"Aucune ressource à l'adresse {request.path}."))
        return err

    @app.server.errorhandler(405)
    def not_allowed(err):
        if request.path.startswith("/api/"):
            return error_response(ApiError(405, "method_not_allowed", "L'API est en lecture seule (GET)."))
        return err
