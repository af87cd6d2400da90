"""The establishment card ("fiche établissement")."""

from __future__ import annotations

from urllib.parse import quote

from dash import html

from dashboard.formatting import fr_date, fr_number
from layouts.components import demo_badge

PARTNER_PAGE = "/partenaires"


def _row(label: str, value) -> html.Div:
    return html.Div([html.Dt(label), html.Dd(value if value not in (None, "") else "–")], className="card-row")


def _chips(items: list[tuple[str, bool]], empty: str) -> html.Div:
    if not items:
        return html.Div(empty, className="muted")
    return html.Div([html.Span([label, html.Span(" présumé", className="chip-note") if presumed else None],
                               className="chip" + (" chip-presumed" if presumed else ""),
                               title="Déduit du code NAF" if presumed else "Déclaré")
                     for label, presumed in items], className="chips")


def establishment_card(record: dict, *, capability_labels: dict[str, str], certification_labels: dict[str, str],
                       filiere_color: str) -> html.Div:
    """Every attribute of one establishment record (see analytics.records.establishment_records)."""
    presumed = set(record["capabilities_presumed"])
    capabilities = [(capability_labels.get(c, c), c in presumed) for c in record["capabilities"]]
    certifications = [(certification_labels.get(c, c), False) for c in record["certifications"]]
    headcount = record["headcount_estimate"]
    if record.get("country_label"):  # a site abroad (issue 18): its country, NUTS-3 region and registration number
        id_label, identifier = f"N° d'immatriculation ({record['country']})", record.get("foreign_id")
        where = f"{record['commune_name']} · {record['country_label']}"
        address = ", ".join(part for part in (record["address"], record["commune_name"]) if isinstance(part, str))
        territory = [_row("Pays", record["country_label"]), _row("Région (NUTS 3)", record.get("region_name"))]
    else:
        id_label = "SIRET" if record["siret"] else "Identifiant de démonstration"
        identifier = record["siret"] or record["id"]
        where = f"{record['commune_name']} ({record['departement']})"
        address = f"{record['address'] or ''}, {record['commune_code']} {record['commune_name']}".strip(", ")
        territory = [_row("Intercommunalité", record["epci_name"]), _row("Zone d'emploi", record["zone_emploi_name"])]
    return html.Div([
        html.Div([
            html.Div([html.Span(className="swatch", style={"background": filiere_color}),
                      record["filiere_label"] or "Filière non renseignée"], className="card-kicker"),
            html.H2(record["name"], className="card-title"),
            html.Div(where, className="card-subtitle"),
            demo_badge(True) if record["is_demo"] else None,
        ], className="card-head"),
        html.Dl([
            _row(id_label, identifier),
            _row("Activité (NAF)", f"{record['naf']} – {record['naf_label']}" if record["naf"] else None),
            _row("Effectif", f"{record['size_band_label'] or 'tranche inconnue'} · environ "
                             f"{fr_number(headcount)} salariés"
                 if headcount is not None else record["size_band_label"]),
            _row("Adresse", address),
            *territory,
            _row("Adhérent UIMM", "oui" if record["member"] else "non") if "member" in record else None,
            _row("Création", fr_date(record["created_on"])),
        ], className="card-rows"),
        html.Div("Savoir-faire", className="card-section"),
        _chips(capabilities, "Aucun savoir-faire renseigné"),
        html.Div("Certifications", className="card-section"),
        _chips(certifications, "Aucune certification renseignée"),
        html.Div(f"Source : {record['source']} · {fr_date(record['source_date'])}", className="source-badge"),
        *partner_links(record["id"]),
    ], className="card")


def partner_links(public_id: str) -> list:
    """The partner page from this site: its peers (the button), or its complementary suppliers; the page says which
    context applies and lets the user change it (services.partners.MATCH_LABELS)."""
    site = quote(str(public_id), safe="")
    return [
        html.A("Trouver des partenaires près de ce site", href=f"{PARTNER_PAGE}?site={site}&match=peers",
               className="button", title="Des sites proches qui ont les mêmes savoir-faire"),
        html.A("… ou des fournisseurs complémentaires", href=f"{PARTNER_PAGE}?site={site}&match=complementary",
               className="card-link", title="Ce que la filière de ce site achète et qu'il ne fait pas"),
    ]
