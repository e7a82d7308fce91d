"""Words for states and kinds, through Qt's translation system (context "Labels").

Each string is written out in a literal `translate` call so that lupdate finds it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def filing_state(state: str) -> str:
    labels = {
        "queued": QCoreApplication.translate("Labels", "Saved, waiting to upload"),
        "accepted": QCoreApplication.translate("Labels", "Accepted"),
        "in_review": QCoreApplication.translate("Labels", "Under review"),
        "completed": QCoreApplication.translate("Labels", "Completed"),
        "refused": QCoreApplication.translate("Labels", "Not accepted"),
        "needs_materials": QCoreApplication.translate("Labels", "Materials needed"),
        "rejected": QCoreApplication.translate("Labels", "Returned"),
    }
    return labels.get(state, state)


def outbox_state(state: str | None) -> str:
    if state is None:
        return ""
    labels = {
        "pending": QCoreApplication.translate("Labels", "Waiting to upload"),
        "sending": QCoreApplication.translate("Labels", "Uploading"),
        "acknowledged": QCoreApplication.translate("Labels", "Delivered"),
        "retry_wait": QCoreApplication.translate("Labels", "Will retry"),
        "unknown_outcome": QCoreApplication.translate("Labels", "Checking with the centre"),
        "rejected": QCoreApplication.translate("Labels", "Returned by the centre"),
        "blocked_auth": QCoreApplication.translate("Labels", "Paused: terminal not authorised"),
        "blocked_config": QCoreApplication.translate("Labels", "Paused: configuration problem"),
    }
    return labels.get(state, state)


def sex(code: str | None) -> str:
    if code == "1":
        return QCoreApplication.translate("Labels", "Male")
    if code == "2":
        return QCoreApplication.translate("Labels", "Female")
    return QCoreApplication.translate("Labels", "Unknown")


def device(name: str) -> str:
    if name == "simulated_id_card":
        return QCoreApplication.translate("Labels", "simulated ID card reader")
    return name
