"""The fiche territoire as a one-page A4-landscape PDF, drawn with reportlab primitives (no browser): key figures,
the territory's establishments, supplier coverage and trades in tension, three charts, the map, every source."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from dashboard.analytics import indicators as ind
from dashboard.formatting import fr_date, fr_number
from dashboard.scorecard import ScorecardContent, panels

_INK, _SOFT, _BRAND, _LINE = "#1d2733", "#5a6778", "#1f3a5f", "#dfe4ea"
_TONES = {"good": "#1b7f3b", "bad": "#c0392b", "neutral": "#5a6778"}


# Bitstream Vera, bundled with reportlab, is embedded: unlike the PDF base fonts (WinAnsi) it has the U+2212 minus
# the screen writes, so the PDF's negative numbers read "−206" as the page's do.
_REGULAR, _BOLD = "TissuSans", "TissuSans-Bold"


def _register_fonts() -> None:
    import os

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    pdfmetrics.registerFont(TTFont(_REGULAR, os.path.join(folder, "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_BOLD, os.path.join(folder, "VeraBd.ttf")))


def _pdf_text(text: str) -> str:
    """Vera has no narrow no-break space (the French thousands separator): a no-break space instead."""
    return str(text).replace("\u202f", "\u00a0").replace("\u2009", " ")


def scorecard_pdf(content: ScorecardContent, polygons, *, today: dt.date | None = None) -> bytes:
    """A one-page A4-landscape PDF: header, six key figures, the territory's establishments, supplier coverage
    and trades in tension, three charts, the map, every source."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    c.setTitle(_pdf_text(f"Fiche territoire – {content.scope.label}"))
    c.setAuthor("tissu – le tissu industriel lorrain")
    c.setSubject("Établissements, couverture fournisseurs, compétences et réindustrialisation")
    margin = 24
    # Header
    c.setFillColor(HexColor(_BRAND))
    c.rect(0, height - 58, width, 58, stroke=0, fill=1)
    c.setFillColor(HexColor("#ffffff"))
    c.setFont(_BOLD, 19)
    c.drawString(margin, height - 30, _pdf_text(f"Fiche territoire : {content.scope.label}"))
    c.setFont(_REGULAR, 10)
    c.drawString(margin, height - 47, _pdf_text(
        f"{content.level_label} · Établissements, couverture, compétences · réindustrialisation "
        f"{content.years.start}–{content.years.stop - 1} · édition du {fr_date(today or dt.date.today())}"))
    if content.is_demo:
        c.setFillColor(HexColor("#fde7cf"))
        c.roundRect(width - 262, height - 42, 238, 22, 10, stroke=0, fill=1)
        c.setFillColor(HexColor("#8a3f00"))
        c.setFont(_BOLD, 10)
        c.drawCentredString(width - 143, height - 35, "Données de démonstration (fictives)")
    # Key figures
    top = height - 72
    box_w = (width - 2 * margin - 5 * 8) / 6
    for i, fig in enumerate(content.figures):
        x = margin + i * (box_w + 8)
        c.setFillColor(HexColor("#f3f5f8"))
        c.roundRect(x, top - 78, box_w, 78, 6, stroke=0, fill=1)
        c.setFillColor(HexColor(_BRAND))
        c.setFont(_BOLD, 17)
        c.drawString(x + 8, top - 24, _pdf_text(fig.value))
        c.setFillColor(HexColor(_INK))
        c.setFont(_REGULAR, 8)
        _wrap(c, _pdf_text(f"{fig.label}, {fig.period}"), x + 8, top - 37, box_w - 14, 9.5, max_lines=2)
        for j, (text, tone_) in enumerate(((f"1 an : {fig.change_1y}", fig.tone_1y),
                                           (f"5 ans : {fig.change_5y}", fig.tone_5y))):
            y = top - 60 - j * 11
            c.setFillColor(HexColor(_TONES[tone_]))
            c.setFont(_BOLD if tone_ != "neutral" else _REGULAR, 8)
            c.drawString(x + 8, y, _pdf_text(text))
    # The territory: establishments and filières, supplier coverage, trades in tension
    panel_top, panel_h, chart_w = top - 90, 122, 188
    xs = [margin, margin + chart_w + 12, margin + 2 * (chart_w + 12)]
    for x, (title, headline, rows) in zip(xs, panels(content)):
        _text_panel(c, x, panel_top - panel_h, chart_w, panel_h, title, headline, rows)
    # Charts
    chart_top = panel_top - panel_h - 10
    chart_h = chart_top - 60 - 92
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
    _map(c, map_x, 60, map_w, panel_top - 60, polygons, content.communes, content.projects)
    # Sources
    y = chart_top - chart_h - 16
    c.setFillColor(HexColor(_BRAND))
    c.setFont(_BOLD, 9)
    c.drawString(margin, y, "Sources")
    c.setFillColor(HexColor(_INK))
    c.setFont(_REGULAR, 6.8)
    y -= 10
    for line in content.sources:
        y = _wrap(c, _pdf_text("• " + line), margin, y, map_x - margin - 16, 8.2, max_lines=2)
        if y < 62:
            break
    c.setFont(_REGULAR, 7)
    c.setFillColor(HexColor(_SOFT))
    notes = ("Ouvertures : date de création Sirene dans l'année ; fermetures : date de fermeture des établissements "
             "fermés (état F). Variations à 1 et 5 ans : même trimestre ou même année. Vert : évolution favorable. "
             "Couverture : part des emplois des établissements du territoire ayant un fournisseur dans le rayon.")
    _wrap(c, _pdf_text(notes), margin, 50, width - 2 * margin, 9, max_lines=2)
    c.drawString(margin, 24, _pdf_text("tissu – le tissu industriel lorrain · Fiche territoire · page 1/1"))
    c.showPage()
    c.save()
    return buffer.getvalue()


