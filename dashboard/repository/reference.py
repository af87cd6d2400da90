"""Bundled reference data: geography, nomenclatures, taxonomy (synced at start, read into lookups)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, insert, inspect, select, update

from dashboard import models as m
from dashboard.reference import ReferenceData
from dashboard.repository._base import (
    _frame,
    _table,
)


def _reference_rows(ref: ReferenceData) -> list[tuple[type[m.Base], list[dict]]]:
    """Rows of every reference table, parents before children."""
    naf = ref.naf
    filiere_code = dict(zip(ref.filieres["label"], ref.filieres["code"]))
    def level(code: str, label: str, **parent: str) -> list[dict]:
        frame = naf.drop_duplicates(code).sort_values(code)
        parent_key, parent_col = next(iter(parent.items())) if parent else (None, None)
        return [
            {"code": r[code], "label": r[label], **({parent_key: r[parent_col]} if parent_key else {})}
            for r in frame.to_dict("records")
        ]
    return [
        (m.Department, [{"code": r["code"], "name": r["nom"], "population": int(r["population"])}
                        for r in ref.departments.to_dict("records")]),
        (m.Epci, [{"code": r["code"], "name": r["nom"], "kind": r["type"], "population": int(r["population_lorraine"])}
                  for r in ref.epci.to_dict("records")]),
        (m.EmploymentZone, [{"code": r["code"], "name": r["nom"], "population": int(r["population_lorraine"])}
                            for r in ref.zones.to_dict("records")]),
        (m.Commune, [{"code": r["code"], "name": r["nom"], "population": int(r["population"]),
                      "department_code": r["departement"], "epci_code": r["epci"] or None,
                      "zone_code": r["zone_emploi"], "lat": float(r["lat"]), "lon": float(r["lon"])}
                     for r in ref.communes.to_dict("records")]),
        (m.Filiere, [{"code": r["code"], "label": r["label"], "color": r["color"], "sort_order": i}
                     for i, r in enumerate(ref.filieres.to_dict("records"))]),
        (m.NafSection, level("section", "section_label")),
        (m.NafDivision, level("division", "division_label", section_code="section")),
        (m.NafGroup, level("group", "group_label", division_code="division")),
        (m.NafClass, level("class", "class_label", group_code="group")),
        (m.NafSubclass, [{"code": r["subclass"], "label": r["subclass_label"], "class_code": r["class"],
                          "filiere_code": filiere_code[r["filiere"]], "metallurgy": r["metallurgie"] or None}
                         for r in naf.to_dict("records")]),
        (m.SizeBand, [{"code": r["code"], "label": r["libelle"], "short_label": r["short_label"],
                       "min_staff": None if pd.isna(r["borne_min"]) else int(r["borne_min"]),
                       "max_staff": None if pd.isna(r["borne_max"]) else int(r["borne_max"]),
                       "headcount_mid": float(r["headcount_mid"]), "sort_order": i}
                      for i, r in enumerate(ref.size_bands.to_dict("records"))]),
        (m.CapabilityFamily, [{"code": r["code"], "label": r["label"], "sort_order": i}
                              for i, r in enumerate(ref.capability_families.to_dict("records"))]),
        (m.Capability, [{"code": r["code"], "label": r["label"], "family_code": r["family"],
                         "description": r["description"], "sort_order": i}
                        for i, r in enumerate(ref.capabilities.to_dict("records"))]),
        (m.Certification, [{"code": r["code"], "label": r["label"], "scope": r["scope"], "sort_order": i}
                           for i, r in enumerate(ref.certifications.to_dict("records"))]),
    ]


def sync_reference(engine: Engine, ref: ReferenceData) -> int:
    """Insert missing reference rows and refresh existing ones (idempotent); returns rows inserted."""
    inserted = 0
    with engine.begin() as conn:
        for model, rows in _reference_rows(ref):
            key = inspect(model).primary_key[0]
            columns = [model.__table__.c[name] for name in rows[0]] if rows else []
            existing = {r.code: r._asdict() for r in conn.execute(select(*columns))} if rows else {}
            new = [r for r in rows if r["code"] not in existing]
            if new:
                conn.execute(insert(model), new)
                inserted += len(new)
            for row in rows:  # refresh only what changed (a new bundled release), not every row at each start
                if row["code"] in existing and existing[row["code"]] != row:
                    conn.execute(update(model).where(key == row["code"]).values(**row))
    return inserted


def reference_is_loaded(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(m.Commune)))


def communes_frame(engine: Engine) -> pd.DataFrame:
    c, d, p, z = m.Commune, m.Department, m.Epci, m.EmploymentZone
    return _frame(engine, select(
        c.code, c.name, c.population, c.department_code, d.name.label("department_name"), c.epci_code,
        p.name.label("epci_name"), c.zone_code, z.name.label("zone_name"), c.lat, c.lon)
        .join(d, d.code == c.department_code).outerjoin(p, p.code == c.epci_code)
        .join(z, z.code == c.zone_code).order_by(c.code))


def departments_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.Department, m.Department.code)


def epci_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.Epci, m.Epci.name)


def zones_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.EmploymentZone, m.EmploymentZone.name)


def filieres_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.Filiere, m.Filiere.sort_order)


def size_bands_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.SizeBand, m.SizeBand.sort_order)


def certifications_frame(engine: Engine) -> pd.DataFrame:
    return _table(engine, m.Certification, m.Certification.sort_order)


def capabilities_frame(engine: Engine) -> pd.DataFrame:
    """Capabilities with their family label, in taxonomy order."""
    cap, fam = m.Capability, m.CapabilityFamily
    return _frame(engine, select(cap.code, cap.label, cap.family_code, fam.label.label("family_label"),
                                 cap.description).join(fam, fam.code == cap.family_code)
                  .order_by(fam.sort_order, cap.sort_order))


def naf_frame(engine: Engine) -> pd.DataFrame:
    """NAF sub-classes with every level of the hierarchy and the filière."""
    s, d, g, k, n = m.NafSection, m.NafDivision, m.NafGroup, m.NafClass, m.NafSubclass
    return _frame(engine, select(
        n.code, n.label, n.filiere_code, n.metallurgy, k.code.label("class_code"), g.code.label("group_code"),
        d.code.label("division_code"), d.label.label("division_label"), s.code.label("section_code"),
        s.label.label("section_label"))
        .join(k, k.code == n.class_code).join(g, g.code == k.group_code).join(d, d.code == g.division_code)
        .join(s, s.code == d.section_code).order_by(n.code))
