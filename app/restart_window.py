"""The kiosk's daily restart window, in China time.

A kiosk runs unattended for weeks; a restart once a day, at an hour nobody is using it, clears
whatever a long-running Qt process and its device drivers accumulate. The kiosk restarts itself
when it is idle inside the window (it exits and its supervisor starts it again: systemd's
`Restart=always`, or `installer/windows/watchdog.ps1`); the systemd timer
`yibao-kiosk-restart.timer` and the Windows task's daily trigger are the fallback for a kiosk
that never becomes idle.

China has no daylight saving, so the window is a fixed +8 hours from UTC every day of the year
(see `app.china_clock`).
"""

from __future__ import annotations

import datetime as dt
import re

from app.china_clock import CHINA, china_time

# The exit status of the kiosk's own daily restart (EX_TEMPFAIL: "try again"), so supervisors
# and logs tell it from a crash: the systemd unit counts it as a success
# (SuccessExitStatus=75) and still starts the kiosk again (Restart=always); watchdog.ps1
# logs it as the daily restart and starts the kiosk again too.
RESTART_EXIT_CODE = 75

DEFAULT_RESTART_AT = "04:00"
# How long after the restart moment an idle kiosk may still restart itself; later than that
# it waits for the next day (the timer unit restarts it anyway).
DEFAULT_WINDOW = dt.timedelta(hours=1)

_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def parse_hhmm(text: str) -> dt.time:
    """`"04:00"` → 04:00; anything but a 24-hour HH:MM raises ValueError."""
    match = _HHMM.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not a time of day as HH:MM (00:00-23:59): {text!r}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _aware(moment: dt.datetime) -> dt.datetime:
    """A naive datetime is taken as UTC, as everywhere in the client."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def next_restart(now_utc: dt.datetime, at: str = DEFAULT_RESTART_AT) -> dt.datetime:
    """The first restart moment strictly after `now_utc`, as an aware UTC datetime.

    `at` is China time: "04:00" is 20:00 UTC the day before.
    """
    when = parse_hhmm(at)
    local = china_time(_aware(now_utc))
    candidate = dt.datetime.combine(local.date(), when, tzinfo=CHINA)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC)


def due_for_restart(
    started_at: dt.datetime,
    now: dt.datetime,
    at: str = DEFAULT_RESTART_AT,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> bool:
    """Whether a process started at `started_at` should restart at `now`.

    True when the latest restart moment at or before `now` came after the start and `now` is
    less than `window` past it: a kiosk started at 03:59 is due at 04:00, one started at 04:01
    not until tomorrow, and one that stayed busy until 05:00 waits for tomorrow's window.
    """
    now = _aware(now)
    latest = next_restart(now, at) - dt.timedelta(days=1)  # the last moment <= now
    return _aware(started_at) < latest <= now < latest + window
