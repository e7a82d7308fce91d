"""E-voucher (医保电子凭证) QR codes: what a scanned text is, and the person the centre says a
token stands for (protocol §9).

The token is opaque: only the platform knows whom it belongs to, it is resolved online and
it expires within minutes. So the client never guesses from the text. `classify_scan` sets
aside codes the client knows itself (receipt numbers) and text no platform could have issued
(empty, too long, spaces or non-ASCII characters); everything else is sent to the centre,
whatever its prefix. `EVoucherResolver.resolve` asks the centre with short timeouts, because a
citizen is waiting at the counter, and turns every failure into a `UserFacingError` whose
Chinese and English text tells the operator what to do, offering the physical cards whenever
the e-voucher cannot be used now. Nothing is queued for later: an e-voucher expires anyway.

`resolve` blocks (at most about 2 s to connect plus 4 s for the answer, twice when the centre
asks for a fresh signature), so the GUI runs it on a task lane. The resolver should own its
`CentralClient`: a client is not thread-safe, and the sync engine's runs on another thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from app.errors import UserFacingError
from app.identity import IdKind, PersonRead
from sync.errors import CentreRefused, Reaction, TransportFailure
from sync.transport import CentralClient, Timeouts, once_more_if_resigned

log = logging.getLogger(__name__)

SOURCE = "evoucher"
RESOLVE_TIMEOUTS = Timeouts(connect=2.0, read=4.0)
TOKEN_SHAPE = re.compile(r"[!-~]{16,512}", re.ASCII)  # §9: printable ASCII, no spaces
RECEIPT_NUMBER = re.compile(r"YB\d{19}", re.ASCII)  # 受理号: YB, region, YYMMDD, sequence

CARDS_ZH = "请改用社保卡或身份证。"
CARDS_EN = "Please use the social-security card or the ID card instead."


class ScanKind(StrEnum):
    RECEIPT = "receipt"  # a receipt number printed on a slip: the client looks it up itself
    EVOUCHER = "evoucher"  # anything else of a plausible shape: the centre decides
    UNREADABLE = "unreadable"  # no platform issues such text


def classify_scan(text: str) -> ScanKind:
    """What a scanned text is, without asking anyone. The prefix of a token is never looked
    at: a platform may choose any format within the shape of §9."""
    code = text.strip()
    if RECEIPT_NUMBER.fullmatch(code):
        return ScanKind.RECEIPT
    if TOKEN_SHAPE.fullmatch(code):
        return ScanKind.EVOUCHER
    return ScanKind.UNREADABLE


class EVoucherError(UserFacingError):
    """The e-voucher could not be resolved; `offer_cards` when the operator should turn to the
    social-security card or ID card rather than scan again."""

    offer_cards = True


class EVoucherOffline(EVoucherError):
    def __init__(self) -> None:
        super().__init__(
            "无法连接医保平台，电子凭证需要联网核验。" + CARDS_ZH,
            "Cannot reach the medical-insurance platform; e-vouchers are checked online. "
            + CARDS_EN,
        )


class EVoucherUnavailable(EVoucherError):
    """The centre answered, but could not resolve the token now (it failed, or is busy)."""

    def __init__(self) -> None:
        super().__init__(
            "医保平台暂时无法核验电子凭证，请稍后再扫，或" + CARDS_ZH,
            "The platform cannot check e-vouchers just now; scan again later, or use the "
            "social-security card or the ID card instead.",
        )


class EVoucherExpired(EVoucherError):
    offer_cards = False

    def __init__(self) -> None:
        super().__init__(
            "电子凭证已过期，请让参保人刷新二维码后重试。",
            "The e-voucher has expired; ask the insured person to refresh the QR code and "
            "scan again.",
        )


class EVoucherUnknown(EVoucherError):
    def __init__(self) -> None:
        super().__init__(
            "医保平台查无此电子凭证，请让参保人刷新二维码后重试，或" + CARDS_ZH,
            "The platform does not know this e-voucher; ask the insured person to refresh the "
            "QR code and scan again, or use the social-security card or the ID card instead.",
        )


class EVoucherMalformed(EVoucherError):
    offer_cards = False

    def __init__(self) -> None:
        super().__init__(
            "扫到的不是医保电子凭证二维码，请扫描参保人手机上的医保电子凭证。",
            "The scanned code is not a medical-insurance e-voucher; scan the e-voucher on the "
            "insured person's phone.",
        )


class EVoucherNotAllowed(EVoucherError):
    """The centre refuses this terminal (not activated, revoked, station suspended)."""

    def __init__(self, detail_zh: str = "", detail_en: str = "") -> None:
        zh = f"（{detail_zh}）" if detail_zh else ""
        en = f" ({detail_en})" if detail_en else ""
        super().__init__(
            f"本终端不能核验电子凭证{zh}，请联系技术人员；现在" + CARDS_ZH,
            f"This terminal may not check e-vouchers{en}; call the technician. For now, "
            + CARDS_EN[0].lower()
            + CARDS_EN[1:],
        )


_BY_ERROR: dict[str, Callable[[], EVoucherError]] = {
    "evoucher_expired": EVoucherExpired,
    "evoucher_unknown": EVoucherUnknown,
    "evoucher_malformed": EVoucherMalformed,
}


class EVoucherResolver:
    """Turns a scanned e-voucher text into the person the centre says it stands for."""

    def __init__(self, client: CentralClient, timeouts: Timeouts = RESOLVE_TIMEOUTS) -> None:
        self._client = client
        self._timeouts = timeouts
        self._lock = threading.Lock()  # one CentralClient, one request at a time
        self.last_round_trip_ms: float | None = None

    def resolve(self, text: str) -> PersonRead:
        """The person, with `id_kind` e_voucher and `source` "evoucher"; raises an
        `EVoucherError` subclass otherwise. Blocks; not for the GUI thread."""
        token = text.strip()
        if not TOKEN_SHAPE.fullmatch(token):
            raise EVoucherMalformed()
        with self._lock:
            answer = self._ask(token)
        return _person(answer)

    def _ask(self, token: str) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return once_more_if_resigned(
                lambda: self._client.resolve_evoucher(token, timeouts=self._timeouts)
            )
        except TransportFailure as exc:
            log.info("e-voucher: the centre did not answer (%s)", type(exc.__cause__).__name__)
            raise EVoucherOffline() from exc
        except CentreRefused as exc:
            raise _refusal(exc) from exc
        finally:
            self.last_round_trip_ms = (time.perf_counter() - started) * 1000


def _refusal(exc: CentreRefused) -> EVoucherError:
    log.info("e-voucher refused by the centre: %s %s", exc.status, exc.error)
    known = _BY_ERROR.get(exc.error)
    if known is not None:
        return known()
    if exc.reaction in (Reaction.BLOCK_AUTH, Reaction.BLOCK_CONFIG, Reaction.FIX_CLOCK):
        return EVoucherNotAllowed(exc.zh, exc.en)
    return EVoucherUnavailable()  # 5xx, 429, or an answer this client does not understand


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _person(answer: dict[str, Any]) -> PersonRead:
    person = answer.get("person")
    if not isinstance(person, dict):
        log.warning("e-voucher: the centre's answer has no person")
        raise EVoucherUnavailable()
    id_number, name = _text(person.get("id_number")), _text(person.get("name"))
    if id_number is None or name is None:
        log.warning("e-voucher: the centre's answer lacks the ID number or the name")
        raise EVoucherUnavailable()
    birth = _text(person.get("birth_date"))
    try:
        birth_date = dt.date.fromisoformat(birth) if birth else None
    except ValueError:
        birth_date = None  # the number carries it; a bad optional field loses nothing else
    return PersonRead(
        id_kind=IdKind.E_VOUCHER,
        id_number=id_number,
        name=name,
        source=SOURCE,
        sex=_text(person.get("sex")),
        ethnicity=_text(person.get("ethnicity")),
        birth_date=birth_date,
        address=_text(person.get("address")),
    )
