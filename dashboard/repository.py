"""The one module that builds SQL. Functions take an engine and return plain values or DataFrames."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.reference import ReferenceData


@dataclass(frozen=True)
class DatasetInfo:
    id: int
    name: str
    label: str
    is_demo: bool
    source_name: str
    source_date: dt.date
    version: int
    loaded_at: dt.datetime
    parameters: str


# --- Reference data ------------------------------------------------------------------------------

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
            key = model.__table__.primary_key.columns.values()[0]
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


# --- Datasets ------------------------------------------------------------------------------------

def _info(row) -> DatasetInfo:
    return DatasetInfo(id=row.id, name=row.name, label=row.label, is_demo=row.is_demo, source_name=row.source_name,
                       source_date=row.source_date, version=row.version, loaded_at=row.loaded_at,
                       parameters=row.parameters)


def active_dataset(engine: Engine) -> DatasetInfo | None:
    with engine.connect() as conn:
        row = conn.execute(select(m.Dataset).where(m.Dataset.is_active.is_(True))).first()
    return _info(row) if row else None


def list_datasets(engine: Engine) -> list[DatasetInfo]:
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(select(m.Dataset).order_by(m.Dataset.id))]


def activate_dataset(engine: Engine, name: str) -> DatasetInfo:
    with engine.begin() as conn:
        dataset_id = conn.scalar(select(m.Dataset.id).where(m.Dataset.name == name))
        if dataset_id is None:
            raise LookupError(f"no dataset named {name!r}")
        conn.execute(update(m.Dataset).values(is_active=m.Dataset.id == dataset_id))
    return active_dataset(engine)


def dataset_version(engine: Engine) -> tuple[int, int] | None:
    """(id, version) of the active dataset: a cheap key for caches."""
    with engine.connect() as conn:
        row = conn.execute(select(m.Dataset.id, m.Dataset.version).where(m.Dataset.is_active.is_(True))).first()
    return (row.id, row.version) if row else None


_ESTABLISHMENT_COLUMNS = ["public_id", "siret", "name", "name_is_personal", "naf_code", "naf_raw", "naf_nomenclature",
                          "size_band_code", "headcount_estimate", "commune_code", "address", "lat", "lon",
                          "location_approximate", "location_quality", "created_on", "state", "closed_on", "is_member",
                          "metallurgy_agreement"]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    present = [c for c in columns if c in frame.columns]
    out = frame[present].astype(object).where(frame[present].notna(), None)
    return out.to_dict("records")


def replace_dataset(
    engine: Engine,
    *,
    name: str,
    label: str,
    is_demo: bool,
    source_name: str,
    source_date: dt.date,
    establishments: pd.DataFrame,
    capabilities: pd.DataFrame,
    certifications: pd.DataFrame,
    parameters: str = "",
    activate: bool = True,
) -> DatasetInfo:
    """Replace the dataset `name` with these rows, in one transaction, and (by default) make it active.

    `establishments` has the columns of `_ESTABLISHMENT_COLUMNS` (public_id unique); the link frames
    have `public_id` plus `capability_code` (and optional `origin`) or `certification_code`.
    """
    if establishments["public_id"].duplicated().any():
        raise ValueError("public_id must be unique within a dataset")
    with engine.begin() as conn:
        previous = conn.execute(select(m.Dataset.id, m.Dataset.version).where(m.Dataset.name == name)).first()
        if previous:
            _delete_dataset_rows(conn, previous.id)
            conn.execute(delete(m.Dataset).where(m.Dataset.id == previous.id))
        if activate:
            conn.execute(update(m.Dataset).values(is_active=False))
        dataset_id = conn.execute(insert(m.Dataset).values(
            name=name, label=label, is_demo=is_demo, is_active=activate, source_name=source_name,
            source_date=source_date, version=(previous.version + 1) if previous else 1,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0), parameters=parameters,
        )).inserted_primary_key[0]
        rows = _records(establishments, _ESTABLISHMENT_COLUMNS)
        common = {"dataset_id": dataset_id, "source_name": source_name, "source_date": source_date, "is_demo": is_demo}
        for row in rows:
            row.update(common)
            row.setdefault("location_approximate", False)
            row.setdefault("name_is_personal", False)
        conn.execute(insert(m.Establishment), rows)
        ids = {public_id: id_ for public_id, id_ in conn.execute(
            select(m.Establishment.public_id, m.Establishment.id).where(m.Establishment.dataset_id == dataset_id))}
        cap_rows = [{"establishment_id": ids[r["public_id"]], "capability_code": r["capability_code"],
                     "origin": r.get("origin") or "declared"}
                    for r in _records(capabilities, ["public_id", "capability_code", "origin"])]
        if cap_rows:
            conn.execute(insert(m.EstablishmentCapability), cap_rows)
        cert_rows = [{"establishment_id": ids[r["public_id"]], "certification_code": r["certification_code"]}
                     for r in _records(certifications, ["public_id", "certification_code"])]
        if cert_rows:
            conn.execute(insert(m.EstablishmentCertification), cert_rows)
    return active_dataset(engine) if activate else next(d for d in list_datasets(engine) if d.name == name)


def _delete_dataset_rows(conn, dataset_id: int) -> None:
    # Explicit deletes rather than ON DELETE CASCADE: portable whatever the backend's FK settings.
    ids = select(m.Establishment.id).where(m.Establishment.dataset_id == dataset_id).scalar_subquery()
    conn.execute(delete(m.EstablishmentCapability).where(m.EstablishmentCapability.establishment_id.in_(ids)))
    conn.execute(delete(m.EstablishmentCertification).where(m.EstablishmentCertification.establishment_id.in_(ids)))
    conn.execute(delete(m.Establishment).where(m.Establishment.dataset_id == dataset_id))


# --- Reads ---------------------------------------------------------------------------------------

def _frame(engine: Engine, statement) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def establishments_frame(engine: Engine, dataset_id: int, *, include_closed: bool = False) -> pd.DataFrame:
    """Establishments of a dataset with their commune's territories and their NAF filière, one row each."""
    e, c, n = m.Establishment, m.Commune, m.NafSubclass
    statement = (
        select(e.id, e.public_id, e.siret, e.name, e.naf_code, n.label.label("naf_label"),
               n.filiere_code, n.metallurgy, e.size_band_code, e.headcount_estimate, e.commune_code,
               c.name.label("commune_name"), c.department_code, c.epci_code, c.zone_code, e.address, e.lat, e.lon,
               e.location_approximate, e.location_quality, e.created_on, e.state, e.closed_on, e.is_member,
               e.metallurgy_agreement, e.name_is_personal, e.naf_raw, e.naf_nomenclature, e.source_name,
               e.source_date, e.is_demo)
        .join(c, c.code == e.commune_code)
        .outerjoin(n, n.code == e.naf_code)
        .where(e.dataset_id == dataset_id)
        .order_by(e.id)
    )
    if not include_closed:
        statement = statement.where(e.state == "A")
    return _frame(engine, statement)


