"""Run the app: gunicorn (processes × threads) by default, waitress where gunicorn cannot run, Flask's dev server.

The database is migrated and the first-start demo loaded once, here in the master process, before any
worker exists; the app is then built once (`preload`), its per-version caches warmed (`services/warmup.py`:
the snapshot, records, payloads, each capability's nearest suppliers…) and forked, so that workers inherit
them copy-on-write instead of each building them on its first requests. No database connection crosses a fork:
the engine's pool is emptied before each fork and dropped (not closed) in each child, which opens its own.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from dashboard import __version__
from dashboard.database import check_sqlite_file, display_url, make_engine, remember_sqlite_file
from dashboard.settings import Settings

if TYPE_CHECKING:
    from dashboard.services import DataService

SERVER_NAME = "tissu"  # the Server header: no software or Python version
MAX_AUTO_WORKERS = 4


def default_workers(cores: int | None = None) -> int:
    """Processes for this machine: cores + 1, at most 4.

    Pages and callbacks are pandas work under the GIL, so only processes compute in parallel; one more
    than the cores keeps a core busy while another process waits on the database or a slow client. Each
    process holds its own copy of the dataset, hence the cap.
    """
    cores = cores or os.cpu_count() or 1
    return max(1, min(cores + 1, MAX_AUTO_WORKERS))


def gunicorn_available() -> bool:
    """gunicorn needs `fcntl` (POSIX): absent on Windows, where waitress serves instead."""
    return importlib.util.find_spec("fcntl") is not None


def _dev_request_handler():
    """Werkzeug's handler naming no version (it sends `Server: Werkzeug/x Python/y` otherwise)."""
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def version_string(self) -> str:
            return SERVER_NAME

    return Handler


def serve(settings: Settings, *, dev: bool = False) -> int:
    """Prepare the database once, then serve until stopped (Ctrl-C or SIGTERM)."""
    from dashboard import bootstrap
    from dashboard.app import create_app

    started = time.perf_counter()
    check_sqlite_file(settings.database_url, settings.instance_dir)  # missing although created, damaged, unreadable
    engine = make_engine(settings.database_url)
    bootstrap.ensure_ready(engine, settings)
    remember_sqlite_file(settings.database_url, settings.instance_dir)
    app = create_app(settings, engine, prepare=False)
    url = f"http://{_bind(settings.host, settings.port)}/"
    if not dev:  # the dev server reloads on each code change: warming would slow every reload
        warm_caches(app.server.extensions["tissu"])

    def ready(how: str) -> None:
        print(f"tissu {__version__} ready in {time.perf_counter() - started:.1f} s: {url}  ({how}; database: "
              f"{display_url(settings.database_url)})", flush=True)

    if dev:
        ready("development server, reloads on code changes")
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=True,
                dev_tools_disable_version_check=True, dev_tools_hot_reload=False,
                request_handler=_dev_request_handler())
        return 0
    if settings.debug:
        app.enable_dev_tools(debug=True, dev_tools_disable_version_check=True, dev_tools_hot_reload=False)
    workers = settings.workers or default_workers()
    if not gunicorn_available():
        import waitress

        threads = workers * settings.threads  # one process: threads stand in for the workers
        ready(f"waitress, {threads} threads")
        waitress.serve(app.server, host=settings.host, port=settings.port, threads=threads, ident=SERVER_NAME,
                       max_request_body_size=settings.max_request_kb * 1024)
        return 0
    engine.dispose()  # nothing opened in the master survives into a worker
    _run_gunicorn(app.server, engine, _gunicorn_options(settings, workers),
                  lambda: ready(f"gunicorn, {workers} processes × {settings.threads} threads"))
    return 0


def warm_caches(service: DataService) -> None:
    """Build the per-version caches here, before any worker exists, so that every worker inherits them."""
    from dashboard.services.heap import freeze_long_lived, release_free_memory
    from dashboard.services.warmup import warm

    report = warm(service)
    frozen = freeze_long_lived()
    release_free_memory()
    print(f"tissu: {report.line}; {frozen:,} long-lived objects out of the collector's walks", flush=True)


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _gunicorn_options(settings: Settings, workers: int) -> dict:
    return {
        "bind": _bind(settings.host, settings.port),
        "workers": workers,
        "threads": settings.threads,
        "worker_class": "gthread" if settings.threads > 1 else "sync",
        "timeout": 60,  # a worker silent this long is killed and replaced (requests take < 2 s)
        "graceful_timeout": 5,
        "keepalive": 5,
        "limit_request_line": 8190,  # shared links carry their filters in the query string
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "tissu",
    }


def _run_gunicorn(wsgi_app: Callable, engine: Engine, options: dict, on_ready: Callable[[], None]) -> None:
    """gunicorn driven from Python (imported here: it needs fcntl): the app is preloaded, engines stay per process."""
    import gunicorn.http.wsgi
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            self.cfg.set("preload_app", True)
            self.cfg.set("pre_fork", lambda _server, _worker: engine.dispose())
            self.cfg.set("post_fork", lambda _server, _worker: engine.dispose(close=False))
            self.cfg.set("when_ready", lambda _server: on_ready())

        def load(self) -> Callable:
            return wsgi_app

    gunicorn.http.wsgi.SERVER = SERVER_NAME  # read by each response; gunicorn has no setting for it
    Application().run()
