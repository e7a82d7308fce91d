"""Printing off the GUI thread: one lane for every print job, results back as signals.

Printing blocks for as long as the device takes: a serial thermal printer at 9600 baud, a
network printer that times out, CUPS spooling an A4 page, font subsetting for a PDF. All of
it runs on a `TaskLane` of its own ("printer"), so jobs print in the order they were asked
for and a slow printer never holds up the database lane or the window.

The window connects `printed` (where the document went: a PDF path, a printer's name) and
`failed` (a message to show, in the UI language). A `DeviceError` carries its own Chinese
and English text; anything else is a bug, logged with its traceback, and the operator sees
a plain apology. The filing itself was saved before anything was printed, so a failure
here never loses work: the operator can reprint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.documents.certificate import Certificate
from app.documents.notice import Notice
from app.documents.receipt import Receipt
from app.errors import UserFacingError
from devices.receipt_printer import PrintOutcome, ReceiptPrinter
from ui.printing import document_pdf
from ui.printing.document_pdf import DEFAULT_STYLE, DocumentStyle, Rendered
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

# Worded like the device messages (Chinese and English side by side) rather than through
# tr(), so that it reads the same as every other printing message whatever the .qm files.
INTERNAL_ERROR = UserFacingError(
    "打印时程序出错，已记录日志。业务已保存，请重新打印；如反复出现，请联系运维人员",
    "Printing failed because of an internal error, which has been logged. The filing is "
    "saved; print again, and call the technician if it keeps happening.",
)


class PrintWorker(QObject):
    """Queues print jobs on a worker thread and reports each one through a signal."""

    printed = Signal(str)  # a PDF path, a printer name, or the simulated printer's file
    failed = Signal(str)  # what the operator should read, in the UI language
    warning = Signal(str)  # printed, but e.g. the paper roll is nearly empty
    busy_changed = Signal(bool)

    def __init__(
        self,
        language: str = "zh_CN",
        style: DocumentStyle = DEFAULT_STYLE,
        lane: TaskLane | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.language = language
        self.style = style
        self._owns_lane = lane is None
        self._lane = lane if lane is not None else TaskLane("printer", self)
        self._lane.busy_changed.connect(self.busy_changed)
        self.last: Rendered | PrintOutcome | None = None  # the last successful job's details

    # -- jobs --

    def receipt_pdf(self, receipt: Receipt, path: Path) -> int:
        style = self.style
        return self._submit(lambda: document_pdf.receipt_pdf(receipt, path, style))

    def notice_pdf(self, notice: Notice, path: Path) -> int:
        style = self.style
        return self._submit(lambda: document_pdf.notice_pdf(notice, path, style))

    def receipt_to_system_printer(self, receipt: Receipt, printer_name: str | None = None) -> int:
        style = self.style
        return self._submit(lambda: document_pdf.print_receipt(receipt, printer_name, style))

    def notice_to_system_printer(self, notice: Notice, printer_name: str | None = None) -> int:
        style = self.style
        return self._submit(lambda: document_pdf.print_notice(notice, printer_name, style))

    def certificate(self, cert: Certificate, fallback_pdf: Path) -> int:
        """On the system (A4) printer when there is one, else as a PDF at `fallback_pdf`;
        asking the print system which printers exist is done on the worker too."""
        style = self.style

        def job() -> Rendered:
            if document_pdf.system_printer_names():
                return document_pdf.print_certificate(cert, None, style)
            return document_pdf.certificate_pdf(cert, fallback_pdf, style)

        return self._submit(job)

    def receipt_anywhere(self, receipt: Receipt, fallback_pdf: Path) -> int:
        """The kiosk's receipt without a thermal printer: on the A4 printer when there is
        one, else as a PDF at `fallback_pdf` (the number is also shown on screen)."""
        style = self.style

        def job() -> Rendered:
            if document_pdf.system_printer_names():
                return document_pdf.print_receipt(receipt, None, style)
            return document_pdf.receipt_pdf(receipt, fallback_pdf, style)

        return self._submit(job)

    def receipt_to_device(self, receipt: Receipt, printer: ReceiptPrinter) -> int:
        """A thermal receipt printer (ESC/POS or simulated)."""
        return self._submit(lambda: printer.print_receipt(receipt))

    def _submit(self, job: Callable[[], Rendered | PrintOutcome]) -> int:
        return self._lane.submit(job, self._on_done, self._on_error)

    @property
    def pending(self) -> int:
        return self._lane.pending

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Let queued jobs finish, then stop the thread (only a lane this worker created)."""
        return self._lane.shutdown(timeout_ms) if self._owns_lane else True

    # -- results, on the GUI thread --

    @Slot(object)
    def _on_done(self, result: object) -> None:
        if isinstance(result, Rendered):
            self.last = result
            log.info(
                "printed %d page(s) to %s in %.0f ms",
                result.pages,
                result.destination,
                result.elapsed_ms,
            )
            self.printed.emit(result.destination)
        elif isinstance(result, PrintOutcome):
            self.last = result
            where = str(result.saved_to) if result.saved_to else result.printer
            self.printed.emit(where)
            warning = result.warning(self.language)
            if warning:
                self.warning.emit(warning)
        else:  # pragma: no cover - every job above returns one of the two
            self.printed.emit(str(result))

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self.failed.emit(exc.text(self.language))
            return
        log.error("printing failed", exc_info=exc)
        self.failed.emit(INTERNAL_ERROR.text(self.language))
