"""Queries of an insured person's records and certificates, answered by the centre online
(protocol §13): 参保信息, 缴费记录, 个人账户收支, 报销信息, and the 参保证明 / 个人权益记录 the
kiosk prints with the centre's verification code.

Central data cannot be queried offline, and nothing here is queued: a citizen is waiting at
the kiosk or counter. Each call uses short timeouts (about 2 s to connect and 6 s for the
answer, twice when the centre asks for a fresh signature) and turns every failure into an
`InsuredError` whose Chinese and English text says what to do instead; offline, that is the
nearest alternatives (a township station, the 12393 hotline). Calls block, so the GUI runs
them on a task lane; the service should own its `CentralClient` (a client is not
thread-safe, and the sync engine's runs on another thread).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.documents import SERVICE_HOTLINE
from app.errors import UserFacingError
from sync.errors import CentreRefused, Reaction, TransportFailure
from sync.transport import CentralClient, Timeouts, once_more_if_resigned

log = logging.getLogger(__name__)

QUERY_TIMEOUTS = Timeouts(connect=2.0, read=6.0)
QUERY_KINDS = ("coverage", "payments", "account", "reimbursements")
DOCUMENT_KINDS = ("enrolment_cert", "rights_record")
ELSEWHERE_ZH = f"请到镇街医保服务站办理，或拨打 {SERVICE_HOTLINE}。"
ELSEWHERE_EN = f"Please ask at a township medical-insurance station, or call {SERVICE_HOTLINE}."


class InsuredError(UserFacingError):
    """A query or certificate the centre could not give now."""


class InsuredOffline(InsuredError):
    """The centre did not answer (no network, timeout): central data is online only."""

    def __init__(self) -> None:
        super().__init__(
            "无法连接医保平台，参保信息查询和证明打印需要联网。" + ELSEWHERE_ZH,
            "Cannot reach the medical-insurance platform; queries and certificates need the "
            "network. " + ELSEWHERE_EN,
        )


class InsuredUnavailable(InsuredError):
    """The centre answered without the records (it failed, is busy, or does not offer §13)."""

    def __init__(self) -> None:
        super().__init__(
            "医保平台暂时无法查询，请稍后再试；也可" + ELSEWHERE_ZH[1:],
            "The platform cannot answer just now; try again later. " + ELSEWHERE_EN,
        )


class InsuredUnknown(InsuredError):
    """The platform holds no records for this person."""

    def __init__(self) -> None:
        super().__init__(
            "医保平台查无此参保人员的参保记录。" + ELSEWHERE_ZH,
            "The platform holds no insurance records for this person. " + ELSEWHERE_EN,
        )


class InsuredNotAllowed(InsuredError):
    """The centre refuses this terminal or station (not activated, revoked, suspended, or an
    employer or school station asking about someone not its member)."""

    def __init__(self, detail_zh: str = "", detail_en: str = "") -> None:
        zh = f"（{detail_zh}）" if detail_zh else ""
        en = f" ({detail_en})" if detail_en else ""
        super().__init__(
            f"本终端不能查询此人的参保信息{zh}。" + ELSEWHERE_ZH,
            f"This terminal may not query this person's records{en}. " + ELSEWHERE_EN,
        )


@dataclass(frozen=True)
class Coverage:
    insurance_type: str  # employee (职工) / resident (城乡居民)
    insurance_type_label: str
    status: str  # paying (参保缴费) / suspended (暂停)
    status_label: str
    since: dt.date
    until: dt.date | None
    region_code: str
    region_name: str


@dataclass(frozen=True)
class Payment:
    period: str  # YYYY-MM
    insurance_type: str
    amount_fen: int
    payer: str


@dataclass(frozen=True)
class AccountEntry:
    date: dt.date
    amount_fen: int  # negative for spending
    balance_fen: int
    description: str


@dataclass(frozen=True)
class Reimbursement:
    date: dt.date
    hospital: str
    total_fen: int
    fund_fen: int
    self_fen: int


@dataclass(frozen=True)
class Records:
    """One kind of a person's records, newest first; `total` is how many the centre holds."""

    kind: str
    name: str = field(repr=False)
    id_number_masked: str
    records: tuple[Any, ...]
    total: int


