"""Skills: BMO trades, bassins and recruitment needs, training sites and offers."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.repository._base import (
    _fit,
    _frame,
    _records,
)


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
    for row in _fit(m.TrainingSite, _records(sites, ["key", "name", "kind", "commune_code", "lat", "lon", "source_name",
                                                     "source_date"])):
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
            for row in _fit(model, _records(frame, columns)):
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


def replace_bmo_area_communes(engine: Engine, *, areas: pd.DataFrame, mapping: pd.DataFrame) -> None:
    """Replace the commune → real BMO bassin mapping (one transaction); bassins missing are created.

    `areas` has code, name, department_code (name used only for bassins not yet known from a BMO import);
    `mapping` has commune_code, area_code.
    """
    a, link = m.BmoArea, m.BmoAreaCommune
    with engine.begin() as conn:
        known = set(conn.scalars(select(a.code)))
        new = [r for r in _fit(a, _records(areas, ["code", "name", "department_code"])) if r["code"] not in known]
        if new:
            conn.execute(insert(a), [{**r, "is_demo": False} for r in new])
        real_areas = select(a.code).where(a.is_demo.is_(False)).scalar_subquery()
        conn.execute(delete(link).where(link.area_code.in_(real_areas)))
        conn.execute(delete(link).where(link.commune_code.in_(mapping["commune_code"].tolist())))
        if len(mapping):
            conn.execute(insert(link), _records(mapping, ["commune_code", "area_code"]))
