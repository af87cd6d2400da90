"""Sites abroad in the member list (issue 18): a good row is added with its NUTS-3 region, each problem rejected."""

from __future__ import annotations

from import_support import GEOLOC, SIRENE, UNITS
from test_import_members import sirene_db  # noqa: F401  (the fixture)

from dashboard import repository
from dashboard.importers.establishments import ESTABLISHMENT_COLUMNS, import_establishments
from dashboard.importers.members import TEMPLATE_COLUMNS, import_members
from dashboard.importers.sirene import SireneOptions, import_sirene
from dashboard.importers.templates import write_establishments_template

HEADER = ";".join(TEMPLATE_COLUMNS)


def _write(tmp_path, rows: list[str]):
    path = tmp_path / "adherents-abroad.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_foreign_rows_are_added_tagged_or_rejected_with_their_line(sirene_db, tmp_path):  # noqa: F811
    path = _write(tmp_path, [
        ";Acier Alzette S.A.;Tournage;ISO 9001;oui;Luxembourg;49,4958;5.9806;B 123.456;Esch-sur-Alzette",  # 2 good
        ";Sans Coordonnées GmbH;Tournage;;non;DE;;;HRB 1;Saarbrücken",  # 3 no coordinates
        ";Hors Zone SA;;;oui;BE;43.3;5.4;BE0123;Marseille",  # 4 outside the NUTS regions
        ";Pays Inconnu Ltd;;;oui;Royaume-Uni;51.5;-0.1;X1;Londres",  # 5 unknown country
        ";Mauvais Pays GmbH;;;oui;DE;49.61;6.13;HRB 2;Luxembourg",  # 6 the point is in Luxembourg, not Germany
        ";Sans Numéro SA;;;oui;BE;49.68;5.82;;Arlon",  # 7 no registration number
        ";Acier Alzette bis;;;oui;LU;49.5;5.98;B123456;Esch",  # 8 the same registration again
    ])
    outcome = import_members(sirene_db, path)
    reasons = {(issue.line, issue.reason) for issue in outcome.report.issues}
    assert reasons == {(3, "missing_coordinates"), (4, "outside_nuts_regions"), (5, "unknown_country"),
                       (6, "country_mismatch"), (7, "missing_registration"), (8, "duplicate_registration")}
    info = repository.active_dataset(sirene_db)
    abroad = repository.foreign_establishments_frame(sirene_db, info.id)
    assert abroad["public_id"].tolist() == ["LU-B123456"]  # letters first: never a 14-digit SIRET
    site = abroad.iloc[0]
    assert (site["country"], site["nuts3_code"], site["foreign_id"], site["commune_name"]) == \
        ("LU", "LU000", "B123456", "Esch-sur-Alzette")
    assert site["lat"] == 49.4958 and bool(site["is_member"])
    caps = repository.establishment_capabilities(sirene_db, info.id)
    assert caps[caps["establishment_id"] == site["id"]]["capability_code"].tolist() == ["tournage"]
    # The territory's sites are untouched: none abroad among them, same count as before.
    home = repository.establishments_frame(sirene_db, info.id)
    assert not home["public_id"].eq("LU-B123456").any()


def test_reimporting_a_foreign_row_replaces_it(sirene_db, tmp_path):  # noqa: F811
    import_members(sirene_db, _write(tmp_path, [";Acier Alzette;Tournage;;oui;LU;49.5;5.98;B1;Esch"]))
    import_members(sirene_db, _write(tmp_path, [";Acier Alzette;Fraisage 3 axes;;non;LU;49.6;6.1;B1;Luxembourg"]))
    info = repository.active_dataset(sirene_db)
    abroad = repository.foreign_establishments_frame(sirene_db, info.id)
    assert len(abroad) == 1 and abroad.iloc[0]["commune_name"] == "Luxembourg" and not abroad.iloc[0]["is_member"]
    caps = repository.establishment_capabilities(sirene_db, info.id)
    assert caps[caps["establishment_id"] == abroad.iloc[0]["id"]]["capability_code"].tolist() == ["fraisage_3axes"]


def test_the_establishments_template_imports_sites_abroad_only(sirene_db, tmp_path):  # noqa: F811
    template = write_establishments_template(tmp_path / "modele.csv")
    header = template.read_text(encoding="utf-8-sig").strip()
    assert header.split(";") == list(ESTABLISHMENT_COLUMNS)
    path = tmp_path / "etablissements.csv"
    path.write_text("\n".join([
        header,
        "Prims Stahl GmbH;DE;49,3136;6,7517;HRB 4711;Saarlouis;Industriestraße 1;2410Z;Découpe laser;;",  # 2 good
        "Atelier Lorrain;FR;49.12;6.17;;Metz;;;;;",  # 3 a French site
        "Mauvais NAF SA;BE;49.68;5.82;0123.456.789;Arlon;;99.99Z;;;",  # 4 unknown NAF code
    ]) + "\n", encoding="utf-8")
    outcome = import_establishments(sirene_db, path)
    assert {(i.line, i.reason) for i in outcome.report.issues} == {(3, "french_site"), (4, "unknown_naf")}
    abroad = repository.foreign_establishments_frame(sirene_db, repository.active_dataset(sirene_db).id)
    site = abroad.set_index("public_id").loc["DE-HRB4711"]
    assert (site["nuts3_code"], site["naf_code"], site["address"], bool(site["is_member"])) == \
        ("DEC04", "24.10Z", "Industriestraße 1", False)  # empty member flag: not a member


def test_a_sirene_reimport_keeps_the_sites_abroad(sirene_db, tmp_path):  # noqa: F811
    import_members(sirene_db, _write(tmp_path, [";Acier Alzette;Tournage;ISO 9001;oui;LU;49.5;5.98;B1;Esch"]))
    import_sirene(sirene_db, SireneOptions(etablissements=SIRENE / "StockEtablissement_utf8.csv", geoloc=GEOLOC,
                                           unites_legales=UNITS), progress=False)
    info = repository.active_dataset(sirene_db)
    abroad = repository.foreign_establishments_frame(sirene_db, info.id)
    assert abroad["public_id"].tolist() == ["LU-B1"] and abroad.iloc[0]["nuts3_code"] == "LU000"
    caps = repository.establishment_capabilities(sirene_db, info.id)
    certs = repository.establishment_certifications(sirene_db, info.id)
    assert caps[caps["establishment_id"] == abroad.iloc[0]["id"]]["capability_code"].tolist() == ["tournage"]
    assert certs[certs["establishment_id"] == abroad.iloc[0]["id"]]["certification_code"].tolist() == ["iso9001"]
