"""The audit log as staff read and export it (the policy is checked here, before any row leaves)."""

from __future__ import annotations

import pandas as pd

from dashboard import repository
from dashboard.formatting import fr_datetime
from dashboard.policy import Action, Viewer, require
from dashboard.services.base import DataService
from dashboard.services.downloads import ExportFile

PAGE_ROWS = 200  # the page shows the newest; the export has everything (capped)
EXPORT_ROWS = 100_000


# What each audited action is called in the UI and the exports (the code stays in the database and the export).
ACTION_LABELS = {
    "user.sign_in": "Connexion", "user.create": "Création de compte", "user.role": "Changement de rôle",
    "user.disable": "Compte désactivé", "user.enable": "Compte réactivé",
    "user.establishments": "Établissements du compte",
    "user.reset_link": "Lien de mot de passe émis", "user.password": "Mot de passe défini",
    "user.rehash": "Empreinte du mot de passe renouvelée", "token.create": "Jeton d'API créé",
    "token.revoke": "Jeton d'API révoqué", "meeting.held": "Rendez-vous tenu",
    "meeting.cancelled": "Rendez-vous annulé",
    "event.reschedule": "Replanification de l'événement",
}
_TARGET_LABELS = {"user": "compte", "meeting": "rendez-vous", "event": "événement", "token": "jeton"}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def target_label(target: str) -> str:
    """`"meeting:42"` -> `"rendez-vous n° 42"`."""
    kind, _, key = target.partition(":")
    return f"{_TARGET_LABELS[kind]} n° {key}" if kind in _TARGET_LABELS and key else target


def _display(frame: pd.DataFrame) -> list[dict]:
    return [{**row, "at": fr_datetime(row["at"]), "action": action_label(row["action"]),
             "target": target_label(row["target"])} for row in frame.to_dict("records")]


def latest(service: DataService, viewer: Viewer) -> tuple[list[dict], int]:
    """The newest entries, formatted for the page, and the total count."""
    require(viewer, Action.READ_AUDIT)
    return _display(repository.audit_entries(service.engine, limit=PAGE_ROWS)), repository.audit_count(service.engine)


def export_file(service: DataService, viewer: Viewer) -> ExportFile:
    require(viewer, Action.READ_AUDIT)
    frame = repository.audit_entries(service.engine, limit=EXPORT_ROWS)
    frame.insert(4, "label", frame["action"].map(action_label))
    frame["target"] = frame["target"].map(target_label)
    frame = frame.rename(columns={"id": "N°", "at": "Date (UTC)", "actor": "Par", "action": "Code", "label": "Action",
                                  "target": "Objet", "before": "Avant", "after": "Après", "address": "Adresse"})
    return ExportFile(frame, "tissu-journal", sheet="Journal")
