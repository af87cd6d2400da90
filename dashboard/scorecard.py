"""The territory scorecard ("fiche territoire"): its content, and a one-page A4-landscape PDF drawn with reportlab.

Pure Python at runtime (no browser): charts and the map are drawn with reportlab primitives from the
series and the bundled commune polygons.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from dashboard.analytics import indicators as ind
from dashboard.analytics.text import searchable
from dashboard.formatting import fr_date, fr_number
from dashboard.reference import load_polygons
from dashboard.services import DataService
from dashboard.services.indicators import IndicatorData, Scope, indicator_data, query_values

if TYPE_CHECKING:
    import geopandas as gpd

FICHE_LEVELS = {"region": "Région", "departement": "Département", "epci": "EPCI", "zone_emploi": "Zone d'emploi",
                "territoire_industrie": "Territoire d'industrie"}
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
                  filieres: tuple[str, ...] = ()) -> ScorecardContent:
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
    lines = [f"{name} ({fr_date(date)})" for name, date in sources.items()]
    lines += ["INSEE – Code officiel géographique 2026, zones d'emploi 2020 ; IGN – ADMIN EXPRESS COG 2018 (contours)"]
    if len(data.ti):
        lines.append("ANCT – Programme Territoires d'industrie, liste des communes")
    return ScorecardContent(scope=scope, level_label=FICHE_LEVELS.get(scope.level, scope.level), years=years,
                            figures=figures, employment=ind.index_100(employment, by=None) if len(employment) else
                            employment.assign(index=[]),
                            employment_region=ind.index_100(employment_region, by=None) if len(employment_region)
                            else employment_region.assign(index=[]),
                            flows=flows, projects=projects, communes=scope_communes(data, scope, communes),
                            sources=lines, is_demo=demo)


def _in_scope(data: IndicatorData, scope: Scope, frame: pd.DataFrame) -> pd.Series:
    mask = pd.Series(False, index=frame.index)
    for code in scope.codes:
        mask |= ind.in_territory(frame, scope.level, code, ti_communes=data.ti_communes)
    return mask


# --- PDF ---------------------------------------------------------------------------------------------

_INK, _SOFT, _BRAND, _LINE = "#1d2733", "#5a6778", "#1f3a5f", "#dfe4ea"
_TONES = {"good": "#1b7f3b", "bad": "#c0392b", "neutral": "#5a6778"}


def _pdf_text(text: str) -> str:
    """Helvetica (WinAnsi) has no U+2212 minus nor narrow spaces."""
    return str(text).replace("\u2212", "-").replace("\u202f", " ").replace("\u2013", "-")


def scorecard_pdf(content: ScorecardContent, polygons, *, today: dt.date | None = None) -> bytes:
    """A one-page A4-landscape PDF: header, six key figures, three charts, the map, every source."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    width, height = landscape(A4)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    c.setTitle(_pdf_text(f"Fiche territoire – {content.scope.label}"))
    c.setAuthor("tissu – le tissu industriel lorrain")
    c.setSubject("Indicateurs de réindustrialisation")
    margin = 24
    # Header
    c.setFillColor(HexColor(_BRAND))
    c.rect(0, height - 58, width, 58, stroke=0, fill=1)
    c.setFillColor(HexColor("#ffffff"))
    c.setFont("Helvetica-Bold", 19)
    c.drawString(margin, height - 30, _pdf_text(f"Fiche territoire : {content.scope.label}"))
    c.setFont("Helvetica", 10)
    c.drawString(margin, height - 47, _pdf_text(
        f"{content.level_label} · Indicateurs de réindustrialisation {content.years.start}–{content.years.stop - 1}"
        f" · édition du {fr_date(today or dt.date.today())}"))
    if content.is_demo:
        c.setFillColor(HexColor("#fde7cf"))
        c.roundRect(width - 262, height - 42, 238, 22, 10, stroke=0, fill=1)
        c.setFillColor(HexColor("#8a3f00"))
        c.setFont("Helvetica-Bold", 10)
        c.drawCentredString(width - 143, height - 35, "Données de démonstration (fictives)")
    # Key figures
    top = height - 72
    box_w = (width - 2 * margin - 5 * 8) / 6
    for i, fig in enumerate(content.figures):
        x = margin + i * (box_w + 8)
        c.setFillColor(HexColor("#f3f5f8"))
        c.roundRect(x, top - 78, box_w, 78, 6, stroke=0, fill=1)
        c.setFillColor(HexColor(_BRAND))
        c.setFont("Helvetica-Bold", 17)
        c.drawString(x + 8, top - 24, _pdf_text(fig.value))
        c.setFillColor(HexColor(_INK))
        c.setFont("Helvetica", 8)
        _wrap(c, _pdf_text(f"{fig.label}, {fig.period}"), x + 8, top - 37, box_w - 14, 9.5, max_lines=2)
        for j, (text, tone_) in enumerate(((f"1 an : {fig.change_1y}", fig.tone_1y),
                                           (f"5 ans : {fig.change_5y}", fig.tone_5y))):
            y = top - 60 - j * 11
            c.setFillColor(HexColor(_TONES[tone_]))
            c.setFont("Helvetica-Bold" if tone_ != "neutral" else "Helvetica", 8)
            c.drawString(x + 8, y, _pdf_text(text))
    # Charts
    chart_top = top - 92
    chart_w, chart_h = 188, chart_top - 60 - 96
    xs = [margin, margin + chart_w + 12, margin + 2 * (chart_w + 12)]
    emp = content.employment
    _line_chart(c, xs[0], chart_top - chart_h, chart_w, chart_h,
                "Emploi salarié industriel (indice 100)",
                [(content.scope.label, _BRAND, emp), ("Lorraine", "#d9731c", content.employment_region)],
                value="index")
    f = content.flows
    _bar_chart(c, xs[1], chart_top - chart_h, chart_w, chart_h, "Ouvertures et fermetures (Sirene)",
               f["openings"], f["closures"], f["net"])
    _projects_chart(c, xs[2], chart_top - chart_h, chart_w, chart_h, "Projets annoncés par an",
                    content.projects, content.years)
    # Map
    map_x = margin + 3 * (chart_w + 12)
    map_w = width - margin - map_x
    _map(c, map_x, 60, map_w, chart_top - 60, polygons, content.communes, content.projects)
    # Sources
    y = chart_top - chart_h - 22
    c.setFillColor(HexColor(_BRAND))
    c.setFont("Helvetica-Bold", 10)
    c.drawString(margin, y, "Sources")
    c.setFillColor(HexColor(_INK))
    c.setFont("Helvetica", 7.5)
    y -= 12
    for line in content.sources:
        y = _wrap(c, _pdf_text("• " + line), margin, y, map_x - margin - 16, 9.5, max_lines=2)
        if y < 70:
            break
    c.setFont("Helvetica", 7)
    c.setFillColor(HexColor(_SOFT))
    notes = ("Ouvertures : date de création Sirene dans l'année ; fermetures : date de fermeture des établissements "
             "fermés (état F). Variations à 1 et 5 ans : même trimestre ou même année. Vert : évolution favorable.")
    _wrap(c, _pdf_text(notes), margin, 50, width - 2 * margin, 9, max_lines=2)
    c.drawString(margin, 24, _pdf_text("tissu – le tissu industriel lorrain · Fiche territoire · page 1/1"))
    c.showPage()
    c.save()
    return buffer.getvalue()


