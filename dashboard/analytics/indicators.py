"""Reindustrialisation indicators: catalogue, series derived from establishments and projects, changes.

Pure pandas. A *series* frame has the columns `period` (text: `2024`, `2024-Q3`), `period_start`
(datetime64), `value` (float, NaN when secret or missing), and optionally `territory_code`.
Definitions: docs/indicators.md, section "Reindustrialisation".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

REGION_CODE = "41"  # "ancienne région" Lorraine, as coded by URSSAF (code_ancienne_region) and INSEE
NATION_CODE = "FR"
LEVELS = ("region", "departement", "epci", "zone_emploi", "commune", "territoire_industrie", "pays")
LEVEL_LABELS = {"region": "Région", "departement": "Département", "epci": "EPCI", "zone_emploi": "Zone d'emploi",
                "commune": "Commune", "territoire_industrie": "Territoire d'industrie", "pays": "France"}
PROJECT_KINDS = ("opening", "extension", "closure", "reduction")
PROJECT_KIND_LABELS = {"opening": "Ouverture", "extension": "Extension", "closure": "Fermeture",
                       "reduction": "Réduction"}
PROJECT_KIND_COLORS = {"opening": "#1b7f3b", "extension": "#6fb35a", "closure": "#c0392b", "reduction": "#e59866"}
DEEPTECH_TARGET = 500  # Plan Deeptech: deeptech start-ups created per year in France by 2030
DEEPTECH_TARGET_YEAR = 2030  # (Bpifrance, "5 ans du Plan Deeptech", 2024)
SIZE_THRESHOLD = 10  # employees: the variant approximating the Trendeo / DGE "significant site" threshold

URSSAF = "URSSAF – effectifs salariés du secteur privé"
SIRENE = "Sirene (INSEE) – établissements du jeu de données actif"
PROJECTS = "Projets d'investissement annoncés (veille UIMM Lorraine)"

# code, label, definition, unit, higher_is_better, source
CATALOG: list[dict] = [
    dict(code="emploi_industrie", label="Emploi salarié industriel", unit="salariés", higher_is_better=True,
         source=URSSAF, definition="Effectifs salariés du secteur privé des sections B à E de la NAF (NA38 BZ à EZ), "
         "fin de trimestre, données CVS quand disponibles."),
    dict(code="emploi_prive", label="Emploi salarié privé", unit="salariés", higher_is_better=True, source=URSSAF,
         definition="Effectifs salariés de l'ensemble du secteur privé (hors agriculture), fin de trimestre."),
    dict(code="part_industrie", label="Part de l'industrie dans l'emploi salarié privé", unit="%",
         higher_is_better=True, source=URSSAF,
         definition="Emploi salarié industriel ÷ emploi salarié privé, en pour cent."),
    dict(code="etablissements_industrie", label="Établissements industriels employeurs", unit="établissements",
         higher_is_better=True, source=URSSAF,
         definition="Établissements employeurs du secteur privé des sections B à E (URSSAF, annuel, au 31/12)."),
    dict(code="sirene_etablissements", label="Établissements industriels actifs", unit="établissements",
         higher_is_better=True, source=SIRENE,
         definition="Établissements du jeu actif créés au plus tard le 31/12 de l'année et non fermés à cette date."),
    dict(code="sirene_ouvertures", label="Ouvertures d'établissements", unit="établissements", higher_is_better=True,
         source=SIRENE,
         definition="Établissements dont la date de création tombe dans l'année (dateCreationEtablissement)."),
    dict(code="sirene_fermetures", label="Fermetures d'établissements", unit="établissements", higher_is_better=False,
         source=SIRENE, definition="Établissements fermés (état F) dont la date de fermeture tombe dans l'année."),
    dict(code="sirene_solde", label="Solde ouvertures − fermetures", unit="établissements", higher_is_better=True,
         source=SIRENE, definition="Ouvertures − fermetures de l'année (définition Sirene, tous effectifs)."),
    dict(code="sirene_solde_10", label="Solde des sites de 10 salariés ou plus", unit="établissements",
         higher_is_better=True, source=SIRENE,
         definition="Ouvertures − fermetures des établissements de 10 salariés ou plus (effectif estimé) : "
         "approche du seuil de Trendeo et des « sites significatifs » du baromètre DGE."),
    dict(code="projets_nombre", label="Projets industriels annoncés", unit="projets", higher_is_better=None,
         source=PROJECTS, definition="Projets annoncés dans l'année : ouvertures, extensions, fermetures, réductions."),
    dict(code="projets_solde", label="Solde des projets annoncés", unit="projets", higher_is_better=True,
         source=PROJECTS, definition="Ouvertures + extensions − fermetures − réductions annoncées dans l'année "
         "(même construction que le solde élargi du baromètre DGE)."),
    dict(code="projets_emplois", label="Emplois annoncés (solde)", unit="emplois", higher_is_better=True,
         source=PROJECTS, definition="Emplois créés annoncés (ouvertures, extensions) − emplois supprimés annoncés "
         "(fermetures, réductions)."),
    dict(code="projets_montant", label="Investissements annoncés", unit="M€", higher_is_better=True, source=PROJECTS,
         definition="Montant des investissements annoncés (ouvertures et extensions), en millions d'euros."),
    dict(code="france2030_laureats", label="Lauréats France 2030", unit="lauréats", higher_is_better=True,
         source="France 2030 – lauréats (SGPI, Bpifrance)", definition="Projets lauréats de France 2030 dans l'année."),
    dict(code="france2030_montant", label="Aides France 2030", unit="M€", higher_is_better=True,
         source="France 2030 – lauréats (SGPI, Bpifrance)", definition="Aide publique accordée aux lauréats, M€."),
    dict(code="deeptech_creations", label="Start-up deeptech créées", unit="start-up", higher_is_better=True,
         source="Bpifrance – Plan Deeptech", definition="Start-up deeptech créées dans l'année. Objectif national : "
         f"{DEEPTECH_TARGET} par an en 2030."),
    dict(code="dge_solde_national", label="Solde industriel national (baromètre DGE)", unit="sites",
         higher_is_better=True, source="DGE – baromètre industriel de l'État",
         definition="Ouvertures + extensions significatives − fermetures − réductions significatives, France."),
]
CATALOG_BY_CODE = {row["code"]: row for row in CATALOG}
ESTABLISHMENT_CODES = ("sirene_etablissements", "sirene_ouvertures", "sirene_fermetures", "sirene_solde",
                       "sirene_solde_10")
PROJECT_CODES = ("projets_nombre", "projets_solde", "projets_emplois", "projets_montant", "france2030_laureats",
                 "france2030_montant", "deeptech_creations")
DERIVED_CODES = ESTABLISHMENT_CODES + PROJECT_CODES


def period_start(period: str) -> dt.date:
    """First day of `2024`, `2024-Q3` or `2024-07`; ValueError otherwise."""
    text = str(period).strip()
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 1, 1)
    if len(text) == 7 and text[:4].isdigit() and text[4:6] == "-Q" and text[6] in "1234":
        return dt.date(int(text[:4]), 3 * int(text[6]) - 2, 1)
    if len(text) == 7 and text[:4].isdigit() and text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return dt.date(int(text[:4]), int(text[5:]), 1)
    raise ValueError(f"period {period!r} is not YYYY, YYYY-Qn or YYYY-MM")


def _years(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.year


def openings_closures(frame: pd.DataFrame, *, years: range, min_headcount: float | None = None) -> pd.DataFrame:
    """Openings, closures and net balance per year (establishments) from `created_on`, `state`, `closed_on`.

    An opening is a creation date in the year; a closure is a closing date in the year of an establishment
    in state F. With `min_headcount`, only establishments whose `headcount_estimate` reaches it count.
    """
    data = frame
    if min_headcount is not None:
        data = data[pd.to_numeric(data["headcount_estimate"], errors="coerce").fillna(0) >= min_headcount]
    opened = _years(data["created_on"]).value_counts()
    closed_rows = data[(data["state"] == "F")]
    closed = _years(closed_rows["closed_on"]).value_counts()
    out = pd.DataFrame({"year": list(years)})
    out["openings"] = out["year"].map(opened).fillna(0).astype(int)
    out["closures"] = out["year"].map(closed).fillna(0).astype(int)
    out["net"] = net_balance(out["openings"], out["closures"])
    return out


def net_balance(openings, closures, extensions=0, reductions=0):
    """Openings + extensions − closures − reductions (sites); works on numbers and Series alike."""
    return openings + extensions - closures - reductions


def active_counts(frame: pd.DataFrame, *, years: range) -> pd.DataFrame:
    """Establishments active on 31 December of each year: created on or before, not closed by then."""
    created = pd.to_datetime(frame["created_on"], errors="coerce")
    closed = pd.to_datetime(frame["closed_on"], errors="coerce").where(frame["state"] == "F")
    counts = []
    for year in years:
        end = pd.Timestamp(year=year, month=12, day=31)
        alive = (created <= end) & ~(closed <= end)
        counts.append(int(alive.sum()))
    return pd.DataFrame({"year": list(years), "active": counts})


def change(series: pd.DataFrame, *, years_back: int) -> tuple[float | None, float | None]:
    """(absolute, relative) change of the last value vs the value `years_back` years earlier (same quarter/month).

    Relative change is a share (0.05 = +5 %); None when either value is missing or the base is 0.
    """
    data = series.dropna(subset=["value"]).sort_values("period_start")
    if data.empty:
        return None, None
    last = data.iloc[-1]
    start = pd.Timestamp(last["period_start"])
    target = start - pd.DateOffset(years=years_back)
    base = data[pd.to_datetime(data["period_start"]) == target]
    if base.empty:
        return None, None
    before, now = float(base.iloc[0]["value"]), float(last["value"])
    return now - before, ((now - before) / abs(before)) if before else None


def index_100(series: pd.DataFrame, *, by: str | None = "territory_code") -> pd.DataFrame:
    """Add `index` = value ÷ first non-missing value × 100, per `by` group (or the whole frame)."""
    out = series.sort_values("period_start").copy()
    first: pd.Series | float
    if by:
        first = out.groupby(by, sort=False)["value"].transform(
            lambda v: v.dropna().iloc[0] if v.notna().any() else np.nan)
    else:
        first = out["value"].dropna().iloc[0] if out["value"].notna().any() else np.nan
    out["index"] = out["value"] / first * 100
    return out


@dataclass(frozen=True)
class Kpi:
    """The headline of a series: last value, its period, and its 1- and 5-year changes."""

    value: float | None
    period: str | None
    change_1y: float | None
    change_1y_pct: float | None
    change_5y: float | None
    change_5y_pct: float | None
    sparkline: list[float]


def kpi(series: pd.DataFrame) -> Kpi:
    """Kpi of one territory's series (rows sorted by period_start inside)."""
    data = series.dropna(subset=["value"]).sort_values("period_start")
    if data.empty:
        return Kpi(None, None, None, None, None, None, [])
    a1, r1 = change(data, years_back=1)
    a5, r5 = change(data, years_back=5)
    return Kpi(float(data.iloc[-1]["value"]), str(data.iloc[-1]["period"]), a1, r1, a5, r5,
               [float(v) for v in data["value"].tail(24)])


