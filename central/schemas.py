"""Request bodies of the protocol as pydantic models; unknown fields are ignored so a newer
client can add fields without breaking an older centre."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_.:-]{1,64}$")]
Short = Annotated[str, StringConstraints(max_length=120)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ActivateRequest(_Body):
    enrolment_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    device_name: Short = ""
    client_version: Annotated[str, StringConstraints(max_length=40)] = ""


class BatchItem(_Body):
    idempotency_key: IdempotencyKey
    kind: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    item_code: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    catalog_version: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    payload_sha256: Sha256
    payload: str
    attachments: list[Sha256] = Field(default_factory=list, max_length=200)


class BatchRequest(_Body):
    items: list[BatchItem]


PaperState = Literal["ok", "low", "out", "unknown"]
PAPER_STATES = ("ok", "low", "out", "unknown")


def _paper_state(value: object) -> object:
    """A paper state this centre does not know (a newer client's) is kept as "unknown" rather
    than refusing the whole heartbeat."""
    if value is None or value in PAPER_STATES:
        return value
    return "unknown"


class DeviceHealth(_Body):
    name: Short
    present: bool
    working: bool
    simulated: bool = False
    last_error: Annotated[str, StringConstraints(max_length=500)] | None = None
    # Printers only (absent from older clients' beats): paper as the printer reports it, and
    # the print system's own words for its state (CUPS printer-state-reasons, ESC/POS flags).
    paper: Annotated[PaperState | None, BeforeValidator(_paper_state)] = None
    reasons: list[Annotated[str, StringConstraints(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )


class HeartbeatRequest(_Body):
    client_version: Annotated[str, StringConstraints(max_length=40)]
    client_time: Annotated[int, Field(ge=0, lt=2**40)]
    outbox: dict[Short, Annotated[int, Field(ge=0, lt=2**31)]] = Field(default_factory=dict)
    oldest_unsent_age_s: Annotated[int, Field(ge=0, lt=2**40)] | None = None
    needs_attention: Annotated[int, Field(ge=0, lt=2**31)] = 0
    devices: list[DeviceHealth] = Field(default_factory=list, max_length=50)
    # Since c0006; older clients leave them out.
    free_disk_bytes: Annotated[int, Field(ge=0, lt=2**62)] | None = None
    # The offset this centre answered to the terminal's previous beat, so drift shows.
    last_clock_offset_s: Annotated[int, Field(gt=-(2**40), lt=2**40)] | None = None
