"""The HTTP conversation with the centre (protocol §3–§12): signed requests, typed failures.

No retries happen here: the engine decides what to do with each failure. Every call has a
connect and a read timeout, so nothing waits forever on a dead line.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter

from sync.errors import CentreRefused, Reaction, TransportFailure
from sync.signing import signed_headers

T = TypeVar("T")

API = "/api/v1"


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    secret: bytes


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0


def _json(body: object) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class CentralClient:
    """One terminal talking to one centre. Not thread-safe: one per sync thread."""

    def __init__(
        self,
        base_url: str,
        identity: DeviceIdentity | None = None,
        *,
        timeouts: Timeouts | None = None,
        clock_offset_s: float = 0.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path.rstrip("/")
        self.identity = identity
        self.timeouts = timeouts or Timeouts()
        self.clock_offset_s = clock_offset_s  # centre time minus ours, learned from answers
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=4, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self.bytes_sent = 0

    def close(self) -> None:
        self._session.close()

    # ---- the endpoints -------------------------------------------------------------------
    def activate(self, code: str, device_name: str, client_version: str) -> dict[str, Any]:
        body = {
            "enrolment_code": code,
            "device_name": device_name,
            "client_version": client_version,
        }
        return self._call("POST", "/activate", body=_json(body), signed=False)

    def batch(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", "/filings/batch", body=_json({"items": items}))

    def lookup(self, key: str) -> dict[str, Any] | None:
        try:
            return self._call("GET", f"/filings/{key}")
        except CentreRefused as exc:
            if exc.error == "not_found":
                return None
            raise

    def attachment_status(self, sha256: str) -> dict[str, Any] | None:
        try:
            return self._call("GET", f"/attachments/{sha256}")
        except CentreRefused as exc:
            if exc.error == "not_found":
                return None
            raise

    def put_chunk(self, sha256: str, offset: int, size: int, chunk: bytes) -> dict[str, Any]:
        query = urlencode({"offset": offset, "size": size})
        return self._call(
            "PUT",
            f"/attachments/{sha256}?{query}",
            body=chunk,
            content_type="application/octet-stream",
        )

    def status_feed(self, cursor: int, limit: int = 500) -> dict[str, Any]:
        return self._call("GET", f"/status-feed?{urlencode({'cursor': cursor, 'limit': limit})}")

    def reference(self, versions: Mapping[str, str]) -> dict[str, Any]:
        query = urlencode(dict(versions))
        return self._call("GET", "/reference" + (f"?{query}" if query else ""))

    def heartbeat(self, report: Mapping[str, Any]) -> dict[str, Any]:
        return self._call("POST", "/heartbeat", body=_json(dict(report)))

    def upload_audit(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        """The next events of this terminal's audit trail, in id order (§12)."""
        return self._call("POST", "/audit", body=_json({"events": events}))

    def resolve_evoucher(self, token: str, *, timeouts: Timeouts | None = None) -> dict[str, Any]:
        """The person an e-voucher token stands for (§9); `timeouts` overrides the client's,
        because a citizen is waiting at the counter."""
        return self._call(
            "POST", "/evoucher/resolve", body=_json({"token": token}), timeouts=timeouts
        )

    def query_insured(
        self, id_number: str, kind: str, limit: int, *, timeouts: Timeouts | None = None
    ) -> dict[str, Any]:
        """A citizen's records at the centre (§13): coverage, payments, account, reimbursements."""
        body = _json({"id_number": id_number, "kind": kind, "limit": limit})
        return self._call("POST", "/insured/query", body=body, timeouts=timeouts)

    def issue_document(
        self, id_number: str, kind: str, *, timeouts: Timeouts | None = None
    ) -> dict[str, Any]:
        """Record a certificate at the centre under a verification code (§13)."""
        body = _json({"id_number": id_number, "kind": kind})
        return self._call("POST", "/documents/issue", body=body, timeouts=timeouts)

    def login_operator(
        self, code: str, password: str, *, timeouts: Timeouts | None = None
    ) -> dict[str, Any]:
        """Log an operator in at the centre (§10): who they are, their roles, how many days
        they may log in offline afterwards. The password goes in the signed body only."""
        body = _json({"operator": code, "password": password})
        return self._call("POST", "/operators/login", body=body, timeouts=timeouts)

    def change_operator_password(
        self, code: str, old: str, new: str, *, timeouts: Timeouts | None = None
    ) -> dict[str, Any]:
        """Change an operator's password at the centre (§10)."""
        body = _json({"operator": code, "old_password": old, "new_password": new})
        return self._call("POST", "/operators/password", body=body, timeouts=timeouts)

    # ---- plumbing ------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        signed: bool = True,
        content_type: str = "application/json",
        timeouts: Timeouts | None = None,
    ) -> dict[str, Any]:
        limits = timeouts or self.timeouts
        full_path = f"{self._prefix}{API}{path}"
        url = self.base_url[: len(self.base_url) - len(self._prefix)] + full_path
        headers = {"Content-Type": content_type} if body else {}
        if signed:
            if self.identity is None:
                raise CentreRefused(401, "auth_missing", "终端尚未激活", "Terminal not activated")
            now = int(time.time() + self.clock_offset_s)
            headers |= signed_headers(
                self.identity.device_id, self.identity.secret, method, full_path, body, now
            )
        try:
            response = self._session.request(
                method,
                url,
                data=body or None,
                headers=headers,
                timeout=(limits.connect, limits.read),
            )
        except requests.exceptions.ConnectionError as exc:
            refused = "refused" in str(exc).lower() or isinstance(
                exc, requests.exceptions.ConnectTimeout
            )
            raise TransportFailure(str(exc), maybe_delivered=not refused) from exc
        except requests.exceptions.RequestException as exc:  # read timeouts and the like
            raise TransportFailure(str(exc), maybe_delivered=True) from exc
        self.bytes_sent += len(body)
        return self._answer(response)

    def _answer(self, response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json() if response.content else {}
        except ValueError as exc:
            if response.ok:
                raise TransportFailure("garbled answer", maybe_delivered=True) from exc
            data = {}
        if not isinstance(data, dict):
            raise TransportFailure("unexpected answer", maybe_delivered=True)
        server_time = data.get("server_time")
        if isinstance(server_time, int | float):
            self.clock_offset_s = server_time - time.time()
        if response.ok:
            return data
        retry_after = _retry_after(response.headers.get("Retry-After"))
        raise CentreRefused(
            response.status_code,
            str(data.get("error") or ("server_error" if response.status_code >= 500 else "")),
            str(data.get("message") or ""),
            str(data.get("message_en") or ""),
            retry_after=retry_after,
            server_time=int(server_time) if isinstance(server_time, int | float) else None,
            body=data,
        )


def once_more_if_resigned(call: Callable[[], T]) -> T:
    """Run an interactive call, repeating it once when the centre asked for a new signature.

    A clock the centre found off is corrected from its answer, and a nonce it had seen is
    replaced by the next signature; in both cases the centre did not act on the request, so
    repeating it is safe. The sync engine has its own schedule for these; a citizen or an
    operator waiting at the counter gets the one quick retry instead.
    """
    try:
        return call()
    except CentreRefused as exc:
        if exc.reaction in (Reaction.FIX_CLOCK, Reaction.NEW_NONCE):
            return call()
        raise


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare from our centre; fall back to our own backoff
