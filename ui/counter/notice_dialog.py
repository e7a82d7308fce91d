"""The one-time notice (一次性告知书) on screen: for a citizen who will photograph it with a
phone rather than take paper, and for the operator to check it before printing."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from app.documents.notice import COPIES_NOTE, Notice


def notice_html(notice: Notice) -> str:
    """The notice's text as simple HTML, in the order the printed page has it."""
    e = html.escape
    parts = [
        f"<p align='center'>{e(notice.subtitle)}</p>",
        f"<h2 align='center'>{e(notice.title)}</h2>",
        "<table>"
        + "".join(
            f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in notice.reference_rows()
        )
        + "</table>",
        f"<p>{e(notice.salutation())}</p>",
        f"<p>{e(notice.intro())}</p>",
        "".join(f"<p style='margin-left:2em'>{e(line)}</p>" for line in notice.material_lines()),
        "".join(f"<p>{e(text)}</p>" for text in notice.instructions()),
        f"<p>{e(COPIES_NOTE)}</p>",
        "".join(
            f"<p align='right'>{e(label)}：{e(value)}</p>"
            for label, value in notice.signature_rows()
        ),
    ]
    return "".join(parts)


class NoticeDialog(QDialog):
    print_requested = Signal()

    def __init__(self, notice: Notice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeDialog")
        self.setWindowTitle(self.tr("One-time notice of missing materials"))
        self.text = QTextBrowser(self)
        self.text.setObjectName("noticeText")
        self.text.setAccessibleName(self.tr("One-time notice of missing materials"))
        self.text.setHtml(notice_html(notice))
        buttons = QDialogButtonBox(self)
        self.print_button = buttons.addButton(
            self.tr("Print"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setObjectName("noticePrintButton")
        self.print_button.setAccessibleName(self.tr("Print the notice"))
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_requested)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.resize(720, 640)
