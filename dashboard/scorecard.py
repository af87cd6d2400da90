"""The fiche territoire, the territory's one page: what it shows (establishments and filières, supplier coverage,
trades in tension, reindustrialisation indicators), for the screen and the PDF (`scorecard_pdf`) alike, and which
territory a URL asks for (an unknown level or code is an error that says so, never Lorraine in disguise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import territory
from dashboard.analytics import indicators as ind
from dashboard.analytics.text import searchable
from dashboard.formatting import fr_date, fr_number
from dashboard.reference import load_polygons
from dashboard.services import DataService
from dashboard.services.indicators import IndicatorData, Scope, indicator_data, query_values
from dashboard.services.territory import TerritoryProfile, territory_profile

if TYPE_CHECKING:
    import geopandas as gpd

FICHE_LEVELS = {"region": "Région", "departement": "Département", "epci": "EPCI", "zone_emploi": "Zone d'emploi",
                "territoire_industrie": "Territoire d'industrie"}
LEVEL_ALIASES = {"ti": "territoire_industrie"}  # the short name the Réindustrialisation page's URL uses
KEY_FIGURES = ("emploi_industrie", "part_industrie", "sirene_etablissements", "sirene_solde", "projets_emplois",
               "france2030_laureats")


@dataclass(frozen=True)
class KeyFigure:
    code: str
    label: str
    value: str
    period: str
    change_1y: str
    change_5y: str
    tone_1y: str  # good, bad, neutral
    tone_5y: str


@dataclass(frozen=True)
class ScorecardContent:
    scope: Scope
    level_label: str
    years: range
    figures: list[KeyFigure]
    employment: pd.DataFrame  # the territory's industrial employment, index 100
    employment_region: pd.DataFrame  # Lorraine, index 100 (same first period)
    flows: dict[str, pd.DataFrame]  # openings, closures, net
    projects: pd.DataFrame
    communes: set[str]
    sources: list[str]
    is_demo: bool
    profile: TerritoryProfile | None = None  # establishments, coverage and skills (None: indicators only)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{fr_number(value, 1)}\u00a0%"
    if unit == "M€":
        return f"{fr_number(value, 1)}\u00a0M€"
    return fr_number(value)


STOCK_CODES = {"emploi_industrie", "emploi_prive", "etablissements_industrie", "sirene_etablissements"}


def format_change(absolute: float | None, relative: float | None, unit: str, *, with_relative: bool = True) -> str:
    """`+1 234 (+2,5 %)`; shares as points: `+0,4 pt`; flows without the relative change."""
    if absolute is None:
        return "–"
    sign = "+" if absolute > 0 else ("−" if absolute < 0 else "±")
    if unit == "%":
        return f"{sign}{fr_number(abs(absolute), 1)}\u00a0pt"
    text = f"{sign}{fr_number(abs(absolute), 1 if unit == 'M€' else 0)}"
    if with_relative and relative is not None:
        text += f" ({'+' if relative > 0 else '−' if relative < 0 else '±'}{fr_number(abs(relative) * 100, 1)}\u00a0%)"
    return text


def tone(change: float | None, higher_is_better: bool | None) -> str:
    """good / bad / neutral for an arrow's colour."""
    if change is None or change == 0 or higher_is_better is None or pd.isna(higher_is_better):
        return "neutral"
    return "good" if (change > 0) == bool(higher_is_better) else "bad"


def scope_communes(data: IndicatorData, scope: Scope, communes: pd.DataFrame) -> set[str]:
    """Commune codes of a scope (communes_frame columns)."""
    if scope.level == "region":
        return set(communes["code"])
    if scope.level == "territoire_industrie":
        return set().union(*(data.ti_communes.get(c, set()) for c in scope.codes))
    column = {"departement": "department_code", "epci": "epci_code", "zone_emploi": "zone_code",
              "commune": "code"}[scope.level]
    return set(communes.loc[communes[column].isin(scope.codes), "code"])


