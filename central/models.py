"""Tables of the reference centre.

Timestamps are naive UTC `DateTime`s, except nonces, whose `seen_at` is Unix seconds so the
replay window is a plain integer comparison. Everything a station owns is keyed by the
station's code, so one station's devices never see another station's filings or attachments.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from central.clock import utcnow


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, for the statements of the hot paths (bulk inserts, single-row
    updates) that skip the ORM's unit of work."""
    found = model.__table__
    assert isinstance(found, Table)
    return found


class Station(Base):
    """A registered station (站点); only its devices may file anything."""

    __tablename__ = "stations"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    institution_type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    station_list: Mapped[str] = mapped_column(String(16))  # township / hospital / village
    region_code: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / suspended
    valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    enabled_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    roster_version: Mapped[int] = mapped_column(Integer, default=1)
    announcements_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # How many days after an operator's last online log-in a terminal may still let them in
    # offline against the verifier it cached then (0: never offline). The centre sets it.
    offline_login_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    # Employer and school stations: the version of their list of insured members (§7),
    # bumped by every change to it.
    members_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StationCounter(Base):
    """Answers that leave no row behind (duplicates, conflicts), counted for `stats`."""

    __tablename__ = "station_counters"
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code", ondelete="CASCADE"), primary_key=True
    )
    duplicates_answered: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)


class EnrolmentCode(Base):
    """A one-time activation code; only its SHA-256 is kept, like a password."""

    __tablename__ = "enrolment_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Device(Base):
    """An activated terminal.

    The reference centre keeps the HMAC secret in this table because it must verify
    signatures; a real deployment keeps it in an HSM or KMS and never in the database.
    """

    __tablename__ = "devices"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120), default="")
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / revoked
    client_version: Mapped[str] = mapped_column(String(40), default="")
    activated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Nonce(Base):
    """Nonces seen in the last 600 s; the primary key refuses a replay even under a race."""

    __tablename__ = "nonces"
    __table_args__ = (Index("ix_nonces_seen_at", "seen_at"),)
    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.device_id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[int] = mapped_column(BigInteger)


