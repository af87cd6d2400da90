"""Skills indicators on BMO recruitment needs and training supply (pure pandas, see docs/indicators.md).

Secret cells (`*` in the BMO files) are NaN here and stay out of every sum: never counted as 0.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.analytics.text import normalize
from dashboard.paths import DATA_DIR

# A trade is "en tension" when more than 60 % of its projects are judged difficult (the national BMO 2023
# level was 61 %; docs/sources.md, "Skills").
TENSION_THRESHOLD = 0.60
SECRET = "secret statistique"  # how a cell France Travail masked is written (never 0)
RATE_BREAKS = [0.4, 0.5, 0.6, 0.7, 0.8]  # difficulty-rate classes (shares): the tension threshold is an edge
DEMO_PREFIX = "DEMO-"
TRADE_EMPLOYERS_FILE = DATA_DIR / "taxonomy" / "trade_employers.csv"
NEED_COLUMNS = ["year", "trade_code", "area_code", "projects", "difficult", "seasonal"]
SUMMARY_COLUMNS = ["projects", "secret_cells", "cells", "pair_projects", "pair_difficult", "difficulty_rate",
                   "tension"]


def difficulty_rate(projects, difficult) -> float:
    """Difficult ÷ projects (share in [0, 1]) over the cells where both are known; NaN when none is."""
    p = pd.to_numeric(pd.Series(projects, dtype="float64"), errors="coerce").to_numpy()
    d = pd.to_numeric(pd.Series(difficult, dtype="float64"), errors="coerce").to_numpy()
    pair = ~np.isnan(p) & ~np.isnan(d) & (p > 0)
    total = p[pair].sum()
    return float(d[pair].sum() / total) if total > 0 else float("nan")


def is_tension(rate: float | None, *, threshold: float = TENSION_THRESHOLD) -> bool:
    """True when a difficulty rate (share) is strictly above the threshold; False when unknown."""
    return rate is not None and not (isinstance(rate, float) and np.isnan(rate)) and rate > threshold


def training_coverage(graduates, projects) -> float:
    """Graduates ÷ recruitment projects (ratio; 0.6 = training covers 60 % of needs); NaN if projects unknown or 0."""
    g = pd.to_numeric(pd.Series(graduates, dtype="float64"), errors="coerce").sum(min_count=1)
    p = pd.to_numeric(pd.Series(projects, dtype="float64"), errors="coerce").sum(min_count=1)
    if pd.isna(p) or p <= 0:
        return float("nan")
    return float((0.0 if pd.isna(g) else g) / p)


def summarize_needs(needs: pd.DataFrame, *, by: list[str], threshold: float = TENSION_THRESHOLD) -> pd.DataFrame:
    """Per group: projects (sum of known cells, NaN if all secret), secret cells, difficulty rate (share), tension."""
    frame = needs.copy()
    p = frame["projects"].astype("float64")
    d = frame["difficult"].astype("float64")
    pair = p.notna() & d.notna() & (p > 0)
    frame["_p"], frame["_secret"] = p, p.isna().astype(int)
    frame["_pp"], frame["_pd"] = p.where(pair, 0.0), d.where(pair, 0.0)
    if frame.empty:
        return pd.DataFrame(columns=[*by, *SUMMARY_COLUMNS])
    grouped = frame.groupby(by, sort=False, dropna=False)
    out = pd.DataFrame({
        "projects": grouped["_p"].sum(min_count=1),
        "secret_cells": grouped["_secret"].sum(),
        "cells": grouped["_p"].size(),
        "pair_projects": grouped["_pp"].sum(),
        "pair_difficult": grouped["_pd"].sum(),
    }).reset_index()
    out["difficulty_rate"] = np.where(out["pair_projects"] > 0,
                                      out["pair_difficult"] / out["pair_projects"].where(out["pair_projects"] > 0),
                                      np.nan)
    out["tension"] = out["difficulty_rate"] > threshold
    return out


def filter_needs(needs: pd.DataFrame, trades: pd.DataFrame, areas: pd.DataFrame, *, departement: str | None = None,
                 territory: str | None = None, family: str | None = None, industrial_only: bool = False,
                 year: int | None = None, trade: str | None = None) -> pd.DataFrame:
    """Needs restricted to the page's filters (department and territory of the area, trade family and flag, year)."""
    mask = pd.Series(True, index=needs.index)
    if departement:
        mask &= needs["area_code"].isin(areas.loc[areas["department_code"] == departement, "code"])
    if territory:
        mask &= needs["area_code"] == territory
    if family:
        mask &= needs["trade_code"].isin(trades.loc[trades["family_code"] == family, "code"])
    if industrial_only:
        mask &= needs["trade_code"].isin(trades.loc[trades["is_industrial"].astype(bool), "code"])
    if year is not None:
        mask &= needs["year"] == year
    if trade:
        mask &= needs["trade_code"] == trade
    return needs[mask]


