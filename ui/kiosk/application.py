"""A citizen's own application at the kiosk, from choosing the item to the printed receipt.

Steps: choose what to apply for → one question per screen (`QuestionPage`) → the face check
when the item needs it → a photo of each paper (`PhotoPage`) → review (masked) and confirm →
saved and queued exactly like a counter filing (`FilingService.submit` on the window's worker
lane, under the self-service operator), the receipt printed, the number shown → the rating.

Nothing is saved before "confirm"; after it, the filing is durable before the citizen is told
so (the receipt prints only once `submit` has returned).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem, FieldType
from app.context import AppContext
from app.documents import new_filing_facts
from app.documents.receipt import build_receipt
from app.errors import UserFacingError
from app.identity import mask_id_number, mask_name
from app.kiosk_form import KioskPlan, Question, form_values, identity_record, plan_for
from app.ratings import Rating
from app.regions import region_name
from app.services.filing_service import (
    FACE_PHOTO,
    Attachment,
    FilingRequest,
    FilingService,
    SavedFiling,
)
from app.services.permissions import SELF_SERVICE_OPERATOR
from app.services.person_service import RecordedPerson
from app.store.models import utcnow
from devices.camera import Camera
from ui.devices.hub import DeviceHub
from ui.kiosk.availability import KioskAvailability, ReceiptRoute, Service
from ui.kiosk.page import kiosk_button
from ui.kiosk.photo_page import PhotoPage
from ui.kiosk.privacy import mark_personal
from ui.kiosk.question_page import QuestionPage
from ui.kiosk.rating_page import RatingPage
from ui.printing.print_worker import PrintWorker
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

RECEIPT_OPERATOR = "自助终端"  # printed as 经办人 on a kiosk receipt


class FaceStep(Protocol):
    """The guided face check (`ui.kiosk.face_check.FaceCheckPage`)."""

    confirmed: SignalInstance
    cancelled: SignalInstance
    unavailable: SignalInstance

    def start(self, camera: Camera | None) -> None: ...
    def stop(self) -> None: ...


def _label(item: CatalogItem, zh: bool) -> str:
    return item.name if zh else item.name_en


class ItemChoicePage(QWidget):
    chosen = Signal(str)
    back = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("itemChoicePage")
        self._zh = language.startswith("zh")
        self.title = QLabel(self.tr("What would you like to apply for?"), self)
        self.title.setObjectName("itemChoiceTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.list_box = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        self.empty = QLabel(
            self.tr(
                "No applications can be made at this kiosk. Please go to a township "
                "medical-insurance station, or call 12393."
            ),
            self,
        )
        self.empty.setObjectName("itemChoiceEmpty")
        self.empty.setWordWrap(True)
        self.back_button = kiosk_button(
            self.tr("Back"), self, "itemChoiceBack", accessible=self.tr("Back to my services")
        )
        self.back_button.clicked.connect(self.back)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.list_box)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        layout.addWidget(self.back_button)

    def set_items(self, items: list[CatalogItem]) -> None:
        for button in self.buttons.values():
            self.list_box.removeWidget(button)
            button.hide()  # deleted only once back in the event loop: gone from view now
            button.deleteLater()
        self.buttons = {}
        for item in items:
            text = _label(item, self._zh)
            button = kiosk_button(text, self, f"item_{item.code}")
            button.clicked.connect(functools.partial(self.chosen.emit, item.code))
            self.list_box.addWidget(button)
            self.buttons[item.code] = button
            button.show()  # added to a shown page: not shown until told
        self.empty.setVisible(not items)


class ReviewPage(QWidget):
    confirmed = Signal()
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskReviewPage")
        self.title = QLabel(self.tr("Please check, then confirm"), self)
        self.title.setObjectName("reviewTitle")
        self.title.setProperty("role", "heading")
        self.lines = QListWidget(self)
        self.lines.setObjectName("reviewLines")
        self.lines.setAccessibleName(self.tr("What you are applying for"))
        self.note = mark_personal(QLabel(self))
        self.note.setObjectName("reviewNote")
        self.note.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("reviewStatus")
        self.status.setProperty("role", "error")
        self.status.setWordWrap(True)
        self.back_button = kiosk_button(
            self.tr("Change something"),
            self,
            "reviewBack",
            accessible=self.tr("Go back and change an answer"),
        )
        self.confirm_button = kiosk_button(
            self.tr("Confirm and submit"),
            self,
            "reviewConfirm",
            role="primary",
            accessible=self.tr("Confirm and submit the application"),
        )
        self.back_button.clicked.connect(self.back)
        self.confirm_button.clicked.connect(self.confirmed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def set_blocked(self, blocked: bool) -> None:
        """A step this kiosk cannot do: nothing to confirm, and going back would only lead to
        the same step again, so the one way on is back to the citizen's services."""
        self.confirm_button.setVisible(not blocked)
        if blocked:
            self.back_button.setText(self.tr("Back to my services"))
            self.back_button.setAccessibleName(self.tr("Back to my services"))
        else:
            self.back_button.setText(self.tr("Change something"))
            self.back_button.setAccessibleName(self.tr("Go back and change an answer"))


