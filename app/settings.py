"""The terminal's settings: one typed place, saved as versioned JSON in the data folder.

Settings are read on the GUI thread at start-up and handed to workers as values. A file from
an older version is migrated step by step; one from a newer version is refused rather than
guessed at.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import UserFacingError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


class Mode(StrEnum):
    COUNTER = "counter"
    KIOSK = "kiosk"
    TABLET = "tablet"
    TECHNICIAN = "technician"


class Language(StrEnum):
    ZH_CN = "zh_CN"
    EN = "en"


@dataclass(frozen=True)
class Settings:
    mode: Mode = Mode.COUNTER
    language: Language = Language.ZH_CN
    central_url: str = ""
    sync_interval_seconds: int = 60
    # Filings unsent for longer than this are raised as "needs attention".
    attention_after_hours: int = 24
    font_scale: float = 1.0

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    # 1 -> 2 goes here when version 2 exists: def _v1_to_v2(raw): ...; _MIGRATIONS[1] = _v1_to_v2
}


class SettingsError(UserFacingError):
    pass


def load_settings(path: Path) -> Settings:
    """Read settings, migrating old files; a missing file gives the defaults."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings file unreadable, using defaults: %s", exc)
        return Settings()
    version = int(raw.pop("version", 1))
    if version > SETTINGS_VERSION:
        raise SettingsError(
            f"设置文件来自更新的版本（{version}），请升级本程序。",
            f"The settings file comes from a newer version ({version}); please upgrade.",
        )
    while version < SETTINGS_VERSION:
        raw = _MIGRATIONS[version](raw)
        version += 1
    known = {f.name for f in fields(Settings)}
    defaults = Settings()
    values: dict[str, Any] = {}
    for name in known & raw.keys():
        default = getattr(defaults, name)
        try:
            values[name] = type(default)(raw[name])
        except (TypeError, ValueError):
            log.warning("setting %s has an invalid value; using the default", name)
    return Settings(**values)


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically, so a power cut leaves the old file or the new, never half of one."""
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
