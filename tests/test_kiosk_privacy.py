"""The kiosk's idle countdown and its reset: real widgets offscreen, a real clipboard, a real
temporary folder. The whole-kiosk reset test comes with the kiosk window; these prove the
parts it is built from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.kiosk.idle_countdown import IdleCountdown
from ui.kiosk.privacy import find_traces, mark_personal, scrub

NAME = "欧阳娜娜"
ID_NUMBER = "11010519491231002X"


class Holder:
    """Something that keeps the person in memory, as a kiosk step would."""

    def __init__(self) -> None:
        self.person: str | None = NAME

    def forget(self) -> None:
        self.person = None


def session_screen(qtbot: QtBot) -> tuple[QWidget, dict[str, QWidget]]:
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    greeting = mark_personal(QLabel(f"您好，{NAME}"))
    fixed = QLabel("请核对您的信息")
    photo = QLabel()
    image = QImage(40, 40, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.gray)
    photo.setPixmap(QPixmap.fromImage(image))
    edit = QLineEdit(ID_NUMBER)
    edit.setPlaceholderText("证件号码")
    notes = QPlainTextEdit(f"{NAME} 的申请")
    items = QListWidget()
    items.addItem(f"{NAME} · 参保缴费")
    button = QPushButton("下一步")
    button.setToolTip("继续办理")
    for widget in (greeting, fixed, photo, edit, notes, items, button):
        layout.addWidget(widget)
    root.show()
    return root, {"greeting": greeting, "fixed": fixed, "photo": photo, "button": button}


def test_reset_leaves_no_trace_of_the_person(qtbot: QtBot, tmp_path: Path) -> None:
    root, parts = session_screen(qtbot)
    temp = tmp_path / "kiosk-temp"
    (temp / "pdf").mkdir(parents=True)
    photo_bytes = b"\xff\xd8\xff" + bytes(range(256)) * 20
    (temp / "face.jpg").write_bytes(photo_bytes)
    (temp / "pdf" / "cert.pdf").write_bytes(f"参保证明 {NAME} {ID_NUMBER}".encode())
    QGuiApplication.clipboard().setText(ID_NUMBER)
    holder = Holder()
    before = find_traces([NAME, ID_NUMBER], [root], temp, [photo_bytes])
    assert any("widget text" in t for t in before) and any("clipboard" in t for t in before)
    assert any("image on" in t for t in before) and any("face.jpg" in t for t in before)

    scrub([root], temp, [holder])

    assert find_traces([NAME, ID_NUMBER], [root], temp, [photo_bytes]) == []
    assert holder.person is None
    assert list(temp.iterdir()) == []  # the folder stays, empty, for the next session
    fixed = parts["fixed"]
    assert isinstance(fixed, QLabel) and fixed.text() == "请核对您的信息"  # wording stays
    button = parts["button"]
    assert isinstance(button, QPushButton) and button.text() == "下一步"


def test_the_countdown_warns_then_resets_unless_touched(qtbot: QtBot) -> None:
    target = QPushButton("继续")
    qtbot.addWidget(target)
    target.show()
    countdown = IdleCountdown(idle_s=0.2, countdown_s=2)
    seen: list[tuple[str, int]] = []
    countdown.warning.connect(lambda n: seen.append(("warning", n)))
    countdown.tick.connect(lambda n: seen.append(("tick", n)))
    countdown.resumed.connect(lambda: seen.append(("resumed", 0)))
    countdown.start()
    try:
        with qtbot.waitSignal(countdown.warning, timeout=2000):
            pass
        assert countdown.counting_down
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)  # the citizen is still there
        assert ("resumed", 0) in seen and not countdown.counting_down
        with qtbot.waitSignal(countdown.expired, timeout=5000):
            pass  # then walks away: warning, one tick, expired
        assert [k for k, _ in seen] == ["warning", "resumed", "warning", "tick"]
        assert seen[-1] == ("tick", 1) and seen[0] == ("warning", 2)
    finally:
        countdown.stop()


def test_no_countdown_on_the_attract_screen(qtbot: QtBot) -> None:
    countdown = IdleCountdown(idle_s=0.1, countdown_s=1)
    countdown.start()
    countdown.stop()
    with qtbot.assertNotEmitted(countdown.warning, wait=400):
        pass
