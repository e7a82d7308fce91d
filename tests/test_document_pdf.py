"""Lookup codes, the receipt and notice models, and their PDFs read back with QtPdf and zxing-cpp.

The PDFs are opened with PySide6.QtPdf (PDFium): page size, the text PDFium extracts, and
the page rendered to an image whose QR code zxing-cpp must decode to the lookup code. The
rendering runs on the print worker's thread, as in the window; a Qt warning fails a test.
"""

from __future__ import annotations

import datetime as dt
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import QSize
from PySide6.QtGui import QFont, QImage, QPainter, QRawFont
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from app.documents import FilingFacts, PendingMaterial, china_time, lookup_code
from app.documents.notice import Notice, build_notice
from app.documents.receipt import Receipt, build_receipt
from app.ids import new_uid
from devices.base import DeviceError
from devices.receipt_printer import PrintOutcome, SimulatedReceiptPrinter
from ui.printing import document_pdf
from ui.printing.document_pdf import DEFAULT_STYLE, Rendered
from ui.printing.print_worker import PrintWorker

ID_NUMBER = "11010519800101001X"
ID_MASKED = "110105********001X"
ITEM = "城乡居民基本医疗保险参保登记"
MATERIALS = (
    PendingMaterial("居民户口簿", "首页及本人页"),
    PendingMaterial("居住证明（租赁合同或社区证明）"),
)
PT_PER_MM = 72 / 25.4


def facts(
    name: str = "欧阳娜娜", uid: str | None = None, receipt_no: str | None = None
) -> FilingFacts:
    return FilingFacts(
        uid=uid or new_uid(),
        item_code="CB-JMCB-001",
        item_name=ITEM,
        created_at=dt.datetime(2025, 6, 1, 17, 30),  # UTC: 2 June, 01:30 in China
        person_name=name,
        person_id_number=ID_NUMBER,
        station_name="人民路街道医保服务站",
        station_code="ST110105001",
        operator_code="OP0001",
        receipt_no=receipt_no,
        time_limit_days=0,
        materials_pending=MATERIALS,
    )


# --- lookup codes ----------------------------------------------------------------------------


def test_lookup_code_round_trip() -> None:
    uid = new_uid()
    text = lookup_code.encode(uid)
    assert text == f"YBF1:{uid.upper()}"
    assert lookup_code.parse(text) == lookup_code.LookupCode(uid, None)
    with_receipt = lookup_code.encode(uid, "YB11010525060100000012")
    parsed = lookup_code.parse(with_receipt)
    assert parsed == lookup_code.LookupCode(uid, "YB11010525060100000012")
    assert parsed is not None and parsed.text() == with_receipt
    # what keyboard-wedge scanners do: Caps Lock inverts the case, Enter is appended
    assert lookup_code.parse(with_receipt.lower() + "\r\n") == parsed
    assert lookup_code.parse("  " + text + "\n") == lookup_code.LookupCode(uid)


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "YBF1:",
        "YBF2:0190A3F2-6B1C-7D4E-8F00-1234567890AB",  # a later format is not guessed at
        "YBF1:0190A3F2-6B1C-7D4E-8F00-1234567890A",  # one digit short
        "YBF1:0190A3F26B1C7D4E8F001234567890AB",  # no hyphens
        "YBF1:0190A3F2-6B1C-7D4E-8F00-1234567890AB:",  # empty receipt number
        "YBF1:0190A3F2-6B1C-7D4E-8F00-1234567890AB:YB-1100",  # receipt with a hyphen
        "YBF1:0190A3F2-6B1C-7D4E-8F00-1234567890AB extra",
        "xYBF1:0190A3F2-6B1C-7D4E-8F00-1234567890AB",
        # medical-insurance e-voucher payloads and other codes a counter scanner meets
        "ECHSAAAAAAB3R1pWVzJ0TFRxRnB6b3pGRjBjaFhHQQ==",
        "https://fuwu.nhsa.gov.cn/ecvoucher?token=1B2C3D4E5F",
        "110105198001010016",
        "YB11010525060100000012",
    ],
)
def test_lookup_code_rejects_anything_else(scanned: str) -> None:
    assert lookup_code.parse(scanned) is None


