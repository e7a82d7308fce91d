"""The kiosk's temporary folder, and removing the ones that killed kiosks left behind.

The folder holds what a session renders to files: receipts printed as PDF when there is no
thermal printer, certificates without an A4 printer. `privacy.scrub` empties it at the end of
each session and `remove` deletes it when the kiosk exits. A kiosk that is killed (SIGKILL, a
hang aborted by the watchdog, a power cut) does neither, and the temp root outlives it: the
systemd unit cannot use PrivateTmp (see installer/linux/yibao-kiosk.service) and %TEMP% on
Windows is kept. So the next start removes the folders of kiosks that are gone.

Which kiosks are gone: each folder has a `QLockFile` beside it (`<folder>.lock`), taken before
the folder is made and held while its kiosk runs. Qt recognises a lock whose process has died
(pid and host written in the file), on Linux and Windows alike; the age of a lock is not
taken as a sign (stale time 0), so a kiosk that has run for days keeps its folder. A folder of
a live kiosk (another data folder's, or a test running alongside) is never touched, and a
folder without a lock file is left alone, since nothing says whose it is.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QLockFile

log = logging.getLogger(__name__)

PREFIX = "yibao-kiosk-"
LOCK_SUFFIX = ".lock"


def _lock(folder: Path) -> QLockFile:
    lock = QLockFile(str(folder) + LOCK_SUFFIX)
    lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
    return lock


def remove_stale(root: Path) -> int:
    """Delete the session folders under `root` whose kiosk is no longer running (and their
    lock files, and locks left without a folder); returns how many folders went."""
    removed = 0
    if not root.is_dir():
        return 0
    for path in sorted(root.glob(PREFIX + "*")):
        if path.name.endswith(LOCK_SUFFIX):
            folder = path.with_name(path.name[: -len(LOCK_SUFFIX)])
            if folder.exists():
                continue  # handled with its folder
        elif path.is_dir() and not path.is_symlink():
            folder = path
            if not Path(str(folder) + LOCK_SUFFIX).exists():
                continue  # whose it is is unknown: left alone
        else:
            continue
        lock = _lock(folder)
        if not lock.tryLock(0):
            continue  # its kiosk is running
        try:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                removed += not folder.exists()
        finally:
            lock.unlock()  # and the lock file goes with it
    if removed:
        log.info("removed %d temporary folders of kiosks that were stopped abruptly", removed)
    return removed


class SessionFolder:
    """This kiosk's temporary folder under `temp_root` (the system's temp folder if None),
    locked for as long as the kiosk runs; stale folders of killed kiosks are removed first."""

    def __init__(self, temp_root: Path | None = None) -> None:
        root = Path(temp_root) if temp_root is not None else Path(tempfile.gettempdir())
        remove_stale(root)
        for _attempt in range(100):
            path = root / (PREFIX + secrets.token_hex(6))
            lock = _lock(path)
            if not lock.tryLock(0):
                continue  # the name is taken (by a live kiosk): another one
            try:
                path.mkdir(mode=0o700)
            except FileExistsError:
                lock.unlock()
                continue
            self.path = path
            self._lock = lock
            return
        raise OSError(f"no free name for the kiosk's temporary folder under {root}")

    def remove(self) -> None:
        """The kiosk is leaving: its folder and then its lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.unlock()