def _wrap(c, text: str, x: float, y: float, width: float, leading: float, *, max_lines: int = 3) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, size = c._fontname, c._fontsize
    words, line, lines = text.split(), "", []
    for word in words:
        trial = f"{line} {word}".strip()
        if stringWidth(trial, font, size) <= width:
            line = trial
        else:
            lines.append(line)
            line = word
    lines.append(line)
    for i, text_line in enumerate(lines[:max_lines]):
        if i == max_lines - 1 and len(lines) > max_lines:
            text_line = text_line.rstrip(".,;") + "…"
        c.drawString(x, y, text_line)
        y -= leading
    return y


def _frame_box(c, x, y, w, h, title):
    from reportlab.lib.colors import HexColor

    c.setStrokeColor(HexColor(_LINE))
    c.setLineWidth(0.8)
    c.roundRect(x, y, w, h, 6, stroke=1, fill=0)
    c.setFillColor(HexColor(_BRAND))
    c.setFont("Helvetica-Bold", 8.5)
    c.drawString(x + 8, y + h - 14, _pdf_text(title))
    return x + 34, y + 30, w - 44, h - 52  # plot area (left, bottom, width, height)


def _axis(c, px, py, pw, ph, low, high, *, decimals=0):
    from reportlab.lib.colors import HexColor

    c.setFont("Helvetica", 6.5)
    for k in range(5):
        v = low + (high - low) * k / 4
        yy = py + ph * k / 4
        c.setStrokeColor(HexColor("#e6e9ee"))
        c.setLineWidth(0.4)
        c.line(px, yy, px + pw, yy)
        c.setFillColor(HexColor(_SOFT))
        c.drawRightString(px - 3, yy - 2, _pdf_text(fr_number(v, decimals)))


