"""The steps an operator takes in the counter window, as qtbot actions on the real widgets.

Shared by the counter tests, the end-to-end test, the screenshots and `bench/counter.py`, so
they all go the way a person goes: card, form, materials and signature, check, confirm, rate.
"""

from __future__ import annotations

import cv2
import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.ratings import Rating
from app.validation import validate_form
from ui.counter.main_window import CounterWindow

SAVE_TIMEOUT_MS = 10_000


def page_jpeg(text: str = "page") -> bytes:
    """A small real JPEG standing for a photographed page (when the camera is not the point)."""
    image = np.full((240, 320, 3), 255, np.uint8)
    cv2.putText(image, text, (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return encoded.tobytes()


def read_card(qtbot: QtBot, win: CounterWindow) -> None:
    """The demo card reader: a simulated card is laid on it and read by its watcher."""
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
    before = win.person
    qtbot.mouseClick(win.identity.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.person is not None and win.person is not before, timeout=5000)


def take_face_photo(qtbot: QtBot, win: CounterWindow) -> None:
    """The camera dialog takes the photo itself once the quality gate passes."""
    qtbot.mouseClick(win.materials.face_button, Qt.MouseButton.LeftButton)
    assert win.materials.face_photo is not None and win.materials.face_photo[:2] == b"\xff\xd8"


def add_required_pages(win: CounterWindow) -> None:
    for spec in win.materials.checklist.missing_required():
        win.materials.checklist.add_page(spec.code, page_jpeg(spec.code), "image/jpeg", "camera")


def sign(qtbot: QtBot, win: CounterWindow) -> None:
    """The citizen signs with the mouse in the signature dialog and confirms."""
    qtbot.mouseClick(win.materials.sign_button, Qt.MouseButton.LeftButton)
    dialog = win.signature_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    pad = dialog.pad
    h = pad.height()
    QTest.mousePress(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(40, h // 2)
    )
    for x in range(50, 400, 20):
        y = h // 2 + (15 if (x // 20) % 2 else -15)
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(400, h // 2)
    )
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.materials.signature is not None, timeout=3000)


def check_and_confirm(qtbot: QtBot, win: CounterWindow, *, rate: str | None = None) -> None:
    """ "Check and confirm", then the review page's Confirm; waits until it is saved. The
    rating dialog that follows is answered (`rate`: good/fair/poor) or skipped (None)."""
    before = win.last_saved
    qtbot.mouseClick(win.save_button, Qt.MouseButton.LeftButton)
    if win.steps.currentWidget() is not win.review:
        item, person = win.form.item, win.person
        assert item is not None and person is not None, win.message.text()
        checked = validate_form(item, win.form.raw_values(), prefill=person.read.prefill())
        raise AssertionError(f"{win.message.text()} {[(e.field, e.code) for e in checked.errors]}")
    assert win.review.confirm_button.isEnabled(), win.review.blocking_problems()
    qtbot.mouseClick(win.review.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: win.last_saved is not before or "未保存" in win.message.text(),
        timeout=SAVE_TIMEOUT_MS,
    )
    assert win.last_saved is not before, win.message.text()
    qtbot.waitUntil(lambda: win.rating_dialog is not None and win.rating_dialog.isVisible())
    answer_rating(qtbot, win, rate)


def answer_rating(qtbot: QtBot, win: CounterWindow, rate: str | None) -> None:
    dialog = win.rating_dialog
    assert dialog is not None
    if rate is None:
        qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(dialog.level_buttons[Rating(rate)], Qt.MouseButton.LeftButton)
        reasons = list(dialog.reason_buttons.values())
        if reasons:
            qtbot.mouseClick(reasons[0], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)  # the rating is queued
    win.activateWindow()  # as the window manager does when a dialog closes
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)


def complete_and_save(
    qtbot: QtBot,
    win: CounterWindow,
    *,
    pending: bool = False,
    rate: str | None = None,
) -> None:
    """After the form is filled: face photo if the item wants one, the required pages (or
    容缺受理 with `pending`), the signature, then check and confirm."""
    if win.materials.face_required:
        take_face_photo(qtbot, win)
    if pending and win.materials.checklist.missing_required():
        win.steps.setCurrentWidget(win.materials)
        check = win.materials.pending_check
        # On its box: a check box takes clicks on its indicator and text, not its whole width.
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
        assert win.materials.materials_pending
    else:
        add_required_pages(win)
    sign(qtbot, win)
    check_and_confirm(qtbot, win, rate=rate)
