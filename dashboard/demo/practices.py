"""FICTITIOUS practice sheets written by demo member establishments: ten plausible practices of the circles'
themes (SMED on a press line, a compressed-air leak campaign, heat recovery on a furnace, segmentation of a
shop network, apprentice onboarding...), with figures of the usual order of magnitude for such projects but
invented for the demo. Every title says "(fictif)".

Eight are published (dated 3 to 120 days before the day of loading), one is submitted and awaits review, one
was returned with a comment; those two belong to the demo member account's first establishment, so the demo
member sees them in "Mes fiches" and the demo staff account has one sheet in its review queue. Each sheet joins
the demo circle of its first theme (the circles demo loads first, in the page registry's order). Same rows on
every load (dates shift with the day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard import repository

_SHEETS: tuple[dict[str, Any], ...] = (
    {"title": "SMED sur la ligne de presses : changement de série de 52 à 14 minutes (fictif)",
     "problem": "Nos presses de 250 t changeaient d'outil **6 fois par poste**, en 52 minutes en moyenne : "
                "près d'une heure et demie d'arrêt par équipe, et des lots gonflés pour l'éviter.",
     "actions": "- Film de trois changements, chronométrage des opérations\n"
                "- Séparation des tâches *internes* (presse arrêtée) et *externes* (préparation)\n"
                "- Chariots de préparation, brides rapides, pions de centrage\n"
                "- Standard affiché au poste et formation des régleurs des trois équipes",
     "results": "| Indicateur | Avant | Après |\n|---|---|---|\n| Changement de série | 52 min | 14 min |\n"
                "| Taille de lot moyenne | 4 000 | 1 500 |\n| TRS ligne | 61 % | 72 % |",
     "themes": "lean", "capabilities": "emboutissage", "status": "published", "age": 120},
    {"title": "Campagne de fuites d'air comprimé : 38 fuites réparées, 96 MWh économisés par an (fictif)",
     "problem": "Le compresseur tournait **la nuit et le week-end** alors que les ateliers étaient à l'arrêt : "
                "les fuites représentaient près de 30 % du débit produit.",
     "actions": "1. Relevé à l'arrêt de production avec un détecteur à ultrasons\n"
                "2. Étiquetage des 38 fuites, réparation par la maintenance en 3 semaines\n"
                "3. Électrovanne de coupure par îlot pilotée par l'horaire des équipes",
     "results": "Débit de fuite passé de **1,9 à 0,5 m³/min** ; consommation du compresseur réduite de "
                "96 MWh par an, soit environ 14 000 € au prix de l'électricité de l'usine.",
     "themes": "energie", "capabilities": "maintenance_industrielle", "status": "published", "age": 95},
    {"title": "Récupération de chaleur sur le four de traitement thermique (fictif)",
     "problem": "Les fumées du four de revenu sortaient à **420 °C** tandis que les locaux et l'eau de lavage "
                "étaient chauffés au gaz.",
     "actions": "Échangeur fumées/eau sur la cheminée, boucle d'eau chaude vers le tunnel de lavage et les "
                "aérothermes de l'atelier ; étude financée avec un certificat d'économies d'énergie.",
     "results": "Gaz de chauffage réduit de 410 MWh PCS par an (−31 %), environ 75 t de CO₂ évitées ; "
                "retour sur investissement estimé à 3,5 ans.",
     "themes": "energie", "capabilities": "traitement_thermique", "status": "published", "age": 70},
    {"title": "Segmenter le réseau d'atelier : automates isolés de la bureautique (fictif)",
     "problem": "Automates, postes de supervision et bureautique partageaient **un seul réseau** : un poste "
                "infecté aurait pu arrêter toutes les lignes.",
     "actions": "- Inventaire des équipements connectés (142 adresses)\n"
                "- Trois zones : bureautique, supervision, automates, avec un pare-feu industriel entre elles\n"
                "- Accès à distance des fournisseurs par un bastion, sur demande et journalisé\n"
                "- Sauvegarde hors ligne des programmes automates chaque mois",
     "results": "Plus aucun flux direct entre bureautique et automates ; restauration d'un automate testée "
                "en 40 minutes. Guide utilisé : [ANSSI, sécurité des systèmes industriels](https://cyber.gouv.fr).",
     "themes": "cybersecurite;numerique", "capabilities": "automatisme", "status": "published", "age": 55},
    {"title": "Parcours d'intégration des apprentis : tuteur, livret et points à 30, 60 et 90 jours (fictif)",
     "problem": "Un apprenti sur trois quittait l'entreprise **avant la fin de sa première année**.",
     "actions": "Un tuteur formé par apprenti, un livret d'accueil (sécurité, métiers, interlocuteurs), des "
                "points d'étape à 30, 60 et 90 jours et une visite des ateliers clients.",
     "results": "Ruptures de contrat en première année passées de 33 % à 9 % sur deux promotions ; "
                "4 apprentis embauchés en CDI à l'issue de leur contrat.",
     "themes": "recrutement", "capabilities": "", "status": "published", "age": 40},
    {"title": "Maintenance prévisionnelle des broches d'usinage par analyse vibratoire (fictif)",
     "problem": "Trois casses de broche en un an, chacune **9 jours d'arrêt** d'un centre 5 axes.",
     "actions": "Capteurs vibratoires sur 6 broches, seuils d'alerte par fréquence, relevés intégrés à la GMAO "
                "et remplacement des roulements planifié pendant les arrêts.",
     "results": "Aucune casse sur 14 mois ; disponibilité des centres passée de 86 % à 93 %.",
     "themes": "maintenance", "capabilities": "fraisage_5axes", "status": "published", "age": 28},
    {"title": "Tri des copeaux et huiles de coupe : moins de déchets dangereux (fictif)",
     "problem": "Copeaux d'aluminium et d'acier mélangés, imbibés d'huile : **déclassés en déchet dangereux**.",
     "actions": "Bennes séparées par matière au pied des machines, essoreuse à copeaux, filtration et recyclage "
                "de l'huile ; sensibilisation des opérateurs par un quart d'heure sécurité.",
     "results": "Déchets dangereux réduits de 22 t par an ; copeaux revendus au prix du métal trié.",
     "themes": "qse", "capabilities": "tournage", "status": "published", "age": 15},
    {"title": "Achats groupés d'abrasifs et d'EPI entre quatre PME voisines (fictif)",
     "problem": "Chaque PME achetait seule ses abrasifs et équipements de protection, **sans volume** pour "
                "négocier.",
     "actions": "Un référencement commun, une commande mensuelle groupée, livraison sur un site et navette.",
     "results": "Prix moyens réduits de 12 % ; deux fournisseurs locaux retenus sur trois.",
     "themes": "achats", "capabilities": "", "status": "published", "age": 3},
    {"title": "Management visuel en soudure : tableau d'équipe et résolution de problèmes en 5 minutes (fictif)",
     "problem": "Les défauts de soudure étaient connus **au contrôle final**, des jours après.",
     "actions": "Tableau d'équipe au poste, point de 5 minutes à chaque prise de poste, fiche de résolution "
                "de problème pour chaque défaut répété.",
     "results": "Taux de retouche passé de 4,1 % à 1,8 % en quatre mois.",
     "themes": "lean;qse", "capabilities": "soudure_mig_mag", "status": "submitted", "age": 2},
    {"title": "Suivi énergétique par compteurs divisionnaires (fictif)",
     "problem": "Facture d'électricité en hausse sans savoir quel atelier consommait.",
     "actions": "Pose de compteurs sur les départs principaux.",
     "results": "À compléter.",
     "themes": "energie", "capabilities": "", "status": "returned", "age": 6,
     "comment": "Merci de chiffrer les résultats (kWh ou € par an) et de dire ce qui a changé grâce aux compteurs."},
)
CONTACT = "Responsable méthodes – contact de démonstration (fictif), methodes@exemple-fictif.example"


def _member_sites(establishments: pd.DataFrame) -> list[str]:
    """Demo member establishments, the demo member account's first (demo/accounts.py: the first by id)."""
    members = establishments[establishments["is_member"].astype(bool) & (establishments["state"] == "A")]
    return members.sort_values("id")["public_id"].tolist()


