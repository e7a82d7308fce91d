"""Tables of the local store.

Personal data (names, document numbers, addresses, phones, photos, form payloads) is held only
as AES-GCM ciphertext in `*_enc` columns; people are found by a keyed search token. Staff
(operator) names come from the centre's roster and are not citizens' data, so they are kept in
clear for the status bar.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class FilingState(StrEnum):
    """Where a filing stands, locally and at the centre."""

    QUEUED = "queued"  # 已保存，待上传
    ACCEPTED = "accepted"  # 已受理 (receipt number from the centre)
    IN_REVIEW = "in_review"  # 审核中
    COMPLETED = "completed"  # 办结
    REFUSED = "refused"  # 不予受理
    NEEDS_MATERIALS = "needs_materials"  # 需补充材料
    REJECTED = "rejected"  # the centre refused the submission itself (reason shown)


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # written before the request goes out
    ACKNOWLEDGED = "acknowledged"
    RETRY_WAIT = "retry_wait"
    UNKNOWN_OUTCOME = "unknown_outcome"  # reconciled by lookup before any resend
    REJECTED = "rejected"
    BLOCKED_AUTH = "blocked_auth"
    BLOCKED_CONFIG = "blocked_config"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class StoreMeta(Base):
    """Facts about this store itself (its id, which names its key in the keyring)."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class Station(Base):
    """This terminal's registration: the station it belongs to (one row)."""

    __tablename__ = "station"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    institution_type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    station_list: Mapped[str] = mapped_column(String(16))  # township / hospital / village
    region_code: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    valid_until: Mapped[dt.date | None] = mapped_column(nullable=True)
    enabled_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    central_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Role(Base):
    """A role from the centre: the items it grants on a channel."""

    __tablename__ = "role"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)


class Operator(Base):
    """A registered staff member allowed to log in at this station (cached from the centre)."""

    __tablename__ = "operator"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Offline log-in: a scrypt verifier of the password from the last online log-in (never the
    # password), usable until `verifier_until` (the centre sets how many days).
    verifier: Mapped[str | None] = mapped_column(String(200), nullable=True)
    verifier_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Lock-out on this terminal after repeated wrong passwords.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OperatorRole(Base):
    __tablename__ = "operator_role"
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("operator.id", ondelete="CASCADE"), primary_key=True
    )
    role_code: Mapped[str] = mapped_column(
        ForeignKey("role.code", ondelete="CASCADE"), primary_key=True
    )


class CatalogVersion(Base):
    __tablename__ = "catalog_version"
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    published: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # bundled / centre
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    categories: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CatalogItemRow(Base):
    __tablename__ = "catalog_item"
    version: Mapped[str] = mapped_column(
        ForeignKey("catalog_version.version", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    offline: Mapped[bool] = mapped_column(Boolean)
    spec: Mapped[dict[str, object]] = mapped_column(JSON)


class Person(Base):
    """A citizen as read from an identity device; everything personal is ciphertext."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("id_kind", "id_token"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_kind: Mapped[str] = mapped_column(String(16))  # resident_id / birth_cert / ...
    id_token: Mapped[str] = mapped_column(String(64))  # keyed hash of the document number
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    details_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    photo_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(40))  # which device read it
    read_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Filing(Base):
    """An application filled against one catalog version; its payload frozen when queued."""

    __tablename__ = "filing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    item_code: Mapped[str] = mapped_column(String(40))
    catalog_version: Mapped[str] = mapped_column(ForeignKey("catalog_version.version"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operator.id"), nullable=True)
    station_code: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(24))
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    references_filing_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id"), nullable=True)
    materials_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_no: Mapped[str | None] = mapped_column(String(40), nullable=True)
    centre_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    centre_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FilingStateChange(Base):
    """Every state a filing has passed through, with who or what moved it."""

    __tablename__ = "filing_state"
    # Keyed by (filing, sequence) without a rowid: one B-tree serves both storage and the
    # per-filing lookup, so a save touches one page fewer.
    __table_args__ = ({"sqlite_with_rowid": False},)
    filing_id: Mapped[int] = mapped_column(
        ForeignKey("filing.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 for the first state
    state: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(40))  # operator code, "centre", "system"
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Material(Base):
    """Metadata of one attachment; the encrypted bytes sit in the blob store under sha256."""

    __tablename__ = "material"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))  # checklist entry, or "face_photo"
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set for materials a supplement brought later: they belong to the filing (filing_id)
    # and travel with that supplement command, not with the filing's own payload.
    command_id: Mapped[int | None] = mapped_column(ForeignKey("command.id"), index=True)


class Command(Base):
    """A command about an existing filing (a supplement of materials, a rating), frozen and
    encrypted like a filing's payload, and queued in the outbox with its own idempotency key."""

    __tablename__ = "command"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # supplement / rating
    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id"), index=True)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    operator_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxEntry(Base):
    """One command waiting to reach the centre, with its delivery state.

    Keyed by its idempotency key (a filing's or a command's uid) without a rowid and with no
    secondary index, so saving a filing touches one outbox B-tree. The outbox holds work in
    flight: the sync engine prunes delivered entries, so finding what is due is a scan of a
    small table.
    """

    __tablename__ = "outbox"
    __table_args__ = ({"sqlite_with_rowid": False},)
    idempotency_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # filing, rating, audit ...
    filing_id: Mapped[int | None] = mapped_column(
        ForeignKey("filing.id", ondelete="CASCADE"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(24))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When the entry was last marked "sending", written before the request goes out: an
    # entry found "sending" after a crash has an unknown outcome and is looked up first.
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # A command's entry: `filing_id` is the filing it is about, `command_id` the command.
    # NULL for a filing's own entry.
    command_id: Mapped[int | None] = mapped_column(ForeignKey("command.id"), nullable=True)


class SyncState(Base):
    """What the sync engine remembers between runs: feed cursor, reference versions,
    last success, clock offset, backoff."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncLease(Base):
    """One row: who may send now. Never two senders, across threads and processes."""

    __tablename__ = "sync_lease"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(80), nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Member(Base):
    """An insured member of this employer or school station, from the centre's list, kept as
    a keyed token only (`app.services.members.member_token`): never the ID number."""

    __tablename__ = "member"
    id_token: Mapped[str] = mapped_column(String(64), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what, when: hash-chained so that a removed or edited row shows."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    operator_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # never personal data
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
