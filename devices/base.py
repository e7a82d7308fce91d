"""What every device shares: health reporting and the failures it may raise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import UserFacingError


class DeviceError(UserFacingError):
    """A device is absent or failed; the message says what the operator can do."""


@dataclass(frozen=True)
class DeviceHealth:
    name: str
    present: bool
    working: bool
    simulated: bool
    last_error: str | None = None
    checked_at: dt.datetime | None = None
