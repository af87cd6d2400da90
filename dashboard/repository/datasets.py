"""Datasets and their establishments: activation, versions, replacement, reads and importer updates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.repository._base import (
    _bump_version,
    _chunks,
    _fit,
    _fit_frame,
    _frame,
    _inserted_id,
    _records,
)


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
    return _just_activated(engine)


def _just_activated(engine: Engine) -> DatasetInfo:
    info = active_dataset(engine)
    if info is None:  # only if another process deactivated it in between
        raise LookupError("the dataset just activated is no longer active")
    return info


def dataset_version(engine: Engine) -> tuple[int, int] | None:
    """(id, version) of the active dataset: a cheap key for caches."""
    with engine.connect() as conn:
        row = conn.execute(select(m.Dataset.id, m.Dataset.version).where(m.Dataset.is_active.is_(True))).first()
    return (row.id, row.version) if row else None


_ESTABLISHMENT_COLUMNS = ["public_id", "siret", "name", "name_is_personal", "naf_code", "naf_raw", "naf_nomenclature",
                          "size_band_code", "headcount_estimate", "commune_code", "address", "lat", "lon",
                          "location_approximate", "location_quality", "created_on", "state", "closed_on", "is_member",
                          "metallurgy_agreement", "country", "nuts3_code", "foreign_id", "locality"]


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
        dataset_id = _inserted_id(conn, insert(m.Dataset).values(**_fit(m.Dataset, [dict(
            name=name, label=label, is_demo=is_demo, is_active=activate, source_name=source_name,
            source_date=source_date, version=(previous.version + 1) if previous else 1,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0), parameters=parameters,
        )])[0]))
        rows = _records(_fit_frame(m.Establishment, establishments), _ESTABLISHMENT_COLUMNS)
        common = {"dataset_id": dataset_id, "source_name": source_name, "source_date": source_date, "is_demo": is_demo}
        for row in rows:
            row.update(common)
            for flag in ("location_approximate", "name_is_personal"):  # absent, or missing for some rows only
                row[flag] = bool(row.get(flag) or False)
            row["country"] = row.get("country") or "FR"
        conn.execute(insert(m.Establishment), rows)
        ids = dict(conn.execute(
            select(m.Establishment.public_id, m.Establishment.id).where(m.Establishment.dataset_id == dataset_id)
        ).all())
        cap_rows = [{"establishment_id": ids[r["public_id"]], "capability_code": r["capability_code"],
                     "origin": r.get("origin") or "declared"}
                    for r in _records(capabilities, ["public_id", "capability_code", "origin"])]
        if cap_rows:
            conn.execute(insert(m.EstablishmentCapability), cap_rows)
        cert_rows = [{"establishment_id": ids[r["public_id"]], "certification_code": r["certification_code"]}
                     for r in _records(certifications, ["public_id", "certification_code"])]
        if cert_rows:
            conn.execute(insert(m.EstablishmentCertification), cert_rows)
    return _just_activated(engine) if activate else next(d for d in list_datasets(engine) if d.name == name)


def _delete_dataset_rows(conn, dataset_id: int) -> None:
    # Explicit deletes rather than ON DELETE CASCADE: portable whatever the backend's FK settings.
    ids = select(m.Establishment.id).where(m.Establishment.dataset_id == dataset_id).scalar_subquery()
    conn.execute(delete(m.EstablishmentCapability).where(m.EstablishmentCapability.establishment_id.in_(ids)))
    conn.execute(delete(m.EstablishmentCertification).where(m.EstablishmentCertification.establishment_id.in_(ids)))
    conn.execute(delete(m.Establishment).where(m.Establishment.dataset_id == dataset_id))


def establishments_frame(engine: Engine, dataset_id: int, *, include_closed: bool = False,
                         closed_only: bool = False, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Establishments of a dataset with their commune's territories and their NAF filière, one row each
    (active ones by default; with closed ones too, or closed ones only); `columns`: only these, in this order."""
    e, c, n = m.Establishment, m.Commune, m.NafSubclass
    selectable = {
        column.key: column for column in (
            e.id, e.public_id, e.siret, e.name, e.naf_code, n.label.label("naf_label"),
            n.filiere_code, n.metallurgy, e.size_band_code, e.headcount_estimate, e.commune_code,
            c.name.label("commune_name"), c.department_code, c.epci_code, c.zone_code, e.address, e.lat, e.lon,
            e.location_approximate, e.location_quality, e.created_on, e.state, e.closed_on, e.is_member,
            e.metallurgy_agreement, e.name_is_personal, e.naf_raw, e.naf_nomenclature, e.source_name,
            e.source_date, e.is_demo)}
    statement = (
        select(*(selectable[name] for name in (columns or selectable)))
        .select_from(e)
        .join(c, c.code == e.commune_code)
        .outerjoin(n, n.code == e.naf_code)
        .where(e.dataset_id == dataset_id)
        .order_by(e.id)
    )
    if closed_only:
        statement = statement.where(e.state != "A")
    elif not include_closed:
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


def establishment_counts(engine: Engine, dataset_id: int) -> dict[str, int]:
    """Active and closed establishments of a dataset."""
    e = m.Establishment
    with engine.connect() as conn:
        query = (select(e.state, func.count()).where(e.dataset_id == dataset_id, e.commune_code.is_not(None))
                 .group_by(e.state))  # sites in the territory (those abroad: repository.abroad)
        counts = dict(conn.execute(query).all())
    return {"active": counts.get("A", 0), "closed": counts.get("F", 0)}


def member_site_ids(engine: Engine, dataset_id: int, count: int) -> tuple[str, ...]:
    """The first `count` open UIMM-member establishments of a dataset (their SIRETs), in load order."""
    e = m.Establishment
    with engine.connect() as conn:
        return tuple(conn.execute(select(e.public_id).where(e.dataset_id == dataset_id, e.is_member.is_(True),
                                                            e.state == "A").order_by(e.id).limit(count)).scalars())


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
