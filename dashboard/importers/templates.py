"""The member-list template written by `tissu template members [PATH]` (XLSX or CSV)."""

from __future__ import annotations

from pathlib import Path

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


def write_members_template(path: Path | str = DEFAULT_MEMBERS_TEMPLATE, *, overwrite: bool = False) -> Path:
    """Write the template: XLSX (with the lists of codes and labels) or CSV (`;`, UTF-8 with BOM)."""
    path = template_target(path, overwrite=overwrite)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(";".join(TEMPLATE_COLUMNS) + "\r\n", encoding="utf-8-sig")
        return path
    from openpyxl.styles import Font

    ref = load_reference()
    book, sheet = template_workbook("Adhérents", TEMPLATE_COLUMNS)
    for letter, width in zip("ABCDE", (18, 40, 60, 40, 16)):
        sheet.column_dimensions[letter].width = width
    for row in range(2, 1001):  # SIRET as text: Excel would drop the leading zeros of a number
        sheet.cell(row=row, column=1).number_format = "@"
    sheet.freeze_panes = "A2"
    families = dict(zip(ref.capability_families["code"], ref.capability_families["label"]))
    lists = [("Savoir-faire", ("code", "libellé", "famille"),
              [(r["code"], r["label"], families.get(r["family"], "")) for r in ref.capabilities.to_dict("records")]),
             ("Certifications", ("code", "libellé", "périmètre"),
              [(r["code"], r["label"], r["scope"]) for r in ref.certifications.to_dict("records")])]
    for title, header, rows in lists:
        tab = book.create_sheet(title)
        tab.append(list(header))
        for cell in tab[1]:
            cell.font = Font(bold=True)
        for values in rows:
            tab.append(list(values))
        for letter, width in zip("ABC", (26, 40, 40)):
            tab.column_dimensions[letter].width = width
    notes = book.create_sheet("Mode d'emploi")
    for line in _INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    book.save(path)
    return path
