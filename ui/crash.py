"""Last-resort error handling: log the traceback, tell the person in plain words.

An uncaught exception on any thread is written to the log (with its traceback) and the person
sees a short message that nothing saved was lost; never the traceback itself.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QMetaObject,
    QObject,
    Qt,
    QtMsgType,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("yibao.crash")
_fault_file = None


class _Notifier(QObject):
    @Slot()
    def show(self) -> None:
        if QApplication.instance() is None:
            return
        QMessageBox.warning(
            None,
            QCoreApplication.translate("Crash", "Something went wrong"),
            QCoreApplication.translate(
                "Crash",
                "An unexpected error occurred. Everything already saved is safe. "
                "If it happens again, please tell your technician; the details are in the log.",
            ),
        )


_notifier: _Notifier | None = None


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    log.critical("uncaught exception", exc_info=(kind, exc, tb))
    if _notifier is not None:
        QMetaObject.invokeMethod(_notifier, "show", Qt.ConnectionType.QueuedConnection)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _hook(args.exc_type, args.exc_value, args.exc_traceback)


_qt_log = logging.getLogger("qt")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
# Harmless and repeated on the offscreen platform (no window manager to hint).
_QT_QUIET = ("This plugin does not support propagateSizeHints",)


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = logging.DEBUG if message.startswith(_QT_QUIET) else _QT_LEVELS.get(kind, logging.INFO)
    _qt_log.log(level, "%s (%s)", message, context.category)


def install(log_dir: Path) -> None:
    """Route uncaught exceptions to the log and a dialog; dump hard crashes to a file."""
    global _notifier, _fault_file
    _notifier = _Notifier()
    qInstallMessageHandler(_qt_message)  # Qt's own messages go to our log, not the terminal
    sys.excepthook = _hook
    threading.excepthook = _thread_hook
    log_dir.mkdir(parents=True, exist_ok=True)
    _fault_file = (log_dir / "faults.log").open("a", encoding="utf-8")
    faulthandler.enable(_fault_file)