def establishment_capabilities(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(establishment_id, capability_code, origin) links of a dataset."""
    link, e = m.EstablishmentCapability, m.Establishment
    return _frame(engine, select(link.establishment_id, link.capability_code, link.origin)
                  .join(e, e.id == link.establishment_id).where(e.dataset_id == dataset_id)
                  .order_by(link.establishment_id, link.capability_code))


def establishment_certifications(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(establishment_id, certification_code) links of a dataset."""
    link, e = m.EstablishmentCertification, m.Establishment
    return _frame(engine, select(link.establishment_id, link.certification_code)
                  .join(e, e.id == link.establishment_id).where(e.dataset_id == dataset_id)
                  .order_by(link.establishment_id, link.certification_code))


def communes_frame(engine: Engine) -> pd.DataFrame:
    c, d, p, z = m.Commune, m.Department, m.Epci, m.EmploymentZone
    return _frame(engine, select(
        c.code, c.name, c.population, c.department_code, d.name.label("department_name"), c.epci_code,
        p.name.label("epci_name"), c.zone_code, z.name.label("zone_name"), c.lat, c.lon)
        .join(d, d.code == c.department_code).outerjoin(p, p.code == c.epci_code)
        .join(z, z.code == c.zone_code).order_by(c.code))


def _table(engine: Engine, model, order) -> pd.DataFrame:
    return _frame(engine, select(*model.__table__.columns).order_by(order))


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


def establishment_counts(engine: Engine, dataset_id: int) -> dict[str, int]:
    """Active and closed establishments of a dataset."""
    e = m.Establishment
    with engine.connect() as conn:
        rows = conn.execute(select(e.state, func.count()).where(e.dataset_id == dataset_id).group_by(e.state)).all()
    counts = {state: n for state, n in rows}
    return {"active": counts.get("A", 0), "closed": counts.get("F", 0)}


# --- Importers -----------------------------------------------------------------------------------
# Writes of `tissu import members/idcc` on an existing dataset, and the reads that the importers
# need. Each write runs in one transaction and bumps the dataset version (caches then rebuild).

_IN_CHUNK = 500  # ids per IN (…) list: well under SQLite's bound-parameter limit


def _chunks(values: list, size: int = _IN_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def dataset_named(engine: Engine, name: str) -> DatasetInfo | None:
    with engine.connect() as conn:
        row = conn.execute(select(m.Dataset).where(m.Dataset.name == name)).first()
    return _info(row) if row else None


def establishment_keys(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(id, siret, naf_code, name) of every establishment of a dataset, closed ones included."""
    e = m.Establishment
    return _frame(engine, select(e.id, e.siret, e.naf_code, e.name).where(e.dataset_id == dataset_id)
                  .order_by(e.id))


@dataclass(frozen=True)
class DatasetEnrichments:
    """What member and IDCC imports added to a dataset, keyed by SIRET (carried over on re-import)."""

    flags: pd.DataFrame  # siret, is_member, metallurgy_agreement (rows where either is set)
    declared_capabilities: pd.DataFrame  # siret, capability_code
    certifications: pd.DataFrame  # siret, certification_code


def dataset_enrichments(engine: Engine, name: str) -> DatasetEnrichments:
    """Member flags, IDCC flags, declared capabilities and certifications of the dataset `name`."""
    e, cap, cert, d = m.Establishment, m.EstablishmentCapability, m.EstablishmentCertification, m.Dataset
    in_dataset = e.dataset_id == select(d.id).where(d.name == name).scalar_subquery()
    return DatasetEnrichments(
        flags=_frame(engine, select(e.siret, e.is_member, e.metallurgy_agreement)
                     .where(in_dataset, (e.is_member.is_(True)) | (e.metallurgy_agreement.is_not(None)))
                     .order_by(e.siret)),
        declared_capabilities=_frame(engine, select(e.siret, cap.capability_code)
                                     .join(e, e.id == cap.establishment_id)
                                     .where(in_dataset, cap.origin == "declared")
                                     .order_by(e.siret, cap.capability_code)),
        certifications=_frame(engine, select(e.siret, cert.certification_code)
                              .join(e, e.id == cert.establishment_id).where(in_dataset)
                              .order_by(e.siret, cert.certification_code)),
    )


@dataclass(frozen=True)
class MemberUpdate:
    """The new state of one establishment after a member import."""

    establishment_id: int
    is_member: bool
    capabilities: dict[str, str]  # every capability of the establishment: code -> 'declared' | 'presumed'
    certifications: tuple[str, ...]


def _bump_version(conn, dataset_id: int) -> None:
    conn.execute(update(m.Dataset).where(m.Dataset.id == dataset_id).values(version=m.Dataset.version + 1))


def apply_member_updates(engine: Engine, dataset_id: int, updates: list[MemberUpdate]) -> DatasetInfo:
    """Replace the capabilities, certifications and member flag of these establishments (one transaction)."""
    e, cap, cert = m.Establishment, m.EstablishmentCapability, m.EstablishmentCertification
    ids = [u.establishment_id for u in updates]
    with engine.begin() as conn:
        known = set()
        for chunk in _chunks(ids):
            known |= set(conn.scalars(select(e.id).where(e.dataset_id == dataset_id, e.id.in_(chunk))))
        if len(known) != len(set(ids)):
            raise LookupError(f"{len(set(ids) - known)} establishment(s) are not in dataset {dataset_id}")
        for chunk in _chunks(ids):
            conn.execute(delete(cap).where(cap.establishment_id.in_(chunk)))
            conn.execute(delete(cert).where(cert.establishment_id.in_(chunk)))
        cap_rows = [{"establishment_id": u.establishment_id, "capability_code": code, "origin": origin}
                    for u in updates for code, origin in sorted(u.capabilities.items())]
        if cap_rows:
            conn.execute(insert(cap), cap_rows)
        cert_rows = [{"establishment_id": u.establishment_id, "certification_code": code}
                     for u in updates for code in sorted(set(u.certifications))]
        if cert_rows:
            conn.execute(insert(cert), cert_rows)
        for flag in (True, False):
            for chunk in _chunks([u.establishment_id for u in updates if u.is_member is flag]):
                conn.execute(update(e).where(e.id.in_(chunk)).values(is_member=flag))
        _bump_version(conn, dataset_id)
    return next(d for d in list_datasets(engine) if d.id == dataset_id)


def set_metallurgy_agreements(engine: Engine, dataset_id: int, values: dict[int, bool | None]) -> DatasetInfo:
    """Set `metallurgy_agreement` of every establishment of the dataset: the value given, else NULL."""
    e = m.Establishment
    with engine.begin() as conn:
        conn.execute(update(e).where(e.dataset_id == dataset_id).values(metallurgy_agreement=None))
        for flag in (True, False):
            for chunk in _chunks(sorted(i for i, v in values.items() if v is flag)):
                conn.execute(update(e).where(e.dataset_id == dataset_id, e.id.in_(chunk))
                             .values(metallurgy_agreement=flag))
        _bump_version(conn, dataset_id)
    return next(d for d in list_datasets(engine) if d.id == dataset_id)


# --- Indicators ----------------------------------------------------------------------------------
# Catalogue, generic time series, investment projects and Territoires d'industrie (issue 8).

def write_indicator_data(engine: Engine, *, catalog: list[dict] = (), values: list[dict] = (),
                         projects: list[dict] = (), replace_demo: bool = False) -> dict[str, int]:
    """Upsert catalogue rows, series points (by code × level × territory × period) and projects, in one transaction.

    A project replaces any project with the same (name, commune, date, kind). With `replace_demo`, every
    demo value and demo project is deleted first. Returns counts of rows written.
    """
    iv, ip, cat = m.IndicatorValue, m.InvestmentProject, m.IndicatorDefinition
    with engine.begin() as conn:
        if replace_demo:
            conn.execute(delete(iv).where(iv.is_demo.is_(True)))
            conn.execute(delete(ip).where(ip.is_demo.is_(True)))
        known = set(conn.scalars(select(cat.code)))
        for row in catalog:
            if row["code"] in known:
                conn.execute(update(cat).where(cat.code == row["code"]).values(**row))
            else:
                conn.execute(insert(cat).values(**row))
                known.add(row["code"])
        keys = {}
        for row in values:
            keys.setdefault((row["indicator_code"], row["level"]), set()).add((row["territory_code"], row["period"]))
        for (code, level), pairs in keys.items():
            territories = sorted({t for t, _ in pairs})
            for chunk in _chunks(territories):
                existing = conn.execute(select(iv.id, iv.territory_code, iv.period).where(
                    iv.indicator_code == code, iv.level == level, iv.territory_code.in_(chunk))).all()
                doomed = [r.id for r in existing if (r.territory_code, r.period) in pairs]
                for ids in _chunks(doomed):
                    conn.execute(delete(iv).where(iv.id.in_(ids)))
        if values:
            conn.execute(insert(iv), list(values))
        for row in projects:
            conn.execute(delete(ip).where(ip.name == row["name"], ip.commune_code == row["commune_code"],
                                          ip.announced_on == row["announced_on"], ip.kind == row["kind"]))
        if projects:
            conn.execute(insert(ip), list(projects))
    return {"catalog": len(catalog), "values": len(values), "projects": len(projects)}


def has_demo_indicators(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(m.IndicatorValue)
                                .where(m.IndicatorValue.is_demo.is_(True))))


def indicator_catalog_frame(engine: Engine) -> pd.DataFrame:
    """The indicator catalogue as stored (code, label, definition, unit, higher_is_better, source)."""
    return _table(engine, m.IndicatorDefinition, m.IndicatorDefinition.code)


def indicator_values_frame(engine: Engine, *, codes: list[str] | None = None, level: str | None = None,
                           territories: list[str] | None = None, start: dt.date | None = None,
                           end: dt.date | None = None) -> pd.DataFrame:
    """Series points, optionally filtered; sorted by code, level, territory, period_start."""
    iv = m.IndicatorValue
    statement = select(iv.indicator_code, iv.level, iv.territory_code, iv.period, iv.period_start, iv.value, iv.unit,
                       iv.source_name, iv.source_date, iv.is_demo)
    if codes:
        statement = statement.where(iv.indicator_code.in_(codes))
    if level:
        statement = statement.where(iv.level == level)
    if territories:
        statement = statement.where(iv.territory_code.in_(territories))
    if start:
        statement = statement.where(iv.period_start >= start)
    if end:
        statement = statement.where(iv.period_start <= end)
    return _frame(engine, statement.order_by(iv.indicator_code, iv.level, iv.territory_code, iv.period_start))


def investment_projects_frame(engine: Engine) -> pd.DataFrame:
    """Investment projects with their commune's department, EPCI and zone d'emploi."""
    p, c = m.InvestmentProject, m.Commune
    return _frame(engine, select(
        p.id, p.name, p.kind, p.programme, p.commune_code, c.name.label("commune_name"), c.department_code,
        c.epci_code, c.zone_code, p.lat, p.lon, p.announced_on, p.jobs, p.amount_eur, p.filiere_code,
        p.source_name, p.source_date, p.is_demo).join(c, c.code == p.commune_code).order_by(p.announced_on, p.id))


def replace_industry_territories(engine: Engine, territories: list[dict], links: list[dict]) -> None:
    """Replace every Territoire d'industrie and its communes (one transaction)."""
    with engine.begin() as conn:
        conn.execute(delete(m.IndustryTerritoryCommune))
        conn.execute(delete(m.IndustryTerritory))
        if territories:
            conn.execute(insert(m.IndustryTerritory), territories)
        if links:
            conn.execute(insert(m.IndustryTerritoryCommune), links)


def industry_territories_frame(engine: Engine) -> pd.DataFrame:
    """Territoires d'industrie (code, name, communes) that have at least one commune in Lorraine."""
    t, link = m.IndustryTerritory, m.IndustryTerritoryCommune
    return _frame(engine, select(t.code, t.name, func.count(link.commune_code).label("communes"))
                  .join(link, link.territory_code == t.code).group_by(t.code, t.name).order_by(t.name))


def industry_territory_communes_frame(engine: Engine) -> pd.DataFrame:
    link = m.IndustryTerritoryCommune
    return _frame(engine, select(link.territory_code, link.commune_code)
                  .order_by(link.territory_code, link.commune_code))


# --- Skills ----------------------------------------------------------------------------------------
# BMO recruitment needs and training supply (issue 7). Demo rows (is_demo) and real rows coexist; the
# page shows the real ones as soon as a BMO file was imported (see `skills_uses_demo`).

def skills_version(engine: Engine) -> tuple:
    """Cheap fingerprint of the skills tables: caches rebuild when an import or the demo changed them."""
    n, t, s, o = m.RecruitmentNeed, m.Trade, m.TrainingSite, m.TrainingOffer
    with engine.connect() as conn:
        return (conn.scalar(select(func.count()).select_from(n)), conn.scalar(select(func.sum(n.projects))),
                conn.scalar(select(func.max(n.source_date))), conn.scalar(select(func.count()).select_from(t)),
                conn.scalar(select(func.count()).select_from(s)), conn.scalar(select(func.count()).select_from(o)),
                conn.scalar(select(func.sum(o.graduates))))


def skills_uses_demo(engine: Engine) -> bool:
    """True unless real (non-demo) recruitment needs were imported."""
    n = m.RecruitmentNeed
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(n).where(n.is_demo.is_(False))) == 0


def trades_frame(engine: Engine, *, demo: bool) -> pd.DataFrame:
    t = m.Trade
    return _frame(engine, select(t.code, t.label, t.family_code, t.family_label, t.is_industrial)
                  .where(t.is_demo.is_(demo)).order_by(t.code))


def bmo_areas_frame(engine: Engine, *, demo: bool) -> pd.DataFrame:
    a = m.BmoArea
    return _frame(engine, select(a.code, a.name, a.department_code).where(a.is_demo.is_(demo)).order_by(a.name))


def bmo_area_communes_frame(engine: Engine) -> pd.DataFrame:
    link = m.BmoAreaCommune
    return _frame(engine, select(link.commune_code, link.area_code).order_by(link.commune_code))


def recruitment_needs_frame(engine: Engine, *, demo: bool) -> pd.DataFrame:
    """year, trade_code, area_code, projects, difficult, seasonal (NaN = statistical secret), source."""
    n = m.RecruitmentNeed
    frame = _frame(engine, select(n.year, n.trade_code, n.area_code, n.projects, n.difficult, n.seasonal,
                                  n.source_name, n.source_date).where(n.is_demo.is_(demo))
                   .order_by(n.year, n.trade_code, n.area_code))
    for column in ("projects", "difficult", "seasonal"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def training_sites_frame(engine: Engine, *, demo: bool) -> pd.DataFrame:
    s = m.TrainingSite
    return _frame(engine, select(s.id, s.name, s.kind, s.commune_code, s.lat, s.lon, s.source_name, s.source_date)
                  .where(s.is_demo.is_(demo)).order_by(s.id))


def training_offers_frame(engine: Engine, *, demo: bool) -> pd.DataFrame:
    o, s = m.TrainingOffer, m.TrainingSite
    frame = _frame(engine, select(o.site_id, o.trade_code, o.year, o.graduates, o.apprentices)
                   .join(s, s.id == o.site_id).where(s.is_demo.is_(demo)).order_by(o.site_id, o.trade_code, o.year))
    for column in ("graduates", "apprentices"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def _delete_training(conn, *, demo: bool) -> None:
    s = m.TrainingSite
    sites = select(s.id).where(s.is_demo.is_(demo)).scalar_subquery()
    conn.execute(delete(m.TrainingOffer).where(m.TrainingOffer.site_id.in_(sites)))
    conn.execute(delete(s).where(s.is_demo.is_(demo)))


def _insert_training(conn, sites: pd.DataFrame, offers: pd.DataFrame, *, demo: bool) -> None:
    """Insert sites (with a `key` column) and offers (`site_key`, …); ids are assigned here."""
    ids = {}
    for row in _records(sites, ["key", "name", "kind", "commune_code", "lat", "lon", "source_name", "source_date"]):
        key = row.pop("key")
        ids[key] = conn.execute(insert(m.TrainingSite).values(**row, is_demo=demo)).inserted_primary_key[0]
    rows = [{**r, "site_id": ids[r.pop("site_key")]}
            for r in _records(offers, ["site_key", "trade_code", "year", "graduates", "apprentices"])]
    if rows:
        conn.execute(insert(m.TrainingOffer), rows)


def replace_demo_skills(engine: Engine, *, trades: pd.DataFrame, areas: pd.DataFrame, needs: pd.DataFrame,
                        sites: pd.DataFrame, offers: pd.DataFrame) -> None:
    """Replace every demo row of the skills tables (one transaction)."""
    t, a, n = m.Trade, m.BmoArea, m.RecruitmentNeed
    with engine.begin() as conn:
        _delete_training(conn, demo=True)
        conn.execute(delete(n).where(n.is_demo.is_(True)))
        demo_areas = select(a.code).where(a.is_demo.is_(True)).scalar_subquery()
        conn.execute(delete(m.BmoAreaCommune).where(m.BmoAreaCommune.area_code.in_(demo_areas)))
        conn.execute(delete(a).where(a.is_demo.is_(True)))
        conn.execute(delete(t).where(t.is_demo.is_(True)))
        conn.execute(insert(t), [{**r, "is_demo": True} for r in _records(
            trades, ["code", "label", "family_code", "family_label", "is_industrial"])])
        conn.execute(insert(a), [{**r, "is_demo": True} for r in _records(areas, ["code", "name", "department_code"])])
        conn.execute(insert(n), [{**r, "is_demo": True} for r in _records(
            needs, ["year", "trade_code", "area_code", "projects", "difficult", "seasonal", "source_name",
                    "source_date"])])
        _insert_training(conn, sites, offers, demo=True)


def replace_bmo_years(engine: Engine, *, trades: pd.DataFrame, areas: pd.DataFrame, needs: pd.DataFrame) -> None:
    """Real BMO rows: upsert trades and areas, replace the needs of the years present (one transaction)."""
    t, a, n = m.Trade, m.BmoArea, m.RecruitmentNeed
    years = sorted({int(y) for y in needs["year"]})
    with engine.begin() as conn:
        for model, frame, columns in ((t, trades, ["code", "label", "family_code", "family_label", "is_industrial"]),
                                      (a, areas, ["code", "name", "department_code"])):
            existing = set(conn.scalars(select(model.code).where(model.is_demo.is_(False))))
            for row in _records(frame, columns):
                if row["code"] in existing:
                    conn.execute(update(model).where(model.code == row["code"]).values(**row))
                else:
                    conn.execute(insert(model).values(**row, is_demo=False))
        conn.execute(delete(n).where(n.is_demo.is_(False), n.year.in_(years)))
        rows = [{**r, "is_demo": False} for r in _records(
            needs, ["year", "trade_code", "area_code", "projects", "difficult", "seasonal", "source_name",
                    "source_date"])]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(n), rows[start: start + 5000])


def replace_training(engine: Engine, *, sites: pd.DataFrame, offers: pd.DataFrame) -> None:
    """Replace every real training site and offer (one transaction)."""
    with engine.begin() as conn:
        _delete_training(conn, demo=False)
        _insert_training(conn, sites, offers, demo=False)


def trade_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(select(m.Trade.code)))


# --- Event ---------------------------------------------------------------------------------------
# Participants, requests and meetings of B2B events (issue 9). An event is replaced as a whole by an
# import or the demo (one transaction); meetings are rewritten by `tissu event schedule`.

def events_frame(engine: Engine) -> pd.DataFrame:
    """Every event, newest first."""
    return _frame(engine, select(*m.Event.__table__.columns).order_by(m.Event.id.desc()))


def _delete_event_rows(conn, event_id: int) -> None:
    p = m.Participant
    ids = select(p.id).where(p.event_id == event_id).scalar_subquery()
    conn.execute(delete(m.Meeting).where(m.Meeting.event_id == event_id))
    conn.execute(delete(m.MeetingRequest).where(m.MeetingRequest.requester_id.in_(ids)))
    conn.execute(delete(m.ParticipantCapability).where(m.ParticipantCapability.participant_id.in_(ids)))
    conn.execute(delete(p).where(p.event_id == event_id))


def replace_event(engine: Engine, *, event: dict, participants: list[dict], capabilities: list[dict],
                  requests: list[dict], meetings: list[dict] = ()) -> int:
    """Write an event (replacing the one of the same name) in one transaction; returns its id.

    Participants carry a `key` (any hashable) that capabilities (`participant`), requests
    (`requester`, `target`) and meetings (`exhibitor`, `visitor`) refer to; ids are assigned here.
    """
    with engine.begin() as conn:
        old = conn.scalar(select(m.Event.id).where(m.Event.name == event["name"]))
        if old is not None:
            _delete_event_rows(conn, old)
            conn.execute(delete(m.Event).where(m.Event.id == old))
        event_id = conn.execute(insert(m.Event).values(**event)).inserted_primary_key[0]
        # Ids come from the database (RETURNING, in row order): explicit ids would leave PostgreSQL's
        # sequence behind, and the next insert would collide.
        rows = [{k: v for k, v in row.items() if k != "key"} | {"event_id": event_id} for row in participants]
        pid = {}
        for start in range(0, len(rows), 2000):
            ids = conn.scalars(insert(m.Participant).returning(m.Participant.id, sort_by_parameter_order=True),
                               rows[start:start + 2000]).all()
            pid.update(zip((row["key"] for row in participants[start:start + 2000]), ids))
        links = [{"participant_id": pid[c["participant"]], "capability_code": c["capability_code"], "kind": c["kind"]}
                 for c in capabilities]
        for chunk in _chunks(links, 5000):
            conn.execute(insert(m.ParticipantCapability), chunk)
        asked = [{"requester_id": pid[r["requester"]], "target_id": pid[r["target"]]} for r in requests]
        for chunk in _chunks(asked, 5000):
            conn.execute(insert(m.MeetingRequest), chunk)
        placed = [{k: v for k, v in row.items() if k not in ("exhibitor", "visitor")}
                  | {"event_id": event_id, "exhibitor_id": pid[row["exhibitor"]], "visitor_id": pid[row["visitor"]]}
                  for row in meetings]
        for chunk in _chunks(placed, 5000):
            conn.execute(insert(m.Meeting), chunk)
    return int(event_id)


def event_participants(engine: Engine, event_id: int) -> pd.DataFrame:
    """Participants with their commune, department, linked establishment (public id) and its filière."""
    p, c, e, n = m.Participant, m.Commune, m.Establishment, m.NafSubclass
    return _frame(engine, select(
        p.id, p.role, p.name, p.siret, p.establishment_id, e.public_id.label("establishment_public_id"),
        n.filiere_code, p.commune_code, c.name.label("commune_name"), c.department_code, p.lat, p.lon, p.stand,
        p.availability, p.max_meetings)
        .outerjoin(c, c.code == p.commune_code).outerjoin(e, e.id == p.establishment_id)
        .outerjoin(n, n.code == e.naf_code).where(p.event_id == event_id).order_by(p.id))


def event_capabilities(engine: Engine, event_id: int) -> pd.DataFrame:
    """(participant_id, capability_code, kind) of an event's participants."""
    link, p = m.ParticipantCapability, m.Participant
    return _frame(engine, select(link.participant_id, link.capability_code, link.kind)
                  .join(p, p.id == link.participant_id).where(p.event_id == event_id)
                  .order_by(link.participant_id, link.kind, link.capability_code))


def event_certifications(engine: Engine, event_id: int) -> pd.DataFrame:
    """(participant_id, certification_code) from the establishments the participants are linked to."""
    p, link = m.Participant, m.EstablishmentCertification
    return _frame(engine, select(p.id.label("participant_id"), link.certification_code)
                  .join(link, link.establishment_id == p.establishment_id).where(p.event_id == event_id)
                  .order_by(p.id, link.certification_code))


def event_requests(engine: Engine, event_id: int) -> pd.DataFrame:
    """(requester_id, target_id) of an event."""
    r, p = m.MeetingRequest, m.Participant
    return _frame(engine, select(r.requester_id, r.target_id).join(p, p.id == r.requester_id)
                  .where(p.event_id == event_id).order_by(r.requester_id, r.target_id))


def event_meetings(engine: Engine, event_id: int, *, participant_id: int | None = None) -> pd.DataFrame:
    """Meetings of an event (optionally of one participant), by slot."""
    mt = m.Meeting
    statement = select(mt.id, mt.exhibitor_id, mt.visitor_id, mt.slot, mt.starts_at, mt.stand, mt.origin, mt.score,
                       mt.why, mt.status).where(mt.event_id == event_id)
    if participant_id is not None:
        statement = statement.where((mt.exhibitor_id == participant_id) | (mt.visitor_id == participant_id))
    return _frame(engine, statement.order_by(mt.slot, mt.exhibitor_id))


def event_meeting_counts(engine: Engine, event_id: int) -> dict[str, int]:
    """Meetings of an event by status."""
    mt = m.Meeting
    with engine.connect() as conn:
        rows = conn.execute(select(mt.status, func.count()).where(mt.event_id == event_id).group_by(mt.status)).all()
    return {status: int(n) for status, n in rows}


def write_meetings(engine: Engine, event_id: int, meetings: list[dict], *, keep_ids: list[int] | None = None) -> None:
    """Replace an event's meetings by `meetings`, except those whose id is in `keep_ids` (one transaction)."""
    mt = m.Meeting
    with engine.begin() as conn:
        statement = delete(mt).where(mt.event_id == event_id)
        if keep_ids:
            statement = statement.where(mt.id.not_in(keep_ids))
        conn.execute(statement)
        rows = [{**row, "event_id": event_id} for row in meetings]
        for chunk in _chunks(rows, 5000):
            conn.execute(insert(mt), chunk)


def set_meeting_status(engine: Engine, event_id: int, meeting_id: int, status: str) -> bool:
    """Mark a meeting scheduled, held or cancelled; False when the meeting does not exist."""
    mt = m.Meeting
    with engine.begin() as conn:
        done = conn.execute(update(mt).where(mt.event_id == event_id, mt.id == meeting_id).values(status=status))
    return done.rowcount == 1


def establishments_for_event(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(id, public_id, siret, name, commune_code, lat, lon) of a dataset's active establishments (SIRET linking)."""
    e = m.Establishment
    return _frame(engine, select(e.id, e.public_id, e.siret, e.name, e.commune_code, e.lat, e.lon)
                  .where(e.dataset_id == dataset_id, e.state == "A").order_by(e.id))


def establishment_flows(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """(created_on, closed_on, state) of every establishment of a dataset, for openings and closures by year."""
    e = m.Establishment
    return _frame(engine, select(e.created_on, e.closed_on, e.state).where(e.dataset_id == dataset_id).order_by(e.id))


def recruitment_tensions(engine: Engine, *, limit: int = 6) -> pd.DataFrame:
    """Trades of the latest BMO year with the most difficult projects: label, projects, difficult (may be empty)."""
    n, t = m.RecruitmentNeed, m.Trade
    with engine.connect() as conn:
        year = conn.scalar(select(func.max(n.year)))
    if year is None:
        return pd.DataFrame(columns=["label", "projects", "difficult"])
    return _frame(engine, select(t.label, func.sum(n.projects).label("projects"),
                                 func.sum(n.difficult).label("difficult"))
                  .join(t, t.code == n.trade_code).where(n.year == year).group_by(t.label)
                  .order_by(func.sum(n.difficult).desc(), t.label).limit(limit))  # ties: same rows on every backend


def set_meeting_statuses(engine: Engine, event_id: int, statuses: dict[int, str]) -> None:
    """Set the status of many meetings in one transaction."""
    mt = m.Meeting
    with engine.begin() as conn:
        for status in sorted(set(statuses.values())):
            ids = [i for i, s in statuses.items() if s == status]
            for chunk in _chunks(ids):
                conn.execute(update(mt).where(mt.event_id == event_id, mt.id.in_(chunk)).values(status=status))


def replace_bmo_area_communes(engine: Engine, *, areas: pd.DataFrame, mapping: pd.DataFrame) -> None:
    """Replace the commune → real BMO bassin mapping (one transaction); bassins missing are created.

    `areas` has code, name, department_code (name used only for bassins not yet known from a BMO import);
    `mapping` has commune_code, area_code.
    """
    a, link = m.BmoArea, m.BmoAreaCommune
    with engine.begin() as conn:
        known = set(conn.scalars(select(a.code)))
        new = [r for r in _records(areas, ["code", "name", "department_code"]) if r["code"] not in known]
        if new:
            conn.execute(insert(a), [{**r, "is_demo": False} for r in new])
        real_areas = select(a.code).where(a.is_demo.is_(False)).scalar_subquery()
        conn.execute(delete(link).where(link.area_code.in_(real_areas)))
        conn.execute(delete(link).where(link.commune_code.in_(mapping["commune_code"].tolist())))
        if len(mapping):
            conn.execute(insert(link), _records(mapping, ["commune_code", "area_code"]))
