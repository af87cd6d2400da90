from pathlib import Path

import pytest

from dashboard.settings import SETTINGS, SettingsError, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_use_a_sqlite_file_in_the_instance_folder():
    settings = load_settings({})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/tissu.sqlite3")
    assert (settings.host, settings.port, settings.debug, settings.tile_url) == ("127.0.0.1", 8050, False, "")
    assert not settings.has_tiles


def test_environment_values_are_parsed():
    settings = load_settings({"TISSU_PORT": "9000", "TISSU_DEBUG": "oui",
                              "TISSU_TILE_URL": " https://t/{z}/{x}/{y}.png ",
                              "TISSU_DATABASE_URL": "postgresql://u@h/db", "TISSU_DEMO_SCALE": "2.5"})
    assert settings.port == 9000 and settings.debug is True
    assert settings.tile_url == "https://t/{z}/{x}/{y}.png" and settings.has_tiles
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.demo_scale == 2.5


@pytest.mark.parametrize("env", [{"TISSU_PORT": "huit"}, {"TISSU_DEBUG": "maybe"}, {"TISSU_DEMO_SEED": "1.5"}])
def test_bad_values_raise_a_named_error(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        load_settings(env)


def test_settings_are_frozen():
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def test_readme_documents_every_setting():
    readme = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert missing == []
