"""Activation and request signing against the real centre (docs/sync-protocol.md §2-§4)."""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fastapi import FastAPI
from sqlalchemy import select

from central import admin
from central.auth import NONCE_TTL_S, Verifier
from central.errors import ApiError
from central.models import Device, Nonce
from tests.central_support import DEMO, RunningCentre, Terminal, run_centre, sign

FEED = "/api/v1/status-feed?cursor=0&limit=500"


def _add_failing_route(app: FastAPI) -> None:
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    app.add_api_route("/api/v1/boom", boom)


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    with run_centre(tmp_path_factory.mktemp("centre"), _add_failing_route) as running:
        yield running


def _activate(centre: RunningCentre, code: str) -> requests.Response:
    return requests.post(
        f"{centre.url}/api/v1/activate",
        json={"enrolment_code": code, "device_name": "counter-1", "client_version": "0.1.0"},
        timeout=10,
    )


def _error(answer: requests.Response, status: int, error: str) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    body: dict[str, object] = answer.json()
    assert body["error"] == error
    assert body["message"] and body["message_en"]
    assert abs(int(str(body["server_time"])) - time.time()) < 5
    return body


def test_activation_gives_a_device_identity_and_the_station(centre: RunningCentre) -> None:
    answer = _activate(centre, centre.code())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["device_id"].startswith("dev_")
    assert len(base64.b64decode(body["device_secret"])) == 32
    station = body["station"]
    assert station["code"] == DEMO
    assert station["name"] == "示范镇医保工作站（演示）"
    assert (station["institution_type"], station["channel"], station["station_list"]) == (
        "township",
        "township",
        "township",
    )
    assert station["region_code"] == "441802"
    assert station["status"] == "active"
    assert station["valid_until"] == "2027-12-31"
    assert "CX-CBDJ-001" in station["enabled_items"]
    assert "CX-CBCX-006" not in station["enabled_items"]  # a query: not filed to the centre
    assert abs(body["server_time"] - time.time()) < 5


def test_an_enrolment_code_works_once(centre: RunningCentre) -> None:
    code = centre.code()
    assert _activate(centre, code.lower().replace("-", "")).status_code == 200  # as typed
    _error(_activate(centre, code), 410, "enrolment_code_invalid")


def test_expired_and_unknown_codes_are_refused(centre: RunningCentre) -> None:
    expired = centre.code(ttl=dt.timedelta(seconds=-1))
    _error(_activate(centre, expired), 410, "enrolment_code_invalid")
    _error(_activate(centre, "AAAA-BBBB-CCCC"), 410, "enrolment_code_invalid")


def test_malformed_activation_is_a_bad_request(centre: RunningCentre) -> None:
    answer = requests.post(f"{centre.url}/api/v1/activate", data=b"{nope", timeout=10)
    _error(answer, 400, "bad_request")


def test_a_signed_request_is_answered(centre: RunningCentre) -> None:
    answer = centre.terminal().get(FEED)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"changes": [], "next_cursor": 0, "more": False}


