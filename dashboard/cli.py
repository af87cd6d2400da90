"""The `tissu` command: serve the app, manage the database, load the demo."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from dashboard import __version__


def _settings():
    from dashboard.settings import load_settings

    return load_settings()


def _engine(settings):
    from dashboard.database import make_engine

    return make_engine(settings.database_url)


def cmd_serve(args) -> int:
    from dashboard.app import create_app

    settings = _settings()
    overrides = {k: v for k, v in {"host": args.host, "port": args.port}.items() if v is not None}
    if overrides:
        from dataclasses import replace

        settings = replace(settings, **overrides)
    started = time.perf_counter()
    app = create_app(settings)
    print(f"tissu {__version__} ready in {time.perf_counter() - started:.1f} s: "
          f"http://{settings.host}:{settings.port}/  (database: {settings.database_url})", flush=True)
    app.run(host=settings.host, port=settings.port, debug=settings.debug,
            dev_tools_disable_version_check=True, dev_tools_hot_reload=False)
    return 0


def cmd_db_upgrade(args) -> int:
    from dashboard.bootstrap import prepare_database
    from dashboard.database import current_revision

    settings = _settings()
    engine = _engine(settings)
    prepare_database(engine)
    print(f"Database at revision {current_revision(engine)}: {settings.database_url}")
    return 0


def cmd_demo(args) -> int:
    from dashboard.bootstrap import load_demo, prepare_database

    settings = _settings()
    engine = _engine(settings)
    prepare_database(engine)
    started = time.perf_counter()
    info = load_demo(engine, seed=args.seed, scale=args.scale)
    from dashboard.repository import establishment_counts

    counts = establishment_counts(engine, info.id)
    print(f"Demo dataset loaded (seed {args.seed}, scale {args.scale:g}) in {time.perf_counter() - started:.1f} s: "
          f"{counts['active']:,} active and {counts['closed']:,} closed establishments (synthetic).")
    return 0


def cmd_dataset_list(args) -> int:
    from dashboard.bootstrap import prepare_database
    from dashboard.repository import establishment_counts, list_datasets

    settings = _settings()
    engine = _engine(settings)
    prepare_database(engine)
    datasets = list_datasets(engine)
    active = _active_name(engine)
    if not datasets:
        print("No dataset loaded. Run `tissu demo` or an import.")
    for d in datasets:
        counts = establishment_counts(engine, d.id)
        print(f"{'*' if d.name == active else ' '} {d.name:<12} {d.label:<40} "
              f"{counts['active']:>8,} active  source: {d.source_name} ({d.source_date})")
    return 0


def _active_name(engine) -> str | None:
    from dashboard.repository import active_dataset

    active = active_dataset(engine)
    return active.name if active else None


def cmd_dataset_use(args) -> int:
    from dashboard.repository import activate_dataset

    engine = _engine(_settings())
    try:
        info = activate_dataset(engine, args.name)
    except LookupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Active dataset: {info.name} ({info.label})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tissu",
        description="tissu: the industrial ecosystem of Lorraine on one map. "
                    "Settings come from TISSU_* environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"tissu {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="start the web app (creates the database and loads the demo on first start)")
    serve.add_argument("--host", help="listen address (default: TISSU_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: TISSU_PORT or 8050)")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="create or migrate the schema and load the bundled reference data") \
        .set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="(re)generate the synthetic demo dataset and make it active")
    demo.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="size multiplier: 1 ≈ 9,500 establishments, 10 ≈ 95,000, 100 ≈ 950,000 (default: 1)")
    demo.set_defaults(func=cmd_demo)

    dataset = sub.add_parser("dataset", help="list the loaded datasets or choose the active one")
    ds_sub = dataset.add_subparsers(dest="dataset_command", required=True, metavar="ACTION")
    ds_sub.add_parser("list", help="list datasets (* = active)").set_defaults(func=cmd_dataset_list)
    use = ds_sub.add_parser("use", help="make a dataset active")
    use.add_argument("name", help="dataset name, e.g. demo")
    use.set_defaults(func=cmd_dataset_use)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    from dashboard.settings import SettingsError

    try:
        return args.func(args)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
