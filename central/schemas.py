"""Request bodies of the protocol as pydantic models; unknown fields are ignored so a newer
client can add fields without breaking an older centre."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


class DeviceHealth(_Body):
    name: Short
    present: bool
    working: bool
    simulated: bool = False
    last_error: Annotated[str, StringConstraints(max_length=500)] | None = None


class HeartbeatRequest(_Body):
    client_version: Annotated[str, StringConstraints(max_length=40)]
    client_time: Annotated[int, Field(ge=0, lt=2**40)]
    outbox: dict[Short, Annotated[int, Field(ge=0, lt=2**31)]] = Field(default_factory=dict)
    oldest_unsent_age_s: Annotated[int, Field(ge=0, lt=2**40)] | None = None
    needs_attention: Annotated[int, Field(ge=0, lt=2**31)] = 0
    devices: list[DeviceHealth] = Field(default_factory=list, max_length=50)