def _scale(values, *, include_zero=False):
    """Axis bounds for 4 intervals of a "nice" step (1, 2, 2.5 or 5 × 10^k): ticks read 0, 5, 10… not 6, 12, 19."""
    import math

    data = [v for v in values if v is not None and not pd.isna(v)]
    if not data:
        return 0.0, 1.0
    low, high = min(data), max(data)
    if include_zero:
        low, high = min(low, 0), max(high, 0)
    if high == low:
        high, low = high + 1, low - 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        start = math.floor(low / step) * step
        if start + 4 * step >= high:
            return start, start + 4 * step
    return low, high


def _x_labels(c, px, py, pw, labels):
    from reportlab.lib.colors import HexColor

    c.setFillColor(HexColor(_SOFT))
    c.setFont("Helvetica", 6.5)
    n = len(labels)
    step = max(1, round(n / 5))
    for i in range(0, n, step):
        c.drawCentredString(px + pw * (i + 0.5) / n, py - 9, str(labels[i]))


def _legend(c, x, y, items):
    from reportlab.lib.colors import HexColor

    c.setFont("Helvetica", 6.5)
    for label, color in items:
        c.setFillColor(HexColor(color))
        c.rect(x, y, 7, 5, stroke=0, fill=1)
        c.setFillColor(HexColor(_INK))
        c.drawString(x + 9, y, _pdf_text(label[:28]))
        x += 14 + c.stringWidth(_pdf_text(label[:28]), "Helvetica", 6.5)


def _line_chart(c, x, y, w, h, title, lines, *, value="value"):
    from reportlab.lib.colors import HexColor

    px, py, pw, ph = _frame_box(c, x, y, w, h, title)
    frames = [(n, col, f.dropna(subset=[value])) for n, col, f in lines if len(f)]
    periods = sorted({p for _, _, f in frames for p in f["period"]})
    if not periods:
        c.setFont("Helvetica", 8)
        c.drawString(px, py + ph / 2, "Pas de série pour ce territoire")
        return
    low, high = _scale([v for _, _, f in frames for v in f[value]])
    _axis(c, px, py, pw, ph, low, high)
    pos = {p: i for i, p in enumerate(periods)}
    for _name, color, f in frames:
        c.setStrokeColor(HexColor(color))
        c.setLineWidth(1.6)
        path = c.beginPath()
        for k, (p, v) in enumerate(zip(f["period"], f[value])):
            xx = px + pw * (pos[p] + 0.5) / len(periods)
            yy = py + ph * (v - low) / (high - low)
            path.moveTo(xx, yy) if k == 0 else path.lineTo(xx, yy)
        c.drawPath(path, stroke=1, fill=0)
    _x_labels(c, px, py, pw, [p[:4] for p in periods])
    _legend(c, x + 8, y + 8, [(n, col) for n, col, _ in frames])