def build_content(data: IndicatorData, scope: Scope, communes: pd.DataFrame, *, years: range | None = None,
                  filieres: tuple[str, ...] = (), profile: TerritoryProfile | None = None) -> ScorecardContent:
    """Everything the scorecard shows, for the HTML page and the PDF alike."""
    years = years or range(2012, data.last_year + 1)
    figures: list[KeyFigure] = []
    sources: dict[str, dt.date | None] = {}  # source name -> date, in order of appearance
    demo = False
    for code in KEY_FIGURES:
        series = data.series(code, scope, years=years, filieres=filieres)
        row = data.catalog_row(code) or {}
        unit = row.get("unit", "")
        k = ind.kpi(ind.rolling_sum(series.frame) if code in ind.PROJECT_CODES else series.frame)
        a1, r1 = k.change_1y, k.change_1y_pct
        a5, r5 = k.change_5y, k.change_5y_pct
        label = row.get("label", code) + (" (cumul 5 ans)" if code in ind.PROJECT_CODES else "")
        figures.append(KeyFigure(code, label, format_value(k.value, unit), k.period or "",
                                 format_change(a1, r1, unit, with_relative=code in STOCK_CODES),
                                 format_change(a5, r5, unit, with_relative=code in STOCK_CODES),
                                 tone(a1, row.get("higher_is_better")), tone(a5, row.get("higher_is_better"))))
        if series.source:
            sources.setdefault(series.source, series.source_date)
        demo |= series.is_demo
    region = data.scope("region", ())
    employment = data.series("emploi_industrie", scope, years=years).frame
    employment_region = data.series("emploi_industrie", region, years=years).frame
    employment_region = employment_region[employment_region["period"].isin(employment["period"])]
    flows = {key: data.series(code, scope, years=years, filieres=filieres).frame for key, code in
             (("openings", "sirene_ouvertures"), ("closures", "sirene_fermetures"), ("net", "sirene_solde"))}
    projects = data.projects[_in_scope(data, scope, data.projects)]
    if filieres:
        projects = projects[projects["filiere_code"].isin(filieres)]
    projects = projects[pd.to_datetime(projects["announced_on"]).dt.year.between(years.start, years.stop - 1)]
    lines = []
    if profile is not None:
        lines.append(f"Établissements : {profile.establishments_source}")
        lines.append(f"Métiers en tension : {profile.skills_source}. {profile.skills_note}")
    dated = [f"{name} ({fr_date(date)})" if date else name for name, date in sources.items()]
    lines += [line for line in dated if profile is None or line != profile.establishments_source]
    lines += ["INSEE – Code officiel géographique 2026, zones d'emploi 2020 ; IGN – ADMIN EXPRESS COG 2018 (contours)"]
    if len(data.ti):
        lines.append("ANCT – Programme Territoires d'industrie, liste des communes")
    return ScorecardContent(scope=scope, level_label=FICHE_LEVELS.get(scope.level, scope.level), years=years,
                            figures=figures, employment=ind.index_100(employment, by=None) if len(employment) else
                            employment.assign(index=[]),
                            employment_region=ind.index_100(employment_region, by=None) if len(employment_region)
                            else employment_region.assign(index=[]),
                            flows=flows, projects=projects, communes=scope_communes(data, scope, communes),
                            sources=lines, is_demo=demo or bool(profile and profile.is_demo), profile=profile)


def _in_scope(data: IndicatorData, scope: Scope, frame: pd.DataFrame) -> pd.Series:
    mask = pd.Series(False, index=frame.index)
    for code in scope.codes:
        mask |= ind.in_territory(frame, scope.level, code, ti_communes=data.ti_communes)
    return mask


# --- The fiche page's read model: which territory, its content, its PDF ----------------------------

def territory_options(data: IndicatorData, lookups, level: str) -> list[dict]:
    """The territories of a fiche level as dropdown options (region: Lorraine only)."""
    if level == "region":
        return searchable([{"label": "Lorraine", "value": ind.REGION_CODE}])
    table = {"departement": lookups.departments.rename(columns={"name": "label"}),
             "epci": lookups.epci.rename(columns={"name": "label"}),
             "zone_emploi": lookups.zones.rename(columns={"name": "label"}),
             "territoire_industrie": data.ti.rename(columns={"name": "label"})}.get(level)
    if table is None:
        return []
    return searchable([{"label": lab, "value": c} for c, lab in zip(table["code"], table["label"])])


def fiche_levels(data: IndicatorData) -> list[dict]:
    """The fiche levels as options (Territoires d'industrie only once imported)."""
    return [{"label": lab, "value": v} for v, lab in FICHE_LEVELS.items()
            if v != "territoire_industrie" or len(data.ti)]