def test_lookup_code_refuses_to_encode_what_it_cannot_carry() -> None:
    with pytest.raises(ValueError):
        lookup_code.encode("not-a-uid")
    with pytest.raises(ValueError):
        lookup_code.encode(new_uid(), "yb/2025/1")


def test_lookup_code_uses_the_qr_alphanumeric_set() -> None:
    text = lookup_code.encode(new_uid(), "YB11010525060100000012")
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert len(lookup_code.qr_matrix(text, border=0)) <= 33  # version 4 at most


# --- models -------------------------------------------------------------------------------------


def test_models_hold_only_masked_personal_data() -> None:
    f = facts()
    assert "欧阳娜娜" not in repr(f) and ID_NUMBER not in repr(f)
    receipt = build_receipt(f)
    notice = build_notice(f, supplement_by=dt.date(2025, 6, 20), station_phone="010-12345678")
    for model in (receipt, notice):
        dumped = repr(model)
        assert ID_NUMBER not in dumped and "欧阳娜娜" not in dumped
        assert "欧***" in dumped and ID_MASKED in dumped
    assert receipt.filed_at_text == "2025-06-02 01:30"  # China time, the next day
    assert dict(receipt.rows())["办结时限"] == "即时办结"
    assert dict(receipt.rows())["受理号"] == "上传后由医保经办机构生成"
    assert "2025年6月2日申请办理的“城乡居民基本医疗保险参保登记”" in notice.intro()
    assert "容缺受理" in notice.intro()
    assert notice.material_lines()[0] == "1. 居民户口簿（首页及本人页）"
    assert "请于2025年6月20日前补齐上述材料。" in notice.instructions()
    assert china_time(dt.datetime(2025, 1, 1, 16, tzinfo=dt.UTC)).hour == 0


def test_a_notice_needs_something_missing() -> None:
    with pytest.raises(ValueError):
        build_notice(facts(), missing=())


# --- reading PDFs back -------------------------------------------------------------------------


def _gray(image: QImage) -> np.ndarray:
    """The page image over white, as a numpy array zxing-cpp reads."""
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(0xFFFFFFFF)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    gray = flat.convertToFormat(QImage.Format.Format_Grayscale8)
    array = np.frombuffer(gray.constBits(), np.uint8, gray.sizeInBytes())
    return array.reshape(gray.height(), gray.bytesPerLine())[:, : gray.width()].copy()


class Pdf:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = QPdfDocument()
        assert self.doc.load(str(path)) == QPdfDocument.Error.None_

    @property
    def pages(self) -> int:
        return int(self.doc.pageCount())

    def size_mm(self, page: int = 0) -> tuple[float, float]:
        size = self.doc.pagePointSize(page)
        return size.width() / PT_PER_MM, size.height() / PT_PER_MM

    def text(self, page: int = 0) -> str:
        return str(self.doc.getAllText(page).text())

    def qr_codes(self, page: int = 0, scale: float = 3.0) -> list[str]:
        size = self.doc.pagePointSize(page)
        image = self.doc.render(page, QSize(int(size.width() * scale), int(size.height() * scale)))
        return [r.text for r in zxingcpp.read_barcodes(_gray(image))]

    def close(self) -> None:
        self.doc.close()


@pytest.fixture
def worker(qapp: object) -> Iterator[PrintWorker]:
    w = PrintWorker(language="zh_CN")
    yield w
    assert w.shutdown()


def _render(qtbot: QtBot, worker: PrintWorker, submit: Callable[[], object]) -> Rendered:
    """Run a job on the print worker's thread and wait for its `printed` signal."""
    with qtbot.waitSignal(worker.printed, timeout=20_000) as blocker:
        submit()
    assert isinstance(worker.last, Rendered)
    assert blocker.args == [worker.last.destination]
    return worker.last


def _no_clear_id_anywhere(path: Path, pdf: Pdf) -> None:
    raw = path.read_bytes()
    assert ID_NUMBER.encode() not in raw
    for page in range(pdf.pages):
        assert ID_NUMBER not in pdf.text(page)
    # and not inside compressed streams either
    start = 0
    while (at := raw.find(b"stream", start)) >= 0:
        begin = raw.find(b"\n", at) + 1
        end = raw.find(b"endstream", begin)
        try:
            content = zlib.decompress(raw[begin:end])
        except zlib.error:
            content = b""
        assert ID_NUMBER.encode() not in content
        start = end


