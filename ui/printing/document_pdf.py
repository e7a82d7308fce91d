"""Receipts (80 mm) and one-time notices (A4) drawn with QPainter and QTextDocument.

The same drawing code targets a PDF file (QPdfWriter) or a system printer (QPrinter, for
A4 printers and for thermal printers installed with a vendor driver, as many stations do on
Windows). Everything here runs on a worker thread (ui/printing/print_worker.py): Qt
supports painting on QPdfWriter, QPrinter and QImage outside the GUI thread, and the
QTextDocuments are created, laid out and destroyed on the thread that paints them.

Text is laid out by QTextDocument against the target device itself
(`documentLayout().setPaintDevice`), so point sizes and line breaks are those of the
device's resolution, not the screen's. The QR code is drawn as vector rectangles from the
`qrcode` matrix, each module a whole number of device pixels: sharp at any zoom, a few
hundred bytes, and no resampling between the matrix and the paper.

Font: the document font list starts with HanaMin (fonts-hanazono, a Song/Ming style face,
the style of printed official notices), then Noto Serif CJK SC. The order is deliberate:
Qt's PDF writer builds each embedded font's ToUnicode map by searching the BMP for the
*lowest* code point that maps to a glyph, and Noto CJK (like every Source Han derivative)
maps CJK radicals (U+2E80-U+2FDF) to the same glyphs as common characters, so text
copied or searched in a Noto-set PDF reads ⺠ for 民, ⼀ for 一, ⼾⼝ for 户口. HanaMin
gives radicals their own glyphs, so the PDF's text is the text that was written. Characters
outside the BMP (𠮷) print correctly but cannot be extracted from any Qt PDF for the same
reason (its search stops at U+FFFF); names are masked to their first character anyway.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.documents.certificate import Certificate
from app.documents.lookup_code import qr_matrix
from app.documents.notice import COPIES_NOTE, Notice, chinese_date
from app.documents.receipt import KEEP_HINT, QR_CAPTION, Receipt
from devices.base import DeviceError

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
PDF_DPI = 300  # plenty for text; QR modules become whole multiples of 1/300 inch
A4_MM = (210.0, 297.0)
PDF_CREATOR = "Yibao Station 医保服务站客户端"


@dataclass(frozen=True)
class DocumentStyle:
    """Fonts, sizes and margins; the defaults follow common Chinese service-hall practice."""

    families: tuple[str, ...] = (
        "HanaMinA",
        "HanaMinB",  # CJK Extension B and beyond: rare characters in names
        "Noto Serif CJK SC",
        "SimSun",  # Windows
        "Songti SC",  # macOS
    )
    receipt_width_mm: float = 80.0
    receipt_margin_mm: float = 4.0
    receipt_body_pt: float = 8.5
    receipt_title_pt: float = 14.0
    receipt_qr_mm: float = 28.0
    notice_margins_mm: tuple[float, float, float, float] = (25.0, 22.0, 22.0, 20.0)  # l t r b
    notice_body_pt: float = 12.0  # 小四
    notice_title_pt: float = 22.0  # 二号
    notice_small_pt: float = 9.0
    notice_qr_mm: float = 25.0


DEFAULT_STYLE = DocumentStyle()


@dataclass(frozen=True)
class Rendered:
    """Where a document went and what it became."""

    destination: str  # the PDF path or the printer's name
    pages: int
    page_size_mm: tuple[float, float]  # of the first page
    elapsed_ms: float


class DocumentOutputError(DeviceError):
    """The PDF could not be written or the system printer refused the job."""


def no_printer_error() -> DeviceError:
    return DeviceError(
        "本机没有可用的打印机，请在系统设置中添加打印机，或先保存为 PDF 文件",
        "This computer has no printer; add one in the system settings, or save a PDF instead.",
    )


def printer_not_found_error(name: str) -> DeviceError:
    return DeviceError(
        f"找不到打印机“{name}”，请检查打印机是否开机，或在设置中选择其他打印机",
        f"Printer {name!r} was not found; check that it is on, or choose another printer.",
    )


def print_failed_error(name: str) -> DocumentOutputError:
    return DocumentOutputError(
        f"打印机“{name}”没有接受打印任务，请检查打印机状态后重新打印",
        f"Printer {name!r} did not accept the job; check the printer and print again.",
    )


def pdf_write_error(path: Path) -> DocumentOutputError:
    return DocumentOutputError(
        f"无法保存 PDF 文件（{path}），请检查磁盘空间和文件夹权限",
        f"Cannot save the PDF file {path}; check the disk space and folder permissions.",
    )


# --- building documents -------------------------------------------------------------------
#
# PySide6 6.12 on Python 3.11 drops a reference to None on every call of a C++ method that
# returns void (Python 3.12+ makes None immortal, so there it is harmless); Python aborts
# with "none_dealloc" once None's count reaches zero. Documents are therefore built as one
# HTML string handed to QTextDocument in a single call, and the QR code is drawn with one
# drawRects call, rather than with hundreds of format setters and addRect calls.


class _Html:
    """A document's HTML, paragraph by paragraph, with lengths in the device's pixels."""

    def __init__(self, dpi: float, style: DocumentStyle, body_pt: float) -> None:
        self.dpi = dpi
        self.style = style
        self.body_pt = body_pt
        self.parts: list[str] = []

    def px(self, pt: float) -> float:
        """Points to device pixels (an em of a `pt` font)."""
        return pt * self.dpi / 72.0

    def css(self, px: float) -> float:
        """Device pixels to the units of table widths and table margins.

        Qt scales those from CSS pixels (1/96 inch) to the paint device, unlike paragraph
        margins and indents, which it takes as device pixels.
        """
        return px * 96.0 / self.dpi

    def paragraph(
        self,
        text: str,
        *,
        pt: float | None = None,
        bold: bool = False,
        align: str = "left",
        first_indent_em: float = 0.0,
        left_em: float = 0.0,
        right_px: float = 0.0,
        top_em: float = 0.0,
        bottom_em: float = 0.25,
    ) -> None:
        size = pt or self.body_pt
        em = self.px(size)
        css = (
            f"margin-top:{top_em * em:.1f}px; margin-bottom:{bottom_em * em:.1f}px; "
            f"margin-left:{left_em * em:.1f}px; margin-right:{right_px:.1f}px; "
            f"text-indent:{first_indent_em * em:.1f}px; font-size:{size}pt;"
            + (" font-weight:700;" if bold else "")
        )
        self.parts.append(f'<p align="{align}" style="{css}">{html.escape(text)}</p>')

    def rule(self) -> None:
        self.parts.append("<hr/>")

    def rows(self, rows: Sequence[tuple[str, str]], label_em: float, right_px: float = 0.0) -> None:
        """Label/value rows in a borderless table, values wrapping under themselves."""
        label = self.css(label_em * self.px(self.body_pt))
        margins = (
            f"margin-right:{self.css(right_px):.1f}px; "
            f"margin-bottom:{self.css(self.px(self.body_pt) * 0.25):.1f}px;"
        )
        cells = "".join(
            f'<tr><td width="{label:.1f}">{html.escape(k)}：</td><td>{html.escape(v)}</td></tr>'
            for k, v in rows
        )
        self.parts.append(
            f'<table width="100%" border="0" cellspacing="0" cellpadding="0" style="{margins}">'
            f"{cells}</table>"
        )

    def document(self, device: QPagedPaintDevice, width_px: float) -> QTextDocument:
        """Lay the HTML out against `device`, so sizes and line breaks are the device's."""
        doc = QTextDocument()
        doc.documentLayout().setPaintDevice(device)
        doc.setDocumentMargin(0)
        doc.setDefaultFont(_font(self.style, self.body_pt))
        doc.setTextWidth(width_px)
        doc.setHtml("".join(self.parts))
        return doc