def annual_series(values: pd.DataFrame, column: str) -> pd.DataFrame:
    """A (year, column) frame as a series frame (period, period_start, value)."""
    return pd.DataFrame({"period": values["year"].astype(str),
                         "period_start": pd.to_datetime(values["year"].astype(str) + "-01-01"),
                         "value": values[column].astype(float)})


def establishment_series(frame: pd.DataFrame, code: str, *, years: range) -> pd.DataFrame:
    """Series `code` (one of ESTABLISHMENT_CODES) for these establishments (already filtered to a territory)."""
    if code == "sirene_etablissements":
        return annual_series(active_counts(frame, years=years), "active")
    flows = openings_closures(frame, years=years, min_headcount=SIZE_THRESHOLD if code == "sirene_solde_10" else None)
    column = {"sirene_ouvertures": "openings", "sirene_fermetures": "closures"}.get(code, "net")
    return annual_series(flows, column)


def project_series(projects: pd.DataFrame, code: str, *, years: range) -> pd.DataFrame:
    """Series `code` (one of PROJECT_CODES) from project rows (kind, programme, announced_on, jobs, amount_eur)."""
    data = projects.assign(year=_years(projects["announced_on"]))
    sign = data["kind"].map({"opening": 1, "extension": 1, "closure": -1, "reduction": -1}).fillna(0)
    jobs = pd.to_numeric(data["jobs"], errors="coerce").fillna(0)
    amount = pd.to_numeric(data["amount_eur"], errors="coerce").fillna(0) / 1e6
    programme = data["programme"].fillna("")
    general = programme.isin(["", "investissement"])
    per_row = {
        "projets_nombre": general.astype(float),
        "projets_solde": sign.where(general, 0.0),
        "projets_emplois": (sign * jobs).where(general, 0.0),
        "projets_montant": amount.where(general & (sign > 0), 0.0),
        "france2030_laureats": (programme == "france2030").astype(float),
        "france2030_montant": amount.where(programme == "france2030", 0.0),
        "deeptech_creations": (programme == "deeptech").astype(float),
    }[code]
    totals = per_row.groupby(data["year"]).sum()
    out = pd.DataFrame({"year": list(years)})
    out["value"] = out["year"].map(totals).fillna(0.0).astype(float)
    return annual_series(out, "value")


