"""The review page: everything the filing will say, checked with the citizen before confirming.

The caller builds a `ReviewFacts` (plain values, no ORM objects) from the form, the checklist,
the identity read and the signature; the page shows it in groups and refuses to confirm while
something that would get the filing refused is missing. Names and ID numbers are masked here
whatever the caller passes: the screen is turned towards the citizen and whoever stands
behind them.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.identity import mask_id_number, mask_name

ERROR_STYLE = "color: #b00020; font-weight: bold;"
PENDING_STYLE = "color: #b26a00; font-weight: bold;"  # amber: 容缺受理
OK_STYLE = "color: #1b5e20;"
BUTTON_HEIGHT = 44


@dataclass(frozen=True)
class ReviewApplicant:
    """Who applies on the citizen's behalf (代办): masked, and what they are to the citizen."""

    name: str
    id_number: str
    relationship: str  # a label in the operator's language (app.relationships)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", mask_name(self.name))
        object.__setattr__(self, "id_number", mask_id_number(self.id_number))

    def __repr__(self) -> str:
        return "ReviewApplicant(...)"


@dataclass(frozen=True)
class ReviewMaterial:
    name: str
    required: bool
    pages: int


@dataclass(frozen=True)
class ReviewFacts:
    """What the review page shows. Names and ID numbers are masked on construction (masking
    is idempotent, so already masked values stay as they are)."""

    item_name: str
    item_code: str
    time_limit_days: int  # working days; 0 = answered at once
    beneficiary_name: str
    beneficiary_id: str  # ID number, or a newborn's birth-certificate number
    fields: tuple[tuple[str, str], ...] = ()  # (label, display value), in form order
    materials: tuple[ReviewMaterial, ...] = ()
    face_photo: bool | None = None  # None: the item needs none
    signature: bool = False
    materials_pending: bool = False  # 容缺受理: accept now, materials follow
    applicant: ReviewApplicant | None = None  # 代办

    def __post_init__(self) -> None:
        object.__setattr__(self, "beneficiary_name", mask_name(self.beneficiary_name))
        object.__setattr__(self, "beneficiary_id", mask_id_number(self.beneficiary_id))
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "materials", tuple(self.materials))

    def __repr__(self) -> str:
        return f"ReviewFacts(item={self.item_code}, ...)"

    def missing_required(self) -> list[ReviewMaterial]:
        return [m for m in self.materials if m.required and m.pages == 0]


