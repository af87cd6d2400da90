"""Where the bundled data and assets live, in a checkout or in an installed wheel."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _bundled(folder: str, package: str) -> Path:
    local = _ROOT / folder
    if local.is_dir():
        return local
    return Path(str(resources.files(package)))


DATA_DIR = _bundled("data", "tissu_data")
ASSETS_DIR = _bundled("assets", "tissu_assets")
