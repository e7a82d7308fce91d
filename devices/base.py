"""What every device shares: health reporting and the failures it may raise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import UserFacingError


def _port_errors() -> tuple[type[Exception], ...]:
    try:
        import termios
    except ImportError:  # Windows
        return (OSError,)
    return (OSError, termios.error)


# What a serial port raises when the device behind it is gone: OSError (pyserial's
# SerialException is one) and, on POSIX, termios.error, which pyserial lets through from
# tcflush/tcdrain on a port whose device was unplugged.
PORT_ERRORS: tuple[type[Exception], ...] = _port_errors()


class DeviceError(UserFacingError):
    """A device is absent or failed; the message says what the operator can do."""


class NoCard(DeviceError):
    """The reader works but no card is on it: the normal answer while waiting for a citizen.

    A separate class so that watchers polling a reader can tell "nothing there yet" from a
    failure, and so that health reports never count it as the device's last error.
    """


@dataclass(frozen=True)
class DeviceHealth:
    name: str
    present: bool
    working: bool
    simulated: bool
    last_error: str | None = None
    checked_at: dt.datetime | None = None
