"""The `tissu` command: serve the app, manage the database, load the demo."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from dashboard import __version__
from dashboard.cli_users import add_user_commands


def _settings():
    from dashboard import territory
    from dashboard.settings import load_settings

    settings = load_settings()
    territory.activate(settings.territory)  # before any reference data is read
    return settings


def _departments_argument(value: str | None) -> str:
    """--departements, defaulting to the departments of TISSU_TERRITORY."""
    return value or ",".join(_settings().territory.departments)


def _engine(settings):
    from dashboard.database import make_engine

    return make_engine(settings.database_url)


def cmd_serve(args) -> int:
    from dataclasses import replace

    from dashboard.server import serve

    settings = _settings()
    overrides = {k: v for k, v in {"host": args.host, "port": args.port, "workers": args.workers,
                                   "threads": args.threads}.items() if v is not None}
    return serve(replace(settings, **overrides), dev=args.dev)


def cmd_db_upgrade(args) -> int:
    from dashboard.bootstrap import prepare_database
    from dashboard.database import current_revision, display_url

    settings = _settings()
    engine = _engine(settings)
    prepare_database(engine)
    print(f"Database at revision {current_revision(engine)}: {display_url(settings.database_url)}")
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
    _keep_snapshot(settings, engine)
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

    settings = _settings()
    engine = _engine(settings)
    try:
        info = activate_dataset(engine, args.name)
    except LookupError as err:
        return _refused(err)
    print(f"Active dataset: {info.name} ({info.label})")
    _keep_snapshot(settings, engine)
    return 0


def _keep_snapshot(settings, engine) -> None:
    """Write the active dataset's columnar copy (Parquet in the instance folder) now, after the command that
    changed it, so that a server restarting or noticing the new version reads it in seconds instead of loading
    the establishments with SQL itself (minutes at a million). A failure here changes nothing: the server then
    loads from the database as before."""
    from dashboard.services import DataService

    started = time.perf_counter()
    try:
        DataService(engine, settings).snapshot()
    except Exception as err:  # noqa: BLE001 - the data is committed; only the copy for a faster start is missing
        print(f"note: the columnar copy for the server was not written ({err}); it will load from the database.",
              file=sys.stderr)
        return
    print(f"Snapshot for the server kept in {settings.instance_dir} ({time.perf_counter() - started:.1f} s).")


def _refused(err: Exception) -> int:
    """The one-line error of a refused command (no traceback) and its exit code, 2: nothing was changed."""
    print(f"error: {err}", file=sys.stderr)
    return 2


# --- Imports (docs/real-data.md) -----------------------------------------------------------------
# Exit codes: 0 = every row in scope accepted; 1 = imported, but some rows were rejected (see the
# report); 2 = nothing imported (bad file or arguments, interrupted): the database is unchanged.

def _where(settings) -> str:
    from dashboard.database import display_url

    return display_url(settings.database_url)


def _report_dir(settings):
    """Where import reports go: beside the SQLite file, else in the instance folder."""
    from pathlib import Path

    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).parent
    return Path(settings.instance_dir)


def _run_import(title: str, action) -> int:
    from sqlalchemy.exc import DBAPIError

    from dashboard.database import describe_failure
    from dashboard.importers import EXIT_NOTHING_IMPORTED, EXIT_REJECTED_ROWS, ImportFailed

    settings = _settings()
    engine = _engine(settings)
    started = time.perf_counter()
    try:
        outcome = action(engine, _report_dir(settings))
    except ImportFailed as err:
        print(f"error: {err}\nNothing was imported: the database is unchanged.", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was imported, the database is unchanged.", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    except DBAPIError as err:  # one transaction: rolled back, nothing written
        print(f"error: {describe_failure(err)} ({_where(settings)}).\nNothing was imported: the database is "
              "unchanged.", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    except OSError as err:  # the report file (beside the database): a full disk, a read-only folder
        print(f"error: {err.filename or 'a file'}: {err.strerror or err}.\nNothing was imported: the database "
              "is unchanged.", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    finally:
        engine.dispose()
    print(f"{title} ({time.perf_counter() - started:.1f} s)")
    print("\n".join(outcome.report.summary_lines()))
    if outcome.dataset is not None:
        d = outcome.dataset
        print(f"Dataset {d.name!r} ({d.label}) is active; source: {d.source_name}, {d.source_date}.")
        if not d.is_demo:
            print("Switch back to the demo with `tissu dataset use demo`.")
    if outcome.report_file is not None:
        print(f"Report (every rejected or adjusted row): {outcome.report_file}")
    if outcome.dataset is not None:  # a new dataset version: its columnar copy for the servers
        engine = _engine(settings)
        try:
            _keep_snapshot(settings, engine)
        finally:
            engine.dispose()
    if outcome.exit_code == EXIT_REJECTED_ROWS:
        print("Some rows were rejected (exit code 1): see the report.")
    return outcome.exit_code


def cmd_import_sirene(args) -> int:
    from pathlib import Path

    from dashboard.importers import ImportFailed
    from dashboard.importers.sirene import SireneOptions, import_sirene, parse_date, parse_departments, parse_sections

    try:
        options = SireneOptions(
            etablissements=Path(args.etablissements),
            geoloc=Path(args.geoloc) if args.geoloc else None,
            unites_legales=Path(args.unites_legales) if args.unites_legales else None,
            departements=parse_departments(_departments_argument(args.departements)),
            sections=parse_sections(args.sections),
            source_date=parse_date(args.date) if args.date else None,
        )
    except ImportFailed as err:
        return _refused(err)
    return _run_import(f"Sirene import of {options.etablissements.name}",
                       lambda engine, report_dir: import_sirene(engine, options, report_dir=report_dir,
                                                                progress=not args.no_progress))


class _FileImport(NamedTuple):
    """A `tissu import KIND FILE` whose importer is dashboard.importers.<module>.<function>(engine, FILE,
    report_dir=…): loaded on use, so that `tissu --help` imports no importer."""

    title: str
    module: str
    function: str
    help: str
    file_help: str


_FILE_IMPORTS = {
    "members": _FileImport("Member list import", "members", "import_members",
                           "the UIMM member list (CSV or XLSX, see `tissu template members`)", "the member list"),
    "establishments": _FileImport("Establishments abroad import", "establishments", "import_establishments",
                                  "sites abroad: Luxembourg, Saarland, Wallonia… (CSV or XLSX, see "
                                  "`tissu template establishments`)", "the establishments file"),
    "urssaf": _FileImport("URSSAF import", "urssaf", "import_urssaf",
                          "URSSAF employment exports (department × NA38 quarterly, or commune × APE annual), CSV ';'",
                          "the URSSAF open-data CSV export"),
    "indicators": _FileImport("Indicator import", "indicators", "import_indicators",
                              "curated series and projects (CSV or XLSX, see `tissu template indicators`)",
                              "the indicator file"),
    "territoires-industrie": _FileImport(
        "Territoires d'industrie import", "territories", "import_territories",
        "the ANCT Territoires d'industrie commune file (insee_com, lib_com, id_ti, lib_ti)", "liste-ti-com2023-….csv"),
    "training": _FileImport("Training import", "training", "import_training",
                            "training sites and their graduates by trade (see `tissu template training`)",
                            "the training file (CSV or XLSX)"),
    "bassins": _FileImport("Bassin mapping import", "bassins", "import_bassins",
                           "communes of each BMO bassin (CSV or XLSX: code commune, code bassin[, nom bassin]) so "
                           "that the skills map can draw them", "the commune → bassin file"),
}


def cmd_import_file(args) -> int:
    """The imports that take one file and nothing else; the importer is loaded on use, as in every command."""
    spec = _FILE_IMPORTS[args.file_import]
    importer = getattr(importlib.import_module(f"dashboard.importers.{spec.module}"), spec.function)
    return _run_import(f"{spec.title} of {args.file}",
                       lambda engine, report_dir: importer(engine, args.file, report_dir=report_dir))


def cmd_import_idcc(args) -> int:
    from dashboard.importers.idcc import import_idcc

    return _run_import(f"IDCC import of {args.file}",
                       lambda engine, report_dir: import_idcc(engine, args.file, report_dir=report_dir,
                                                              progress=not args.no_progress))


def cmd_import_bmo(args) -> int:
    from pathlib import Path

    from dashboard.importers import ImportFailed
    from dashboard.importers.bmo import BmoOptions, import_bmo
    from dashboard.importers.sirene import parse_date, parse_departments

    try:
        options = BmoOptions(path=Path(args.file),
                             departements=parse_departments(_departments_argument(args.departements)),
                             sheet=args.sheet, source_date=parse_date(args.date) if args.date else None)
    except ImportFailed as err:
        return _refused(err)
    return _run_import(f"BMO import of {options.path.name}",
                       lambda engine, report_dir: import_bmo(engine, options, report_dir=report_dir,
                                                             progress=not args.no_progress))


def cmd_import_event(args) -> int:
    import datetime as dt

    from dashboard.importers import ImportFailed
    from dashboard.importers.event import EventOptions, import_event, parse_time

    try:
        options = EventOptions(
            name=args.name, venue=args.venue, starts_on=dt.date.fromisoformat(args.date), days=args.days,
            day_start_minute=parse_time(args.start), day_end_minute=parse_time(args.end),
            slot_minutes=args.slot, meeting_target=args.target)
        options.grid()
    except (ImportFailed, ValueError) as err:
        return _refused(err)
    code = _run_import(f"Event import of {args.file}",
                       lambda engine, report_dir: import_event(engine, args.file, options, report_dir=report_dir))
    if code != 2:
        print("Next: `tissu event schedule` builds the meeting programme.")
    return code


def _write_template(write, default: str | Path, args, *, label: str, next_step: str) -> int:
    """Write an import template (XLSX or CSV by the path's suffix) and say how to import it."""
    from dashboard.importers import ImportFailed

    try:
        path = write(args.path or default, overwrite=args.force)
    except ImportFailed as err:
        return _refused(err)
    print(f"{label} template written: {path}. Fill it in, then run `{next_step.format(path=path)}`.")
    return 0


def cmd_template_members(args) -> int:
    from dashboard.importers.templates import DEFAULT_MEMBERS_TEMPLATE, write_members_template

    return _write_template(write_members_template, DEFAULT_MEMBERS_TEMPLATE, args, label="Member list",
                           next_step="tissu import members {path}")


def cmd_template_establishments(args) -> int:
    from dashboard.importers.templates import DEFAULT_ESTABLISHMENTS_TEMPLATE, write_establishments_template

    return _write_template(write_establishments_template, DEFAULT_ESTABLISHMENTS_TEMPLATE, args,
                           label="Establishments abroad", next_step="tissu import establishments {path}")


def cmd_template_training(args) -> int:
    from dashboard.importers.training import DEFAULT_TRAINING_TEMPLATE, write_training_template

    return _write_template(write_training_template, DEFAULT_TRAINING_TEMPLATE, args, label="Training",
                           next_step="tissu import training {path}")


def cmd_template_indicators(args) -> int:
    from dashboard.importers.indicators import write_indicators_template

    return _write_template(write_indicators_template, "modele-indicateurs.xlsx", args, label="Indicator",
                           next_step="tissu import indicators {path}")


def cmd_template_event(args) -> int:
    from dashboard.importers.event import DEFAULT_EVENT_TEMPLATE, write_event_template

    return _write_template(write_event_template, DEFAULT_EVENT_TEMPLATE, args, label="Participant",
                           next_step="tissu import event {path} --date YYYY-MM-DD")


def cmd_event_schedule(args) -> int:
    from dashboard.bootstrap import prepare_database
    from dashboard.services.event import EventError, require_event, schedule_event

    settings = _settings()
    engine = _engine(settings)
    prepare_database(engine)
    try:
        event = require_event(engine)
    except EventError as err:
        return _refused(err)
    summary = schedule_event(engine, event, keep_scheduled=args.keep)
    print(f"{event.name}: {summary.placed:,} meetings scheduled ({summary.placed_requested:,} of "
          f"{summary.requested:,} requested), {summary.kept:,} kept in place, from {summary.candidates:,} "
          f"candidates; total score {summary.total_score:,.0f}; schedule validated; {summary.seconds:.1f} s.")
    return 0


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an integer") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("expected 1 to 64")
    return value


def _long_import(imp_sub: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int],
                 help: str, description: str | None = None) -> argparse.ArgumentParser:
    """An importer of large files: it shows a progress bar on stderr unless `--no-progress`."""
    parser = imp_sub.add_parser(name, help=help, description=description)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tissu",
        description="tissu: the industrial ecosystem of a territory (Lorraine by default) on one map. "
                    "Settings come from TISSU_* environment variables (see README).",
    )
    parser.add_argument("--version", action="version", version=f"tissu {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="start the web app (creates the database and loads the demo on first start)")
    serve.add_argument("--host", help="listen address (default: TISSU_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: TISSU_PORT or 8050)")
    serve.add_argument("--workers", type=_positive, help="server processes (default: TISSU_WORKERS, else "
                                                        "cores + 1, at most 4)")
    serve.add_argument("--threads", type=_positive, help="threads per process (default: TISSU_THREADS or 2)")
    serve.add_argument("--dev", action="store_true",
                       help="Flask's development server, reloading on code changes (one process; not for an event)")
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

    imp = sub.add_parser(
        "import", help="import real data: Sirene, the member list, the IDCC file (see docs/real-data.md)",
        description="Import real data. Exit codes: 0 = every row accepted; 1 = imported, but some rows "
                    "were rejected (listed in the report); 2 = nothing imported (bad file or arguments), "
                    "the database is unchanged.")
    imp_sub = imp.add_subparsers(dest="import_command", required=True, metavar="SOURCE")
    sirene = _long_import(
        imp_sub, "sirene", cmd_import_sirene,
        help="the Sirene stock (INSEE): establishments of the chosen departments and NAF sections",
        description="Load the Sirene establishments of the chosen departments and NAF sections as the dataset "
                    "'sirene' and make it active. FILE: CSV, the .zip as downloaded, or Parquet.")
    sirene.add_argument("--etablissements", required=True, metavar="FILE",
                        help="StockEtablissement (mandatory)")
    sirene.add_argument("--geoloc", metavar="FILE",
                        help="GeolocalisationEtablissement_Sirene_pour_etudes_statistiques (optional)")
    sirene.add_argument("--unites-legales", metavar="FILE", help="StockUniteLegale, for company names (optional)")
    sirene.add_argument("--departements", default=None, metavar="CODES",
                        help="departments to keep (default: those of TISSU_TERRITORY, Lorraine: 54,55,57,88)")
    sirene.add_argument("--sections", default="B,C,D,E", metavar="LETTERS",
                        help="NAF sections to keep (default: B,C,D,E)")
    sirene.add_argument("--date", metavar="YYYY-MM-DD",
                        help="source date (default: the latest dateDernierTraitementEtablissement of the file)")
    for kind, spec in _FILE_IMPORTS.items():
        one_file = imp_sub.add_parser(kind, help=spec.help)
        one_file.add_argument("file", help=spec.file_help)
        one_file.set_defaults(func=cmd_import_file, file_import=kind)
    idcc = _long_import(imp_sub, "idcc", cmd_import_idcc,
                        help="collective agreements by SIRET (MOIS,SIRET,IDCC,DATE_MAJ): IDCC 3248")
    idcc.add_argument("file", help="the Labour Ministry file (CSV or zip)")
    bmo = _long_import(
        imp_sub, "bmo", cmd_import_bmo,
        help="France Travail's BMO survey (Base_open_data_BMO_YYYY.xlsx or its `;` CSV re-save)",
        description="Replace the real BMO recruitment needs of the file's years (one transaction). Secret "
                    "cells (`*`) are stored as unknown, never 0.")
    bmo.add_argument("file", help="the BMO open-data workbook or CSV")
    bmo.add_argument("--sheet", help="data sheet of the workbook (default: the one named like BMO_2025_open_data)")
    bmo.add_argument("--departements", default=None, metavar="CODES",
                     help="departments to keep (default: those of TISSU_TERRITORY, Lorraine: 54,55,57,88)")
    bmo.add_argument("--date", metavar="YYYY-MM-DD", help="source date (default: 1 April of the survey year)")
    event_imp = imp_sub.add_parser(
        "event", help="the participants of a B2B event (CSV or XLSX, see `tissu template event`)",
        description="Replace the event NAME by the participants of FILE (one transaction), then run "
                    "`tissu event schedule`.")
    event_imp.add_argument("file", help="the participant list")
    event_imp.add_argument("--name", default="Proxi indus", help="event name (default: Proxi indus)")
    event_imp.add_argument("--venue", default="Parc des expositions de Metz", help="venue")
    event_imp.add_argument("--date", default="2027-03-17", metavar="YYYY-MM-DD", help="first day")
    event_imp.add_argument("--days", type=int, default=2, help="number of days (default: 2)")
    event_imp.add_argument("--start", default="09:00", metavar="HH:MM", help="first slot of a day (default: 09:00)")
    event_imp.add_argument("--end", default="17:00", metavar="HH:MM", help="end of the last slot (default: 17:00)")
    event_imp.add_argument("--slot", type=int, default=20, metavar="MINUTES", help="slot length (default: 20)")
    event_imp.add_argument("--target", type=int, default=3000, help="meeting target shown on the wall")
    event_imp.set_defaults(func=cmd_import_event)

    template = sub.add_parser("template", help="write a template to fill in")
    template_sub = template.add_subparsers(dest="template_command", required=True, metavar="KIND")
    for kind, help_text, default_file, func in (
        ("members", "the member list (XLSX with the lists of codes, or CSV)", "modele-adherents.xlsx",
         cmd_template_members),
        ("establishments", "sites abroad (XLSX with the lists of codes, or CSV)", "modele-etablissements.xlsx",
         cmd_template_establishments),
        ("indicators", "series and projects to import (XLSX or CSV)", "modele-indicateurs.xlsx",
         cmd_template_indicators),
        ("training", "training sites × trades × years (XLSX or CSV)", "modele-formations.xlsx", cmd_template_training),
        ("event", "an event's participants (XLSX with the capabilities, or CSV)", "modele-evenement.xlsx",
         cmd_template_event),
    ):
        kind_parser = template_sub.add_parser(kind, help=help_text)
        kind_parser.add_argument("path", nargs="?", help=f"file to write, .xlsx or .csv (default: {default_file})")
        kind_parser.add_argument("--force", action="store_true", help="overwrite an existing file")
        kind_parser.set_defaults(func=func)

    event = sub.add_parser("event", help="the B2B meetings of the current event")
    event_sub = event.add_subparsers(dest="event_command", required=True, metavar="ACTION")
    schedule = event_sub.add_parser("schedule", help="match and schedule the meetings (held ones never move)")
    schedule.add_argument("--keep", action="store_true",
                          help="after cancellations: keep every scheduled meeting in place, only refill freed capacity")
    schedule.set_defaults(func=cmd_event_schedule)
    add_user_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    from sqlalchemy.exc import DBAPIError

    from dashboard.database import DatabaseUnavailable, describe_failure
    from dashboard.settings import SettingsError

    try:
        return args.func(args)
    except (SettingsError, DatabaseUnavailable) as err:
        return _refused(err)
    except DBAPIError as err:  # e.g. `tissu serve` on a damaged or read-only database
        print(f"error: {describe_failure(err)} ({_where(_settings())})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
