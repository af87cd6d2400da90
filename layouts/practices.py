"""Bonnes pratiques (/cercles/pratiques): published sheets and their search, a sheet, my sheets and the form,
the staff review queue. Members' Markdown reaches the page through `layouts.rich_text` only."""

from __future__ import annotations

import urllib.parse

from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids, territory
from dashboard.formatting import fr_date, fr_datetime, fr_number
from dashboard.services.practices import PracticeQuery, PracticesPage
from dashboard.services.practices_input import MAX_CONTACT, MAX_TEXT, MAX_TITLE
from layouts.components import dropdown
from layouts.rich_text import rich_text

PATH = "/cercles/pratiques"
SECTIONS = (("problem", "Le problème"), ("actions", "Ce qui a été fait"), ("results", "Les résultats mesurés"))
MARKDOWN_HINT = "Markdown : **gras**, *italique*, - liste, | tableau |, [lien](https://…). Ni HTML ni image."


def message(text: str | None, *, ok: bool) -> html.P | None:
    if not text:
        return None
    return html.P(text, className="notice" + ("" if ok else " notice-error"), role="status" if ok else "alert")


def sheet_href(sheet_id: int, query: PracticeQuery | None = None) -> str:
    """The URL of a sheet, keeping the list's search (a full page load: the router renders from the URL)."""
    q = query or PracticeQuery()
    params = {"q": q.text, "theme": q.theme, "savoir_faire": q.capability, "departement": q.department,
              "cercle": q.circle}
    return f"{PATH}?{urllib.parse.urlencode({k: v for k, v in params.items() if v} | {'fiche': sheet_id})}"


def _status(item: dict) -> html.Span:
    return html.Span(item["status_label"], className=f"badge prac-status prac-status-{item['status']}")


def _facts(item: dict) -> str:
    when = item.get("published_at") or item.get("updated_at")
    place = f"{item['site_name']} – {item['commune']}" if item.get("site_name") else ""
    return " · ".join(f for f in (place, f"publiée le {fr_date(when)}" if item.get("published_at") else
                                  f"modifiée le {fr_date(when)}") if f)


def sheet_card(item: dict, *, query: PracticeQuery | None = None) -> html.Li:
    return html.Li([
        html.A(item["title"], href=sheet_href(item["id"], query), className="prac-card-title"),
        html.Div(" · ".join(item["theme_labels"] + item["capability_labels"]), className="prac-card-tags"),
        html.Div(_facts(item), className="prac-card-facts"),
    ], className="prac-card")


def sheets_list(items: list[dict], *, query: PracticeQuery | None = None) -> Component:
    if not items:
        return html.P("Aucune fiche publiée ne correspond à cette recherche.", className="form-hint")
    return html.Ol([sheet_card(i, query=query) for i in items], className="prac-list")


def count_line(items: list[dict]) -> str:
    n = len(items)
    return f"{fr_number(n)} fiche{'s' if n > 1 else ''} publiée{'s' if n > 1 else ''}"


def sheet_body(item: dict) -> list:
    """The three texts of a sheet, rendered from Markdown (sanitised), each under its heading."""
    return [html.Section([html.H3(label, className="prac-section-title"),
                          rich_text(item[name]) if item[name] else html.P("–", className="form-hint")])
            for name, label in SECTIONS]


def _contact(item: dict, *, signed_in: bool) -> Component:
    if "contact" not in item:  # cut by the policy: the public never receives it
        return html.P("Contact visible des adhérents connectés.", className="form-hint")
    if not item["contact"]:
        return html.P("Pas de contact indiqué : passez par l'équipe UIMM.", className="form-hint")
    return html.P(["Contact : ", html.Span(item["contact"], className="prac-contact")])


def sheet_view(item: dict | None, history: list[dict], *, signed_in: bool) -> Component:
    if item is None:
        return html.P("Choisissez une fiche dans la liste pour la lire.", className="form-hint")
    steps = [html.Li(" · ".join(x for x in (fr_datetime(s["at"]), s["to_label"], s["by"]) if x)
                     + (f" : « {s['comment']} »" if s["comment"] else "")) for s in history]
    return html.Article([
        html.A("← Toutes les fiches", href=PATH, className="prac-back"),
        html.H2([item["title"], " ", _status(item) if item["status"] != "published" else None],
                className="prac-sheet-title"),
        html.Div(" · ".join(item["theme_labels"] + item["capability_labels"]), className="prac-card-tags"),
        html.Div(_facts(item) + (" · démonstration, fictif" if item["is_demo"] else ""), className="prac-card-facts"),
        *sheet_body(item),
        _contact(item, signed_in=signed_in),
        html.Details([html.Summary("Historique"), html.Ol(steps, className="prac-history")]) if steps else None,
    ], className="prac-sheet", id=f"prac-sheet-{item['id']}")