class DonePage(QWidget):
    """The application is saved: its number, where the receipt is, then the rating."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kioskDonePage")
        self.title = QLabel(self.tr("Your application has been submitted"), self)
        self.title.setObjectName("doneTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.number = mark_personal(QLabel(self))
        self.number.setObjectName("doneNumber")
        self.number.setWordWrap(True)
        self.printing = QLabel(self)
        self.printing.setObjectName("donePrinting")
        self.printing.setWordWrap(True)
        self.rating = RatingPage(language, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.number)
        layout.addWidget(self.printing)
        layout.addWidget(self.rating, 1)


class ApplicationFlow(QWidget):
    """One application for the identified citizen. `closed()` when back at their services."""

    closed = Signal()
    filed = Signal(str)  # the filing's uid, once durably saved
    rated = Signal(str)  # the rating command's uid
    step_shown = Signal()

    def __init__(
        self,
        ctx: AppContext,
        devices: DeviceHub,
        printer: PrintWorker,
        lane: TaskLane,
        language: str,
        temp_dir: Path,
        station: tuple[str, str],
        face_step: FaceStep | None = None,
        availability: KioskAvailability | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("applicationFlow")
        self._ctx = ctx
        self._devices = devices
        self._printer = printer
        self._lane = lane
        self._language = language
        self._zh = language.startswith("zh")
        self._temp_dir = temp_dir
        self._station_name, self._station_code = station  # printed on receipts
        self._availability = availability
        self._service: FilingService | None = None  # created on the lane's thread
        self.person: RecordedPerson | None = None
        self.plan: KioskPlan | None = None
        self.answers: dict[str, object] = {}
        self.photos: dict[str, bytes] = {}
        self.face: bytes | None = None
        self.saved: SavedFiling | None = None
        self.last_receipt: str | None = None  # where the receipt went (printer or PDF)
        self._index = 0  # the current question or photo
        self._blocked_now = False  # the review says a step cannot be done here
        self._steps: list[tuple[str, int]] = []  # ("question", i) | ("face", 0) | ("photo", i)
        self.choice = ItemChoicePage(language, self)
        self.question = QuestionPage(language, self)
        self.photo = PhotoPage(language, self)
        self.review = ReviewPage(self)
        self.done = DonePage(language, self)
        self.face_step = face_step
        self.pages = QStackedWidget(self)
        for page in (self.choice, self.question, self.photo, self.review, self.done):
            self.pages.addWidget(page)
        if isinstance(face_step, QWidget):
            self.pages.addWidget(face_step)
            face_step.confirmed.connect(self._on_face)
            face_step.cancelled.connect(self._previous)
            face_step.unavailable.connect(self._blocked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.choice.chosen.connect(self.choose)
        self.choice.back.connect(self.closed)
        self.question.answered.connect(self._on_answer)
        self.question.skipped.connect(self._on_skip)
        self.question.back.connect(self._previous)
        self.photo.taken.connect(self._on_photo)
        self.photo.skipped.connect(self._on_photo_skipped)
        self.photo.back.connect(self._previous)
        self.review.back.connect(self._review_back)
        self.review.confirmed.connect(self.confirm)
        self.done.rating.rated.connect(self._rate)
        self.done.rating.declined.connect(self._finish)
        self._printer.printed.connect(self._on_printed)
        self._printer.failed.connect(self._on_print_failed)

    # ---- start ----------------------------------------------------------------------------
    def start(self, person: RecordedPerson, items: list[CatalogItem]) -> None:
        self.forget()
        self.person = person
        self.choice.set_items(items)
        self.pages.setCurrentWidget(self.choice)

    def choose(self, item_code: str) -> None:
        if self.person is None:
            return
        item = self._ctx.catalog.current().item(item_code)
        self.plan = plan_for(item)
        self.answers, self.photos, self.face = {}, {}, None
        self._steps = [("question", n) for n in range(len(self.plan.questions))]
        if self.plan.face_photo:
            self._steps.append(("face", 0))
        self._steps += [("photo", n) for n in range(len(self.plan.photos))]
        self._index = 0
        self._show_step()

    # ---- moving between steps -------------------------------------------------------------
    def _show_step(self) -> None:
        self._show_step_now()
        self.step_shown.emit()  # the window speaks the new step's prompt

    def _show_step_now(self) -> None:
        assert self.plan is not None
        if self._index >= len(self._steps):
            self._show_review()
            return
        kind, n = self._steps[self._index]
        if kind == "question":
            question = self.plan.questions[n]
            self.question.show_question(
                question, self.answers.get(question.key), n + 1, len(self.plan.questions)
            )
            self.pages.setCurrentWidget(self.question)
        elif kind == "face":
            self._show_face()
        else:
            material = self.plan.photos[n]  # after "back", a new photo replaces the kept one
            off = self._off(Service.MATERIAL_PHOTOS)
            if off and material.required:
                self._blocked(off)
                return
            self.photo.show_material(
                material, self._devices.make_camera("materials"), n + 1, len(self.plan.photos)
            )
            self.pages.setCurrentWidget(self.photo)

    def _show_face(self) -> None:
        step = self.face_step
        off = self._off(Service.FACE_CHECK)
        if step is None or not isinstance(step, QWidget) or off:
            self._blocked(
                off
                or self.tr(
                    "The face check cannot be made at this kiosk. Please go to a township "
                    "medical-insurance station, or call 12393."
                )
            )
            return
        self.pages.setCurrentWidget(step)
        step.start(self._devices.make_camera())

    def _off(self, service: Service) -> str:
        """Why `service` is unavailable here ("" when it works)."""
        a = self._availability
        if a is None or a.is_available(service):
            return ""
        return a.reason(service, self._language)

    def _blocked(self, text: str) -> None:
        """A step this kiosk cannot do: the review says why, and nothing can be confirmed."""
        if self.face_step is not None:
            self.face_step.stop()
        self.photo.stop()
        self._index = len(self._steps)
        self._show_review(blocked=True)
        self.review.status.setText(text)

    def _next(self) -> None:
        self._index += 1
        self._show_step()

    def _previous(self) -> None:
        self.photo.stop()
        if self.face_step is not None:
            self.face_step.stop()
        if self._index == 0 or self.plan is None:
            self.pages.setCurrentWidget(self.choice)
            return
        self._index = min(self._index, len(self._steps)) - 1
        self._show_step()

    def _review_back(self) -> None:
        if self._blocked_now:
            self._finish()  # the blocked step would come again: back to the services
        else:
            self._previous()

    def _on_answer(self, key: str, value: object) -> None:
        self.answers[key] = value
        self._next()

    def _on_skip(self, key: str) -> None:
        self.answers.pop(key, None)
        self._next()

    def _on_face(self, jpeg: bytes) -> None:
        self.face = jpeg
        self._next()

    def _on_photo(self, code: str, jpeg: bytes) -> None:
        self.photos[code] = jpeg
        self._next()

    def _on_photo_skipped(self, code: str) -> None:
        self.photos.pop(code, None)
        self._next()

    # ---- review and confirm ---------------------------------------------------------------
    def _show_review(self, *, blocked: bool = False) -> None:
        assert self.plan is not None and self.person is not None
        if not blocked:
            self.review.status.clear()
        self._blocked_now = blocked
        self.review.set_blocked(blocked)
        self.review.confirm_button.setEnabled(not blocked)
        self.review.lines.clear()
        read = self.person.read
        item = self.plan.item
        lines = [
            self.tr("Applying for: %1").replace("%1", _label(item, self._zh)),
            self.tr("Applicant: %1 (%2)")
            .replace("%1", mask_name(read.name))
            .replace("%2", mask_id_number(read.id_number)),
        ]
        for question in self.plan.questions:
            if question.key in self.answers:
                label = question.spec.label if self._zh else question.spec.label_en
                lines.append(f"{label}: {self._shown(question, self.answers[question.key])}")
        if self.face is not None:
            lines.append(self.tr("Face photo: taken"))
        for material in self.plan.photos:
            name = material.name if self._zh else material.name_en
            lines.append(
                f"{name}: "
                + (self.tr("photographed") if material.code in self.photos else self.tr("none"))
            )
        self.review.lines.addItems(lines)
        confirms = [s.label if self._zh else s.label_en for s in self.plan.handler_confirms]
        self.review.note.setText(
            self.tr("The handler will telephone you to confirm: %1").replace(
                "%1", "、".join(confirms)
            )
            if confirms
            else ""
        )
        self.review.note.setVisible(bool(confirms))
        self.pages.setCurrentWidget(self.review)

    def _shown(self, question: Question, value: object) -> str:
        spec = question.spec
        if spec.type is FieldType.CHOICE:
            for c in spec.choices:
                if c.value == value:
                    return c.label if self._zh else c.label_en
        if spec.type is FieldType.BOOLEAN:
            return self.tr("Yes") if value else self.tr("No")
        if spec.type is FieldType.REGION and isinstance(value, str):
            return region_name(value)
        if spec.type is FieldType.PHONE and isinstance(value, str):
            return value[:3] + "****" + value[-4:]  # masked: the review may be overlooked
        return str(value)

    def confirm(self) -> None:
        """Save and queue the application (on the worker lane), then print its receipt."""
        if self.plan is None or self.person is None or self.saved is not None:
            return
        person = self.person
        plan = self.plan
        attachments = identity_record(person.read, plan.item, utcnow())
        if self.face is not None:
            attachments.append(Attachment(FACE_PHOTO, self.face))
        attachments += [Attachment(code, data) for code, data in self.photos.items()]
        request = FilingRequest(
            item_code=plan.item.code,
            values=form_values(plan, self.answers, person.read),
            person=person,
            operator_code=SELF_SERVICE_OPERATOR,
            attachments=attachments,
        )
        self.review.confirm_button.setEnabled(False)
        self.review.status.setText(self.tr("Submitting..."))
        self._lane.submit(functools.partial(self._file, request), self._on_filed, self._on_refused)

    def _file(self, request: FilingRequest) -> SavedFiling:
        """On the lane's thread: the service (and its caches) belong to that thread."""
        if self._service is None:
            station = self._ctx.stations.require_station()
            self._service = self._ctx.filing_service(station)
        return self._service.submit(request)

    def _on_filed(self, saved: object) -> None:
        assert isinstance(saved, SavedFiling)
        self.saved = saved
        self.filed.emit(saved.uid)
        if self.person is None:
            return  # the session ended while saving: the filing is queued, nothing is shown
        self.done.number.setText(
            self.tr("Application number: %1").replace("%1", saved.uid)
            + "\n"
            + self.tr("Please keep the receipt; the progress can be checked with it.")
        )
        self.done.printing.setText(self.tr("Printing your receipt..."))
        self.done.rating.reset()
        self.pages.setCurrentWidget(self.done)
        self._print_receipt(saved, self.person)

    def _on_refused(self, exc: BaseException) -> None:
        self.review.confirm_button.setEnabled(True)
        if isinstance(exc, UserFacingError):
            self.review.status.setText(exc.text(self._language))
            return
        log.error("kiosk: the application could not be saved", exc_info=exc)
        self.review.status.setText(
            self.tr(
                "The application could not be saved. Please try again, or go to a township "
                "medical-insurance station."
            )
        )

    # ---- receipt and rating ---------------------------------------------------------------
    def _print_receipt(self, saved: SavedFiling, person: RecordedPerson) -> None:
        item = self._ctx.catalog.current().item(saved.item_code)
        station = (self._station_name, self._station_code)
        receipt = build_receipt(
            new_filing_facts(
                saved.uid, saved.created_at, item, person.read, station, RECEIPT_OPERATOR
            )
        )
        route = self._availability.receipt_route() if self._availability else None
        printer = self._devices.receipt_printer
        if route is ReceiptRoute.SCREEN:
            self.done.printing.setText(
                self.tr(
                    "This kiosk cannot print a receipt now. Please write down the application "
                    "number above; the application is saved."
                )
            )
        elif printer is not None and route in (None, ReceiptRoute.THERMAL):
            self._printer.receipt_to_device(receipt, printer)
        else:
            self._printer.receipt_anywhere(receipt, self._temp_dir / f"receipt-{saved.uid}.pdf")

    def _on_printed(self, where: str) -> None:
        if self.pages.currentWidget() is self.done and self.saved is not None:
            self.last_receipt = where
            self.done.printing.setText(self.tr("Please take your receipt from the printer."))

    def _on_print_failed(self, text: str) -> None:
        if self.pages.currentWidget() is self.done and self.saved is not None:
            self.done.printing.setText(
                self.tr(
                    "The receipt could not be printed here. Please write down the application "
                    "number above; the application is saved."
                )
            )

    def _rate(self, level: str, reasons: list[str]) -> None:
        saved = self.saved
        if saved is None:
            return
        rate = functools.partial(
            self._ctx.commands.rate, saved.uid, Rating(level), reasons, SELF_SERVICE_OPERATOR
        )
        self._lane.submit(rate, self._on_rated, self._on_rate_failed)
        self._finish()

    def _on_rated(self, command: object) -> None:
        uid = getattr(command, "uid", "")
        self.rated.emit(str(uid))

    def _on_rate_failed(self, exc: BaseException) -> None:
        log.warning("kiosk: the rating was not saved (%s)", type(exc).__name__)

    def _finish(self) -> None:
        self.forget()
        self.closed.emit()

    # ---- privacy --------------------------------------------------------------------------
    def forget(self) -> None:
        """`privacy.Forgettable`: answers, photos, the face, the person."""
        self.photo.forget()
        self.question.forget()
        if self.face_step is not None:
            self.face_step.stop()
        self.person = None
        self.plan = None
        self.answers = {}
        self.photos = {}
        self.face = None
        self.saved = None
        self.last_receipt = None
        self._steps = []
        self._index = 0
        self._blocked_now = False