def _text_panel(c, x, y, w, h, title, headline, rows):
    from reportlab.lib.colors import HexColor
    from reportlab.pdfbase.pdfmetrics import stringWidth

    _frame_box(c, x, y, w, h, title)
    c.setFillColor(HexColor(_SOFT))
    c.setFont(_REGULAR, 7)
    yy = _wrap(c, _pdf_text(headline), x + 8, y + h - 26, w - 16, 8.5, max_lines=2)
    c.setFont(_REGULAR, 7)
    for label, value in rows:
        yy -= 1.5
        c.setFillColor(HexColor(_BRAND))
        c.setFont(_BOLD, 7)
        text_value = _pdf_text(value)
        c.drawRightString(x + w - 8, yy, text_value)
        room = w - 22 - stringWidth(text_value, _BOLD, 7)
        c.setFillColor(HexColor(_INK))
        c.setFont(_REGULAR, 7)
        label = _pdf_text(label)
        while stringWidth(label, _REGULAR, 7) > room and len(label) > 4:
            label = label[:-2].rstrip(" ,") + "…"
        c.drawString(x + 8, yy, label)
        yy -= 9.5
        if yy < y + 6:
            break


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
    c.setFont(_BOLD, 8.5)
    c.drawString(x + 8, y + h - 14, _pdf_text(title))
    return x + 34, y + 30, w - 44, h - 52  # plot area (left, bottom, width, height)


def _axis(c, px, py, pw, ph, low, high, *, decimals=0):
    from reportlab.lib.colors import HexColor

    c.setFont(_REGULAR, 6.5)
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
    c.setFont(_REGULAR, 6.5)
    n = len(labels)
    step = max(1, round(n / 5))
    for i in range(0, n, step):
        c.drawCentredString(px + pw * (i + 0.5) / n, py - 9, str(labels[i]))


def _legend(c, x, y, items):
    from reportlab.lib.colors import HexColor

    c.setFont(_REGULAR, 6.5)
    for label, color in items:
        c.setFillColor(HexColor(color))
        c.rect(x, y, 7, 5, stroke=0, fill=1)
        c.setFillColor(HexColor(_INK))
        c.drawString(x + 9, y, _pdf_text(label[:28]))
        x += 14 + c.stringWidth(_pdf_text(label[:28]), _REGULAR, 6.5)


def _line_chart(c, x, y, w, h, title, lines, *, value="value"):
    from reportlab.lib.colors import HexColor

    px, py, pw, ph = _frame_box(c, x, y, w, h, title)
    frames = [(n, col, f.dropna(subset=[value])) for n, col, f in lines if len(f)]
    periods = sorted({p for _, _, f in frames for p in f["period"]})
    if not periods:
        c.setFont(_REGULAR, 8)
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


