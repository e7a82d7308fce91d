"""Keyboard-wedge scanner bursts told apart from people typing, through real Qt key events.

QTest delivers key events to the focused line edit through QApplication::notify, as the
window system's keys are, so the application-wide filter sees them the same way. QTest's
events carry no timestamp, so these tests exercise the filter's monotonic clock; events with
timestamps (what X11, Wayland and Windows deliver) are built by hand further down.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.wedge_scanner import WedgeScanner

CODE = "YBEV1.ER_GVqZAzZcH6J-k"  # 21 characters, as a scanner types them
FAST_MS = 2  # QTest waits this before the press and before the release: ~5 ms between presses
SLOW_MS = 60  # ~120 ms between presses: a quick typist


class Counter(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.other = QLineEdit()
        layout.addWidget(self.field)
        layout.addWidget(self.other)
        self.returns = 0
        self.field.returnPressed.connect(self._on_return)

    def _on_return(self) -> None:
        self.returns += 1


@pytest.fixture
def window(qtbot: QtBot) -> Counter:
    widget = Counter()
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    widget.field.setFocus()
    qtbot.waitUntil(widget.field.hasFocus, timeout=1000)
    return widget


@pytest.fixture
def scanner(qapp: QApplication) -> Iterator[WedgeScanner]:
    wedge = WedgeScanner()
    wedge.install(qapp)
    yield wedge
    wedge.uninstall(qapp)


@pytest.fixture
def scans(scanner: WedgeScanner) -> list[str]:
    seen: list[str] = []
    scanner.codeScanned.connect(seen.append)
    return seen


def type_text(qtbot: QtBot, widget: QWidget, text: str, delay: int) -> None:
    for ch in text:
        qtbot.keyClick(widget, ch, delay=delay)


def test_a_scan_is_caught_and_leaves_the_field_alone(
    qtbot: QtBot, window: Counter, scanner: WedgeScanner, scans: list[str]
) -> None:
    with qtbot.waitSignal(scanner.codeScanned, timeout=1000) as caught:
        type_text(qtbot, window.field, CODE, FAST_MS)
        qtbot.keyClick(window.field, Qt.Key.Key_Return, delay=FAST_MS)
    assert caught.args == [CODE]
    qtbot.wait(100)  # past the silence that would replay held keys
    assert window.field.text() == ""
    assert window.field.hasFocus()
    assert window.returns == 0  # the scanner's Enter did not reach the field either
    assert scans == [CODE]
    assert scanner.holding == 0


def test_slow_typing_reaches_the_field_untouched(
    qtbot: QtBot, window: Counter, scans: list[str]
) -> None:
    type_text(qtbot, window.field, "li1958", SLOW_MS)
    qtbot.keyClick(window.field, Qt.Key.Key_Return, delay=SLOW_MS)
    qtbot.waitUntil(lambda: window.field.text() == "li1958", timeout=1000)
    assert window.returns == 1
    assert scans == []


def test_editing_keys_keep_working(qtbot: QtBot, window: Counter, scans: list[str]) -> None:
    type_text(qtbot, window.field, "abc", SLOW_MS)
    qtbot.keyClick(window.field, Qt.Key.Key_Backspace, delay=SLOW_MS)
    qtbot.keyClick(window.field, Qt.Key.Key_Left, delay=SLOW_MS)
    qtbot.keyClick(window.field, "x", delay=SLOW_MS)
    qtbot.waitUntil(lambda: window.field.text() == "axb", timeout=1000)
    assert scans == []


def test_a_fast_burst_without_the_suffix_is_replayed(
    qtbot: QtBot, window: Counter, scanner: WedgeScanner, scans: list[str]
) -> None:
    type_text(qtbot, window.field, "ABCDEFGHIJ", FAST_MS)
    assert scanner.holding > 0 and window.field.text() == ""  # held while it might be a scan
    qtbot.waitUntil(lambda: window.field.text() == "ABCDEFGHIJ", timeout=1000)
    assert scans == [] and window.field.hasFocus()


def test_a_short_fast_burst_with_enter_is_typing(
    qtbot: QtBot, window: Counter, scans: list[str]
) -> None:
    type_text(qtbot, window.field, "ok", FAST_MS)  # two keys rolled over, then Enter
    qtbot.keyClick(window.field, Qt.Key.Key_Return, delay=FAST_MS)
    assert window.field.text() == "ok"  # replayed before the Enter was delivered
    assert window.returns == 1 and scans == []


def test_typing_scan_typing(
    qtbot: QtBot, window: Counter, scanner: WedgeScanner, scans: list[str]
) -> None:
    type_text(qtbot, window.field, "Zh", SLOW_MS)
    qtbot.wait(80)
    with qtbot.waitSignal(scanner.codeScanned, timeout=1000):
        type_text(qtbot, window.field, CODE, FAST_MS)
        qtbot.keyClick(window.field, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier, 1)
    type_text(qtbot, window.field, "ang", SLOW_MS)
    qtbot.waitUntil(lambda: window.field.text() == "Zhang", timeout=1000)
    assert window.field.cursorPosition() == 5
    assert scans == [CODE] and window.field.hasFocus()


def test_held_keys_go_to_the_field_they_were_typed_in(
    qtbot: QtBot, window: Counter, scans: list[str]
) -> None:
    type_text(qtbot, window.field, "abc", FAST_MS)
    window.other.setFocus()  # the operator clicks into the next field at once
    type_text(qtbot, window.other, "de", FAST_MS)
    qtbot.waitUntil(lambda: window.other.text() == "de", timeout=1000)
    assert window.field.text() == "abc" and scans == []


def _key(
    kind: QEvent.Type,
    key: Qt.Key,
    text: str,
    stamp: int,
    mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    repeat: bool = False,
) -> QKeyEvent:
    event = QKeyEvent(kind, key, mods, text, repeat)
    event.setTimestamp(stamp)
    return event


def _deliver(widget: QWidget, events: list[QKeyEvent]) -> None:
    for event in events:
        QCoreApplication.sendEvent(widget, event)


def _keys(text: str, start: int, gap: int) -> list[QKeyEvent]:
    """Press and release per character, with uppercase letters typed with Shift as scanners
    do; `gap` ms between presses on the events' own clock."""
    out: list[QKeyEvent] = []
    for i, ch in enumerate(text):
        at = start + i * gap
        key = Qt.Key(ord(ch.upper()))
        shift = ch.isupper()
        mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
        if shift:
            out.append(_key(QEvent.Type.KeyPress, Qt.Key.Key_Shift, "", at, mods=mods))
        out.append(_key(QEvent.Type.KeyPress, key, ch, at, mods=mods))
        out.append(_key(QEvent.Type.KeyRelease, key, ch, at + 1, mods=mods))
        if shift:
            out.append(_key(QEvent.Type.KeyRelease, Qt.Key.Key_Shift, "", at + 1))
    return out


