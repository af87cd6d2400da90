"""The app factory: `create_app()` builds a Dash app; importing this module does no work."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
from collections.abc import Sequence

import geobuf
from dash import Dash, html
from dash.resources import Scripts
from flask import Flask, Response, request
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import bootstrap, pages, territory
from dashboard.api import api_blueprint
from dashboard.api.params import ApiError, error_response
from dashboard.callback_inputs import declared_callbacks, kinds_of_components
from dashboard.compression import StaticCompressionCache, static_compression_key
from dashboard.database import make_engine
from dashboard.limits import callback_failed, install_callback_checks, install_request_limits
from dashboard.paths import ASSETS_DIR
from dashboard.policy import can
from dashboard.reference import layer_geojson
from dashboard.security_headers import install_security_headers
from dashboard.services import DataService
from dashboard.services.payloads import DATA_PREFIX, parse_filename, required_action
from dashboard.sessions import current_viewer, install_sessions
from dashboard.settings import Settings, load_settings

# Decimals kept in the geobuf basemap: 1e-4° is ≤ 11 m, far below the 75 m simplification of the polygons;
# neighbours share vertices, so rounding keeps their borders identical. Saves 30 % on the wire.
GEOBUF_PRECISION = 4
GEOMETRY_TYPES = {"geojson": "application/geo+json", "pbf": "application/x-protobuf"}
# Component libraries whose main script is left out of every page and loaded when needed (assets/01-tissu-payloads.js
# `loadBundle`, or a page's `bundles`): dash-ag-grid is 28 % of the map page's bytes and only the table uses it there.
LAZY_BUNDLES = {"dash_ag_grid": "dash_ag_grid.min.js"}
IMMUTABLE = "public, max-age=31536000, immutable"
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
    territory.activate(settings.territory)  # before any reference data is read
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
        server=server,  # type: ignore[arg-type]  # Dash's annotation omits the documented Flask instance
        title=_title(settings),
        update_title=None,  # type: ignore[arg-type]  # None is documented: no 'Updating…' title
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        compress=True,
        on_error=callback_failed,
    )
    # Every page is French: screen readers pick their voice, browsers their hyphenation and translation offer.
    app.index_string = app.index_string.replace("<html>", '<html lang="fr">', 1)
    install_sessions(app.server, engine, settings)
    install_request_limits(app.server, max_request_kb=settings.max_request_kb,
                           callback_path=app.config.routes_pathname_prefix + "_dash-update-component")
    if settings.proxy_hops:  # trust that many proxies' X-Forwarded-* so links and QR codes carry the public address
        hops = settings.proxy_hops
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    nav = pages.nav_entries(registry)
    app.layout = shell(nav)
    page_components = routing.page_components(service, registry)
    # Pages are rendered into #page by the router: declare their trees so callbacks validate.
    app.validation_layout = html.Div(  # type: ignore[assignment]  # Dash declares the attribute as None
        [shell(nav), *routing.validation_pages(service, registry, page_components)])
    app.server.register_blueprint(api_blueprint(service, pages.api_modules(registry)))
    _register_static_geometry(app)
    _register_payloads_and_bundles(app, service, registry)
    _register_api_errors(app)
    routing.register(app, service, registry)
    for module in pages.callback_modules(registry):
        module.register(app, service)
    # Every callback is registered: from now on a request must match what its callback declares.
    install_callback_checks(app.server, callback_path=app.config.routes_pathname_prefix + "_dash-update-component",
                            declared=declared_callbacks(app.callback_map),
                            kinds=kinds_of_components(routing.identified(shell(nav)) + page_components))
    app.server.extensions["tissu"] = service
    app.server.extensions["tissu_dash"] = app  # the Dash app of this server (tests read its callback map)
    install_security_headers(app, settings)  # last: its script hashes cover every inline script registered above
    return app


def _title(settings: Settings) -> str:
    """The browser tab's title: 'le tissu industriel lorrain' at the default, else the territory's label."""
    if settings.territory.is_default:
        return "tissu · le tissu industriel lorrain"
    return f"tissu · le tissu industriel {settings.territory.of_label}"


def _register_static_geometry(app: Dash) -> None:
    """Serve the bundled polygons, gzipped once in memory, cached by browsers (sent once per visitor)."""
    cache: dict[tuple[str, str], tuple[bytes, bytes, str]] = {}

    def _load(layer: str, fmt: str) -> tuple[bytes, bytes, str]:
        if (layer, fmt) not in cache:
            raw = layer_geojson(layer)
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


def _register_payloads_and_bundles(app: Dash, service: DataService, registry: Sequence[pages.Page]) -> None:
    """Serve the pages' per-dataset payloads as immutable GETs and load the lazy component bundles on demand.

    `GET /data/<name>-<etag>.json`: bytes encoded and gzipped once per data version (`services/payloads.py`).
    A URL whose etag is not the current one (data replaced since the page was rendered) is a 404 after one
    re-read of the data versions (another worker may have seen the import first); the browser then reloads
    the page once, which renders it with the current URLs.
    """
    builders = pages.payload_builders(registry)

    @app.server.route(DATA_PREFIX + "<filename>")
    def payload(filename: str):
        parsed = parse_filename(filename)
        if parsed is None or parsed[0] not in builders:
            return _data_error(404, "unknown_payload", f"Aucune donnée à l'adresse {request.path}.")
        name, etag = parsed
        required = required_action(builders[name])
        if required is not None and not can(current_viewer(), required):
            return _data_error(403, "forbidden", "Données réservées : connectez-vous avec un compte autorisé.")
        cache_control = IMMUTABLE if required is None else "private, no-cache"  # revalidated: cheap 304s
        current = builders[name](service)
        if current.etag != etag:
            service.refresh()
            current = builders[name](service)
        if current.etag != etag:
            return _data_error(404, "stale_payload", "Ces données ont été remplacées : rechargez la page.")
        if request.if_none_match.contains_weak(etag):
            return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": cache_control})
        use_gzip = request.accept_encodings["gzip"] > 0
        response = Response(current.packed if use_gzip else current.raw, mimetype="application/json")
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = cache_control
        response.headers["ETag"] = f'"{etag}"'
        return response

    # Dash writes a <script> for every imported component library: mark the lazy ones dynamic (served, not
    # written), then give the browser their URLs and write them on the pages whose first render needs them.
    app.scripts = _LazyScripts(app.scripts, set(LAZY_BUNDLES.items()))
    urls = {library: app._collect_and_register_resources([{"relative_package_path": path, "namespace": library}])[0]
            for library, path in LAZY_BUNDLES.items()}
    # Before the assets run: they stand in for each lazy component until its bundle has loaded.
    declared = {library: {"url": url, "components": _component_types(library)} for library, url in urls.items()}
    config = f'<script id="tissu-bundles" type="application/json">{json.dumps(declared)}</script>'
    interpolate = app.interpolate_index

    def interpolate_index(**kwargs):
        needed = [urls[library] for library in pages.bundles_for(request.path, registry) if library in urls]
        kwargs["scripts"] = config + kwargs.get("scripts", "") + "".join(f'<script src="{u}"></script>' for u in needed)
        return interpolate(**kwargs)

    app.interpolate_index = interpolate_index  # type: ignore[method-assign,assignment]


def _component_types(library: str) -> list[str]:
    """Component class names of a Dash component library (its `_type`s)."""
    module = importlib.import_module(library)
    return [name for name in module.__all__ if hasattr(getattr(module, name), "_type")]


class _LazyScripts(Scripts):
    """Dash's scripts, with the main bundle of the `lazy` (library, path) pairs served but not written."""

    def __init__(self, scripts: Scripts, lazy: set[tuple[str, str]]):
        super().__init__(scripts.config.serve_locally, scripts.config.eager_loading)
        self._resources = scripts._resources
        self._lazy = lazy

    def get_all_scripts(self, dev_bundles=False):
        return [{**resource, "dynamic": True}
                if (resource.get("namespace"), resource.get("relative_package_path")) in self._lazy else resource
                for resource in super().get_all_scripts(dev_bundles)]


def _data_error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json", headers={"Cache-Control": "no-store"})