def _font(style: DocumentStyle, pt: float) -> QFont:
    font = QFont()
    font.setFamilies(list(style.families))
    font.setPointSizeF(pt)
    return font


def _mm_to_px(mm: float, dpi: float) -> float:
    return mm * dpi / MM_PER_INCH


def _px_to_mm(px: float, dpi: float) -> float:
    return px * MM_PER_INCH / dpi


def draw_qr(painter: QPainter, text: str, x: float, y: float, max_px: float) -> float:
    """Draw the QR code for `text` at (x, y), at most `max_px` wide; returns its size.

    Every module is a whole number of device pixels at whole-pixel positions, and each
    row's dark runs are one rectangle, so renderers leave no seams between modules.
    """
    matrix = qr_matrix(text, border=0)
    modules = len(matrix)
    module = max(int(max_px // modules), 1)
    x0, y0 = round(x), round(y)
    rects: list[QRectF] = []
    for r, row in enumerate(matrix):
        c = 0
        while c < modules:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < modules and row[c]:
                c += 1
            rects.append(QRectF(x0 + start * module, y0 + r * module, (c - start) * module, module))
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0))
    painter.drawRects(rects)
    painter.restore()
    return float(module * modules)


def _qr_size(text: str, max_px: float) -> float:
    modules = len(qr_matrix(text, border=0))
    return float(max(int(max_px // modules), 1) * modules)


def _page_layout(width_mm: float, height_mm: float) -> QPageLayout:
    if (width_mm, height_mm) == A4_MM:
        size = QPageSize(QPageSize.PageSizeId.A4)
    else:
        size = QPageSize(
            QSizeF(width_mm, height_mm),
            QPageSize.Unit.Millimeter,
            "Receipt",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))


# --- the receipt ----------------------------------------------------------------------------


def _render_receipt(device: QPagedPaintDevice, receipt: Receipt, style: DocumentStyle) -> int:
    """Lay out, size the page to fit, paint; returns the page count (always 1)."""
    dpi = device.logicalDpiY()
    margin = _mm_to_px(style.receipt_margin_mm, dpi)
    width = _mm_to_px(style.receipt_width_mm, dpi) - 2 * margin

    top = _Html(dpi, style, style.receipt_body_pt)
    top.paragraph(receipt.title, pt=style.receipt_title_pt, bold=True, align="center")
    top.paragraph(receipt.station_name, align="center")
    top.rule()
    top.rows(receipt.rows(), label_em=5.2)
    if receipt.materials_pending:
        top.paragraph("待补材料：", bold=True)
        for n, material in enumerate(receipt.materials_pending, 1):
            note = f"（{material.note}）" if material.note else ""
            line = f"{n}. {material.name}{note}"
            top.paragraph(line, left_em=2.2, first_indent_em=-1.2, bottom_em=0.1)
    top.rule()
    top_doc = top.document(device, width)

    bottom = _Html(dpi, style, style.receipt_body_pt)
    bottom.paragraph(QR_CAPTION, align="center")
    bottom.paragraph(receipt.progress_hint)
    bottom.paragraph(KEEP_HINT)
    bottom_doc = bottom.document(device, width)

    top_h, bottom_h = top_doc.size().height(), bottom_doc.size().height()
    qr = _qr_size(receipt.lookup_text, _mm_to_px(style.receipt_qr_mm, dpi))
    gap = qr / 29 * 3  # about three modules of quiet zone above and below
    height = margin + top_h + gap + qr + gap + bottom_h + margin
    device.setPageLayout(_page_layout(style.receipt_width_mm, _px_to_mm(height, dpi)))

    painter = QPainter(device)
    try:
        painter.translate(margin, margin)
        top_doc.drawContents(painter)
        painter.translate(0, top_h + gap)
        draw_qr(painter, receipt.lookup_text, (width - qr) / 2, 0, qr)
        painter.translate(0, qr + gap)
        bottom_doc.drawContents(painter)
    finally:
        painter.end()
    return 1


# --- the notice ------------------------------------------------------------------------------


def _render_notice(device: QPagedPaintDevice, notice: Notice, style: DocumentStyle) -> int:
    """A4 pages: header with the QR code at the top right, body paginated by QTextDocument."""
    dpi = device.logicalDpiY()
    left, top, right, bottom = (_mm_to_px(mm, dpi) for mm in style.notice_margins_mm)
    page_w, page_h = (_mm_to_px(mm, dpi) for mm in A4_MM)
    width, height = page_w - left - right, page_h - top - bottom
    qr = (
        _qr_size(notice.lookup_text, _mm_to_px(style.notice_qr_mm, dpi))
        if notice.lookup_text
        else 0.0
    )
    beside_qr = qr + _mm_to_px(4, dpi)  # header lines stop short of the QR code
    caption_h = _Html(dpi, style, style.notice_small_pt).px(style.notice_small_pt) * 1.6

    b = _Html(dpi, style, style.notice_body_pt)
    b.paragraph(notice.subtitle, pt=style.notice_body_pt + 2, align="center", bottom_em=0)
    b.paragraph(notice.title, pt=style.notice_title_pt, bold=True, align="center", bottom_em=0.6)
    b.rows(notice.reference_rows(), label_em=5.2, right_px=beside_qr)
    b.paragraph(notice.salutation(), top_em=0.8)
    b.paragraph(notice.intro(), first_indent_em=2)
    for line in notice.material_lines():
        b.paragraph(line, left_em=3.5, first_indent_em=-1.5, bottom_em=0.2)
    for text in notice.instructions():
        b.paragraph(text, first_indent_em=2, top_em=0.3)
    b.paragraph(COPIES_NOTE, first_indent_em=2)
    signature = notice.signature_rows()
    for i, (label, value) in enumerate(signature):
        b.paragraph(f"{label}：{value}", align="right", top_em=2.0 if i == 0 else 0)
    b.paragraph("申请人签收：________________\u3000\u3000日期：____年____月____日", top_em=2.0)
    doc = b.document(device, width)

    # Push the body below the QR code and its caption if the header is shorter than they are.
    salutation = _block_starting(doc, notice.salutation())
    header_bottom = doc.documentLayout().blockBoundingRect(salutation.previous()).bottom()
    if qr and (shortfall := qr + caption_h - header_bottom) > 0:
        _add_top_margin(salutation, shortfall)

    doc.setPageSize(QSizeF(width, height))
    signature_block = _block_starting(doc, f"{signature[0][0]}：")
    _keep_together(doc, signature_block, height)
    pages = doc.pageCount()
    device.setPageLayout(_page_layout(*A4_MM))

    painter = QPainter(device)
    small = _font(style, style.notice_small_pt)
    try:
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            painter.translate(left, top - page * height)
            doc.drawContents(painter, QRectF(0, page * height, width, height))
            painter.restore()
            if page == 0 and notice.lookup_text:
                draw_qr(painter, notice.lookup_text, left + width - qr, top, qr)
                painter.setFont(small)
                caption = QRectF(left + width - qr - beside_qr, top + qr, qr + beside_qr, caption_h)
                painter.drawText(caption, int(Qt.AlignmentFlag.AlignRight), "扫码调取申请")
            if pages > 1:
                painter.setFont(small)
                footer = QRectF(left, page_h - bottom, width, bottom / 2)
                text = f"第 {page + 1} 页 / 共 {pages} 页"
                painter.drawText(footer, int(Qt.AlignmentFlag.AlignCenter), text)
    finally:
        painter.end()
    return pages


def _render_certificate(device: QPagedPaintDevice, cert: Certificate, style: DocumentStyle) -> int:
    """One A4 page: the title, who, what the centre certified, the verification footer, and
    the QR code of the verification link at the top right."""
    dpi = device.logicalDpiY()
    left, top, right, bottom = (_mm_to_px(mm, dpi) for mm in style.notice_margins_mm)
    page_w, page_h = (_mm_to_px(mm, dpi) for mm in A4_MM)
    width, height = page_w - left - right, page_h - top - bottom
    qr = _qr_size(cert.verify_url, _mm_to_px(style.notice_qr_mm, dpi))
    b = _Html(dpi, style, style.notice_body_pt)
    b.paragraph("医疗保障经办服务", pt=style.notice_body_pt + 2, align="center", bottom_em=0)
    b.paragraph(cert.title, pt=style.notice_title_pt, bold=True, align="center", bottom_em=0.6)
    b.rows(
        [
            ("姓名", cert.name),
            ("证件号码", cert.id_number_masked),
            ("截至日期", chinese_date(cert.as_of)),
        ],
        label_em=5.2,
        right_px=qr + _mm_to_px(4, dpi),
    )
    b.paragraph("经核查，该参保人参保情况如下：", top_em=1.0, first_indent_em=2)
    for line in cert.lines or ("无参保记录。",):
        b.paragraph(line, left_em=2, bottom_em=0.2)
    b.paragraph("特此证明。", top_em=0.8, first_indent_em=2)
    for text in cert.footer():
        b.paragraph(text, pt=style.notice_small_pt + 1, top_em=0.4)
    doc = b.document(device, width)
    doc.setPageSize(QSizeF(width, height))
    device.setPageLayout(_page_layout(*A4_MM))
    painter = QPainter(device)
    try:
        painter.save()
        painter.translate(left, top)
        doc.drawContents(painter, QRectF(0, 0, width, height))
        painter.restore()
        draw_qr(painter, cert.verify_url, left + width - qr, top, qr)
    finally:
        painter.end()
    return 1


def _block_starting(doc: QTextDocument, text: str) -> QTextBlock:
    block = doc.begin()
    while block.isValid() and not block.text().startswith(text):
        block = block.next()
    if not block.isValid():
        raise AssertionError(f"block {text!r} missing from the document")
    return block


def _add_top_margin(block: QTextBlock, extra: float) -> None:
    cursor = QTextCursor(block)
    fmt = cursor.blockFormat()
    fmt.setTopMargin(fmt.topMargin() + extra)
    cursor.setBlockFormat(fmt)


def _keep_together(doc: QTextDocument, start: QTextBlock, page_height: float) -> None:
    """Start the blocks from `start` to the end on a new page if a page break splits them.

    The signature block (station, operator, date, the citizen's signature) must not be cut
    in two; QTextDocument has no keep-with-next, so this checks where the layout put it.
    """
    layout = doc.documentLayout()
    top_page = int(layout.blockBoundingRect(start).top() // page_height)
    bottom_page = int((layout.blockBoundingRect(doc.lastBlock()).bottom() - 1) // page_height)
    if top_page != bottom_page:
        cursor = QTextCursor(start)
        fmt = cursor.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        cursor.setBlockFormat(fmt)


# --- targets --------------------------------------------------------------------------------


def _write_pdf(path: Path, title: str, render: _Render) -> Rendered:
    """Render into `<path>.part` and rename: a half-written PDF never has the final name."""
    started = time.perf_counter()
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(b"")  # fail here, in Python, rather than in QPainter::begin
    except OSError as exc:
        raise pdf_write_error(path) from exc
    try:
        writer = QPdfWriter(str(partial))
        writer.setResolution(PDF_DPI)
        writer.setCreator(PDF_CREATOR)
        writer.setTitle(title)
        pages = render(writer)  # the file is complete once the painter has ended
        size = writer.pageLayout().fullRect(QPageLayout.Unit.Millimeter).size()
        del writer
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise pdf_write_error(path) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    elapsed = (time.perf_counter() - started) * 1000
    return Rendered(str(path), pages, (size.width(), size.height()), elapsed)


class _Render:
    """A document bound to its style, called with the device to paint on."""

    def __init__(self, document: Receipt | Notice | Certificate, style: DocumentStyle) -> None:
        self.document = document
        self.style = style

    def __call__(self, device: QPagedPaintDevice) -> int:
        if isinstance(self.document, Receipt):
            return _render_receipt(device, self.document, self.style)
        if isinstance(self.document, Certificate):
            return _render_certificate(device, self.document, self.style)
        return _render_notice(device, self.document, self.style)


def receipt_pdf(receipt: Receipt, path: Path, style: DocumentStyle = DEFAULT_STYLE) -> Rendered:
    """Write the receipt as a one-page PDF 80 mm wide, as long as its content."""
    return _write_pdf(path, f"{receipt.title} {receipt.filing_uid}", _Render(receipt, style))


def notice_pdf(notice: Notice, path: Path, style: DocumentStyle = DEFAULT_STYLE) -> Rendered:
    """Write the one-time notice as an A4 PDF."""
    return _write_pdf(path, f"{notice.title} {notice.filing_uid}", _Render(notice, style))


def certificate_pdf(
    cert: Certificate, path: Path, style: DocumentStyle = DEFAULT_STYLE
) -> Rendered:
    """Write a kiosk certificate as an A4 PDF."""
    return _write_pdf(path, f"{cert.title} {cert.code}", _Render(cert, style))


def system_printer_names() -> list[str]:
    return [str(name) for name in QPrinterInfo.availablePrinterNames()]


def system_printer(name: str | None = None) -> QPrinter:
    """The named printer, else the system default, else the only one; DeviceError otherwise."""
    names = system_printer_names()
    if not names:
        raise no_printer_error()
    if name:
        if name not in names:
            raise printer_not_found_error(name)
        info = QPrinterInfo.printerInfo(name)
    else:
        info = QPrinterInfo.defaultPrinter()
        if info.isNull():
            info = QPrinterInfo.printerInfo(names[0])
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)  # coordinates from the paper's edge; the layouts keep margins
    return printer


def _print(
    document: Receipt | Notice | Certificate, printer_name: str | None, style: DocumentStyle
) -> Rendered:
    started = time.perf_counter()
    printer = system_printer(printer_name)
    reference = document.code if isinstance(document, Certificate) else document.filing_uid
    printer.setDocName(f"{document.title} {reference}")
    pages = _Render(document, style)(printer)
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise print_failed_error(printer.printerName())
    size = printer.pageLayout().fullRect(QPageLayout.Unit.Millimeter).size()
    elapsed = (time.perf_counter() - started) * 1000
    return Rendered(printer.printerName(), pages, (size.width(), size.height()), elapsed)


def print_receipt(
    receipt: Receipt, printer_name: str | None = None, style: DocumentStyle = DEFAULT_STYLE
) -> Rendered:
    """Print the receipt on a system printer (a thermal printer with a vendor driver)."""
    return _print(receipt, printer_name, style)


def print_notice(
    notice: Notice, printer_name: str | None = None, style: DocumentStyle = DEFAULT_STYLE
) -> Rendered:
    """Print the one-time notice on a system (A4) printer."""
    return _print(notice, printer_name, style)


def print_certificate(
    cert: Certificate, printer_name: str | None = None, style: DocumentStyle = DEFAULT_STYLE
) -> Rendered:
    """Print a kiosk certificate on a system (A4) printer."""
    return _print(cert, printer_name, style)