def build_demo_practices(establishments: pd.DataFrame, *, today: dt.date,
                         circles: dict[str, int] | None = None) -> dict:
    """Rows for `repository.replace_demo_practices` (sheets, reviews). `circles` maps a theme to the demo circle
    of that theme: a sheet joins the circle of its first theme, when there is one."""
    circles = circles or {}
    sites = _member_sites(establishments)
    if not sites:
        return {"sheets": [], "reviews": []}
    now = dt.datetime.combine(today, dt.time(9, 0))
    own = sites[0]
    others = sites[2:] or sites
    sheets, reviews = [], []
    for k, spec in enumerate(_SHEETS):
        written = now - dt.timedelta(days=spec["age"] + 7)
        changed = now - dt.timedelta(days=spec["age"])
        status = spec["status"]
        site = own if status != "published" or k == 0 else others[(k * 7) % len(others)]
        sheets.append({"site_siret": site, "circle_id": circles.get(spec["themes"].split(";")[0]),
                       "title": spec["title"], "problem": spec["problem"],
                       "actions": spec["actions"], "results": spec["results"], "themes": spec["themes"],
                       "capabilities": spec["capabilities"], "contact": CONTACT, "status": status, "created_by": None,
                       "created_at": written, "updated_at": changed,
                       "published_at": changed if status == "published" else None, "is_demo": True})
        submitted = written + dt.timedelta(days=2)
        reviews.append({"sheet": k, "at": submitted, "by_user": None, "by_label": "démo (fictif)",
                        "from_status": "draft", "to_status": "submitted", "comment": ""})
        if status != "submitted":
            reviews.append({"sheet": k, "at": changed, "by_user": None, "by_label": "équipe UIMM, démo (fictif)",
                            "from_status": "submitted", "to_status": status, "comment": spec.get("comment", "")})
    return {"sheets": sheets, "reviews": reviews}


def load_demo(engine: Engine, *, seed: int = 42, today: dt.date | None = None) -> None:
    """Replace the demo practice sheets (on the demo establishments), dated from `today`; `seed` is unused (the
    sheets are written by hand) but kept for the demo registry's signature."""
    dataset = repository.dataset_named(engine, "demo")
    if dataset is None:
        return
    circles = repository.circles_frame(engine)
    by_theme = {} if circles.empty else dict(
        circles[circles["is_demo"].astype(bool)].drop_duplicates("theme_code")[["theme_code", "id"]].to_numpy())
    rows = build_demo_practices(repository.establishments_frame(engine, dataset.id), today=today or dt.date.today(),
                                circles={str(k): int(v) for k, v in by_theme.items()})
    repository.replace_demo_practices(engine, **rows)


def ensure_demo(engine: Engine, *, seed: int = 42) -> None:
    """Load the demo sheets when the database has none."""
    if not repository.has_demo_practices(engine):
        load_demo(engine, seed=seed)
