"""Establishments abroad (issue 18): sites across the border, without a French commune or a SIRET."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, insert, literal, select

from dashboard import models as m
from dashboard.repository._base import _bump_version, _chunks, _fit, _frame


def foreign_establishments_frame(engine: Engine, dataset_id: int) -> pd.DataFrame:
    """The active establishments abroad of a dataset, with the columns of `establishments_frame` (their town as
    `commune_name`, no French territory) plus country, nuts3_code and foreign_id; one row each, by id."""
    e, n = m.Establishment, m.NafSubclass
    none = literal(None, m.Establishment.commune_code.type)
    statement = (
        select(e.id, e.public_id, e.siret, e.name, e.naf_code, n.label.label("naf_label"), n.filiere_code,
               n.metallurgy, e.size_band_code, e.headcount_estimate, e.commune_code,
               e.locality.label("commune_name"), none.label("department_code"), none.label("epci_code"),
               none.label("zone_code"), e.address, e.lat, e.lon, e.location_approximate, e.location_quality,
               e.created_on, e.state, e.closed_on, e.is_member, e.metallurgy_agreement, e.name_is_personal,
               e.naf_raw, e.naf_nomenclature, e.source_name, e.source_date, e.is_demo, e.country, e.nuts3_code,
               e.foreign_id)
        .outerjoin(n, n.code == e.naf_code)
        .where(e.dataset_id == dataset_id, e.commune_code.is_(None), e.state == "A")
        .order_by(e.id)
    )
    return _frame(engine, statement)


@dataclass(frozen=True)
class ForeignSite:
    """One validated site abroad, as an importer hands it over (its links replace any previous ones)."""

    public_id: str  # "<country>-<registration>": never a SIRET (14 digits) nor a demo id ("DEMO-…")
    foreign_id: str
    country: str
    nuts3_code: str
    name: str
    locality: str
    lat: float
    lon: float
    is_member: bool
    naf_code: str | None = None
    address: str | None = None
    capabilities: tuple[str, ...] = ()  # declared
    certifications: tuple[str, ...] = ()


def upsert_foreign_sites(engine: Engine, dataset_id: int, sites: list[ForeignSite], *, source_name: str,
                         source_date, is_demo: bool = False) -> int:
    """Insert these sites abroad into a dataset, replacing the ones of the same public id (one transaction, the
    dataset's version bumped). Returns the number of sites written."""
    e, cap, cert = m.Establishment, m.EstablishmentCapability, m.EstablishmentCertification
    with engine.begin() as conn:
        for chunk in _chunks([s.public_id for s in sites]):
            old = select(e.id).where(e.dataset_id == dataset_id, e.public_id.in_(chunk)).scalar_subquery()
            conn.execute(delete(cap).where(cap.establishment_id.in_(old)))
            conn.execute(delete(cert).where(cert.establishment_id.in_(old)))
            conn.execute(delete(e).where(e.dataset_id == dataset_id, e.public_id.in_(chunk)))
        rows = _fit(e, [dict(
            dataset_id=dataset_id, public_id=s.public_id, foreign_id=s.foreign_id, country=s.country,
            nuts3_code=s.nuts3_code, name=s.name, locality=s.locality, lat=s.lat, lon=s.lon, is_member=s.is_member,
            naf_code=s.naf_code, address=s.address, commune_code=None, state="A", siret=None,
            location_approximate=False, name_is_personal=False, source_name=source_name, source_date=source_date,
            is_demo=is_demo) for s in sites])
        if rows:
            conn.execute(insert(e), rows)
        ids = dict(conn.execute(select(e.public_id, e.id).where(e.dataset_id == dataset_id,
                                                                e.commune_code.is_(None))).all())
        cap_rows = [{"establishment_id": ids[s.public_id], "capability_code": c, "origin": "declared"}
                    for s in sites for c in sorted(set(s.capabilities))]
        if cap_rows:
            conn.execute(insert(cap), cap_rows)
        cert_rows = [{"establishment_id": ids[s.public_id], "certification_code": c}
                     for s in sites for c in sorted(set(s.certifications))]
        if cert_rows:
            conn.execute(insert(cert), cert_rows)
        _bump_version(conn, dataset_id)
    return len(sites)


def foreign_site_frames(engine: Engine, name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(establishments, capabilities, certifications) of the sites abroad of the dataset `name`, keyed by public
    id as `replace_dataset` takes them: what a Sirene re-import carries over (Sirene has no site abroad)."""
    e, cap, cert, d = m.Establishment, m.EstablishmentCapability, m.EstablishmentCertification, m.Dataset
    abroad = (e.dataset_id == select(d.id).where(d.name == name).scalar_subquery()) & e.commune_code.is_(None)
    sites = _frame(engine, select(e.public_id, e.name, e.naf_code, e.size_band_code, e.headcount_estimate, e.address,
                                  e.lat, e.lon, e.created_on, e.state, e.closed_on, e.is_member, e.country,
                                  e.nuts3_code, e.foreign_id, e.locality).where(abroad).order_by(e.id))
    capabilities = _frame(engine, select(e.public_id, cap.capability_code, cap.origin)
                          .join(e, e.id == cap.establishment_id).where(abroad)
                          .order_by(e.public_id, cap.capability_code))
    certifications = _frame(engine, select(e.public_id, cert.certification_code)
                            .join(e, e.id == cert.establishment_id).where(abroad)
                            .order_by(e.public_id, cert.certification_code))
    return sites, capabilities, certifications