class Filing(Base):
    """A filing as accepted: its frozen payload, its receipt number and where it stands.

    UNIQUE(station_code, idempotency_key) is the arbiter of exactly-once: whoever inserts
    first wins, everyone else re-reads and answers duplicate or conflict.
    """

    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("station_code", "idempotency_key", name="uq_filing_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    item_code: Mapped[str] = mapped_column(String(40))
    catalog_version: Mapped[str] = mapped_column(String(32))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(24))
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    device_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A filing accepted with materials to follow (`materials_pending` in its payload): when
    # a supplement brought them.
    materials_received_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Command(Base):
    """A command about an accepted filing (a supplement of materials, a rating), as stored.

    UNIQUE(station_code, idempotency_key) makes it exactly-once, as for filings.
    """

    __tablename__ = "commands"
    __table_args__ = (
        UniqueConstraint("station_code", "idempotency_key", name="uq_command_key"),
        Index("ix_commands_filing", "filing_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # supplement / rating
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    device_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Rating(Base):
    """A citizen's rating (好差评) of one filing's service: one per filing."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_station", "station_code", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[int] = mapped_column(
        ForeignKey("filings.id", ondelete="CASCADE"), unique=True
    )
    command_id: Mapped[int] = mapped_column(ForeignKey("commands.id", ondelete="CASCADE"))
    station_code: Mapped[str] = mapped_column(String(32))
    rating: Mapped[str] = mapped_column(String(8))  # good / fair / poor
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    operator: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the citizen rated
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StatusChange(Base):
    """One row per status a filing enters; `seq` is the status feed's cursor.

    AUTOINCREMENT so a sequence number is never reused, even after the last row is gone.
    """

    __tablename__ = "status_changes"
    __table_args__ = (
        Index("ix_status_changes_station_seq", "station_code", "seq"),
        {"sqlite_autoincrement": True},
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"))
    station_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(40), default="centre")


class Attachment(Base):
    """An attachment of one station, named by the SHA-256 of its bytes.

    Scoped per station: a device can neither probe for nor reference another station's files.
    The bytes live in the blob folder; `received` is how much of them the centre holds.
    """

    __tablename__ = "attachments"
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FilingAttachment(Base):
    """An attachment of a filing: sent with it, or later with a supplement (`command_id`)."""

    __tablename__ = "filing_attachments"
    filing_id: Mapped[int] = mapped_column(
        ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    command_id: Mapped[int | None] = mapped_column(ForeignKey("commands.id"), nullable=True)


class ReceiptCounter(Base):
    """The last receipt sequence number handed out per region and (China) day."""

    __tablename__ = "receipt_counters"
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[str] = mapped_column(String(6), primary_key=True)  # YYMMDD
    last: Mapped[int] = mapped_column(Integer, default=0)


class Role(Base):
    """A role of a station: the items it grants on a channel."""

    __tablename__ = "roles"
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)


class Operator(Base):
    """A registered staff member (经办人员) of a station, with the codes of their roles.

    The password is never stored: `password_verifier` is a scrypt verifier (central.passwords),
    null until an administrator sets a password, and whoever has none cannot log in.
    `must_change_password` is set when an administrator sets one and cleared when the operator
    changes it. `failed_logins` counts wrong passwords in a row; the fifth locks the operator
    until `locked_until` (§10).
    """

    __tablename__ = "operators"
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), default="active")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_verifier: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Announcement(Base):
    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("stations.code", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CatalogVersion(Base):
    """An installed catalog version, whole, as JSON; exactly one is current."""

    __tablename__ = "catalog_versions"
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    published: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, object]] = mapped_column(JSON)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Heartbeat(Base):
    """What a terminal reported about itself; one row per heartbeat."""

    __tablename__ = "heartbeats"
    __table_args__ = (Index("ix_heartbeats_device", "device_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.device_id", ondelete="CASCADE"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    client_version: Mapped[str] = mapped_column(String(40))
    client_time: Mapped[int] = mapped_column(BigInteger)
    clock_offset_s: Mapped[int] = mapped_column(BigInteger)
    outbox: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    oldest_unsent_age_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    needs_attention: Mapped[int] = mapped_column(Integer, default=0)
    devices: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    # c0006: free space of the terminal's data folder; the offset answered to its last beat.
    free_disk_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_clock_offset_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class EVoucher(Base):
    """An e-voucher token (医保电子凭证) the reference centre issued, for demos and tests.

    Like an enrolment code, the token is a bearer credential: only its SHA-256 is kept. The
    person is stored in plain columns, as the centre keeps the people in filings; `id_kind` is
    the kind of document `id_number` belongs to. Resolutions are counted, with the device that
    resolved last, for the audit; rows expired for a day are purged when new tokens are issued.
    """

    __tablename__ = "evouchers"
    __table_args__ = (Index("ix_evouchers_expires_at", "expires_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    id_kind: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(60))
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    ethnicity: Mapped[str | None] = mapped_column(String(4), nullable=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolve_count: Mapped[int] = mapped_column(Integer, default=0)
    last_resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditEvent(Base):
    """A terminal's audit trail as it uploaded it (§12), still hash-chained per device.

    `client_id` is the event's id in the terminal's store; UNIQUE(device_id, client_id) makes
    a resend harmless.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("device_id", "client_id", name="uq_audit_device_event"),
        Index("ix_audit_events_station", "station_code", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.device_id", ondelete="CASCADE"))
    station_code: Mapped[str] = mapped_column(String(32))
    client_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    operator: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Member(Base):
    """An insured member of an employer or school station (单位、学校): who its terminals may
    serve (BRIEF §3, data permission). Terminals receive the list and keep keyed tokens only."""

    __tablename__ = "members"
    station_code: Mapped[str] = mapped_column(
        ForeignKey("stations.code", ondelete="CASCADE"), primary_key=True
    )
    id_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class InsuredPerson(Base):
    """An insured person of the reference centre's demo data (参保人), keyed by ID number; the
    records below hang off it (issue 6: queries answered online, certificates printed)."""

    __tablename__ = "insured_persons"
    id_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))


class InsuredCoverage(Base):
    """A period of coverage: `insurance_type` employee (职工) / resident (城乡居民), `status`
    paying (参保缴费) / suspended (暂停), from `since` to `until` (None: still running)."""

    __tablename__ = "insured_coverages"
    __table_args__ = (Index("ix_insured_coverages_person", "id_number", "since"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(
        ForeignKey("insured_persons.id_number", ondelete="CASCADE")
    )
    insurance_type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    since: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    region_code: Mapped[str] = mapped_column(String(12))
    region_name: Mapped[str] = mapped_column(String(60))


class InsuredPayment(Base):
    """A contribution (缴费) for the month `period` (YYYY-MM), in fen."""

    __tablename__ = "insured_payments"
    __table_args__ = (Index("ix_insured_payments_person", "id_number", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(
        ForeignKey("insured_persons.id_number", ondelete="CASCADE")
    )
    period: Mapped[str] = mapped_column(String(7))
    insurance_type: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payer: Mapped[str] = mapped_column(String(80))


class AccountEntry(Base):
    """A movement of the personal account (个人账户收支), in fen; `balance_fen` is after it."""

    __tablename__ = "account_entries"
    __table_args__ = (Index("ix_account_entries_person", "id_number", "on_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(
        ForeignKey("insured_persons.id_number", ondelete="CASCADE")
    )
    on_date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    balance_fen: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(80))


class Reimbursement(Base):
    """A settled claim (报销): the total, what the fund paid and what the person paid, in fen."""

    __tablename__ = "reimbursements"
    __table_args__ = (Index("ix_reimbursements_person", "id_number", "on_date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_number: Mapped[str] = mapped_column(
        ForeignKey("insured_persons.id_number", ondelete="CASCADE")
    )
    on_date: Mapped[dt.date] = mapped_column(Date)
    hospital: Mapped[str] = mapped_column(String(120))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    self_fen: Mapped[int] = mapped_column(BigInteger)


class Certificate(Base):
    """A printed certificate (参保证明, 个人权益记录) anyone can check at `/verify/{code}`.

    `code` is 80 random bits (16 base32 characters); `summary` is what it certified, with the
    ID number masked, and `summary_sha256` its digest, so a changed row shows."""

    __tablename__ = "certificates"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    station_code: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, object]] = mapped_column(JSON)
    summary_sha256: Mapped[str] = mapped_column(String(64))