def test_event_timestamps_decide_when_present(
    qtbot: QtBot, window: Counter, scanner: WedgeScanner, scans: list[str]
) -> None:
    # A scan with Shift for its capitals, 3 ms apart on the window system's clock.
    burst = _keys(CODE, 1_000_000, 3)
    enter_at = 1_000_000 + len(CODE) * 3
    burst.append(_key(QEvent.Type.KeyPress, Qt.Key.Key_Return, "\r", enter_at))
    burst.append(_key(QEvent.Type.KeyRelease, Qt.Key.Key_Return, "\r", enter_at + 1))
    with qtbot.waitSignal(scanner.codeScanned, timeout=1000) as caught:
        _deliver(window.field, burst)
    assert caught.args == [CODE] and window.field.text() == ""
    # A person's typing, 150 ms apart, delivered in one clump after the GUI thread was busy:
    # the timestamps say it was typed, so it is not taken for a scan.
    clump = _keys("Wang Xiaoming", 2_000_000, 150)
    clump.append(_key(QEvent.Type.KeyPress, Qt.Key.Key_Return, "\r", 2_000_000 + 13 * 150))
    _deliver(window.field, clump)
    assert window.field.text() == "Wang Xiaoming"
    assert window.returns == 1 and scans == [CODE]


def test_auto_repeat_is_never_a_scan(qtbot: QtBot, window: Counter, scans: list[str]) -> None:
    held_down = [
        _key(QEvent.Type.KeyPress, Qt.Key.Key_A, "a", 5_000_000 + 30 * i, repeat=i > 0)
        for i in range(12)
    ]
    held_down.append(_key(QEvent.Type.KeyPress, Qt.Key.Key_Return, "\r", 5_000_000 + 30 * 12))
    _deliver(window.field, held_down)
    assert window.field.text() == "a" * 12
    assert window.returns == 1 and scans == []


def test_shortcuts_pass_and_end_a_hold(qtbot: QtBot, window: Counter, scans: list[str]) -> None:
    window.field.setText("keep")
    window.field.selectAll()
    type_text(qtbot, window.field, "xy", FAST_MS)
    qtbot.keyClick(window.field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier, FAST_MS)
    # "xy" replaced the selection before Ctrl+A selected all of it again
    assert window.field.text() == "xy" and window.field.selectedText() == "xy"
    assert scans == []


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        WedgeScanner(max_gap_ms=50, flush_after_ms=40)


def test_keys_through_the_window_system(
    qtbot: QtBot, window: Counter, scanner: WedgeScanner, scans: list[str]
) -> None:
    # Sent to the QWindow, keys take the window system's path: QGuiApplication, the widget
    # window, then the focused widget, where the filter decides. On this path QTest ignores
    # delays (keys go back to back) and Qt stamps each event with its own clock.
    handle = window.windowHandle()
    assert handle is not None
    with qtbot.waitSignal(scanner.codeScanned, timeout=1000) as caught:
        for ch in CODE:
            qtbot.keyClick(handle, ch)
        qtbot.keyClick(handle, Qt.Key.Key_Return)
    assert caught.args == [CODE]
    for ch in "slow":
        qtbot.keyClick(handle, ch)
        qtbot.wait(2 * SLOW_MS)
    assert window.field.text() == "slow"
    qtbot.waitUntil(lambda: window.field.text() == "slow", timeout=1000)
    assert scans == [CODE] and window.field.hasFocus()


def test_a_click_delivers_what_was_held_first(qtbot: QtBot) -> None:
    """Fast typing then a click on a button that reads the field: the field is complete."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    app = QApplication.instance()
    assert app is not None
    host = QWidget()
    qtbot.addWidget(host)
    field = QLineEdit(host)
    button = QPushButton("go", host)
    layout = QVBoxLayout(host)
    layout.addWidget(field)
    layout.addWidget(button)
    seen: list[str] = []
    button.clicked.connect(lambda: seen.append(field.text()))
    scanner = WedgeScanner()
    scanner.install(app)
    try:
        host.show()
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        qtbot.keyClicks(field, "fast-typed-password")  # no gaps at all, no suffix
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert seen == ["fast-typed-password"]
    finally:
        scanner.uninstall(app)
