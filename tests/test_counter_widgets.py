"""The counter's workflow widgets, offscreen, driven with real mouse, touch and key events.

Signature pad (mouse, touch and pen strokes, the PNG decoded and measured), materials
checklist (camera pages, scans imported from a real folder with a damaged file and a file
arriving while the picker is open), review page, rating dialog and the 代办 panel.
Each is also laid out in the right-hand pane of a 1366×768 window (about 950×560) and checked
for anything cut off; screenshots go to test-artifacts/screenshots/.

Assertions avoid the widgets' own translated words (the Chinese translations may or may not
be installed by an earlier test in the session); they check states, data and the catalog's
and app modules' words, which do not depend on Qt's translators.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QImage, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.catalog.loader import load_default_catalog
from app.catalog.schema import Catalog, MaterialSpec
from app.ratings import RATING_LABELS, RATING_REASONS, Rating
from app.relationships import RELATIONSHIPS, relationship_label
from tests import screen_checks
from ui.counter.materials_checklist import MaterialsChecklist
from ui.counter.proxy_panel import ProxyPanel, ProxySlot
from ui.counter.rating_dialog import RatingDialog
from ui.counter.review_page import ReviewApplicant, ReviewFacts, ReviewMaterial, ReviewPage
from ui.counter.scan_folder import SCAN_MAX_SIDE, ScanPickerDialog
from ui.counter.signature_pad import SignatureDialog, SignaturePad

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PANE = QSize(950, 560)  # the right-hand pane of a 1366×768 window
LARGE_PANE = QSize(1500, 860)  # the same pane at 1920×1080
TIMEOUT_MS = 5000
LEFT = Qt.MouseButton.LeftButton
NO_MOD = Qt.KeyboardModifier.NoModifier


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name), "PNG")


def assert_fits(qtbot: QtBot, widget: QWidget, name: str) -> None:
    """In the 950×560 pane nothing is cut off (tests/screen_checks.py: buttons and labels
    whole and inside, none overlapping, no tab or row cut short); also shot at 1920×1080."""
    hint = widget.minimumSizeHint()
    assert hint.width() <= PANE.width() and hint.height() <= PANE.height(), hint
    for size, suffix in ((PANE, "1366x768"), (LARGE_PANE, "1920x1080")):
        widget.resize(size)
        widget.show()
        qtbot.waitExposed(widget)
        QApplication.processEvents()
        assert widget.size() == size
        shot(widget, f"{name}-{suffix}.png")
        screen_checks.assert_fits(widget)


def show(qtbot: QtBot, widget: QWidget, size: QSize = PANE) -> None:
    qtbot.addWidget(widget)
    widget.resize(size)
    widget.show()
    qtbot.waitExposed(widget)


# ---- signature pad ------------------------------------------------------------------------
MOUSE_STROKE = [QPoint(60 + 20 * i, 100 + round(40 * i / 12)) for i in range(13)]  # 60..300
TOUCH_STROKE = [QPoint(420 + 20 * i, 80 + round(80 * i / 12)) for i in range(13)]  # 420..660


def mouse_stroke(widget: QWidget, points: list[QPoint]) -> None:
    QTest.mousePress(widget, LEFT, NO_MOD, points[0])
    for point in points[1:]:
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, LEFT, NO_MOD, points[-1])


def touch_stroke(widget: QWidget, device: QPointingDevice, points: list[QPoint]) -> None:
    QTest.touchEvent(widget, device).press(0, points[0], widget).commit()
    for point in points[1:-1]:
        QTest.touchEvent(widget, device).move(0, point, widget).commit()
    QTest.touchEvent(widget, device).release(0, points[-1], widget).commit()


def ink(image: QImage, x: float, y: float, radius: int = 3) -> bool:
    """A dark pixel within `radius` of (x, y)."""
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            px, py = round(x) + dx, round(y) + dy
            if image.valid(px, py) and image.pixelColor(px, py).value() < 128:
                return True
    return False


def ink_columns(image: QImage) -> list[int]:
    return [
        x
        for x in range(image.width())
        if any(image.pixelColor(x, y).value() < 128 for y in range(image.height()))
    ]


def ink_rows(image: QImage) -> list[int]:
    return [
        y
        for y in range(image.height())
        if any(image.pixelColor(x, y).value() < 128 for x in range(image.width()))
    ]


def test_mouse_and_touch_strokes_become_a_cropped_grayscale_png(qtbot: QtBot) -> None:
    pad = SignaturePad()
    show(qtbot, pad, QSize(720, 240))
    assert pad.testAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    assert pad.is_empty()
    shot(pad, "signature-empty.png")
    with qtbot.waitSignal(pad.changed, timeout=1000):
        mouse_stroke(pad, MOUSE_STROKE)
    assert pad.stroke_count() == 1 and not pad.is_empty()
    device = QTest.createTouchDevice()
    with qtbot.waitSignal(pad.changed, timeout=1000):
        touch_stroke(pad, device, TOUCH_STROKE)
    assert pad.stroke_count() == 2  # the touch was not also drawn as a mouse stroke
    shot(pad, "signature-signed.png")

    data = pad.png_bytes()
    assert data.startswith(b"\x89PNG") and len(data) < 30_000
    image = QImage.fromData(data)
    assert not image.isNull()
    assert image.format() == QImage.Format.Format_Grayscale8
    assert 0 < image.width() <= 600 and 0 < image.height() <= 200
    columns, rows = ink_columns(image), ink_rows(image)
    assert columns and rows
    # Cropped with a margin: white all round, and the ink fills the rest.
    assert columns[0] >= 4 and columns[-1] <= image.width() - 5
    assert rows[0] >= 4 and rows[-1] <= image.height() - 5
    assert columns[0] <= 24 and columns[-1] >= image.width() - 25

    # Map the pad's coordinates onto the PNG through the ink's extent (x 60..660, y 80..160).
    def png_x(x: float) -> float:
        return columns[0] + (x - 60) / 600 * (columns[-1] - columns[0])

    def png_y(y: float) -> float:
        return rows[0] + (y - 80) / 80 * (rows[-1] - rows[0])

    assert ink(image, png_x(180), png_y(120))  # on the mouse stroke
    assert ink(image, png_x(540), png_y(120))  # on the touch stroke
    gap = range(round(png_x(320)), round(png_x(400)))
    assert not any(x in columns for x in gap)  # nothing drawn between the two strokes
    assert not ink(image, png_x(180), png_y(80), radius=1)  # above the mouse stroke: paper


def test_a_long_signature_is_scaled_down_to_600_by_200(qtbot: QtBot) -> None:
    pad = SignaturePad()
    show(qtbot, pad, QSize(1400, 600))
    mouse_stroke(pad, [QPoint(20 + 60 * i, 40 + (i % 2) * 500) for i in range(23)])
    image = QImage.fromData(pad.png_bytes())
    assert image.width() <= 600 and image.height() <= 200
    assert image.width() == 600 or image.height() == 200  # scaled to the bound, not below it
    assert ink_columns(image)


def test_pen_strokes_and_clear(qtbot: QtBot) -> None:
    pad = SignaturePad()
    show(qtbot, pad, QSize(720, 240))
    pen = QPointingDevice(
        "test pen",
        4242,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        2,
    )

    def tablet(kind: QTabletEvent.Type, x: int, y: int) -> None:
        pos = QPointF(x, y)
        buttons = Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(
            kind, pen, pos, QPointF(pad.mapToGlobal(pos)), 0.6, 0, 0, 0, 0, 0, NO_MOD, LEFT, buttons
        )
        QApplication.sendEvent(pad, event)
        assert event.isAccepted()

    tablet(QTabletEvent.Type.TabletPress, 100, 120)
    for x in range(120, 400, 20):
        tablet(QTabletEvent.Type.TabletMove, x, 120 + x % 30)
    tablet(QTabletEvent.Type.TabletRelease, 400, 130)
    assert pad.stroke_count() == 1
    assert len(ink_columns(QImage.fromData(pad.png_bytes()))) > 200
    with qtbot.waitSignal(pad.changed, timeout=1000):
        pad.clear()
    assert pad.is_empty()
    with pytest.raises(ValueError):
        pad.png_bytes()


def test_a_tap_leaves_a_dot(qtbot: QtBot) -> None:
    pad = SignaturePad()
    show(qtbot, pad, QSize(720, 240))
    QTest.mouseClick(pad, LEFT, NO_MOD, QPoint(300, 150))
    image = QImage.fromData(pad.png_bytes())
    assert ink(image, image.width() / 2, image.height() / 2)


def test_signature_dialog_confirms_only_a_signature(qtbot: QtBot) -> None:
    dialog = SignatureDialog()
    qtbot.addWidget(dialog)
    assert_fits(qtbot, dialog, "signature-dialog")
    dialog.resize(760, 400)
    assert not dialog.confirm_button.isEnabled()
    for button in (dialog.clear_button, dialog.cancel_button, dialog.confirm_button):
        assert button.height() >= 48 and button.accessibleName()
    mouse_stroke(dialog.pad, [QPoint(80 + 25 * i, 150 + (i % 3) * 10) for i in range(12)])
    assert dialog.confirm_button.isEnabled()
    qtbot.mouseClick(dialog.clear_button, LEFT)
    assert dialog.pad.is_empty() and not dialog.confirm_button.isEnabled()
    mouse_stroke(dialog.pad, [QPoint(80 + 25 * i, 150 + (i % 3) * 10) for i in range(12)])
    qtbot.mouseClick(dialog.confirm_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.png is not None
    assert not QImage.fromData(dialog.png).isNull()


def test_signature_dialog_cancel_keeps_nothing(qtbot: QtBot) -> None:
    dialog = SignatureDialog()
    show(qtbot, dialog, QSize(760, 400))
    mouse_stroke(dialog.pad, [QPoint(80 + 25 * i, 150) for i in range(12)])
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.png is None


# ---- materials checklist ------------------------------------------------------------------
SPECS = (
    MaterialSpec(code="birth_certificate", name="出生医学证明", name_en="Birth certificate"),
    MaterialSpec(code="guardian_id", name="监护人身份证", name_en="Guardian's ID card"),
    MaterialSpec(
        code="household_register",
        name="户口簿",
        name_en="Household register",
        required=False,
        note="已落户的",
    ),
)


def jpeg_page(width: int = 600, height: int = 800, text: str = "PAGE", quality: int = 90) -> bytes:
    page = np.full((height, width, 3), 255, np.uint8)
    cv2.rectangle(page, (20, 20), (width - 20, height - 20), (40, 40, 40), 4)
    cv2.putText(page, text, (40, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 3, (0, 0, 0), 6)
    ok, buf = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return bytes(buf.tobytes())


def decode(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return np.asarray(image)


@pytest.fixture
def checklists() -> Iterator[list[MaterialsChecklist]]:
    made: list[MaterialsChecklist] = []
    yield made
    for checklist in made:
        checklist.shutdown()


def make_checklist(
    qtbot: QtBot, made: list[MaterialsChecklist], scan_folder: Path | None = None
) -> MaterialsChecklist:
    checklist = MaterialsChecklist("zh_CN", scan_folder)
    qtbot.addWidget(checklist)
    made.append(checklist)
    checklist.set_materials(SPECS)
    show(qtbot, checklist)
    return checklist


def button(widget: QWidget, name: str) -> QAbstractButton:
    found = widget.findChild(QAbstractButton, name)
    assert found is not None, name
    return found


def test_checklist_rows_pages_and_summary(
    qtbot: QtBot, checklists: list[MaterialsChecklist]
) -> None:
    checklist = make_checklist(qtbot, checklists)
    assert [s.code for s in checklist.missing_required()] == ["birth_certificate", "guardian_id"]
    assert checklist.pages() == []
    note = checklist.findChild(QLabel, "material_household_register")
    assert note is not None and note.toolTip() == "已落户的"
    assert not button(checklist, "scan_guardian_id").isEnabled()  # no scanner folder set
    assert not button(checklist, "remove_guardian_id").isEnabled()  # nothing to remove
    for spec in SPECS:
        for key in ("capture", "scan", "remove"):
            assert spec.name in button(checklist, f"{key}_{spec.code}").accessibleName()

    with qtbot.waitSignal(checklist.capture_requested, timeout=1000) as asked:
        qtbot.mouseClick(button(checklist, "capture_guardian_id"), LEFT)
    assert asked.args == ["guardian_id"]

    first, second, third = jpeg_page(text="A"), jpeg_page(text="B"), jpeg_page(text="C")
    with qtbot.waitSignal(checklist.changed, timeout=1000):
        checklist.add_page("guardian_id", first, "image/jpeg", "camera")
    checklist.add_page("birth_certificate", second, "image/jpeg", "camera")
    checklist.add_page("guardian_id", third, "image/jpeg", "camera")
    assert checklist.page_count("guardian_id") == 2
    # Checklist order, each material's pages in the order they came.
    assert checklist.pages() == [
        ("birth_certificate", second, "image/jpeg"),
        ("guardian_id", first, "image/jpeg"),
        ("guardian_id", third, "image/jpeg"),
    ]
    assert checklist.missing_required() == []
    thumb = checklist.findChild(QLabel, "materialThumb_guardian_id")
    assert thumb is not None
    qtbot.waitUntil(lambda: not thumb.pixmap().isNull(), timeout=TIMEOUT_MS)
    assert 0 < thumb.pixmap().width() <= 56 and 0 < thumb.pixmap().height() <= 56
    shot(checklist, "materials-checklist-filled.png")

    with qtbot.waitSignal(checklist.changed, timeout=1000):
        qtbot.mouseClick(button(checklist, "remove_guardian_id"), LEFT)
    assert checklist.page_count("guardian_id") == 0
    assert [s.code for s in checklist.missing_required()] == ["guardian_id"]
    qtbot.waitUntil(lambda: thumb.pixmap().isNull(), timeout=TIMEOUT_MS)
    with pytest.raises(KeyError):
        checklist.add_page("face_photo", first)
    checklist.clear()
    assert checklist.pages() == [] and len(checklist.missing_required()) == 2


def test_checklist_status_follows_the_source_of_the_pages(
    qtbot: QtBot, checklists: list[MaterialsChecklist]
) -> None:
    checklist = make_checklist(qtbot, checklists)
    texts = {checklist.status_text("guardian_id")}
    checklist.add_page("guardian_id", jpeg_page(), source="camera")
    texts.add(checklist.status_text("guardian_id"))
    checklist.add_page("guardian_id", jpeg_page(), source="scan")
    texts.add(checklist.status_text("guardian_id"))
    checklist.add_page("birth_certificate", jpeg_page(), source="scan")
    texts.add(checklist.status_text("birth_certificate"))
    assert len(texts) == 4  # none, photographed, both, scanned: four different statuses
    summary_done = checklist.summary.text()
    checklist.remove_pages("guardian_id")
    assert checklist.summary.text() != summary_done


def test_checklist_fits_the_pane(
    qtbot: QtBot, checklists: list[MaterialsChecklist], catalog: Catalog
) -> None:
    checklist = make_checklist(qtbot, checklists, Path("/nonexistent-scans"))
    longest = max(catalog.items, key=lambda item: len(item.materials))
    checklist.set_materials(longest.materials)
    assert_fits(qtbot, checklist, "materials-checklist")


def write_image(path: Path, image: np.ndarray, mtime: float, **params: int) -> Path:
    flags: list[int] = []
    for key, value in params.items():
        flags += [getattr(cv2, key), value]
    assert cv2.imwrite(str(path), image, flags)
    os.utime(path, (mtime, mtime))
    return path


def page_image(width: int, height: int, text: str, gray: bool = False) -> np.ndarray:
    page = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(page, text, (50, height // 2), cv2.FONT_HERSHEY_SIMPLEX, 4, (0, 0, 0), 8)
    cv2.line(page, (0, 0), (width - 1, height - 1), (30, 30, 30), 5)
    return np.asarray(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)) if gray else page


@pytest.fixture
def scan_dir(tmp_path: Path) -> Path:
    """A scanner's folder: big JPEG, PNG, grey TIFF, BMP, a damaged file, a half-written JPEG,
    a JPEG with EXIF, and a text file that is no scan. Oldest first by modification time."""
    folder = tmp_path / "scans"
    folder.mkdir()
    base = 1_760_000_000.0
    write_image(
        folder / "big.jpg", page_image(3000, 2200, "BIG"), base + 1, IMWRITE_JPEG_QUALITY=95
    )
    write_image(folder / "page.png", page_image(800, 1100, "PNG"), base + 2)
    write_image(folder / "grey.tif", page_image(900, 1200, "TIF", gray=True), base + 3)
    write_image(folder / "old.bmp", page_image(400, 300, "BMP"), base + 4)
    (folder / "broken.jpg").write_bytes(os.urandom(5000))
    os.utime(folder / "broken.jpg", (base + 5, base + 5))
    whole = jpeg_page(text="HALF")
    (folder / "half.jpg").write_bytes(whole[: len(whole) // 2])
    os.utime(folder / "half.jpg", (base + 6, base + 6))
    exif = b"\xff\xe1\x00\x16Exif\x00\x00" + b"scanner model 12" + b"\x00" * 0
    plain = jpeg_page(text="EXIF")
    (folder / "exif.jpg").write_bytes(plain[:2] + exif + plain[2:])
    os.utime(folder / "exif.jpg", (base + 7, base + 7))
    (folder / "readme.txt").write_text("not a scan")
    return folder


def click_item(qtbot: QtBot, picker: ScanPickerDialog, name: str) -> None:
    for row in range(picker.list.count()):
        item = picker.list.item(row)
        if item is not None and item.data(Qt.ItemDataRole.UserRole).name == name:
            picker.list.scrollToItem(item)
            rect = picker.list.visualItemRect(item)
            qtbot.mouseClick(picker.list.viewport(), LEFT, pos=rect.center())
            return
    raise AssertionError(f"{name} not listed")


def open_picker(
    qtbot: QtBot, checklist: MaterialsChecklist, code: str, count: int
) -> ScanPickerDialog:
    qtbot.mouseClick(button(checklist, f"scan_{code}"), LEFT)
    picker = checklist.picker
    assert picker is not None
    qtbot.waitUntil(picker.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: len(picker.files()) == count, timeout=TIMEOUT_MS)
    return picker


def test_scans_are_imported_from_the_folder(
    qtbot: QtBot, checklists: list[MaterialsChecklist], scan_dir: Path
) -> None:
    checklist = make_checklist(qtbot, checklists, scan_dir)
    picker = open_picker(qtbot, checklist, "birth_certificate", 7)
    names = [f.name for f in picker.files()]
    assert names == [
        "exif.jpg",
        "half.jpg",
        "broken.jpg",
        "old.bmp",
        "grey.tif",
        "page.png",
        "big.jpg",
    ]  # newest first, the text file left out
    assert picker.size().width() <= PANE.width() and picker.size().height() <= PANE.height()
    # Thumbnails for the files that decode; the damaged ones keep the grey square.
    qtbot.waitUntil(lambda: len(checklist.scan_folder.thumbnails) == 5, timeout=TIMEOUT_MS)  # type: ignore[union-attr]
    assert not picker.import_button.isEnabled()  # nothing chosen yet

    # A scan arrives while the picker is open: it comes to the top by itself (the watcher,
    # well before the picker's own 5-second look).
    fresh = jpeg_page(700, 900, "NEW")
    (scan_dir / "fresh.jpg").write_bytes(fresh)
    qtbot.waitUntil(lambda: picker.files()[0].name == "fresh.jpg", timeout=3000)
    shot(picker, "scan-picker.png")

    for name in ("fresh.jpg", "big.jpg", "page.png", "grey.tif", "broken.jpg", "half.jpg"):
        click_item(qtbot, picker, name)
    assert {f.name for f in picker.selected_files()} == {
        "fresh.jpg",
        "big.jpg",
        "page.png",
        "grey.tif",
        "broken.jpg",
        "half.jpg",
    }
    qtbot.mouseClick(picker.import_button, LEFT)
    qtbot.waitUntil(lambda: not picker.busy, timeout=TIMEOUT_MS)

    # The good four are pages, in the order they were read; the two bad ones are named.
    assert checklist.page_count("birth_certificate") == 4
    assert checklist.page_count("guardian_id") == 0
    assert picker.isVisible()  # kept open to show what failed
    message = picker.message.text()
    assert "broken.jpg" in message and "损坏" in message
    assert "half.jpg" in message and "不完整" in message
    shot(picker, "scan-picker-errors.png")
    pages = [data for code, data, mime in checklist.pages() if code == "birth_certificate"]
    assert all(mime == "image/jpeg" for _, _, mime in checklist.pages())
    sides = sorted(max(decode(data).shape[:2]) for data in pages)
    assert sides == [900, 1100, 1200, SCAN_MAX_SIDE]  # the 3000 px scan brought down to 2000
    assert fresh in pages  # a JPEG that fits is kept byte for byte
    assert all(len(data) <= 500_000 for data in pages)
    # The operator's files stay where they are; the ones used are marked for this session.
    assert {p.name for p in scan_dir.iterdir()} >= {"fresh.jpg", "big.jpg", "broken.jpg"}
    folder = checklist.scan_folder
    assert folder is not None
    used = {f.name for f in folder.recent_files() if folder.is_used(f)}
    assert used == {"fresh.jpg", "big.jpg", "page.png", "grey.tif"}

    # Another material, a file with EXIF: imported re-encoded without it; the picker closes.
    qtbot.mouseClick(picker.close_button, LEFT)
    picker = open_picker(qtbot, checklist, "guardian_id", 8)
    click_item(qtbot, picker, "exif.jpg")
    qtbot.mouseClick(picker.import_button, LEFT)
    qtbot.waitUntil(lambda: not picker.isVisible(), timeout=TIMEOUT_MS)
    assert picker.result() == QDialog.DialogCode.Accepted
    [(_, exif_page, _)] = [p for p in checklist.pages() if p[0] == "guardian_id"]
    assert b"Exif" not in exif_page and decode(exif_page).shape[:2] == (800, 600)
    assert (scan_dir / "exif.jpg").exists()


def test_a_missing_scan_folder_is_said_in_the_picker(
    qtbot: QtBot, checklists: list[MaterialsChecklist], tmp_path: Path
) -> None:
    missing = tmp_path / "unplugged-share" / "scans"
    checklist = make_checklist(qtbot, checklists, missing)
    qtbot.mouseClick(button(checklist, "scan_guardian_id"), LEFT)
    picker = checklist.picker
    assert picker is not None
    qtbot.waitUntil(lambda: str(missing) in picker.message.text(), timeout=TIMEOUT_MS)
    assert "扫描文件夹" in picker.message.text()
    assert picker.files() == [] and not picker.import_button.isEnabled()
    qtbot.mouseClick(picker.close_button, LEFT)
    assert checklist.pages() == []


def test_the_default_scan_folder_is_created(
    qtbot: QtBot, checklists: list[MaterialsChecklist], tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    checklist = make_checklist(qtbot, checklists, folder)
    qtbot.mouseClick(button(checklist, "scan_guardian_id"), LEFT)
    qtbot.waitUntil(folder.is_dir, timeout=TIMEOUT_MS)
    picker = checklist.picker
    assert picker is not None
    write_image(folder / "first.png", page_image(500, 700, "1"), dt.datetime.now().timestamp())
    qtbot.waitUntil(lambda: [f.name for f in picker.files()] == ["first.png"], timeout=3000)


# ---- review page --------------------------------------------------------------------------
def facts(**changes: object) -> ReviewFacts:
    values: dict[str, object] = {
        "item_name": "新生儿参保登记",
        "item_code": "CX-XSECB-005",
        "time_limit_days": 1,
        "beneficiary_name": "王小宝",
        "beneficiary_id": "O440012345",
        "fields": (
            ("新生儿姓名", "王*宝"),
            ("出生日期", "2026-01-02"),
            ("联系电话", "138****8000"),
        ),
        "materials": (
            ReviewMaterial("出生医学证明", True, 1),
            ReviewMaterial("监护人居民身份证或社会保障卡", True, 0),
            ReviewMaterial("户口簿（已落户的）", False, 0),
        ),
        "face_photo": None,
        "signature": True,
        "materials_pending": False,
        "applicant": ReviewApplicant("王大明", "110105199001011234", "父母"),
    }
    values.update(changes)
    return ReviewFacts(**values)  # type: ignore[arg-type]


def label_text(widget: QWidget, name: str) -> str:
    found = widget.findChild(QLabel, name)
    assert found is not None, name
    return found.text()


def test_review_page_blocks_what_would_be_refused(qtbot: QtBot) -> None:
    page = ReviewPage()
    show(qtbot, page)
    page.set_facts(facts(signature=False, face_photo=False))
    problems = page.blocking_problems()
    assert len(problems) == 3
    assert any("监护人居民身份证或社会保障卡" in p for p in problems)
    assert not any("户口簿" in p for p in problems)  # optional
    assert not page.confirm_button.isEnabled()
    assert page.problems.isVisible() and page.problems.text() == "\n".join(problems)
    assert "#b00020" in page.findChild(QLabel, "reviewMaterial_1").styleSheet()  # type: ignore[union-attr]
    # Masked whatever the caller passed; the applicant's group is there for 代办.
    assert label_text(page, "reviewCitizenName") == "王**"
    assert label_text(page, "reviewCitizenId") == "O4******45"
    assert label_text(page, "reviewApplicantName") == "王**"
    assert label_text(page, "reviewApplicantId") == "110105********1234"
    assert label_text(page, "reviewApplicantRelationship") == "父母"
    assert label_text(page, "reviewField_2") == "138****8000"
    assert "1" in label_text(page, "reviewTimeLimit")
    shot(page, "review-blocked.png")
    with qtbot.assertNotEmitted(page.confirmed):
        qtbot.mouseClick(page.confirm_button, LEFT)
    with qtbot.waitSignal(page.back, timeout=1000):
        qtbot.mouseClick(page.back_button, LEFT)


def test_review_page_with_materials_pending_can_be_confirmed(qtbot: QtBot) -> None:
    page = ReviewPage()
    show(qtbot, page)
    page.set_facts(facts(materials_pending=True, applicant=None))
    assert page.blocking_problems() == []
    assert page.confirm_button.isEnabled() and not page.problems.isVisible()
    pending = page.findChild(QLabel, "reviewMaterialsPending")
    assert pending is not None and "#b26a00" in pending.styleSheet()  # amber, not red
    assert "#b26a00" in page.findChild(QLabel, "reviewMaterial_1").styleSheet()  # type: ignore[union-attr]
    assert page.findChild(QWidget, "reviewApplicant") is None  # no 代办 section
    shot(page, "review-pending.png")
    with qtbot.waitSignal(page.confirmed, timeout=1000):
        qtbot.mouseClick(page.confirm_button, LEFT)
    # A required face photo not taken blocks even with 容缺受理.
    page.set_facts(facts(materials_pending=True, face_photo=False))
    assert len(page.blocking_problems()) == 1 and not page.confirm_button.isEnabled()
    page.set_facts(facts(materials=(ReviewMaterial("出生医学证明", True, 2),), face_photo=True))
    assert page.blocking_problems() == [] and page.confirm_button.isEnabled()


def test_review_page_fits_the_pane(qtbot: QtBot) -> None:
    page = ReviewPage()
    qtbot.addWidget(page)
    many = tuple((f"字段{n}", "值" * (n % 7 + 1)) for n in range(20))
    page.set_facts(facts(fields=many, signature=False))
    assert_fits(qtbot, page, "review-page")
    assert page.scroll_area.verticalScrollBar().maximum() > 0  # long forms scroll


# ---- rating dialog ------------------------------------------------------------------------
def make_rating(qtbot: QtBot, language: str = "zh_CN") -> RatingDialog:
    dialog = RatingDialog(language)
    show(qtbot, dialog, QSize(760, 480))
    return dialog


def test_rating_good_needs_no_reason(qtbot: QtBot) -> None:
    dialog = make_rating(qtbot)
    assert [dialog.level_buttons[r].text() for r in Rating] == ["好评", "中评", "差评"]
    assert not dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.level_buttons[Rating.GOOD], LEFT)
    assert dialog.chosen is Rating.GOOD and dialog.submit_button.isEnabled()
    assert [b.text() for b in dialog.reason_buttons.values()] == [
        r.zh for r in RATING_REASONS[Rating.GOOD]
    ]
    shot(dialog, "rating-good.png")
    qtbot.mouseClick(dialog.reason_buttons["friendly"], LEFT)
    qtbot.mouseClick(dialog.submit_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.rating is Rating.GOOD and dialog.reasons == ("friendly",)


def test_rating_fair_and_poor_need_a_reason(qtbot: QtBot) -> None:
    dialog = make_rating(qtbot)
    qtbot.mouseClick(dialog.level_buttons[Rating.POOR], LEFT)
    assert set(dialog.reason_buttons) == {r.code for r in RATING_REASONS[Rating.POOR]}
    assert not dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.reason_buttons["unfriendly"], LEFT)
    assert dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.reason_buttons["unfriendly"], LEFT)  # untick
    assert not dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.reason_buttons["unfriendly"], LEFT)
    # Another level offers its own reasons, none ticked.
    qtbot.mouseClick(dialog.level_buttons[Rating.FAIR], LEFT)
    assert not dialog.level_buttons[Rating.POOR].isChecked()
    assert set(dialog.reason_buttons) == {r.code for r in RATING_REASONS[Rating.FAIR]}
    assert dialog.chosen_reasons() == () and not dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.reason_buttons["device_trouble"], LEFT)
    qtbot.mouseClick(dialog.reason_buttons["waited"], LEFT)
    shot(dialog, "rating-fair.png")
    for widget in [*dialog.level_buttons.values(), *dialog.reason_buttons.values()]:
        assert widget.height() >= 48 and widget.accessibleName()
    assert dialog.submit_button.height() >= 48 and dialog.skip_button.height() >= 48
    qtbot.mouseClick(dialog.submit_button, LEFT)
    assert dialog.rating is Rating.FAIR
    assert dialog.reasons == ("waited", "device_trouble")  # in the order offered


def test_rating_skip_keeps_nothing(qtbot: QtBot) -> None:
    dialog = make_rating(qtbot, "en")
    assert dialog.level_buttons[Rating.FAIR].text() == RATING_LABELS[Rating.FAIR][1]
    qtbot.mouseClick(dialog.level_buttons[Rating.POOR], LEFT)
    assert dialog.reason_buttons["not_done"].text() == "Not done"
    qtbot.mouseClick(dialog.reason_buttons["not_done"], LEFT)
    qtbot.mouseClick(dialog.skip_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.rating is None and dialog.reasons == ()


def test_rating_dialog_fits(qtbot: QtBot) -> None:
    dialog = RatingDialog("zh_CN")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.level_buttons[Rating.POOR], LEFT)  # the most reasons
    assert_fits(qtbot, dialog, "rating-dialog")


# ---- 代办 -----------------------------------------------------------------------------------
def test_relationship_labels() -> None:
    assert len(RELATIONSHIPS) == 9 and len({r.code for r in RELATIONSHIPS}) == 9
    assert relationship_label("maternal_grandparent", "zh_CN") == "外祖父母"
    assert relationship_label("entrusted", "en") == "Authorised agent"
    assert relationship_label("no_such", "zh_CN") == "no_such"


def masked_applicant() -> str:
    return "王** · 110105********1234"


def click_toggle(qtbot: QtBot, panel: ProxyPanel) -> None:
    qtbot.mouseClick(panel.proxy_toggle, LEFT, pos=QPoint(8, panel.proxy_toggle.height() // 2))


def test_proxy_toggle_relationship_and_slots(qtbot: QtBot) -> None:
    panel = ProxyPanel("zh_CN")
    show(qtbot, panel)
    assert not panel.proxy_box.isVisible()
    assert panel.active_slot is ProxySlot.BENEFICIARY  # the card read is the citizen's own
    with qtbot.assertNotEmitted(panel.slot_changed):
        panel.set_active_slot(ProxySlot.APPLICANT)  # without 代办 there is only the citizen
    assert panel.active_slot is ProxySlot.BENEFICIARY
    with qtbot.waitSignal(panel.slot_changed, timeout=1000) as switched:
        click_toggle(qtbot, panel)
    assert panel.proxy_enabled and panel.proxy_box.isVisible()
    assert switched.args == ["applicant"] and panel.active_slot is ProxySlot.APPLICANT
    assert panel.applicant_slot.isChecked() and not panel.beneficiary_slot.isChecked()

    assert panel.relationship_code() is None
    assert panel.relationship.count() == len(RELATIONSHIPS)
    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.relationship.setFocus()
        qtbot.keyClick(panel.relationship, Qt.Key.Key_Down)
    qtbot.keyClick(panel.relationship, Qt.Key.Key_Down)
    assert panel.relationship_code() == RELATIONSHIPS[1].code
    assert panel.relationship.currentText() == "子女"
    panel.set_relationship("entrusted")
    assert panel.relationship.currentText() == "受委托人"
    panel.set_relationship(RELATIONSHIPS[1].code)

    with qtbot.waitSignal(panel.slot_changed, timeout=1000) as switched:
        panel.set_applicant(masked_applicant())
    assert switched.args == ["beneficiary"]  # the next card is the citizen's
    assert masked_applicant() in panel.applicant_slot.text()
    assert panel.applicant_text() == masked_applicant()
    with qtbot.assertNotEmitted(panel.slot_changed):
        panel.set_beneficiary("王* · 110105********0021")
    assert "王* · 110105********0021" in panel.beneficiary_slot.text()
    assert panel.beneficiary_text() == "王* · 110105********0021"
    shot(panel, "proxy-panel.png")
    with qtbot.waitSignal(panel.slot_changed, timeout=1000) as switched:
        qtbot.mouseClick(panel.applicant_slot, LEFT)  # read the applicant's card again
    assert switched.args == ["applicant"] and panel.active_slot is ProxySlot.APPLICANT
    qtbot.mouseClick(panel.applicant_slot, LEFT)  # clicking the active slot keeps it
    assert panel.applicant_slot.isChecked() and panel.active_slot is ProxySlot.APPLICANT
    with qtbot.waitSignal(panel.slot_changed, timeout=1000) as switched:
        qtbot.mouseClick(panel.beneficiary_slot, LEFT)
    assert switched.args == ["beneficiary"] and panel.active_slot is ProxySlot.BENEFICIARY
    assert panel.beneficiary_slot.isChecked() and not panel.applicant_slot.isChecked()

    # Turning 代办 off by a click goes back to the citizen's own card.
    click_toggle(qtbot, panel)
    assert not panel.proxy_enabled and not panel.proxy_box.isVisible()
    assert panel.active_slot is ProxySlot.BENEFICIARY
    click_toggle(qtbot, panel)
    assert panel.proxy_enabled
    assert panel.active_slot is ProxySlot.BENEFICIARY  # the applicant is already read

    with qtbot.waitSignal(panel.changed, timeout=1000):
        panel.clear()
    assert not panel.proxy_enabled and not panel.proxy_box.isVisible()
    assert panel.active_slot is ProxySlot.BENEFICIARY
    assert panel.applicant_text() is None and panel.beneficiary_text() is None
    assert panel.relationship_code() is None

    # The next citizen: 代办 again starts at the applicant, both slots empty.
    click_toggle(qtbot, panel)
    assert panel.active_slot is ProxySlot.APPLICANT
    assert masked_applicant() not in panel.applicant_slot.text()
    qtbot.mouseClick(panel.beneficiary_slot, LEFT)  # the citizen's card first this time
    assert panel.active_slot is ProxySlot.BENEFICIARY
    with qtbot.waitSignal(panel.slot_changed, timeout=1000) as switched:
        panel.set_beneficiary("李* · 110105********0033")
    assert switched.args == ["applicant"]  # then the applicant's, still empty


def test_proxy_panel_fits_the_pane(qtbot: QtBot) -> None:
    panel = ProxyPanel("zh_CN")
    qtbot.addWidget(panel)
    panel.proxy_toggle.setChecked(True)
    panel.set_relationship("maternal_grandparent")
    panel.set_applicant(masked_applicant())
    panel.set_beneficiary("王* · 110105********0021")
    assert_fits(qtbot, panel, "proxy-panel-proxy")
