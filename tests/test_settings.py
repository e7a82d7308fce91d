"""Settings: one typed place, saved atomically, newer files refused, bad values defaulted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.settings import Language, Mode, Settings, SettingsError, load_settings, save_settings


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path) == Settings()  # no file: defaults
    chosen = Settings().with_changes(mode=Mode.KIOSK, language=Language.EN, font_scale=1.5)
    save_settings(path, chosen)
    assert load_settings(path) == chosen
    assert json.loads(path.read_text())["version"] == 1
    assert not path.with_suffix(".tmp").exists()


def test_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 99, "mode": "kiosk"}))
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert "升级" in err.value.zh


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "mode": "spaceship", "sync_interval_seconds": 30}))
    loaded = load_settings(path)
    assert loaded.mode is Mode.COUNTER
    assert loaded.sync_interval_seconds == 30
    path.write_text("{not json")
    assert load_settings(path) == Settings()
