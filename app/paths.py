"""Where the terminal keeps its data: `--data-dir`, else `YIBAO_HOME`, else the OS data folder."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "yibao-station"
APP_AUTHOR = "Yibao"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get("YIBAO_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


@dataclass(frozen=True)
class DataPaths:
    """The files and folders inside one data folder."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "yibao.db"

    @property
    def blobs(self) -> Path:
        return self.root / "blobs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def screenshots(self) -> Path:
        return self.root / "screenshots"

    def free_disk_bytes(self) -> int | None:
        """Free space for the store, attachments and logs (the heartbeat and the technician
        show it: a full disk stops a terminal from queueing); None if it cannot be read."""
        try:
            return int(shutil.disk_usage(self.root).free)
        except OSError as exc:
            log.warning("free disk space of the data folder unknown: %s", exc)
            return None

    def ensure(self) -> DataPaths:
        for folder in (self.root, self.blobs, self.logs, self.secrets):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.secrets, 0o700)
        return self
