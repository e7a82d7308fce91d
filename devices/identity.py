"""Identity readers: anything that yields a `PersonRead` (ID card, social-security card...)."""

from __future__ import annotations

from typing import Protocol

from app.identity import PersonRead
from devices.base import DeviceHealth


class IdentityReader(Protocol):
    """Reads one person. `read` blocks, so callers run it off the GUI thread."""

    name: str

    def read(self, timeout: float = 10.0) -> PersonRead: ...

    def health(self) -> DeviceHealth: ...
