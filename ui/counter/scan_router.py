"""What a scanned code means at the counter, and getting the person for an e-voucher.

Codes arrive from the keyboard-wedge filter, a serial scanner or the camera. A receipt's
lookup code (our own printed slips) or a receipt number is the filing it names; anything else
of a plausible shape is an e-voucher, resolved by the centre on a worker lane (online only,
with short timeouts). When this terminal cannot reach a centre, the operator is told so and
offered the physical cards, which work offline.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QObject, Signal

from app.context import AppContext
from app.documents import lookup_code
from app.errors import UserFacingError
from app.identity import PersonRead
from sync.activation import centre_client
from sync.evoucher import CARDS_EN, CARDS_ZH, EVoucherResolver, ScanKind, classify_scan
from sync.transport import CentralClient
from ui.tasks import TaskLane

log = logging.getLogger(__name__)


class NoCentre(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "本终端未连接医保平台（未激活或演示站），无法核验医保电子凭证。" + CARDS_ZH,
            "This terminal is not connected to a centre (not activated, or the demo station), "
            "so e-vouchers cannot be checked. " + CARDS_EN,
        )


class Unreadable(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "无法识别这个二维码：它不是医保电子凭证，也不是本站的受理回执。",
            "This code is neither a medical-insurance e-voucher nor one of our receipts.",
        )


class ScanRouter(QObject):
    person_resolved = Signal(object)  # PersonRead from an e-voucher
    filing_requested = Signal(str)  # a filing uid or receipt number to look up
    resolving = Signal(bool)  # a resolution is under way (show a busy hint)
    failed = Signal(str)  # message in the UI language

    def __init__(self, ctx: AppContext, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._language = language
        self.lane = TaskLane("evoucher", self)
        self._resolver: EVoucherResolver | None = None
        self._client: CentralClient | None = None

    def route(self, text: str) -> None:
        code = text.strip()
        lookup = lookup_code.parse(code)
        if lookup is not None:
            self.filing_requested.emit(lookup.receipt_no or lookup.filing_uid)
            return
        kind = classify_scan(code)
        if kind is ScanKind.RECEIPT:
            self.filing_requested.emit(code)
            return
        if kind is ScanKind.UNREADABLE:
            self.failed.emit(Unreadable().text(self._language))
            return
        self.resolving.emit(True)
        self.lane.submit(functools.partial(self._resolve, code), self._on_person, self._on_failed)

    def _resolve(self, code: str) -> PersonRead:
        """On the lane: the resolver (and its client) are made here, on first use."""
        if self._resolver is None:
            self._client = centre_client(self._ctx)
            if self._client is None:
                raise NoCentre()
            self._resolver = EVoucherResolver(self._client)
        return self._resolver.resolve(code)

    def _on_person(self, person: object) -> None:
        self.resolving.emit(False)
        assert isinstance(person, PersonRead)
        self.person_resolved.emit(person)

    def _on_failed(self, exc: BaseException) -> None:
        self.resolving.emit(False)
        if isinstance(exc, UserFacingError):
            self.failed.emit(exc.text(self._language))
            return
        log.error("e-voucher resolution failed unexpectedly", exc_info=exc)
        self.failed.emit(
            "电子凭证核验出错，详细信息已记入日志。" + CARDS_ZH
            if self._language.startswith("zh")
            else "Checking the e-voucher failed; see the log. " + CARDS_EN
        )

    def shutdown(self) -> None:
        self.lane.shutdown()
        if self._client is not None:
            self._client.close()
