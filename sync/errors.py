"""How a conversation with the centre can fail, sorted by what the engine does about it."""

from __future__ import annotations

from enum import StrEnum

from app.errors import UserFacingError


class TransportFailure(Exception):
    """No answer: refused, reset, timed out, or garbled. Ends the run; retried with backoff.

    `maybe_delivered` is False only when the request certainly never left (connection
    refused); otherwise the centre may have acted on it and the outcome is unknown.
    """

    def __init__(self, detail: str, *, maybe_delivered: bool) -> None:
        super().__init__(detail)
        self.maybe_delivered = maybe_delivered


class Reaction(StrEnum):
    BLOCK_AUTH = "blocked_auth"  # pause the queue until a technician re-activates
    BLOCK_CONFIG = "blocked_config"  # pause the queue until the station is fixed
    RETRY = "retry"  # try again later, with backoff
    FIX_CLOCK = "fix_clock"  # correct the offset from server_time, then retry
    NEW_NONCE = "new_nonce"  # sign again and retry
    NOT_FOUND = "not_found"
    RESUME = "resume"  # attachment: continue from the centre's `received`
    RESTART = "restart"  # attachment: start again from zero
    SPLIT = "split"  # batch too large
    BUG = "bug"  # a malformed request: stop the run and raise attention
    ENROLMENT = "enrolment"  # the enrolment code is not valid


_REACTIONS = {
    "auth_missing": Reaction.BLOCK_AUTH,
    "auth_bad_signature": Reaction.BLOCK_AUTH,
    "auth_unknown_device": Reaction.BLOCK_AUTH,
    "device_revoked": Reaction.BLOCK_AUTH,
    "device_not_activated": Reaction.BLOCK_AUTH,
    "auth_clock_skew": Reaction.FIX_CLOCK,
    "auth_replay": Reaction.NEW_NONCE,
    "station_inactive": Reaction.BLOCK_CONFIG,
    "not_found": Reaction.NOT_FOUND,
    "offset_mismatch": Reaction.RESUME,
    "hash_mismatch": Reaction.RESTART,
    "too_large": Reaction.SPLIT,
    "rate_limited": Reaction.RETRY,
    "server_error": Reaction.RETRY,
    "bad_request": Reaction.BUG,
    "enrolment_code_invalid": Reaction.ENROLMENT,
}


class CentreRefused(UserFacingError):
    """The centre answered with an error (protocol §2)."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        message_en: str,
        *,
        retry_after: float | None = None,
        server_time: int | None = None,
        body: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message or f"中心拒绝了请求（{error}）", message_en or error)
        self.status = status
        self.error = error
        self.retry_after = retry_after
        self.server_time = server_time
        self.body = body or {}
        if error in _REACTIONS:
            self.reaction = _REACTIONS[error]
        elif status == 429 or status >= 500:
            self.reaction = Reaction.RETRY
        elif status in (401, 403):
            self.reaction = Reaction.BLOCK_AUTH
        else:
            self.reaction = Reaction.BUG