def heatmap_table(needs: pd.DataFrame, trades: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Trade × area cells (long form) ordered worst gaps first: trades, then areas, by difficulty rate (share)."""
    cells = summarize_needs(needs, by=["trade_code", "area_code"])
    if cells.empty:
        return cells.assign(trade_label=[], area_name=[])
    by_trade = summarize_needs(needs, by=["trade_code"]).set_index("trade_code")
    by_area = summarize_needs(needs, by=["area_code"]).set_index("area_code")
    cells["trade_label"] = cells["trade_code"].map(trades.set_index("code")["label"])
    cells["area_name"] = cells["area_code"].map(areas.set_index("code")["name"])
    cells["_t"] = cells["trade_code"].map(by_trade["difficulty_rate"]).fillna(-1)
    cells["_tp"] = cells["trade_code"].map(by_trade["projects"]).fillna(0)
    cells["_a"] = cells["area_code"].map(by_area["difficulty_rate"]).fillna(-1)
    cells = cells.sort_values(["_t", "_tp", "trade_code", "_a", "area_code"],
                              ascending=[False, False, True, False, True])
    return cells.drop(columns=["_t", "_tp", "_a"]).reset_index(drop=True)


def critical_trades(needs: pd.DataFrame, trades: pd.DataFrame, *, graduates: pd.DataFrame | None = None,
                    employers: pd.Series | None = None, limit: int | None = None) -> pd.DataFrame:
    """Trades ranked by difficulty rate (share), then difficult projects; with coverage by training and employers."""
    ranked = summarize_needs(needs, by=["trade_code"])
    if ranked.empty:
        return ranked.assign(rank=[], label=[], graduates=[], coverage=[], employers=[])
    meta = trades.set_index("code")
    ranked["label"] = ranked["trade_code"].map(meta["label"])
    ranked["family_label"] = ranked["trade_code"].map(meta["family_label"])
    grads = (graduates.groupby("trade_code")["graduates"].sum(min_count=1)
             if graduates is not None and len(graduates) else pd.Series(dtype="float64"))
    ranked["graduates"] = ranked["trade_code"].map(grads)
    ranked["coverage"] = np.where((ranked["projects"] > 0) & ranked["graduates"].notna(),  # no training data: NaN
                                  ranked["graduates"] / ranked["projects"].where(ranked["projects"] > 0), np.nan)
    ranked["employers"] = (ranked["trade_code"].map(employers).fillna(0).astype(int)
                           if employers is not None else 0)
    ranked["_rate"] = ranked["difficulty_rate"].fillna(-1)
    ranked = ranked.sort_values(["_rate", "pair_difficult", "trade_code"], ascending=[False, False, True])
    ranked = ranked.drop(columns="_rate").reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked.head(limit) if limit else ranked


def trend_table(needs: pd.DataFrame, *, by: list[str] | None = None) -> pd.DataFrame:
    """Projects and difficulty rate (share) per year (and per `by` groups), year ascending."""
    keys = [*(by or []), "year"]
    out = summarize_needs(needs, by=keys)
    return out.sort_values(keys).reset_index(drop=True)


def trend_change(series: pd.DataFrame) -> dict:
    """First → last available year: projects change (%), difficulty rate change (percentage points)."""
    known = series.dropna(subset=["projects"]).sort_values("year")
    if len(known) < 2:
        return {"first_year": None, "last_year": None, "projects_change": float("nan"),
                "rate_change_points": float("nan")}
    first, last = known.iloc[0], known.iloc[-1]
    projects_change = (last["projects"] / first["projects"] - 1) if first["projects"] else float("nan")
    rate_change = 100 * (last["difficulty_rate"] - first["difficulty_rate"])
    return {"first_year": int(first["year"]), "last_year": int(last["year"]),
            "projects_change": float(projects_change), "rate_change_points": float(rate_change)}


# --- Territories: communes -> BMO areas -> map geometry ----------------------------------------------

def area_of_communes(communes: pd.DataFrame, area_communes: pd.DataFrame, area_codes) -> pd.Series:
    """BMO area of each commune (index: commune code): the imported mapping, else `DEMO-<zone d'emploi>`."""
    known = set(area_codes)
    mapped = pd.Series(dict(zip(area_communes["commune_code"], area_communes["area_code"])), dtype="object")
    demo = DEMO_PREFIX + communes.set_index("code")["zone_code"].astype(str)
    demo = demo[demo.isin(known)]
    out = demo.copy()
    if len(mapped):
        out = pd.concat([out[~out.index.isin(mapped.index)], mapped[mapped.isin(known)]])
    return out.sort_index()


def zone_of_areas(area_of_commune: pd.Series, communes: pd.DataFrame) -> dict[str, str]:
    """Area -> zone d'emploi when the two grids coincide one-to-one (the demo), to colour the zones layer."""
    zones = communes.set_index("code")["zone_code"]
    pairs = pd.DataFrame({"area": area_of_commune, "zone": zones.reindex(area_of_commune.index)}).dropna()
    if pairs.empty:
        return {}
    per_area = pairs.groupby("area")["zone"].nunique()
    per_zone = pairs.groupby("zone")["area"].nunique()
    first = pairs.groupby("area")["zone"].first()
    return {a: first[a] for a in per_area.index if per_area[a] == 1 and per_zone[first[a]] == 1}


# Zones d'emploi 2020 (INSEE) of which only a fringe of communes lies in Lorraine: their pole (Chaumont,
# Sedan, Vitry-le-François and Saint-Dizier) is in Champagne-Ardenne, so their figures are mostly not Lorraine's.
# data/ref/zones_emploi.csv holds their Lorraine communes only (46, 67 and 8); tests check the poles are absent.
CROSS_REGION_ZONES = frozenset({"4404", "4421", "4427"})
CROSS_REGION_SUFFIX = " – bassin transrégional"
CROSS_REGION_NOTE = ("Bassin transrégional : pôle hors de Lorraine (Chaumont, Sedan, Vitry-le-François "
                     "Saint-Dizier) ; ses chiffres BMO portent sur tout le bassin, surtout hors de la région.")


def cross_region_areas(area_of_commune: pd.Series, communes: pd.DataFrame) -> set[str]:
    """Areas most of whose Lorraine communes lie in a CROSS_REGION_ZONES zone d'emploi."""
    zones = communes.set_index("code")["zone_code"].reindex(area_of_commune.index)
    share = zones.isin(CROSS_REGION_ZONES).groupby(area_of_commune).mean()
    return {str(a) for a, v in share.items() if v > 0.5}


def label_cross_region(areas: pd.DataFrame, cross: set[str]) -> pd.DataFrame:
    """`areas` with a `cross_region` flag and the suffix on those names, so every table, export and API answer
    that names an area says it."""
    flag = areas["code"].isin(cross)
    return areas.assign(cross_region=flag, name=areas["name"].where(~flag, areas["name"] + CROSS_REGION_SUFFIX))


# --- Local employers of a trade --------------------------------------------------------------------

@dataclass(frozen=True)
class TradeRule:
    keyword: str  # normalized words found in the trade label
    capabilities: frozenset[str]
    naf_prefixes: tuple[str, ...]


def load_trade_rules(path: Path = TRADE_EMPLOYERS_FILE) -> list[TradeRule]:
    """The documented trade -> capabilities / NAF mapping (data/taxonomy/trade_employers.csv)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [TradeRule(normalize(r["keyword"]), frozenset(c for c in r["capabilities"].split(";") if c),
                          tuple(n for n in r["naf_prefixes"].split(";") if n)) for r in csv.DictReader(handle)]


def rules_for(label: str, rules: list[TradeRule]) -> list[TradeRule]:
    plain = f" {normalize(label)} "
    return [r for r in rules if f" {r.keyword} " in plain or re.search(rf"\b{re.escape(r.keyword)}", plain)]


def trade_employers(establishments: pd.DataFrame, capability_links: pd.DataFrame, trades: pd.DataFrame,
                    rules: list[TradeRule]) -> pd.DataFrame:
    """(trade_code, establishment_id) pairs: active establishments whose NAF or capabilities use the trade."""
    naf = establishments["naf_code"].fillna("").astype(str)
    by_capability = capability_links.groupby("capability_code")["establishment_id"].apply(set).to_dict() \
        if len(capability_links) else {}
    parts = []
    for code, label in zip(trades["code"], trades["label"]):
        matched = rules_for(label, rules)
        if not matched:
            continue
        prefixes = tuple({p for r in matched for p in r.naf_prefixes})
        ids = set(establishments.loc[naf.str.startswith(prefixes), "id"]) if prefixes else set()
        for rule in matched:
            for cap in rule.capabilities:
                ids |= by_capability.get(cap, set())
        ids &= set(establishments["id"])
        if ids:
            parts.append(pd.DataFrame({"trade_code": code, "establishment_id": sorted(ids)}))
    if not parts:
        return pd.DataFrame({"trade_code": pd.Series(dtype="object"), "establishment_id": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True)
