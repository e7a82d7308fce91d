"""What the benchmarks that drive Qt share: a throwaway working folder and Qt's messages."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler


def quiet_qt(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages to stderr, less the offscreen platform's note that it has no window
    manager (harmless here, as in the tests)."""
    if "does not support propagateSizeHints" in message:
        return
    print(f"qt: {message}", file=sys.stderr)


@contextlib.contextmanager
def bench_folder(chosen: Path | None, prefix: str) -> Iterator[Path]:
    """A fresh folder under `chosen` (default `.bench-tmp` here), removed afterwards with
    `.bench-tmp` itself when this run made it; Qt's messages filtered meanwhile."""
    qInstallMessageHandler(quiet_qt)
    parent = chosen if chosen is not None else Path.cwd() / ".bench-tmp"
    created_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield work_dir
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        if created_parent:
            with contextlib.suppress(OSError):  # someone else put something there: leave it
                parent.rmdir()
