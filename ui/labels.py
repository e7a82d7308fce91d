"""Words for states and kinds, through Qt's translation system (context "Labels")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def filing_state(state: str) -> str:
    return {
        "queued": _t("Saved, waiting to upload"),
        "accepted": _t("Accepted"),
        "in_review": _t("Under review"),
        "completed": _t("Completed"),
        "refused": _t("Not accepted"),
        "needs_materials": _t("Materials needed"),
        "rejected": _t("Returned"),
    }.get(state, state)


def outbox_state(state: str | None) -> str:
    if state is None:
        return ""
    return {
        "pending": _t("Waiting to upload"),
        "sending": _t("Uploading"),
        "acknowledged": _t("Delivered"),
        "retry_wait": _t("Will retry"),
        "unknown_outcome": _t("Checking with the centre"),
        "rejected": _t("Returned by the centre"),
        "blocked_auth": _t("Paused: terminal not authorised"),
        "blocked_config": _t("Paused: configuration problem"),
    }.get(state, state)


def sex(code: str | None) -> str:
    return {"1": _t("Male"), "2": _t("Female")}.get(code or "", _t("Unknown"))