def test_receipt_pdf(qtbot: QtBot, worker: PrintWorker, tmp_path: Path) -> None:
    receipt: Receipt = build_receipt(facts())
    path = tmp_path / "out" / "receipt.pdf"
    rendered = _render(qtbot, worker, lambda: worker.receipt_pdf(receipt, path))
    assert rendered.destination == str(path) and not path.with_name("receipt.pdf.part").exists()
    pdf = Pdf(path)
    try:
        width, height = pdf.size_mm()
        assert pdf.pages == 1
        assert width == pytest.approx(80, abs=0.5) and 80 < height < 300
        text = pdf.text()
        assert ITEM in text  # the text layer reads as written (see the font note in document_pdf)
        assert "欧***" in text and ID_MASKED in text
        assert "居民户口簿" in text and "2025-06-02 01:30" in text
        assert pdf.qr_codes() == [receipt.lookup_text]
        _no_clear_id_anywhere(path, pdf)
    finally:
        pdf.close()
    print(f"\nreceipt PDF: {rendered.elapsed_ms:.0f} ms, {path.stat().st_size} bytes")


def test_notice_pdf_is_a4(qtbot: QtBot, worker: PrintWorker, tmp_path: Path) -> None:
    notice: Notice = build_notice(
        facts(receipt_no="YB11010525060200000007"), supplement_by=dt.date(2025, 6, 20)
    )
    path = tmp_path / "notice.pdf"
    rendered = _render(qtbot, worker, lambda: worker.notice_pdf(notice, path))
    pdf = Pdf(path)
    try:
        assert pdf.pages == 1 == rendered.pages
        width, height = pdf.size_mm()
        assert width == pytest.approx(210, abs=0.5) and height == pytest.approx(297, abs=0.5)
        text = pdf.text()
        for expected in (
            "一次性告知书",
            ITEM,
            "欧***",
            ID_MASKED,
            "居民户口簿（首页及本人页）",
            "居住证明",
            "2025年6月20日",
            "YB11010525060200000007",
        ):
            assert expected in text, expected
        assert pdf.qr_codes() == [notice.lookup_text]
        assert notice.lookup_text.endswith(":YB11010525060200000007")
        _no_clear_id_anywhere(path, pdf)
    finally:
        pdf.close()
    print(f"\nnotice PDF: {rendered.elapsed_ms:.0f} ms, {path.stat().st_size} bytes")


def test_long_notice_breaks_into_numbered_pages(tmp_path: Path, qapp: object) -> None:
    many = tuple(
        PendingMaterial(f"补充证明材料第{n}项", "原件及复印件各一份") for n in range(1, 41)
    )
    notice = build_notice(facts(), missing=many)
    rendered = document_pdf.notice_pdf(notice, tmp_path / "long.pdf")
    pdf = Pdf(tmp_path / "long.pdf")
    try:
        assert pdf.pages == rendered.pages >= 2
        assert "第 1 页 / 共" in pdf.text(0)
        everything = "".join(pdf.text(page) for page in range(pdf.pages))
        assert "40. 补充证明材料第40项" in everything
        last = pdf.text(pdf.pages - 1)
        assert "经办人：OP0001" in last and "申请人签收" in last  # the signature block is whole
        assert pdf.qr_codes(0) == [notice.lookup_text]
    finally:
        pdf.close()


def test_rare_character_name_prints(tmp_path: Path, qapp: object) -> None:
    """𠮷 (U+20BB7) must be drawn from a font that has it, not as a box.

    Its PDF text cannot be checked: Qt's PDF writer maps glyphs back to Unicode only within
    the BMP, so PDFium extracts something else for it (documented in document_pdf).
    """
    receipt = build_receipt(facts(name="𠮷娜"))
    assert receipt.person_masked == "𠮷*"
    covering = [
        family
        for family in DEFAULT_STYLE.families
        if QRawFont.fromFont(QFont(family)).supportsCharacter(0x20BB7)
    ]
    assert covering, "no document font has CJK Extension B (install fonts-hanazono)"
    document_pdf.receipt_pdf(receipt, tmp_path / "rare.pdf")
    pdf = Pdf(tmp_path / "rare.pdf")
    try:
        assert "申请人" in pdf.text() and pdf.qr_codes() == [receipt.lookup_text]
    finally:
        pdf.close()


