"""Plotly's French locale, passed in every graph's config (`locales`): plotly.js bundles English only, and
the official locale scripts are fetched from a CDN, which tissu never calls (the fairs run offline).

Derived from plotly.js-locales 3.7.0 `fr.js` (MIT licence, © Plotly Technologies Inc.), trimmed to what
tissu's bar and line charts can show (toolbar, snapshot messages, hover labels), with two titles reworded
("Zoom avant/arrière" instead of "Zoom intérieur/extérieur").
"""

from __future__ import annotations

from typing import Any

PLOTLY_LOCALE_FR: dict[str, Any] = {
    "dictionary": {
        "Autoscale": "Échelle automatique",
        "Box Select": "Sélection rectangulaire",
        "Compare data on hover": "Comparer les données au survol",
        "Double-click on legend to isolate one trace": "Double-cliquer sur la légende pour isoler une série",
        "Double-click to zoom back out": "Double-cliquer pour dézoomer",
        "Download plot as a PNG": "Télécharger le graphique en PNG",
        "Download plot": "Télécharger le graphique",
        "Lasso Select": "Sélection lasso",
        "Pan": "Déplacer",
        "Produced with Plotly.js": "Généré avec Plotly.js",
        "Reset": "Réinitialiser",
        "Reset axes": "Réinitialiser les axes",
        "Reset view": "Réinitialiser",
        "Reset views": "Réinitialiser",
        "Show closest data on hover": "Données les plus proches au survol",
        "Snapshot succeeded": "Image enregistrée",
        "Sorry, there was a problem downloading your snapshot!":
            "Désolé, un problème est survenu lors du téléchargement du graphique",
        "Taking snapshot - this may take a few seconds": "Création de l'image, cela peut prendre quelques secondes",
        "Zoom": "Zoom",
        "Zoom in": "Zoom avant",
        "Zoom out": "Zoom arrière",
        "trace": "série",
        "new text": "nouveau texte",
        "Toggle Spike Lines": "Activer/désactiver les lignes de repère",
        "Toggle show closest data on hover": "Activer/désactiver le survol",
        "max:": "max. :",
        "mean:": "moyenne :",
        "median:": "médiane :",
        "min:": "min. :",
    },
    "format": {
        "days": ["Dimanche", "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi"],
        "shortDays": ["Dim", "Lun", "Mar", "Mer", "Jeu", "Ven", "Sam"],
        "months": ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
                   "Novembre", "Décembre"],
        "shortMonths": ["Jan", "Fév", "Mar", "Avr", "Mai", "Jun", "Jul", "Aoû", "Sep", "Oct", "Nov", "Déc"],
        "date": "%d/%m/%Y", "decimal": ",", "thousands": "\u00a0",
        "year": "%Y", "month": "%b %Y", "dayMonth": "%-d %b", "dayMonthYear": "%-d %b %Y",
    },
}