def _bar_chart(c, x, y, w, h, title, openings, closures, net):
    from reportlab.lib.colors import HexColor

    px, py, pw, ph = _frame_box(c, x, y, w, h, title)
    periods = list(openings["period"])
    if not periods:
        return
    low, high = _scale(list(openings["value"]) + list(closures["value"]) + list(net["value"]), include_zero=True)
    _axis(c, px, py, pw, ph, low, high)
    zero = py + ph * (0 - low) / (high - low)
    n = len(periods)
    slot = pw / n
    for i in range(n):
        for j, (frame, color) in enumerate(((openings, "#1b7f3b"), (closures, "#c0392b"))):
            v = float(frame["value"].iloc[i])
            top = py + ph * (v - low) / (high - low)
            c.setFillColor(HexColor(color))
            c.rect(px + slot * i + slot * (0.12 + 0.38 * j), min(zero, top), slot * 0.36, abs(top - zero), stroke=0,
                   fill=1)
    c.setStrokeColor(HexColor(_BRAND))
    c.setLineWidth(1.4)
    path = c.beginPath()
    for i, v in enumerate(net["value"]):
        xx, yy = px + slot * (i + 0.5), py + ph * (float(v) - low) / (high - low)
        path.moveTo(xx, yy) if i == 0 else path.lineTo(xx, yy)
    c.drawPath(path, stroke=1, fill=0)
    _x_labels(c, px, py, pw, periods)
    _legend(c, x + 8, y + 8, [("Ouvertures", "#1b7f3b"), ("Fermetures", "#c0392b"), ("Solde", _BRAND)])


def _projects_chart(c, x, y, w, h, title, projects, years):
    from reportlab.lib.colors import HexColor

    px, py, pw, ph = _frame_box(c, x, y, w, h, title)
    labels = [str(yr) for yr in years]
    data = projects.assign(year=pd.to_datetime(projects["announced_on"]).dt.year)
    counts = {k: data[data["kind"] == k]["year"].value_counts() for k in ind.PROJECT_KINDS}
    totals = [sum(int(counts[k].get(yr, 0)) for k in ind.PROJECT_KINDS) for yr in years]
    _, high = _scale(totals + [1], include_zero=True)
    _axis(c, px, py, pw, ph, 0, high, decimals=0 if high >= 4 else 1)
    slot = pw / len(labels)
    for i, yr in enumerate(years):
        base = py
        for k in ind.PROJECT_KINDS:
            v = int(counts[k].get(yr, 0))
            if v:
                hh = ph * v / high
                c.setFillColor(HexColor(ind.PROJECT_KIND_COLORS[k]))
                c.rect(px + slot * (i + 0.15), base, slot * 0.7, hh, stroke=0, fill=1)
                base += hh
    _x_labels(c, px, py, pw, labels)
    _legend(c, x + 8, y + 8, [(ind.PROJECT_KIND_LABELS[k], ind.PROJECT_KIND_COLORS[k]) for k in ind.PROJECT_KINDS])


