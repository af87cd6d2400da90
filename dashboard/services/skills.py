"""What the skills page and API read: BMO needs, trades, areas, training and local employers, cached per snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import repository
from dashboard.analytics import skills as sk
from dashboard.formatting import fr_date
from dashboard.services import DataService


@dataclass(frozen=True)
class SkillsData:
    is_demo: bool
    trades: pd.DataFrame  # code, label, family_code, family_label, is_industrial
    areas: pd.DataFrame  # code, name, department_code
    needs: pd.DataFrame  # year, trade_code, area_code, projects, difficult, seasonal (NaN = secret)
    sites: pd.DataFrame  # id, name, kind, commune_code, lat, lon, area_code
    offers: pd.DataFrame  # site_id, trade_code, year, graduates, apprentices, area_code
    employers: pd.DataFrame  # trade_code, establishment_id, name, commune_name, lat, lon, area_code
    zone_of_area: dict[str, str]  # area -> zone d'emploi when the grids coincide (map geometry)
    area_of_commune: pd.Series
    source_name: str
    source_date: dt.date | None
    employers_source: str

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.needs["year"].unique())

    @property
    def source_line(self) -> str:
        return f"Source : {self.source_name} · {fr_date(self.source_date)}" if self.source_date else \
            "Aucune donnée BMO chargée"


def skills_data(service: DataService) -> SkillsData:
    """The skills tables of the database (real BMO rows when imported, else the demo), cached per snapshot."""
    snap = service.snapshot()
    return snap.cached("skills", lambda: _load(service, snap))


def _load(service: DataService, snap) -> SkillsData:
    engine, look = service.engine, service.lookups
    demo = repository.skills_uses_demo(engine)
    trades = repository.trades_frame(engine, demo=demo)
    trades["is_industrial"] = trades["is_industrial"].astype(bool)
    areas = repository.bmo_areas_frame(engine, demo=demo)
    needs = repository.recruitment_needs_frame(engine, demo=demo)
    area_of_commune = sk.area_of_communes(look.communes, repository.bmo_area_communes_frame(engine), areas["code"])
    sites = repository.training_sites_frame(engine, demo=False)
    offers = repository.training_offers_frame(engine, demo=False)
    if sites.empty:  # no real training imported: the demo's (labelled as such)
        sites = repository.training_sites_frame(engine, demo=True)
        offers = repository.training_offers_frame(engine, demo=True)
    sites["area_code"] = sites["commune_code"].map(area_of_commune)
    offers = offers.merge(sites[["id", "area_code"]], left_on="site_id", right_on="id", how="left").drop(columns="id")
    est = snap.establishments
    pairs = sk.trade_employers(est, snap.capability_links, trades, sk.load_trade_rules())
    employers = pairs.merge(est[["id", "name", "commune_code", "commune_name", "lat", "lon"]],
                            left_on="establishment_id", right_on="id").drop(columns="id")
    employers["area_code"] = employers["commune_code"].map(area_of_commune)
    first = needs.iloc[0] if len(needs) else None
    ds = snap.dataset
    return SkillsData(
        is_demo=demo, trades=trades, areas=areas, needs=needs[sk.NEED_COLUMNS], sites=sites, offers=offers,
        employers=employers, zone_of_area=sk.zone_of_areas(area_of_commune, look.communes),
        area_of_commune=area_of_commune,
        source_name=first["source_name"] if first is not None else "",
        source_date=max(needs["source_date"]) if first is not None else None,
        employers_source=f"{ds.source_name} · {fr_date(ds.source_date)}" if ds else "aucun établissement chargé",
    )
