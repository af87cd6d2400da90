"""The member-list template written by `tissu template members [PATH]` (XLSX or CSV)."""

from __future__ import annotations

from pathlib import Path

from dashboard.importers.establishments import DEFAULT_ESTABLISHMENTS_TEMPLATE, ESTABLISHMENT_COLUMNS
from dashboard.importers.members import TEMPLATE_COLUMNS
from dashboard.importers.template_file import template_target, template_workbook
from dashboard.reference import load_reference

DEFAULT_MEMBERS_TEMPLATE = Path("modele-adherents.xlsx")

_INSTRUCTIONS = (
    "Liste des adhérents pour tissu : une ligne par établissement.",
    "SIRET : 14 chiffres (les espaces sont acceptés). Formatez la colonne en texte pour garder les zéros initiaux.",
    "Raison sociale : pour votre lecture ; le nom affiché reste celui de la base Sirene.",
    "Savoir-faire : codes ou libellés de l'onglet « Savoir-faire », séparés par des points-virgules "
    "(ex. « Tournage; Soudure TIG »).",
    "Certifications : codes ou libellés de l'onglet « Certifications », séparés par des points-virgules.",
    "Adhérent UIMM : oui ou non (vide = oui).",
    "Une ligne remplace les savoir-faire déclarés et les certifications de l'établissement ; "
    "les établissements absents du fichier ne changent pas.",
    "Import : tissu import members FICHIER (CSV UTF-8 ou XLSX). Les lignes refusées sont listées avec leur raison.",
)
_ESTABLISHMENT_INSTRUCTIONS = (
    "Établissements hors de France pour tissu (Luxembourg, Sarre, Wallonie…) : une ligne par site.",
    "Les sites français viennent de Sirene (tissu import sirene) : une ligne de France est refusée.",
    "Raison sociale : le nom affiché. Code NAF : facultatif, sous-classe NAF rév. 2 (= NACE rév. 2), ex. 25.62B.",
    "Savoir-faire, Certifications : comme la liste des adhérents (onglets « Savoir-faire » et « Certifications »).",
    "Adhérent UIMM : oui ou non (vide = non).",
    "Import : tissu import establishments FICHIER (CSV UTF-8 ou XLSX). Les lignes refusées sont listées avec "
    "leur raison.",
)
_ABROAD_INSTRUCTIONS = (
    "Sites hors de France : Pays (LU, DE, BE, CH, NL ou leur nom ; vide = France), lat et lon en degrés décimaux "
    "(WGS84, ex. 49,4958 et 5,9806), Immatriculation étrangère (RCS, Handelsregister, BCE… : pas de SIRET hors "
    "de France) et Ville. Le site est rattaché à sa région NUTS-3 (Eurostat) ; hors des régions voisines de la "
    "Lorraine, la ligne est refusée.",
)
_WIDTHS = {"SIRET": 18, "Raison sociale": 40, "Savoir-faire": 60, "Certifications": 40, "Adhérent UIMM": 16,
           "Pays": 14, "lat": 12, "lon": 12, "Immatriculation étrangère": 24, "Ville": 24, "Adresse": 40,
           "Code NAF": 12}


def write_members_template(path: Path | str = DEFAULT_MEMBERS_TEMPLATE, *, overwrite: bool = False) -> Path:
    """Write the template: XLSX (with the lists of codes and labels) or CSV (`;`, UTF-8 with BOM)."""
    return _list_template(path, overwrite=overwrite, title="Adhérents", columns=TEMPLATE_COLUMNS,
                          instructions=_INSTRUCTIONS + _ABROAD_INSTRUCTIONS, text_column=1)


def write_establishments_template(path: Path | str = DEFAULT_ESTABLISHMENTS_TEMPLATE, *,
                                  overwrite: bool = False) -> Path:
    """Write the generic establishments template (sites abroad), XLSX with the lists of codes or CSV."""
    return _list_template(path, overwrite=overwrite, title="Établissements", columns=ESTABLISHMENT_COLUMNS,
                          instructions=_ESTABLISHMENT_INSTRUCTIONS + _ABROAD_INSTRUCTIONS,
                          text_column=1 + ESTABLISHMENT_COLUMNS.index("Immatriculation étrangère"))


def _list_template(path: Path | str, *, overwrite: bool, title: str, columns: tuple[str, ...],
                   instructions: tuple[str, ...], text_column: int) -> Path:
    path = template_target(path, overwrite=overwrite)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(";".join(columns) + "\r\n", encoding="utf-8-sig")
        return path
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ref = load_reference()
    book, sheet = template_workbook(title, columns)
    for position, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(name, 16)
    for row in range(2, 1001):  # identifiers as text: Excel would drop the leading zeros of a number
        sheet.cell(row=row, column=text_column).number_format = "@"
    sheet.freeze_panes = "A2"
    families = dict(zip(ref.capability_families["code"], ref.capability_families["label"]))
    lists = [("Savoir-faire", ("code", "libellé", "famille"),
              [(r["code"], r["label"], families.get(r["family"], "")) for r in ref.capabilities.to_dict("records")]),
             ("Certifications", ("code", "libellé", "périmètre"),
              [(r["code"], r["label"], r["scope"]) for r in ref.certifications.to_dict("records")])]
    for tab_title, header, rows in lists:
        tab = book.create_sheet(tab_title)
        tab.append(list(header))
        for cell in tab[1]:
            cell.font = Font(bold=True)
        for values in rows:
            tab.append(list(values))
        for letter, width in zip("ABC", (26, 40, 40)):
            tab.column_dimensions[letter].width = width
    notes = book.create_sheet("Mode d'emploi")
    for line in instructions:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    book.save(path)
    return path
