"""What a citizen does at the kiosk, as qtbot steps (shared by the kiosk tests)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.kiosk_form import Ask
from ui.kiosk.window import KioskWindow

LEFT = Qt.MouseButton.LeftButton


def tap(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, LEFT)


def open_applications(qtbot: QtBot, win: KioskWindow) -> None:
    tap(qtbot, win.home.apply_button)
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.application, timeout=5000)


def choose_item(qtbot: QtBot, win: KioskWindow, item_code: str) -> None:
    flow = win.application
    assert flow.pages.currentWidget() is flow.choice
    tap(qtbot, flow.choice.buttons[item_code])


def type_digits(qtbot: QtBot, pad: QWidget, digits: str) -> None:
    keys = pad.keys  # type: ignore[attr-defined]
    for d in digits:
        tap(qtbot, keys[d])


def answer_questions(
    qtbot: QtBot,
    win: KioskWindow,
    answers: dict[str, object],
    region_path: tuple[str, ...] = (),
    until: str | None = None,
) -> None:
    """Answer every question on screen: `answers` by key (a choice's value, True/False, digits
    for the keypad; a missing optional one is skipped); a region by the names in
    `region_path` (province, city[, county]; a two-name path ends with "the whole city").
    With `until`, stop when that question is shown."""
    flow = win.application
    page = flow.question
    while flow.pages.currentWidget() is page:
        question = page.question
        assert question is not None
        key = question.key
        if key == until:
            return
        before = flow._index
        if key not in answers:
            assert not question.required, f"no answer for required {key}"
            tap(qtbot, page.skip_button)
        elif question.ask in (Ask.CHOICE, Ask.YES_NO):
            wanted = answers[key]
            if question.ask is Ask.YES_NO:
                index = 0 if wanted else 1
            else:
                index = [c.value for c in question.spec.choices].index(wanted)
            tap(qtbot, page.choice_buttons[index])
        elif question.ask is Ask.REGION:
            for name in region_path:
                picker = page.region
                while not any(b.isVisible() and b.text() == name for b in picker.buttons):
                    tap(qtbot, picker.next_button)  # "more places", as a person would
                tap(qtbot, next(b for b in picker.buttons if b.isVisible() and b.text() == name))
            if flow._index == before:
                tap(qtbot, page.region.whole_button)
        else:
            pad = {Ask.PHONE: page.phone_pad, Ask.DATE: page.date_pad}.get(
                question.ask, page.number_pad
            )
            value = answers[key]
            if value == "today":
                tap(qtbot, page.today_button)
            else:
                type_digits(qtbot, pad, str(value))
            tap(qtbot, page.next_button)
        assert flow._index == before + 1, f"{key}: {page.error.text()}"


def photograph_papers(qtbot: QtBot, win: KioskWindow, skip_optional: bool = True) -> int:
    """Photograph every paper asked for (skipping optional ones); returns how many were kept."""
    flow = win.application
    page = flow.photo
    kept = 0
    while flow.pages.currentWidget() is page:
        material = page.material
        assert material is not None
        if skip_optional and not material.required:
            tap(qtbot, page.skip_button)
            continue
        qtbot.waitUntil(page.shoot_button.isEnabled, timeout=10_000)
        for _attempt in range(3):  # as a person would, touch again if nothing happened
            tap(qtbot, page.shoot_button)
            try:
                qtbot.waitUntil(page.keep_button.isVisible, timeout=4000)
                break
            except qtbot.TimeoutError:
                continue
        assert page.keep_button.isVisible(), page.status.text()
        tap(qtbot, page.keep_button)
        kept += 1
    return kept


def confirm(qtbot: QtBot, win: KioskWindow) -> str:
    flow = win.application
    assert flow.pages.currentWidget() is flow.review, flow.pages.currentWidget().objectName()
    with qtbot.waitSignal(flow.filed, timeout=10_000) as filed:
        tap(qtbot, flow.review.confirm_button)
    qtbot.waitUntil(lambda: flow.pages.currentWidget() is flow.done, timeout=5000)
    return str(filed.args[0])


def rate_good(qtbot: QtBot, win: KioskWindow) -> str:
    flow = win.application
    with qtbot.waitSignal(flow.rated, timeout=10_000) as rated:
        tap(qtbot, flow.done.rating.level_buttons[next(iter(flow.done.rating.level_buttons))])
    qtbot.waitUntil(lambda: win.pages.currentWidget() is win.home, timeout=5000)
    return str(rated.args[0])


def today_digits() -> str:
    return dt.date.today().strftime("%Y%m%d")