def test_rendering_spends_few_singleton_references(tmp_path: Path, qapp: object) -> None:
    """PySide6 6.12 on Python 3.11 drops a reference to None (or True/False) on each call of a
    C++ method returning void (or bool); Python aborts when a count reaches zero. Rendering a
    document must stay at a few dozen such calls (it was ~400 when built with QTextCursor).
    On Python 3.12+ the singletons are immortal and the counts do not move.
    """
    receipt, notice = build_receipt(facts()), build_notice(facts())
    document_pdf.receipt_pdf(receipt, tmp_path / "warm.pdf")  # first use loads fonts
    before = [sys.getrefcount(x) for x in (None, True, False)]
    document_pdf.receipt_pdf(receipt, tmp_path / "r.pdf")
    document_pdf.notice_pdf(notice, tmp_path / "n.pdf")
    after = [sys.getrefcount(x) for x in (None, True, False)]
    assert min(b - a for a, b in zip(before, after, strict=True)) >= -100


def test_unwritable_pdf_fails_with_a_chinese_message(
    qtbot: QtBot, worker: PrintWorker, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    receipt = build_receipt(facts())
    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        worker.receipt_pdf(receipt, blocked / "receipt.pdf")  # a file is not a folder
    assert "无法保存 PDF 文件" in blocker.args[0]


def test_system_printer_absent_or_unknown(qtbot: QtBot, worker: PrintWorker) -> None:
    notice = build_notice(facts())
    names = document_pdf.system_printer_names()
    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        worker.notice_to_system_printer(notice, "YIBAO-NO-SUCH-PRINTER")
    expected = "找不到打印机" if names else "没有可用的打印机"
    assert expected in blocker.args[0]


def test_worker_prints_on_a_receipt_printer(
    qtbot: QtBot, worker: PrintWorker, tmp_path: Path
) -> None:
    printer = SimulatedReceiptPrinter(tmp_path / "receipts")
    receipt = build_receipt(facts())
    with qtbot.waitSignal(worker.printed, timeout=10_000) as blocker:
        worker.receipt_to_device(receipt, printer)
    assert isinstance(worker.last, PrintOutcome)
    assert blocker.args == [str(printer.last_path)]
    english = PrintWorker(language="en", lane=worker._lane)
    printer.fail_with = DeviceError("小票打印机缺纸", "The receipt printer is out of paper.")
    with qtbot.waitSignal(english.failed, timeout=10_000) as blocker:
        english.receipt_to_device(receipt, printer)
    assert blocker.args == ["The receipt printer is out of paper."]
    assert english.shutdown()  # a borrowed lane is left running for its owner


class _BrokenPrinter:
    name = "broken"

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        raise RuntimeError("a bug, not a device fault")


def test_a_bug_while_printing_reaches_the_operator_as_an_apology(
    qtbot: QtBot, worker: PrintWorker
) -> None:
    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        worker.receipt_to_device(build_receipt(facts()), _BrokenPrinter())  # type: ignore[arg-type]
    assert blocker.args[0].startswith("打印时程序出错") and "业务已保存" in blocker.args[0]


def test_a_notice_before_anything_was_filed_has_no_number_and_no_qr(
    qtbot: QtBot, worker: PrintWorker, tmp_path: Path
) -> None:
    """Not accepted: the citizen comes back with everything, so there is nothing to look up."""
    from app.documents import PendingMaterial
    from app.documents.notice import build_advance_notice

    notice = build_advance_notice(facts(), [PendingMaterial("居住证明", "社区开具")])
    assert notice.filing_uid is None and notice.lookup_text is None
    assert not notice.accepted_pending
    path = tmp_path / "advance.pdf"
    _render(qtbot, worker, lambda: worker.notice_pdf(notice, path))
    pdf = Pdf(path)
    try:
        text = pdf.text()
        assert "居住证明" in text and "本地编号" not in text and "容缺受理" not in text
        assert "材料齐全后" in text
        assert pdf.qr_codes() == []
        _no_clear_id_anywhere(path, pdf)
    finally:
        pdf.close()
