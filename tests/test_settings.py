"""Settings: one typed place, saved atomically, newer files refused, bad values defaulted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.settings import (
    CameraDriver,
    IdCardDriver,
    Language,
    Mode,
    Settings,
    SettingsError,
    load_settings,
    save_settings,
)


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert load_settings(path) == Settings()  # no file: defaults
    devices = Settings().devices.with_changes(
        id_card=IdCardDriver.SAM_SERIAL, id_card_port="/dev/ttyUSB0", camera_index=2
    )
    chosen = Settings().with_changes(
        mode=Mode.KIOSK, language=Language.EN, font_scale=1.5, devices=devices
    )
    save_settings(path, chosen)
    loaded = load_settings(path)
    assert loaded == chosen
    assert loaded.devices.id_card is IdCardDriver.SAM_SERIAL
    assert json.loads(path.read_text())["version"] == 2
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


def test_version_1_file_gains_device_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "mode": "kiosk", "sync_interval_seconds": 45}))
    loaded = load_settings(path)
    assert loaded.mode is Mode.KIOSK and loaded.sync_interval_seconds == 45
    assert loaded.devices == Settings().devices


def test_a_bad_device_value_keeps_the_other_device_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "version": 2,
                "devices": {"camera": "hologram", "camera_index": 3, "id_card_baudrate": "fast"},
            }
        )
    )
    devices = load_settings(path).devices
    assert devices.camera is CameraDriver.AUTO
    assert devices.camera_index == 3
    assert devices.id_card_baudrate == 115200
    path.write_text(json.dumps({"version": 2, "devices": "not an object"}))
    assert load_settings(path).devices == Settings().devices


def test_every_device_setting_has_a_label_in_both_languages() -> None:
    from dataclasses import fields

    from app.settings import DEVICE_SETTING_LABELS, DeviceSettings

    names = {f.name for f in fields(DeviceSettings)}
    assert set(DEVICE_SETTING_LABELS) == names
    assert all(zh and en for zh, en in DEVICE_SETTING_LABELS.values())


def test_scan_folder_defaults_to_the_data_folder_and_survives_older_files(tmp_path: Path) -> None:
    from app.settings import scan_folder_path

    path = tmp_path / "settings.json"
    # A version-2 file written before the setting existed keeps its other device settings.
    path.write_text(json.dumps({"version": 2, "devices": {"camera_index": 2}}))
    devices = load_settings(path).devices
    assert devices.scan_folder == "" and devices.camera_index == 2
    assert scan_folder_path(devices, tmp_path / "data") == tmp_path / "data" / "scans"
    chosen = devices.with_changes(scan_folder=str(tmp_path / "scanner"))
    save_settings(path, Settings().with_changes(devices=chosen))
    assert scan_folder_path(load_settings(path).devices, tmp_path) == tmp_path / "scanner"
