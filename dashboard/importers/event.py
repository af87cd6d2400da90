"""Import an event's participants (CSV or XLSX, template: `tissu template event`): `tissu import event FILE`.

One row per participant: reference, role (exposant / visiteur), name, optional SIRET (linked to the
establishment of the active dataset when known), commune (INSEE code or name; taken from the
establishment when empty), stand (exhibitors), offered and needed capabilities (codes or labels,
separated by `;`), availability (half-days J1AM;J1PM;J2AM…, empty = the whole event), maximum
meetings, and the references of the participants it wants to meet. The file replaces the event of
the same name in one transaction (importing it twice gives the same state; its meetings are
dropped: run `tissu event schedule`). A row with a problem is rejected as a whole and reported with
its line and reason; a request naming an unknown or rejected participant is dropped and reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from dashboard import repository
from dashboard.analytics.scheduling import EventGrid, parse_availability
from dashboard.importers.errors import ArgumentError, FileFormatError
from dashboard.importers.report import ImportOutcome, ImportReport, outcome_with_issues_file
from dashboard.importers.sheets import Cell, cell_text, read_sheet
from dashboard.importers.taxonomy import Vocabulary, plain, split_values
from dashboard.importers.template_file import template_target, template_workbook
from dashboard.reference import load_reference

TEMPLATE_COLUMNS = ("Réf", "Rôle", "Nom", "SIRET", "Commune", "Stand", "Propose", "Cherche", "Disponibilités",
                    "Max rendez-vous", "Souhaite rencontrer")
_ACCEPTED = {
    "ref": ("ref", "reference", "id", "identifiant"),
    "role": ("role", "type", "profil"),
    "name": ("nom", "raison sociale", "entreprise", "name"),
    "siret": ("siret", "n siret"),
    "commune": ("commune", "code commune", "ville", "code insee"),
    "stand": ("stand",),
    "offers": ("propose", "offre", "savoir faire", "offres"),
    "needs": ("cherche", "besoins", "besoin", "recherche"),
    "availability": ("disponibilites", "disponibilite", "demi journees"),
    "max": ("max rendez vous", "maximum", "max rdv", "rendez vous max"),
    "wants": ("souhaite rencontrer", "demandes", "rencontrer"),
}
_MANDATORY = ("ref", "role", "name")
ROLES = {"exposant": "exposant", "exposants": "exposant", "exhibitor": "exposant",
         "visiteur": "visiteur", "visiteurs": "visiteur", "visitor": "visiteur"}
DEFAULT_MAX_MEETINGS = 8
DEFAULT_EVENT_TEMPLATE = Path("modele-evenement.xlsx")


@dataclass(frozen=True)
class EventOptions:
    name: str = "Proxi indus"
    venue: str = "Parc des expositions de Metz"
    starts_on: dt.date = dt.date(2027, 3, 17)
    days: int = 2
    day_start_minute: int = 9 * 60
    day_end_minute: int = 17 * 60
    slot_minutes: int = 20
    meeting_target: int = 3000

    def grid(self) -> EventGrid:
        try:
            return EventGrid(starts_on=self.starts_on, days=self.days, day_start_minute=self.day_start_minute,
                             day_end_minute=self.day_end_minute, slot_minutes=self.slot_minutes)
        except ValueError as err:
            raise ArgumentError(str(err)) from None


def parse_time(text: str) -> int:
    """'09:00' or '9h' -> minutes after midnight (ArgumentError otherwise)."""
    found = re.fullmatch(r"(\d{1,2})(?:[:h](\d{2})?)?", text.strip())
    if not found or int(found.group(1)) > 23 or int(found.group(2) or 0) > 59:
        raise ArgumentError(f"time {text!r}: expected HH:MM, e.g. 09:00")
    return int(found.group(1)) * 60 + int(found.group(2) or 0)


@dataclass
class _Row:
    line: int
    cells: dict[str, str] = field(default_factory=dict)


def _canonical(header: object) -> str | None:
    key = plain(str(header or "")).replace("-", " ").replace("'", " ")
    key = re.sub(r"\s+", " ", key).strip()
    return next((name for name, spellings in _ACCEPTED.items() if key in spellings), None)


def read_event_rows(path: Path | str) -> list[_Row]:
    """Rows of a participant file (CSV `;`/`,`/tab, or XLSX); FileFormatError before any row is used."""
    path = Path(path)
    table = read_sheet(path, rank=_participant_sheet_rank)
    names = table.columns(_canonical)
    missing = [{"ref": "Réf", "role": "Rôle", "name": "Nom"}[k] for k in _MANDATORY if k not in names]
    if missing:
        shown = ", ".join(cell_text(h) for h in table.header[:6])
        raise FileFormatError(path, f"is not a participant list: missing column(s) {', '.join(missing)} "
                                    f"(header starts with: {shown}); write one with `tissu template event`")
    return [_Row(line.number, {k: line.text(i) for k, i in names.items()}) for line in table.records()]


def _participant_sheet_rank(title: str, header: Sequence[Cell]) -> int:
    return int(any(_canonical(h) == "ref" for h in header))


def import_event(engine: Engine, path: Path | str, options: EventOptions = EventOptions(), *,
                 report_dir: Path | None = None) -> ImportOutcome:
    """Replace the event `options.name` by the participants of a file (one transaction); see the module doc."""
    from dashboard.bootstrap import prepare_database

    path = Path(path)
    grid = options.grid()
    rows = read_event_rows(path)
    prepare_database(engine)
    ref = load_reference()
    vocabulary = Vocabulary.from_frame("capability", ref.capabilities)
    communes = repository.communes_frame(engine)
    commune_by_code = {c: (la, lo) for c, la, lo in zip(communes["code"], communes["lat"], communes["lon"])}
    by_name: dict[str, list[str]] = {}
    for code, name in zip(communes["code"], communes["name"]):
        by_name.setdefault(plain(name), []).append(code)
    active = repository.active_dataset(engine)
    sites = repository.establishments_for_event(engine, active.id) if active else None
    site_of: dict[str, dict] = {}
    if sites is not None:
        for r in sites.to_dict("records"):
            site_of[r["public_id"]] = r
            if r["siret"]:
                site_of[r["siret"]] = r
    report = ImportReport("event")
    source = path.name
    participants, capabilities, wants = [], [], []
    refs: dict[str, int] = {}
    stands: dict[str, int] = {}
    for row in rows:
        c = row.cells
        key = c.get("ref", "")
        problems: list[tuple[str, str]] = []
        role = ROLES.get(plain(c.get("role", "")))
        if not key:
            problems.append(("missing_ref", "the reference (Réf) is empty"))
        elif key in refs:
            problems.append(("duplicate_ref", f"reference {key!r} already used on line {refs[key]}"))
        if role is None:
            problems.append(("bad_role", f"role {c.get('role', '')!r}: expected exposant or visiteur"))
        if not c.get("name"):
            problems.append(("missing_name", "the name (Nom) is empty"))
        siret = re.sub(r"[\s.\-\u00a0\u202f]", "", c.get("siret", ""))
        site = site_of.get(siret) if siret else None
        if siret and site is None:
            report.adjust(source, row.line, siret, "unknown_siret",
                          f"SIRET {siret} is not in the active dataset: kept without a link to an establishment")
        commune = c.get("commune", "")
        code = None
        if commune:
            code = commune if commune in commune_by_code else None
            if code is None:
                matches = by_name.get(plain(commune), [])
                if len(matches) == 1:
                    code = matches[0]
                else:
                    problems.append(("unknown_commune" if not matches else "ambiguous_commune",
                                     (f"commune {commune!r} {'unknown' if not matches else 'ambiguous'}: "
                                      "give its INSEE code (e.g. 57463 for Metz)")))
        elif site is not None:
            code = site["commune_code"]
        stand = c.get("stand", "") or None
        if role == "exposant" and not stand:
            problems.append(("missing_stand", "an exhibitor needs a stand"))
        if role == "exposant" and stand in stands:
            problems.append(("duplicate_stand", f"stand {stand} already given on line {stands[stand]}"))
        links = []
        for kind, column in (("offer", "offers"), ("need", "needs")):
            for value in split_values(c.get(column, "")):
                resolved = vocabulary.resolve(value)
                if resolved is None:
                    problems.append(("unknown_capability", vocabulary.unknown_message(value)))
                else:
                    links.append({"participant": key, "capability_code": resolved, "kind": kind})
        try:
            availability = ";".join(parse_availability(c.get("availability", ""), grid))
        except ValueError as err:
            problems.append(("bad_availability", str(err)))
            availability = ""
        maximum = DEFAULT_MAX_MEETINGS
        if c.get("max"):
            try:
                maximum = int(float(c["max"].replace(",", ".")))
                if not 1 <= maximum <= grid.n_slots:
                    raise ValueError
            except ValueError:
                problems.append(("bad_maximum", f"maximum {c['max']!r}: an integer from 1 to {grid.n_slots}"))
        if problems:
            for reason, detail in problems:
                report.reject(source, row.line, siret, reason, detail)
            continue
        refs[key] = row.line
        if role == "exposant" and stand is not None:
            stands[stand] = row.line
        lat, lon = (site["lat"], site["lon"]) if site is not None else commune_by_code.get(code, (None, None))
        participants.append({"key": key, "role": role, "name": c["name"][:200], "siret": siret or None,
                             "establishment_id": int(site["id"]) if site is not None else None,
                             "commune_code": code, "lat": lat, "lon": lon,
                             "stand": stand if role == "exposant" else None, "availability": availability,
                             "max_meetings": maximum})
        capabilities += list({(x["capability_code"], x["kind"]): x for x in links}.values())
        wants += [(row.line, siret, key, target) for target in split_values(c.get("wants", ""))]
    role_of = {p["key"]: p["role"] for p in participants}
    requests, seen = [], set()
    for line, siret, requester, target in wants:
        if target not in role_of:
            report.adjust(source, line, siret, "unknown_request_target",
                          f"request to {target!r} dropped: no accepted participant has this reference")
        elif role_of[target] == role_of[requester]:
            report.adjust(source, line, siret, "request_same_role",
                          f"request to {target!r} dropped: meetings join an exhibitor and a visitor")
        elif (requester, target) not in seen:
            seen.add((requester, target))
            requests.append({"requester": requester, "target": target})
    event = {"name": options.name, "venue": options.venue, "starts_on": options.starts_on, "days": options.days,
             "day_start_minute": options.day_start_minute, "day_end_minute": options.day_end_minute,
             "slot_minutes": options.slot_minutes, "meeting_target": options.meeting_target, "is_demo": False}
    repository.replace_event(engine, event=event, participants=participants, capabilities=capabilities,
                             requests=requests)
    report.counts.update({
        "rows read": len(rows),
        "participants": len(participants),
        "  exhibitors": sum(p["role"] == "exposant" for p in participants),
        "  visitors": sum(p["role"] == "visiteur" for p in participants),
        "  linked to an establishment": sum(p["establishment_id"] is not None for p in participants),
        "meeting requests": len(requests),
    })
    return outcome_with_issues_file(report, report_dir, "event")


_INSTRUCTIONS = (
    "Participants de l'événement pour tissu : une ligne par exposant ou visiteur.",
    "Réf : identifiant unique dans le fichier (ex. E001, V0001), utilisé dans « Souhaite rencontrer ».",
    "Rôle : exposant ou visiteur. Nom : raison sociale affichée sur les agendas.",
    "SIRET (facultatif) : relie le participant à l'établissement de la base (localisation, certifications).",
    "Commune : code INSEE (57463) ou nom ; vide = celle de l'établissement du SIRET.",
    "Stand : obligatoire pour un exposant (les rendez-vous ont lieu sur son stand).",
    "Propose / Cherche : savoir-faire (codes ou libellés de l'onglet « Savoir-faire »), séparés par des ;.",
    "Disponibilités : demi-journées J1AM;J1PM;J2AM;J2PM (vide = tout l'événement).",
    "Max rendez-vous : entier (vide = 8). Souhaite rencontrer : Réf des participants souhaités, séparées par des ;.",
    "Import : tissu import event FICHIER --date AAAA-MM-JJ, puis tissu event schedule.",
)


def write_event_template(path: Path | str = DEFAULT_EVENT_TEMPLATE, *, overwrite: bool = False) -> Path:
    """Write the participant template: XLSX (with the capability list and instructions) or CSV (`;`, UTF-8 BOM)."""
    path = template_target(path, overwrite=overwrite)
    suffix = path.suffix.lower()
    example = [("E001", "exposant", "Exemple Traitements SAS", "", "57463", "A01", "traitement_thermique",
                "", "", "20", "V0001"),
               ("V0001", "visiteur", "Exemple Mécanique SARL", "", "Nancy", "", "", "traitement_thermique",
                "J1AM;J2PM", "4", "E001")]
    if suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")  # quotes "J1AM;J2PM"
            writer.writerows([TEMPLATE_COLUMNS, *example])
        return path
    ref = load_reference()
    book, sheet = template_workbook("Participants", TEMPLATE_COLUMNS)
    for row in example:
        sheet.append(list(row))
    for row_number in range(2, 3001):
        sheet.cell(row=row_number, column=4).number_format = "@"  # SIRET as text
    sheet.freeze_panes = "A2"
    tab = book.create_sheet("Savoir-faire")
    tab.append(["code", "libellé"])
    for r in ref.capabilities.to_dict("records"):
        tab.append([r["code"], r["label"]])
    notes = book.create_sheet("Mode d'emploi")
    for line in _INSTRUCTIONS:
        notes.append([line])
    book.save(path)
    return path