@dataclass(frozen=True)
class IssuedDocument:
    code: str
    kind: str
    verify_url: str
    issued_at: str  # ISO 8601 UTC with Z, as the centre wrote it
    certified: dict[str, Any] = field(repr=False)


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value))


_PARSERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "coverage": lambda r: Coverage(
        str(r["insurance_type"]),
        str(r["insurance_type_label"]),
        str(r["status"]),
        str(r["status_label"]),
        _date(r["since"]),
        _date(r["until"]) if r.get("until") else None,
        str(r["region_code"]),
        str(r["region_name"]),
    ),
    "payments": lambda r: Payment(
        str(r["period"]), str(r["insurance_type"]), int(r["amount_fen"]), str(r["payer"])
    ),
    "account": lambda r: AccountEntry(
        _date(r["date"]), int(r["amount_fen"]), int(r["balance_fen"]), str(r["description"])
    ),
    "reimbursements": lambda r: Reimbursement(
        _date(r["date"]),
        str(r["hospital"]),
        int(r["total_fen"]),
        int(r["fund_fen"]),
        int(r["self_fen"]),
    ),
}


class InsuredService:
    """Asks the centre about one insured person at a time (§13). Blocks; not for the GUI
    thread."""

    def __init__(self, client: CentralClient, timeouts: Timeouts = QUERY_TIMEOUTS) -> None:
        self._client = client
        self._timeouts = timeouts
        self._lock = threading.Lock()  # one CentralClient, one request at a time

    def query(self, id_number: str, kind: str, limit: int = 36) -> Records:
        if kind not in QUERY_KINDS:
            raise ValueError(f"unknown query kind {kind!r}")
        answer = self._ask(
            functools.partial(
                self._client.query_insured, id_number, kind, limit, timeouts=self._timeouts
            )
        )
        try:
            parse = _PARSERS[kind]
            return Records(
                kind,
                str(answer["name"]),
                str(answer["id_number_masked"]),
                tuple(parse(r) for r in answer["records"]),
                int(answer["total"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("insured query: the centre's answer is malformed (%s)", type(exc).__name__)
            raise InsuredUnavailable() from exc

    def coverage(self, id_number: str) -> Records:
        return self.query(id_number, "coverage")

    def payments(self, id_number: str, limit: int = 36) -> Records:
        return self.query(id_number, "payments", limit)

    def account(self, id_number: str, limit: int = 36) -> Records:
        return self.query(id_number, "account", limit)

    def reimbursements(self, id_number: str, limit: int = 36) -> Records:
        return self.query(id_number, "reimbursements", limit)

    def issue_document(self, id_number: str, kind: str) -> IssuedDocument:
        """A 参保证明 (`enrolment_cert`) or 个人权益记录 (`rights_record`) recorded at the
        centre, with the code and link to print with it."""
        if kind not in DOCUMENT_KINDS:
            raise ValueError(f"unknown document kind {kind!r}")
        answer = self._ask(
            functools.partial(self._client.issue_document, id_number, kind, timeouts=self._timeouts)
        )
        try:
            certified = answer["certified"]
            if not isinstance(certified, dict):
                raise TypeError("certified")
            return IssuedDocument(
                str(answer["code"]),
                str(answer["kind"]),
                str(answer["verify_url"]),
                str(answer["issued_at"]),
                certified,
            )
        except (KeyError, TypeError) as exc:
            log.warning("certificate: the centre's answer is malformed (%s)", type(exc).__name__)
            raise InsuredUnavailable() from exc

    def _ask(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            try:
                return once_more_if_resigned(call)
            except TransportFailure as exc:
                log.info("insured: the centre did not answer (%s)", type(exc.__cause__).__name__)
                raise InsuredOffline() from exc
            except CentreRefused as exc:
                raise _refusal(exc) from exc


def _refusal(exc: CentreRefused) -> InsuredError:
    log.info("insured: refused by the centre: %s %s", exc.status, exc.error)
    if exc.error == "insured_unknown":
        return InsuredUnknown()
    if exc.error == "insured_not_member" or exc.reaction in (
        Reaction.BLOCK_AUTH,
        Reaction.BLOCK_CONFIG,
        Reaction.FIX_CLOCK,
    ):
        return InsuredNotAllowed(exc.zh, exc.en)
    return InsuredUnavailable()