def _map(c, x, y, w, h, polygons, communes: set[str], projects: pd.DataFrame):
    """The territory's communes (filled) among their neighbours, projects as circles sized by jobs."""
    import math

    from reportlab.lib.colors import HexColor

    px, py, pw, ph = _frame_box(c, x, y, w, h, "Carte du territoire et projets annoncés")
    px, pw = x + 8, w - 16
    inside = polygons[polygons.index.isin(communes)]
    minx, miny, maxx, maxy = (inside if len(inside) else polygons).total_bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = (maxx - minx) * k, (maxy - miny)
    scale = min(pw / max(span_x, 1e-6), ph / max(span_y, 1e-6)) * 0.94
    ox = px + (pw - span_x * scale) / 2
    oy = py + (ph - span_y * scale) / 2

    def to_xy(lon, lat):
        return ox + (lon - minx) * k * scale, oy + (lat - miny) * scale

    pad = 0.1 * max(maxx - minx, maxy - miny)
    around = polygons.cx[minx - pad:maxx + pad, miny - pad:maxy + pad]
    c.saveState()
    clip = c.beginPath()
    clip.rect(x + 2, y + 2, w - 4, h - 20)
    c.clipPath(clip, stroke=0, fill=0)
    tolerance = max(maxx - minx, maxy - miny) / 400
    for selected, fill, stroke in ((False, "#eef1f5", "#c9d1db"), (True, "#cfe0f1", "#7d9cbd")):
        part = around[around.index.isin(communes) == selected]
        c.setFillColor(HexColor(fill))
        c.setStrokeColor(HexColor(stroke))
        c.setLineWidth(0.25)
        for geom in part.geometry.simplify(tolerance):
            for poly in getattr(geom, "geoms", [geom]):
                coords = list(poly.exterior.coords)
                if len(coords) < 3:
                    continue
                path = c.beginPath()
                path.moveTo(*to_xy(*coords[0][:2]))
                for lon, lat in (p[:2] for p in coords[1:]):
                    path.lineTo(*to_xy(lon, lat))
                path.close()
                c.drawPath(path, stroke=1, fill=1)
    c.setStrokeColor(HexColor("#ffffff"))
    c.setLineWidth(0.8)
    for row in projects.sort_values("jobs", ascending=False).to_dict("records"):
        jobs = row["jobs"] if row["jobs"] is not None and not pd.isna(row["jobs"]) else 10
        c.setFillColor(HexColor(ind.PROJECT_KIND_COLORS.get(row["kind"], "#555555")))
        c.circle(*to_xy(row["lon"], row["lat"]), 2.5 + math.sqrt(min(float(jobs), 400)) * 0.45, stroke=1, fill=1)
    c.restoreState()
    _legend(c, x + 8, y + 8, [(ind.PROJECT_KIND_LABELS[k], ind.PROJECT_KIND_COLORS[k]) for k in ind.PROJECT_KINDS])


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


def fiche_scope(data: IndicatorData, service: DataService, query: dict) -> tuple[str, str, list[str]]:
    """(level, code, notices) from `?niveau=&code=`; bad values fall back to Lorraine with a notice."""
    level = (query_values(query, "niveau") or ["departement"])[0]
    codes = query_values(query, "code")
    code: str | None = codes[0] if codes else None
    notices = []
    if level not in FICHE_LEVELS:
        notices.append(f"Niveau « {level} » inconnu : Lorraine affichée.")
        return "region", ind.REGION_CODE, notices
    allowed = {o["value"] for o in territory_options(data, service.lookups, level)}
    if code is None:
        code = "57" if level == "departement" else next(iter(sorted(allowed)), None)
    if code is None or code not in allowed:
        notices.append(f"Territoire « {code} » inconnu pour ce niveau : Lorraine affichée.")
        return "region", ind.REGION_CODE, notices
    return level, code, notices


@dataclass(frozen=True)
class FicheData:
    level: str
    code: str
    notices: list[str]
    level_options: list[dict]
    territory_options: list[dict]
    content: ScorecardContent
    polygons: gpd.GeoDataFrame  # the bundled commune polygons (reference.load_polygons), for the map


def fiche_data(service: DataService, query: dict[str, list[str]]) -> FicheData:
    """The fiche of the territory in the URL (Lorraine, with a notice, when it is not valid)."""
    data = indicator_data(service)
    level, code, notices = fiche_scope(data, service, query)
    return FicheData(level=level, code=code, notices=notices, level_options=fiche_levels(data),
                     territory_options=territory_options(data, service.lookups, level),
                     content=build_content(data, data.scope(level, [code]), service.lookups.communes),
                     polygons=load_polygons("communes"))


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
    error: str = ""  # the French notices, when content is None


def fiche_pdf(service: DataService, query: dict[str, list[str]]) -> FichePdf:
    """The one-page PDF of `?niveau=&code=`; an invalid territory is an error, never Lorraine in disguise."""
    data = indicator_data(service)
    level, code, notices = fiche_scope(data, service, query)
    name = f"fiche-territoire-{level}-{code}.pdf"
    if notices:
        return FichePdf(None, name, " ".join(notices))
    content = build_content(data, data.scope(level, [code]), service.lookups.communes)
    return FichePdf(scorecard_pdf(content, load_polygons("communes")), name)
