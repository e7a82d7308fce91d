"""E-voucher tokens (医保电子凭证, protocol §9): issued by the reference centre, resolved for
activated stations.

The citizen's phone shows a dynamic QR code; the station scans its text and asks the centre
who it belongs to. The national platform issues the real ones; this reference centre issues
its own (`YBEV1.` and 43 URL-safe characters, 256 random bits) so demos and tests can run the
whole path. A token is a bearer credential, like an enrolment code: only its SHA-256 is
stored, it expires within minutes, and logs name the token's row and the device, never the
token or the person.

A token may be resolved more than once while it is valid (an operator scans twice, or the
first answer was lost on the way back); each resolution is counted with the device that made
it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import delete, select

from app.errors import UserFacingError
from app.validation import rules
from app.validation.rules import FieldInvalid
from central.auth import Caller
from central.clock import iso_z, unix_now, utcnow
from central.db import Database
from central.errors import ApiError
from central.models import EVoucher

log = logging.getLogger(__name__)

TOKEN_PREFIX = "YBEV1."
DEFAULT_TTL = dt.timedelta(minutes=5)
MAX_TTL = dt.timedelta(days=1)
PURGE_AFTER = dt.timedelta(days=1)  # expired rows (personal data) kept this long, then deleted
# What any platform's token must look like (§9): the client checks the same before sending.
TOKEN_SHAPE = re.compile(r"[!-~]{16,512}", re.ASCII)
# What this centre issues.
_OURS = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{43}", re.ASCII)
ID_KINDS = ("resident_id",)  # e-vouchers are bound to the citizen ID number


class EVoucherIssueError(UserFacingError):
    """An administrator's issuing request that cannot be done."""


class ResolveRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: Annotated[str, StringConstraints(max_length=4096)]


@dataclass(frozen=True)
class EVoucherPerson:
    """Whom a token stands for; sex and birth date default to what the ID number says."""

    id_number: str = field(repr=False)
    name: str = field(repr=False)
    sex: str | None = None  # GB/T 2261.1: 1 male, 2 female
    ethnicity: str | None = None  # GB/T 3304 two-digit code
    birth_date: dt.date | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    id_kind: str = "resident_id"


# The demo's citizen (a made-up person with a valid ID number of the demo station's region).
DEMO_PERSON = EVoucherPerson(
    id_number="441802198506151320",
    name="陈秀英",
    ethnicity="01",
    address="广东省清远市清城区人民路8号",
)


@dataclass(frozen=True)
class IssuedEVoucher:
    token: str = field(repr=False)  # the QR code's text
    expires_at: dt.datetime

    def as_json(self) -> dict[str, str]:
        return {"token": self.token, "expires_at": iso_z(self.expires_at)}


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _checked(person: EVoucherPerson) -> EVoucherPerson:
    def refuse(zh: str, en: str) -> EVoucherIssueError:
        return EVoucherIssueError(zh, en)

    if person.id_kind not in ID_KINDS:
        raise refuse(
            f"电子凭证只能绑定居民身份证号码（{', '.join(ID_KINDS)}）。",
            f"An e-voucher is bound to a resident ID number ({', '.join(ID_KINDS)}).",
        )
    try:
        number = rules.id_number(person.id_number)
    except FieldInvalid:
        raise refuse(
            "身份证号码无效（格式、出生日期或校验位不对）。", "Invalid ID number."
        ) from None
    try:
        name = rules.clean_text(person.name, max_length=60, min_length=1)
    except FieldInvalid:
        raise refuse("姓名不能为空，且不超过 60 个字。", "The name is empty or too long.") from None
    sex = person.sex or ("1" if int(number[16]) % 2 else "2")
    if sex not in ("1", "2"):
        raise refuse("性别须为 1（男）或 2（女）。", "Sex is 1 (male) or 2 (female).")
    if person.ethnicity is not None and not re.fullmatch(r"\d{2}", person.ethnicity):
        raise refuse("民族须为两位代码（如 01 汉族）。", "Ethnicity is a two-digit code (01).")
    birth = person.birth_date or dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    address = (person.address or "").strip() or None
    if address is not None and len(address) > 200:
        raise refuse("住址不超过 200 个字。", "The address is over 200 characters.")
    return EVoucherPerson(number, name, sex, person.ethnicity, birth, address, person.id_kind)


def issue(
    db: Database,
    person: EVoucherPerson,
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
) -> IssuedEVoucher:
    """A new token for `person`, valid for `ttl` from `now` (naive UTC; tests pass a past
    moment to get an expired token). Rows expired for a day are deleted on the way."""
    if not dt.timedelta(0) < ttl <= MAX_TTL:
        raise EVoucherIssueError(
            "有效期须大于 0 且不超过 1 天。", "The validity must be over 0 and at most a day."
        )
    person = _checked(person)
    moment = now or utcnow()
    token = new_token()
    with db.write() as s:
        s.execute(delete(EVoucher).where(EVoucher.expires_at < utcnow() - PURGE_AFTER))
        row = EVoucher(
            token_sha256=token_digest(token),
            id_kind=person.id_kind,
            id_number=person.id_number,
            name=person.name,
            sex=person.sex,
            ethnicity=person.ethnicity,
            birth_date=person.birth_date,
            address=person.address,
            issued_at=moment,
            expires_at=moment + ttl,
            resolve_count=0,
        )
        s.add(row)
        s.flush()
        log.info("e-voucher #%d issued, valid %d s", row.id, ttl.total_seconds())
    return IssuedEVoucher(token, moment + ttl)


def _malformed() -> ApiError:
    return ApiError(
        422,
        "evoucher_malformed",
        "扫到的不是医保电子凭证二维码",
        "The scanned code is not a medical-insurance e-voucher",
    )


def resolve(
    db: Database, caller: Caller, token: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The person a valid token stands for (§9), or `evoucher_malformed` (422),
    `evoucher_unknown` (404), `evoucher_expired` (410)."""
    if not TOKEN_SHAPE.fullmatch(token) or not _OURS.fullmatch(token):
        log.info("e-voucher refused: malformed (device %s)", caller.device_id)
        raise _malformed()
    moment = now or utcnow()
    with db.write() as s:
        row = s.execute(
            select(EVoucher).where(EVoucher.token_sha256 == token_digest(token))
        ).scalar_one_or_none()
        if row is None:
            log.info("e-voucher refused: unknown token (device %s)", caller.device_id)
            raise ApiError(
                404,
                "evoucher_unknown",
                "医保平台没有此电子凭证",
                "The platform does not know this e-voucher",
            )
        if row.expires_at <= moment:
            log.info("e-voucher #%d refused: expired (device %s)", row.id, caller.device_id)
            raise ApiError(
                410,
                "evoucher_expired",
                "电子凭证已过期",
                "The e-voucher has expired",
                expires_at=iso_z(row.expires_at),
            )
        row.resolve_count += 1
        row.last_resolved_at = moment
        row.last_resolved_by = caller.device_id
        log.info(
            "e-voucher #%d resolved by device %s (station %s), resolution %d",
            row.id,
            caller.device_id,
            caller.station_code,
            row.resolve_count,
        )
        return {
            "person": {
                "id_kind": row.id_kind,
                "id_number": row.id_number,
                "name": row.name,
                "sex": row.sex,
                "ethnicity": row.ethnicity,
                "birth_date": row.birth_date.isoformat() if row.birth_date else None,
                "address": row.address,
            },
            "expires_at": iso_z(row.expires_at),
            "server_time": unix_now(),
        }
