"""Keyboard-wedge QR scanners: telling a scanner's burst of keys from a person typing.

A USB "keyboard wedge" scanner is a keyboard as far as the computer knows: it types the code
it read, character by character, and presses Enter (its configurable suffix). Whatever field
has the focus would receive the code, and a person may be typing in that field when a citizen
holds up a phone. So `WedgeScanner` is an event filter on the QApplication that watches every
key press bound for the focused widget and decides, by timing, who is typing:

* A scanner types fast and evenly: gaps of 1–10 ms over USB (HID polling), up to ~20 ms for
  Bluetooth scanners with an inter-character delay. People don't: gaps between a skilled
  typist's key presses are rarely under 50 ms, and eight in a row under 35 ms do not happen.
  Holding a key down (auto-repeat, ~30 ms apart) is the one human way of making fast keys;
  auto-repeated presses are flagged by Qt and are never taken for a scan.
* So printable key presses that come with gaps of at most `max_gap_ms` (35 ms) are *held*
  instead of delivered. When the suffix key follows within the same gap and at least
  `min_length` (8) characters were held, it was a scan: the held keys and the suffix are
  dropped, `codeScanned(text)` is emitted, and neither the field's text nor the focus has
  changed.
* Anything else ends the hold and the held keys are *replayed*, in order, to the widget they
  were meant for (copies of the original QKeyEvents sent with QCoreApplication.sendEvent):
  a gap over `max_gap_ms` (the next key is then handled afresh), `flush_after_ms` (60 ms) of
  silence, a key that is not printable (Backspace, arrows, Tab, Escape, shortcuts with Ctrl or
  Alt), an auto-repeat, a change of focus, a mouse click, or the suffix after too short a
  burst. So a person typing sees each character at most `flush_after_ms` late, which is below
  what people notice, and never loses or reorders one. Key releases of held keys are held
  and replayed with them; those of a scan are dropped.

Time is the event's own timestamp (from the window system, so a busy GUI thread that delivers
queued keys in a clump does not make a person look like a scanner) when both keys have one;
events that carry none (QTest's, which are stamped 0) are timed by a monotonic clock as the
filter sees them. A GUI stall longer than `flush_after_ms` in the middle of a scan can still
replay the first part of that scan into the field; the rest is then too short to count as a
scan and is replayed as well, so nothing is lost, and the operator scans again.

The filter sees every event of the application; for all but key presses and releases bound
for the focused widget it returns after one type comparison. It does nothing while an input
method (Chinese pinyin) is composing: then the keys go to the input method, not the field,
and a wedge scanner should be set to a mode the input method ignores (the usual advice is to
switch the input method to English for scanning, or to use a serial scanner).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QWidget

DEFAULT_MAX_GAP_MS = 35
DEFAULT_MIN_LENGTH = 8
DEFAULT_FLUSH_AFTER_MS = 60  # over the gap, so a scan is never cut; under what people notice
DEFAULT_SUFFIX = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
MAX_CODE_CHARS = 4096
STALE_RELEASE_MS = 1000  # a scan's key releases not seen by then are not waited for

_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
# Modifiers a scanner uses to type its characters; any other makes a key a command.
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


def _copy(event: QKeyEvent) -> QKeyEvent:
    """A copy owned by Python: the original is destroyed once its delivery ends."""
    copy = QKeyEvent(
        event.type(),
        event.key(),
        event.modifiers(),
        event.nativeScanCode(),
        event.nativeVirtualKey(),
        event.nativeModifiers(),
        event.text(),
        event.isAutoRepeat(),
        event.count(),
    )
    copy.setTimestamp(event.timestamp())
    return copy


@dataclass
class _Moment:
    stamp: int  # the event's timestamp in ms, 0 when it has none
    mono: float  # monotonic ms when the filter saw it

    def since(self, earlier: _Moment) -> float:
        if self.stamp and earlier.stamp:
            return float(self.stamp - earlier.stamp)
        return self.mono - earlier.mono


class WedgeScanner(QObject):
    """Emits `codeScanned(text)` for each scanner burst; lets people's typing through.

    Install it with `install(app)` (or `app.installEventFilter`); one per application.
    """

    codeScanned = Signal(str)  # noqa: N815 - Qt-style, as the brief and CameraWorker name them
    _scanned = Signal(str)  # queued, so slots run after the key's delivery has ended

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_ms: float = DEFAULT_MAX_GAP_MS,
        min_length: int = DEFAULT_MIN_LENGTH,
        flush_after_ms: int = DEFAULT_FLUSH_AFTER_MS,
        suffix_keys: Iterable[Qt.Key] = DEFAULT_SUFFIX,
    ) -> None:
        super().__init__(parent)
        if flush_after_ms <= max_gap_ms:
            raise ValueError("flush_after_ms must exceed max_gap_ms, or scans would be cut")
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.suffix_keys = frozenset(int(k) for k in suffix_keys)
        self.enabled = True
        self._held: list[QKeyEvent] = []
        self._chars: list[str] = []
        self._receiver: QObject | None = None
        self._last: _Moment | None = None  # the last held printable press
        self._scan_releases: Counter[int] = Counter()  # releases still due from a scan
        self._scan_at = 0.0  # monotonic ms of the last scan
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(flush_after_ms)
        self._timer.timeout.connect(self._on_silence)
        self._scanned.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def install(self, app: QCoreApplication) -> None:
        app.installEventFilter(self)

    def uninstall(self, app: QCoreApplication) -> None:
        self.flush()
        app.removeEventFilter(self)

    @property
    def holding(self) -> int:
        """How many characters are held, waiting for the verdict."""
        return len(self._chars)

    def flush(self) -> None:
        """Deliver whatever is held to the widget it was meant for, in order."""
        self._timer.stop()
        held, receiver = self._held, self._receiver
        self._held, self._chars, self._receiver, self._last = [], [], None, None
        if not held or receiver is None or not shiboken6.isValid(receiver):
            return
        self._replaying = True
        try:
            for event in held:
                QCoreApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False

    # -- the filter --

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and self._held:
            self.flush()  # a click (on a button that uses the field, say) comes after the typing
            return False
        if event.type() not in _KEY_EVENTS or self._replaying or not self.enabled:
            return False
        if not isinstance(watched, QWidget) or watched is not QGuiApplication.focusObject():
            return False  # the window's copy, or a parent it propagates to: decided already
        assert isinstance(event, QKeyEvent)
        if event.type() == QEvent.Type.KeyRelease:
            return self._release(watched, event)
        return self._press(watched, event)

    def _release(self, watched: QObject, event: QKeyEvent) -> bool:
        key = event.key()
        if self._scan_releases[key] > 0 and not event.isAutoRepeat():
            self._scan_releases[key] -= 1
            return True
        if self._held and watched is self._receiver:
            self._held.append(_copy(event))
            return True
        return False

    def _press(self, watched: QObject, event: QKeyEvent) -> bool:
        now = _Moment(event.timestamp(), time.monotonic() * 1000)
        key = event.key()
        if self._held and (
            watched is not self._receiver
            or self._last is None
            or now.since(self._last) > self.max_gap_ms
        ):
            self.flush()  # what was held was typed; this key is judged afresh
        if self._scan_releases and now.mono - self._scan_at > STALE_RELEASE_MS:
            self._scan_releases.clear()  # lost on the way; stop waiting for them
        if key in _MODIFIER_KEYS:
            if self._held:
                self._held.append(_copy(event))
                return True
            return False
        commands = event.modifiers() & ~_TYPING_MODIFIERS
        if event.isAutoRepeat() or commands != Qt.KeyboardModifier.NoModifier:
            self.flush()
            return False
        if key in self.suffix_keys:
            if len(self._chars) >= self.min_length:
                self._accept(key, now)
                return True
            self.flush()
            return False
        text = event.text()
        if not text or not text.isprintable() or len(self._chars) >= MAX_CODE_CHARS:
            self.flush()
            return False
        self._receiver = watched
        self._held.append(_copy(event))
        self._chars.append(text)
        self._last = now
        self._timer.start()
        return True

    def _accept(self, suffix: int, now: _Moment) -> None:
        code = "".join(self._chars)
        due = Counter(e.key() for e in self._held if e.type() == QEvent.Type.KeyPress)
        due.subtract(e.key() for e in self._held if e.type() == QEvent.Type.KeyRelease)
        due[suffix] += 1
        self._scan_releases = +due
        self._scan_at = now.mono
        self._timer.stop()
        self._held, self._chars, self._receiver, self._last = [], [], None, None
        self._scanned.emit(code)

    @Slot()
    def _on_silence(self) -> None:
        self.flush()

    @Slot(str)
    def _deliver(self, code: str) -> None:
        self.codeScanned.emit(code)
