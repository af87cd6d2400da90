"""Reindustrialisation: indicator catalogue and values, investment projects, Territoires d'industrie."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard import models as m
from dashboard.repository._base import (
    _chunks,
    _fit,
    _frame,
    _table,
)


def write_indicator_data(engine: Engine, *, catalog: Sequence[dict] = (), values: Sequence[dict] = (),
                         projects: Sequence[dict] = (), replace_demo: bool = False) -> dict[str, int]:
    """Upsert catalogue rows, series points (by code × level × territory × period) and projects, in one transaction.

    A project replaces any project with the same (name, commune, date, kind). With `replace_demo`, every
    demo value and demo project is deleted first. Returns counts of rows written.
    """
    iv, ip, cat = m.IndicatorValue, m.InvestmentProject, m.IndicatorDefinition
    catalog, values, projects = _fit(cat, list(catalog)), _fit(iv, list(values)), _fit(ip, list(projects))
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
        keys: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (code, level) -> {(territory, period)}
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
            conn.execute(insert(m.IndustryTerritory), _fit(m.IndustryTerritory, territories))
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


def indicator_tables_version(engine: Engine) -> tuple:
    """Cheap fingerprint of the indicator tables (values, projects, Territoires d'industrie, catalogue)."""
    with engine.connect() as conn:
        counts = tuple(tuple(conn.execute(select(func.count(), func.max(t.id))).one())
                       for t in (m.IndicatorValue, m.InvestmentProject))
        ti = conn.scalar(select(func.count()).select_from(m.IndustryTerritoryCommune))
        catalog = conn.scalar(select(func.count()).select_from(m.IndicatorDefinition))
    return counts, ti, catalog
