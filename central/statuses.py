"""Filing statuses at the centre and the moves between them; every move is a feed row."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy.orm import Session

from app.errors import UserFacingError
from central.clock import utcnow
from central.models import Filing, StatusChange


class Status(StrEnum):
    ACCEPTED = "accepted"  # 受理
    IN_REVIEW = "in_review"  # 审核中
    COMPLETED = "completed"  # 办结
    REFUSED = "refused"  # 不予受理
    NEEDS_MATERIALS = "needs_materials"  # 需补充材料


_ALLOWED: dict[Status, frozenset[Status]] = {
    Status.ACCEPTED: frozenset(
        {Status.IN_REVIEW, Status.COMPLETED, Status.REFUSED, Status.NEEDS_MATERIALS}
    ),
    Status.IN_REVIEW: frozenset({Status.COMPLETED, Status.REFUSED, Status.NEEDS_MATERIALS}),
    Status.NEEDS_MATERIALS: frozenset({Status.IN_REVIEW, Status.COMPLETED, Status.REFUSED}),
    Status.COMPLETED: frozenset(),
    Status.REFUSED: frozenset(),
}


class StatusMoveRefused(UserFacingError):
    """A review step that does not follow from where the filing stands (e.g. after 办结)."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            f"申请当前状态为 {current}，不能改为 {wanted}。",
            f"The filing is {current}; it cannot become {wanted}.",
        )


def append_change(
    s: Session,
    filing: Filing,
    status: Status,
    message: str | None,
    message_en: str | None,
    actor: str,
    at: dt.datetime,
) -> StatusChange:
    """Append one row to the station's feed; its `seq` is assigned on flush."""
    change = StatusChange(
        filing_id=filing.id,
        station_code=filing.station_code,
        status=status.value,
        message=message,
        message_en=message_en,
        at=at,
        actor=actor,
    )
    s.add(change)
    s.flush()
    return change


def move_status(
    s: Session,
    filing: Filing,
    status: Status,
    message: str | None = None,
    message_en: str | None = None,
    actor: str = "centre",
) -> StatusChange:
    """Move an accepted filing on (审核中, 办结, ...), refusing moves out of a final status."""
    current = Status(filing.status)
    if status not in _ALLOWED[current]:
        raise StatusMoveRefused(current.value, status.value)
    now = utcnow()
    filing.status = status.value
    filing.message = message
    filing.message_en = message_en
    filing.updated_at = now
    return append_change(s, filing, status, message, message_en, actor, now)