def _field(label: str, control, hint: str | None = None) -> html.Label:
    return html.Label([html.Span(label, className="form-label"), control,
                       html.Span(hint, className="form-hint") if hint else None], className="form-field")


def _textarea(component_id: str, placeholder: str) -> dcc.Textarea:
    return dcc.Textarea(id=component_id, maxLength=MAX_TEXT, placeholder=placeholder, value="",
                        className="form-input prac-textarea")


def sheet_form(view: PracticesPage) -> html.Div:
    """The form of a new sheet, or of the one being edited (filled by the Modifier buttons)."""
    site = (dropdown(id=ids.PRAC_SITE, options=view.site_options, clearable=False,
                     value=view.site_options[0]["value"] if view.site_options else None,
                     placeholder="Votre établissement") if view.site_options
            else dcc.Input(id=ids.PRAC_SITE, type="text", maxLength=20, value="", className="form-input"))
    return html.Div([
        html.H2("Nouvelle fiche", id=ids.PRAC_FORM_TITLE, className="section-title"),
        html.Div([
            _field("Établissement", site, None if view.site_options else
                   "Équipe UIMM : identifiant (SIRET) de l'adhérent pour qui écrire."),
            _field("Titre", dcc.Input(id=ids.PRAC_TITLE, type="text", maxLength=MAX_TITLE, value="",
                                      className="form-input", placeholder="SMED sur la ligne de presses")),
            _field("Thèmes", dropdown(id=ids.PRAC_THEMES, options=view.theme_options, multi=True, value=[],
                                      placeholder="Lean, énergie…")),
            _field("Savoir-faire concernés", dropdown(id=ids.PRAC_CAPABILITIES, options=view.capability_options,
                                                      multi=True, value=[], placeholder="Emboutissage…")),
        ], className="prac-form-row"),
        _field("Le problème", _textarea(ids.PRAC_PROBLEM, "Ce qui n'allait pas, chiffré si possible"), MARKDOWN_HINT),
        _field("Ce qui a été fait", _textarea(ids.PRAC_ACTIONS, "- étape 1\n- étape 2")),
        _field("Les résultats mesurés", _textarea(ids.PRAC_RESULTS, "Avant / après, en kWh, minutes, %…")),
        html.Div([
            _field("Contact (visible des adhérents connectés seulement)",
                   dcc.Input(id=ids.PRAC_CONTACT, type="text", maxLength=MAX_CONTACT, value="",
                             className="form-input", placeholder="Nom, fonction, e-mail")),
            _field("Cercle (identifiant, facultatif)",
                   dcc.Input(id=ids.PRAC_CIRCLE_ID, type="number", min=1, step=1,
                             value=view.query.circle, className="form-input")),
        ], className="prac-form-row"),
        html.Div([html.Button("Aperçu", id=ids.PRAC_PREVIEW, n_clicks=0, className="button button-light"),
                  html.Button("Enregistrer le brouillon", id=ids.PRAC_SAVE, n_clicks=0,
                              className="button button-light"),
                  html.Button("Soumettre à la relecture", id=ids.PRAC_SUBMIT, n_clicks=0, className="button")],
                 className="prac-actions"),
        html.Div(id=ids.PRAC_FORM_MESSAGE),
        html.Div(id=ids.PRAC_PREVIEW_AREA),
    ], className="form prac-form", id=ids.PRAC_FORM)


def preview_panel(items: list[dict]) -> html.Div:
    """The texts as readers will see them (sanitised), or why one of them cannot be saved."""
    return html.Div([html.H3("Aperçu", className="section-title"), *[html.Section([
        html.H3(i["label"], className="prac-section-title"),
        message(f"{i['label']} : {i['problem']}", ok=False) if i["problem"] else
        rich_text(i["text"]) if i["text"] else html.P("–", className="form-hint"),
    ]) for i in items]], className="prac-sheet prac-preview")


def mine_list(items: list[dict]) -> Component:
    if not items:
        return html.P("Vous n'avez pas encore écrit de fiche.", className="form-hint")
    cards = []
    for i in items:
        editable = i["status"] in ("draft", "returned")
        cards.append(html.Li([
            html.Div([html.A(i["title"], href=sheet_href(i["id"]), className="prac-card-title"), " ", _status(i)]),
            html.Div(_facts(i), className="prac-card-facts"),
            html.Div([html.Button("Modifier", id={"type": ids.PRAC_EDIT, "sheet": i["id"]}, n_clicks=0,
                                  className="button button-light button-small"),
                      html.Button("Soumettre", id={"type": ids.PRAC_SEND, "sheet": i["id"]}, n_clicks=0,
                                  className="button button-small")], className="prac-actions") if editable else None,
        ], className="prac-card", id=f"prac-mine-{i['id']}"))
    return html.Ol(cards, className="prac-list")