def panels(content: ScorecardContent) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(title, headline, rows of (label, value)) of the three territory panels, as the PDF prints them."""
    p = content.profile
    if p is None:
        return []
    filieres = [(f.label, f"{fr_number(f.establishments)} étab. · {fr_number(f.share * 100, 0)} %") for f in p.filieres]
    coverage = [(r.label, f"{fr_number(r.rate * 100, 0)} %") for r in p.weakest]
    tensions = [(t.label, "secret" if t.difficulty_rate is None else f"{fr_number(t.difficulty_rate * 100, 0)} %")
                for t in p.tensions]
    radius = fr_number(p.coverage_radius_km)
    return [
        ("Établissements et filières",
         f"{fr_number(p.establishments)} établissements · {fr_number(p.jobs)} emplois estimés · "
         f"{fr_number(p.region_share * 100, 1)} % {territory.active().of_label}", filieres),
        (f"Couverture fournisseurs à {radius} km",
         f"{p.well_covered} savoir-faire sur {p.capabilities} couverts à 90 % ou plus · les plus faibles :" if coverage
         else f"Chacun des {p.capabilities} savoir-faire a un fournisseur à moins de {radius} km de toute la demande"
         if p.capabilities else "Aucun établissement dans le territoire", coverage),
        (f"Métiers en tension (BMO {p.skills_year or '–'})",
         f"{p.tension_count} métiers industriels en tension · les plus difficiles :" if p.tensions
         else "Aucune donnée BMO pour ce territoire", tensions),
    ]



class FicheQueryError(ValueError):
    """A fiche URL naming an unknown level or territory; the message says which and what is allowed (French)."""


def fiche_scope(data: IndicatorData, service: DataService, query: dict) -> tuple[str, str]:
    """(level, code) from `?niveau=&code=` (no level: département, no code: Moselle or the level's first
    territory). Raises FicheQueryError on an unknown level or code."""
    levels = query_values(query, "niveau")
    level = LEVEL_ALIASES.get(levels[0], levels[0]) if levels else "departement"
    codes = query_values(query, "code")
    code: str | None = codes[0] if codes else None
    offered = [o["value"] for o in fiche_levels(data)]
    if level not in offered:
        hint = "" if len(data.ti) or level != "territoire_industrie" else (
            " Les Territoires d'industrie apparaissent une fois la liste ANCT importée"
            " (tissu import territoires-industrie).")
        raise FicheQueryError(f"Niveau « {level} » inconnu pour la fiche territoire. Niveaux possibles : "
                              f"{', '.join(offered)}.{hint} Exemple : /fiche?niveau=departement&code=57")
    options = territory_options(data, service.lookups, level)
    allowed = {o["value"] for o in options}
    if code is None:
        code = "57" if level == "departement" else next(iter(sorted(allowed)), None)
    if code is None or code not in allowed:
        examples = ", ".join(f"{o['value']} ({o['label']})" for o in options[:3])
        raise FicheQueryError(f"Territoire « {code or ''} » inconnu au niveau {FICHE_LEVELS[level]}. "
                              f"Codes possibles, par exemple : {examples}.")
    return level, code


def fiche_error(service: DataService, query: dict) -> str | None:
    """The French message of a bad fiche URL, None when it is valid (the HTTP layer answers 400 with it)."""
    try:
        fiche_scope(indicator_data(service), service, query)
    except FicheQueryError as error:
        return str(error)
    return None


def fiche_content(service: DataService, data: IndicatorData, level: str, code: str) -> ScorecardContent:
    """The whole fiche of one territory: indicators plus its establishments, coverage and skills."""
    scope = data.scope(level, [code])
    communes = scope_communes(data, scope, service.lookups.communes)
    profile = territory_profile(service, level, (code,), communes)
    return build_content(data, scope, service.lookups.communes, profile=profile)


@dataclass(frozen=True)
class FicheData:
    level: str
    code: str | None
    error: str  # why the URL cannot be shown ("" when it can)
    level_options: list[dict]
    territory_options: list[dict]
    content: ScorecardContent | None  # None with an error
    polygons: gpd.GeoDataFrame | None  # the bundled commune polygons (reference.load_polygons), for the map


def fiche_data(service: DataService, query: dict[str, list[str]]) -> FicheData:
    """The fiche of the territory in the URL, or the error that says what is wrong with the URL."""
    data = indicator_data(service)
    try:
        level, code = fiche_scope(data, service, query)
    except FicheQueryError as error:
        return FicheData(level="departement", code=None, error=str(error), level_options=fiche_levels(data),
                         territory_options=territory_options(data, service.lookups, "departement"), content=None,
                         polygons=None)
    return FicheData(level=level, code=code, error="", level_options=fiche_levels(data),
                     territory_options=territory_options(data, service.lookups, level),
                     content=fiche_content(service, data, level, code), polygons=load_polygons("communes"))


def fiche_choice(service: DataService, level: str | None, code: str | None, *,
                 level_changed: bool) -> tuple[list[dict], str | None, str]:
    """Territory options of a level, the selected territory (the first when the level changed), its link."""
    options = territory_options(indicator_data(service), service.lookups, level or "departement")
    values = [o["value"] for o in options]
    if code not in values or level_changed:
        code = values[0] if values else None
    return options, code, f"/fiche?niveau={level}&code={code or ''}"


@dataclass(frozen=True)
class FichePdf:
    content: bytes | None  # None when the query is not valid
    filename: str
    error: str = ""  # what is wrong with the query, when content is None


def fiche_pdf(service: DataService, query: dict[str, list[str]], *, today: dt.date | None = None) -> FichePdf:
    """The one-page PDF of `?niveau=&code=`; an invalid territory is an error, never Lorraine in disguise."""
    data = indicator_data(service)
    try:
        level, code = fiche_scope(data, service, query)
    except FicheQueryError as error:
        return FichePdf(None, "fiche-territoire.pdf", str(error))
    from dashboard.scorecard_pdf import scorecard_pdf  # reportlab is loaded by the first PDF only

    content = fiche_content(service, data, level, code)
    return FichePdf(scorecard_pdf(content, load_polygons("communes"), today=today),
                    f"fiche-territoire-{level}-{code}.pdf")