def _value(text: str, name: str, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    return label


class ReviewPage(QWidget):
    """Grouped read-only summary with Back and Confirm (disabled while a problem blocks)."""

    back = Signal()
    confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self._facts: ReviewFacts | None = None
        self.title = QLabel(self.tr("Please check everything with the citizen"), self)
        self.title.setObjectName("reviewTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.problems = QLabel(self)
        self.problems.setObjectName("reviewProblems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setAccessibleName(self.tr("Problems to fix before confirming"))
        self._body = QWidget(self)
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(0, 0, 8, 0)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("reviewScroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self._body)
        self.back_button = QPushButton(self.tr("Back to edit"), self)
        self.back_button.setObjectName("reviewBackButton")
        self.back_button.setAccessibleName(self.tr("Back to edit the filing"))
        self.confirm_button = QPushButton(self.tr("Confirm and submit"), self)
        self.confirm_button.setObjectName("reviewConfirmButton")
        self.confirm_button.setAccessibleName(self.tr("Confirm and submit the filing"))
        for button in (self.back_button, self.confirm_button):
            button.setMinimumHeight(BUTTON_HEIGHT)
            button.setMinimumWidth(140)
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.problems)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)
        self.back_button.clicked.connect(self.back)
        self.confirm_button.clicked.connect(self._confirm)
        self.confirm_button.setEnabled(False)
        self.problems.hide()

    @property
    def facts(self) -> ReviewFacts | None:
        return self._facts

    def set_facts(self, facts: ReviewFacts) -> None:
        self._facts = facts
        while self._body_layout.count():
            child = self._body_layout.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.hide()  # now: deleteLater waits for the event loop
                widget.deleteLater()
        for group in (
            self._item_group(facts),
            self._applicant_group(facts),
            self._citizen_group(facts),
            self._fields_group(facts),
            self._materials_group(facts),
            self._signature_group(facts),
        ):
            if group is not None:
                self._body_layout.addWidget(group)
        self._body_layout.addStretch(1)
        problems = self.blocking_problems()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.confirm_button.setEnabled(not problems)
        self.scroll_area.verticalScrollBar().setValue(0)

    def blocking_problems(self) -> list[str]:
        """What keeps the filing from being confirmed, worded for the operator."""
        facts = self._facts
        if facts is None:
            return [self.tr("Nothing to review yet.")]
        out: list[str] = []
        if not facts.materials_pending:
            for material in facts.missing_required():
                out.append(self.tr("Required material missing: %1").replace("%1", material.name))
        if facts.face_photo is False:
            out.append(self.tr("The face photo this item requires has not been taken."))
        if not facts.signature:
            out.append(self.tr("The citizen has not signed yet."))
        return out

    # ---- groups ----------------------------------------------------------------------------
    def _group(self, title: str, name: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        box.setObjectName(name)
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return box, form

    def _item_group(self, facts: ReviewFacts) -> QGroupBox:
        box, form = self._group(self.tr("Item"), "reviewItem")
        form.addRow(self.tr("Item"), _value(facts.item_name, "reviewItemName"))
        form.addRow(self.tr("Code"), _value(facts.item_code, "reviewItemCode"))
        limit = (
            self.tr("Answered at once")
            if facts.time_limit_days == 0
            else self.tr("%n working day(s)", "", facts.time_limit_days)
        )
        form.addRow(self.tr("Time limit"), _value(limit, "reviewTimeLimit"))
        return box

    def _applicant_group(self, facts: ReviewFacts) -> QGroupBox | None:
        applicant = facts.applicant
        if applicant is None:
            return None
        box, form = self._group(self.tr("Applicant (on the citizen's behalf)"), "reviewApplicant")
        form.addRow(self.tr("Name"), _value(applicant.name, "reviewApplicantName"))
        form.addRow(self.tr("ID number"), _value(applicant.id_number, "reviewApplicantId"))
        form.addRow(
            self.tr("Relationship"), _value(applicant.relationship, "reviewApplicantRelationship")
        )
        return box

    def _citizen_group(self, facts: ReviewFacts) -> QGroupBox:
        box, form = self._group(self.tr("Citizen"), "reviewCitizen")
        form.addRow(self.tr("Name"), _value(facts.beneficiary_name, "reviewCitizenName"))
        form.addRow(self.tr("ID number"), _value(facts.beneficiary_id, "reviewCitizenId"))
        if facts.face_photo is not None:
            text, style = (
                (self.tr("Taken"), OK_STYLE)
                if facts.face_photo
                else (self.tr("Not taken (required)"), ERROR_STYLE)
            )
            form.addRow(self.tr("Face photo"), _value(text, "reviewFacePhoto", style))
        return box

    def _fields_group(self, facts: ReviewFacts) -> QGroupBox:
        box, form = self._group(self.tr("Entered"), "reviewFields")
        if not facts.fields:
            form.addRow(_value(self.tr("Nothing entered."), "reviewNoFields"))
        for n, (label, value) in enumerate(facts.fields):
            form.addRow(label, _value(value or "—", f"reviewField_{n}"))
        return box

    def _materials_group(self, facts: ReviewFacts) -> QGroupBox:
        box, form = self._group(self.tr("Materials"), "reviewMaterials")
        if not facts.materials:
            form.addRow(_value(self.tr("This item needs no materials."), "reviewNoMaterials"))
        for n, material in enumerate(facts.materials):
            if material.pages:
                text, style = self.tr("%n page(s)", "", material.pages), OK_STYLE
            elif not material.required:
                text, style = self.tr("Not provided (optional)"), ""
            elif facts.materials_pending:
                text, style = (
                    self.tr("Missing: to follow (accepted with materials pending)"),
                    (PENDING_STYLE),
                )
            else:
                text, style = self.tr("Missing (required)"), ERROR_STYLE
            form.addRow(material.name, _value(text, f"reviewMaterial_{n}", style))
        if facts.materials_pending and facts.missing_required():
            form.addRow(
                _value(
                    self.tr("Accepted with materials pending: the missing materials follow later"),
                    "reviewMaterialsPending",
                    PENDING_STYLE,
                )
            )
        return box

    def _signature_group(self, facts: ReviewFacts) -> QGroupBox:
        box, form = self._group(self.tr("Signature"), "reviewSignature")
        text, style = (
            (self.tr("Signed"), OK_STYLE)
            if facts.signature
            else (self.tr("Not signed yet"), ERROR_STYLE)
        )
        form.addRow(self.tr("Citizen's signature"), _value(text, "reviewSignatureState", style))
        return box

    def _confirm(self) -> None:
        if self._facts is not None and not self.blocking_problems():
            self.confirmed.emit()