def queue_list(items: list[dict]) -> Component:
    """Staff: each submitted sheet in full, a comment and the two decisions."""
    if not items:
        return html.P("Aucune fiche en attente de relecture.", className="form-hint")
    return html.Ol([html.Li([
        html.H3(i["title"], className="prac-card-title"),
        html.Div(" · ".join(i["theme_labels"] + i["capability_labels"]), className="prac-card-tags"),
        html.Div(_facts(i), className="prac-card-facts"),
        *sheet_body(i),
        html.P(["Contact : ", i.get("contact") or "–"], className="prac-card-facts"),
        _field("Commentaire pour l'auteur (obligatoire pour renvoyer)",
               dcc.Textarea(id={"type": ids.PRAC_COMMENT, "sheet": i["id"]}, maxLength=2000, value="",
                            className="form-input prac-comment")),
        html.Div([html.Button("Publier", id={"type": ids.PRAC_DECIDE, "sheet": i["id"], "decision": "published"},
                              n_clicks=0, className="button button-small"),
                  html.Button("Renvoyer à l'auteur", n_clicks=0, className="button button-light button-small",
                              id={"type": ids.PRAC_DECIDE, "sheet": i["id"], "decision": "returned"})],
                 className="prac-actions"),
    ], className="prac-card prac-review", id=f"prac-review-{i['id']}") for i in items], className="prac-list")


def _tab(children, label: str, value: str) -> dcc.Tab:
    return dcc.Tab(children, label=label, value=value, className="view-tab", selected_className="view-tab--selected")


def _search_bar(view: PracticesPage) -> html.Div:
    q = view.query
    return html.Div([
        _field("Rechercher", dcc.Input(id=ids.PRAC_SEARCH, type="search", value=q.text, debounce=True, maxLength=100,
                                       placeholder="four, air comprimé, apprentis…", className="form-input")),
        _field("Thème", dropdown(id=ids.PRAC_THEME, options=view.theme_options, value=q.theme,
                                 placeholder="Tous les thèmes")),
        _field("Savoir-faire", dropdown(id=ids.PRAC_CAPABILITY, options=view.capability_options, value=q.capability,
                                        placeholder="Tous")),
        _field("Département", dropdown(id=ids.PRAC_DEPARTMENT, options=view.department_options, value=q.department,
                                       placeholder=territory.active().whole_label)),
    ], className="prac-search")


def practices_page(view: PracticesPage, *, tab: str = "fiches") -> Component:
    q: PracticeQuery = view.query
    # On a phone the columns stack: a chosen sheet comes first (CSS order), the search and the list after it.
    browse = html.Div([
        html.Div([_search_bar(view),
                  html.P(f"Fiches du cercle n° {q.circle}." if q.circle is not None else None, className="form-hint"),
                  html.P(count_line(view.sheets), id=ids.PRAC_COUNT, className="prac-count"),
                  html.Div(sheets_list(view.sheets, query=q), id=ids.PRAC_LIST)], className="prac-column"),
        html.Div(sheet_view(view.selected, view.selected_history, signed_in=view.signed_in), id=ids.PRAC_SHEET,
                 className="prac-column prac-sheet-column"),
    ], className="prac-columns" + (" prac-columns-selected" if view.selected else ""))
    tabs = [_tab(browse, "Fiches", "fiches")]
    values = {"fiches"} | ({"mes-fiches"} if view.can_write else set()) | ({"relecture"} if view.can_review else set())
    if view.can_write:
        tabs.append(_tab([sheet_form(view), html.H2("Mes fiches", className="section-title"),
                          html.Div(mine_list(view.mine), id=ids.PRAC_MINE)], "Mes fiches", "mes-fiches"))
    if view.can_review:
        tabs.append(_tab([html.Div(id=ids.PRAC_REVIEW_MESSAGE),
                          html.Div(queue_list(view.queue), id=ids.PRAC_QUEUE)],
                         f"À relire ({fr_number(len(view.queue))})", "relecture"))
    return html.Div([
        html.H1("Bonnes pratiques", className="page-title"),
        html.P("Ce que les industriels des cercles d'excellence ont essayé, mesuré et partagent : SMED, fuites d'air "
               "comprimé, récupération de chaleur, cybersécurité d'atelier, intégration des apprentis…",
               className="page-lead"),
        html.P(("Fiches de démonstration (fictives). " if view.is_demo else "") + "Chaque fiche est relue par "
               "l'équipe UIMM avant publication." + ("" if view.signed_in else
                                                      " Connectez-vous pour écrire une fiche et voir les contacts."),
               className="source-badge"),
        dcc.Store(id=ids.PRAC_CIRCLE, data=q.circle), dcc.Store(id=ids.PRAC_EDITING, data=None),
        dcc.Tabs(id=ids.PRAC_TABS, value=tab if tab in values else "fiches", className="view-tabs",
                 mobile_breakpoint=0, children=tabs),
    ], className="page-message prac-page")