def test_bad_signatures_are_refused(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    _error(terminal.get(FEED, secret=b"x" * 32), 401, "auth_bad_signature")
    hb = {"client_version": "0.1.0", "client_time": int(time.time())}
    tampered = terminal.post("/api/v1/heartbeat", hb, sent_body=b'{"client_version":"9"}')
    _error(tampered, 401, "auth_bad_signature")
    # The query string is signed too: send another one than was signed.
    signed_for = terminal.request("GET", FEED)
    assert signed_for.status_code == 200
    url = requests.Request("GET", centre.url + FEED).prepare()
    url.prepare_url(centre.url + "/api/v1/status-feed?cursor=0&limit=1", None)
    url.headers.update(
        {k: v for k, v in signed_for.request.headers.items() if k.startswith("X-Yibao")}
    )
    url.headers["X-Yibao-Nonce"] = "0" * 32
    with requests.Session() as s:
        _error(s.send(url, timeout=10), 401, "auth_bad_signature")


def test_unknown_devices_and_unsigned_requests_get_nothing(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    _error(terminal.get(FEED, device_id="dev_000000000000"), 401, "auth_unknown_device")
    _error(requests.get(centre.url + FEED, timeout=10), 401, "auth_missing")
    bad_nonce = terminal.get(FEED, nonce="not-hex")
    _error(bad_nonce, 401, "auth_missing")


def test_clock_skew_is_refused_with_the_server_time(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    late = int(time.time()) - 301
    body = _error(terminal.get(FEED, timestamp=late), 401, "auth_clock_skew")
    offset = int(str(body["server_time"])) - late
    assert terminal.get(FEED, timestamp=late + offset).status_code == 200  # corrected
    assert terminal.get(FEED, timestamp=int(time.time()) + 250).status_code == 200  # within


def test_a_replayed_nonce_is_refused(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    nonce = "ab" * 16
    assert terminal.get(FEED, nonce=nonce).status_code == 200
    _error(terminal.get(FEED, nonce=nonce), 401, "auth_replay")
    other = centre.terminal()  # nonces are per device
    assert other.get(FEED, nonce=nonce).status_code == 200


def test_a_revoked_device_is_refused(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    assert terminal.get(FEED).status_code == 200
    assert admin.revoke(centre.db, terminal.device_id) == DEMO
    _error(terminal.get(FEED), 403, "device_revoked")
    # Someone without the secret learns nothing about the device's status.
    _error(terminal.get(FEED, secret=b"y" * 32), 401, "auth_bad_signature")


def test_a_suspended_station_is_refused(centre: RunningCentre) -> None:
    terminal = centre.new_station("SUSP-441802-001")
    admin.set_station_status(centre.db, "SUSP-441802-001", "suspended")
    try:
        _error(terminal.get(FEED), 403, "station_inactive")
        code = centre.code("SUSP-441802-001")
        _error(_activate(centre, code), 403, "station_inactive")
    finally:
        admin.set_station_status(centre.db, "SUSP-441802-001", "active")
    assert terminal.get(FEED).status_code == 200


def test_failures_are_answered_without_a_traceback(centre: RunningCentre) -> None:
    terminal: Terminal = centre.terminal()
    answer = terminal.get("/api/v1/boom")
    body = _error(answer, 500, "server_error")
    assert "passwd" not in answer.text and "Traceback" not in answer.text
    assert set(body) == {"error", "message", "message_en", "server_time"}
    _error(terminal.get("/api/v1/no-such-thing"), 404, "not_found")


def test_requests_over_the_size_limit_are_refused(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    big = {"client_version": "0.1.0", "client_time": 1, "pad": "x" * (70 * 1024)}
    _error(terminal.post("/api/v1/heartbeat", big), 413, "too_large")


def test_garbage_in_signing_headers_is_refused_cleanly(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    url = centre.url + FEED
    stamp = str(int(time.time()))
    headers = {
        "X-Yibao-Device": terminal.device_id,
        "X-Yibao-Timestamp": stamp,
        "X-Yibao-Nonce": "cd" * 16,
        "X-Yibao-Signature": "é" * 64,
    }
    answer = requests.get(url, headers={k: v.encode() for k, v in headers.items()}, timeout=10)
    _error(answer, 401, "auth_bad_signature")
    headers["X-Yibao-Timestamp"] = "soon"
    _error(requests.get(url, headers=headers, timeout=10), 401, "auth_missing")


def test_nonces_are_forgotten_after_their_window_and_last_seen_is_kept(tmp_path: Path) -> None:
    """Housekeeping rides along with a request now and then: expired nonces go at most once a
    minute, yet a nonce inside its window is always refused."""
    with run_centre(tmp_path) as centre:
        terminal = centre.terminal()
        verifier = Verifier(centre.db)

        def verify(nonce: str, now: int) -> None:
            stamp = str(now)
            headers = {
                "x-yibao-device": terminal.device_id,
                "x-yibao-timestamp": stamp,
                "x-yibao-nonce": nonce,
                "x-yibao-signature": sign(terminal.secret, "GET", FEED, stamp, nonce, b""),
            }
            verifier.verify("GET", FEED, headers, b"", now)

        start = int(time.time())
        verify("01" * 16, start)
        with centre.db.read() as s:
            device = s.get(Device, terminal.device_id)
            assert device is not None and device.last_seen_at is not None
        for later in (start + 30, start + NONCE_TTL_S - 1):
            with pytest.raises(ApiError) as replay:
                verify("01" * 16, later)
            assert replay.value.error == "auth_replay"
        verify("02" * 16, start + NONCE_TTL_S + 100)  # a purge is due: the first nonce goes
        with centre.db.read() as s:
            kept = set(
                s.execute(
                    select(Nonce.nonce).where(Nonce.device_id == terminal.device_id)
                ).scalars()
            )
        assert kept == {"02" * 16}
        verify("01" * 16, start + NONCE_TTL_S + 101)  # forgotten, so usable again