def in_territory(frame: pd.DataFrame, level: str, code: str, *,
                 ti_communes: dict[str, set[str]] | None = None) -> pd.Series:
    """Mask of rows (with department_code, epci_code, zone_code, commune_code) inside a territory."""
    if level in ("region", "pays"):
        return pd.Series(True, index=frame.index)
    if level == "territoire_industrie":
        return frame["commune_code"].isin((ti_communes or {}).get(code, set()))
    column = {"departement": "department_code", "epci": "epci_code", "zone_emploi": "zone_code",
              "commune": "commune_code"}[level]
    return frame[column] == code


def sum_series(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Sum of several territories' series on the periods they all have (a missing value makes the sum missing)."""
    if not frames:
        return pd.DataFrame(columns=["period", "period_start", "value"])
    data = pd.concat(frames)
    out = data.groupby(["period", "period_start"], as_index=False).agg(
        value=("value", lambda v: v.sum() if v.notna().all() and len(v) == len(frames) else np.nan))
    return out.sort_values("period_start").reset_index(drop=True)


def rolling_sum(series: pd.DataFrame, *, window: int = 5) -> pd.DataFrame:
    """Annual series -> sum over the last `window` years (periods labelled `2021–2025`); first years dropped."""
    data = series.sort_values("period_start").reset_index(drop=True)
    sums = data["value"].rolling(window, min_periods=window).sum()
    periods = [f"{int(p) - window + 1}–{p}" if str(p).isdigit() else p for p in data["period"]]
    return pd.DataFrame({"period": periods, "period_start": data["period_start"], "value": sums}).dropna(
        subset=["value"]).reset_index(drop=True)
