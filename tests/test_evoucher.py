"""E-voucher tokens end to end (docs/sync-protocol.md §9): issued by the reference centre,
resolved by the client's own transport over HTTP on 127.0.0.1.

The centre is the real `yibao central serve` process (as an administrator starts it); tokens
are issued into its database the way `yibao central evoucher issue` does it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.cli import main as yibao
from app.identity import IdKind
from app.services.person_service import checked
from central import admin, evoucher
from central.clock import utcnow
from central.db import open_database
from central.models import EVoucher
from sync.evoucher import (
    EVoucherExpired,
    EVoucherMalformed,
    EVoucherNotAllowed,
    EVoucherOffline,
    EVoucherResolver,
    EVoucherUnknown,
    ScanKind,
    classify_scan,
)
from sync.transport import CentralClient, DeviceIdentity, Timeouts
from tests.central_support import RunningCentre, Terminal, run_centre
from tests.centre_process import free_port, running_centre

OFFLINE_ZH = "无法连接医保平台，电子凭证需要联网核验。请改用社保卡或身份证。"
EXPIRED_ZH = "电子凭证已过期，请让参保人刷新二维码后重试。"
RESOLVE = "/api/v1/evoucher/resolve"
ZHANG = evoucher.EVoucherPerson(id_number="110105198001010016", name="张𠮷")


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    folder = tmp_path_factory.mktemp("centre")
    with running_centre(folder) as process:
        db = open_database(process.db_url)  # the administrator's connection
        admin.seed_demo(db)
        yield RunningCentre(process.url, process.db_url, db, folder / "blobs")
        db.dispose()


@pytest.fixture(scope="module")
def terminal(centre: RunningCentre) -> Terminal:
    return centre.terminal()


@pytest.fixture
def resolver(terminal: Terminal) -> Iterator[EVoucherResolver]:
    client = terminal.client()
    yield EVoucherResolver(client)
    client.close()


def _row(centre: RunningCentre, token: str) -> EVoucher:
    with centre.db.read() as s:
        return s.execute(
            select(EVoucher).where(EVoucher.token_sha256 == evoucher.token_digest(token))
        ).scalar_one()


def test_an_issued_token_resolves_to_the_person(
    centre: RunningCentre, terminal: Terminal, resolver: EVoucherResolver
) -> None:
    token = centre.evoucher()
    assert token.startswith("YBEV1.") and len(token) == 49
    person = resolver.resolve(token)
    assert (person.id_kind, person.source) == (IdKind.E_VOUCHER, "evoucher")
    assert (person.id_number, person.name) == ("441802198506151320", "陈秀英")
    assert (person.sex, person.ethnicity, person.birth_date) == ("2", "01", dt.date(1985, 6, 15))
    assert person.address == "广东省清远市清城区人民路8号"
    assert checked(person) is person  # the store will take it as it is
    assert "陈秀英" not in repr(person)
    # A second scan of the same code while it is valid works too, and both are counted.
    assert resolver.resolve(token + "\r\n").name == "陈秀英"
    row = _row(centre, token)
    assert (row.resolve_count, row.last_resolved_by) == (2, terminal.device_id)


def test_a_rare_character_in_the_name_survives(
    centre: RunningCentre, resolver: EVoucherResolver
) -> None:
    person = resolver.resolve(centre.evoucher(ZHANG))
    assert person.name == "张𠮷"
    assert (person.sex, person.birth_date) == ("1", dt.date(1980, 1, 1))  # from the number


def test_round_trip_on_loopback(centre: RunningCentre, resolver: EVoucherResolver) -> None:
    token = centre.evoucher()
    times = []
    for _ in range(20):
        resolver.resolve(token)
        assert resolver.last_round_trip_ms is not None
        times.append(resolver.last_round_trip_ms)
    median = statistics.median(times)
    print(
        f"e-voucher resolve round trip on 127.0.0.1: median {median:.1f} ms, max {max(times):.1f}"
    )
    assert median < 100  # about 4 ms here: signature check, nonce and resolution, two fsyncs


def test_an_expired_token_says_so_in_chinese(
    centre: RunningCentre, terminal: Terminal, resolver: EVoucherResolver
) -> None:
    token = centre.evoucher(issued_at=utcnow() - dt.timedelta(minutes=6))  # lived 5 minutes
    with pytest.raises(EVoucherExpired) as caught:
        resolver.resolve(token)
    assert caught.value.zh == EXPIRED_ZH
    assert "refresh the QR code" in caught.value.en
    assert not caught.value.offer_cards
    answer = terminal.post(RESOLVE, {"token": token})
    assert answer.status_code == 410
    body = answer.json()
    assert body["error"] == "evoucher_expired" and body["expires_at"].endswith("Z")
    assert _row(centre, token).resolve_count == 0


def test_a_token_expires_at_its_time(centre: RunningCentre, resolver: EVoucherResolver) -> None:
    token = centre.evoucher(ttl=dt.timedelta(seconds=0.4))
    assert resolver.resolve(token).name == "陈秀英"
    time.sleep(0.45)
    with pytest.raises(EVoucherExpired):
        resolver.resolve(token)


def test_an_unknown_token(terminal: Terminal, resolver: EVoucherResolver) -> None:
    forged = "YBEV1." + secrets.token_urlsafe(32)
    with pytest.raises(EVoucherUnknown) as caught:
        resolver.resolve(forged)
    assert caught.value.zh.startswith("医保平台查无此电子凭证")
    assert caught.value.offer_cards
    answer = terminal.post(RESOLVE, {"token": forged})
    assert (answer.status_code, answer.json()["error"]) == (404, "evoucher_unknown")


def test_text_of_another_format_goes_to_the_centre_which_refuses_it(
    terminal: Terminal, resolver: EVoucherResolver
) -> None:
    other = "https://example.com/pay?id=8812345"  # some other QR code the citizen showed
    assert classify_scan(other) is ScanKind.EVOUCHER  # the client does not judge by prefix
    with pytest.raises(EVoucherMalformed) as caught:
        resolver.resolve(other)
    assert caught.value.zh == "扫到的不是医保电子凭证二维码，请扫描参保人手机上的医保电子凭证。"
    answer = terminal.post(RESOLVE, {"token": other})
    assert (answer.status_code, answer.json()["error"]) == (422, "evoucher_malformed")
    assert terminal.post(RESOLVE, {"tokens": other}).json()["error"] == "bad_request"
    bad_json = terminal.request("POST", RESOLVE, data=b"{not json")
    assert (bad_json.status_code, bad_json.json()["error"]) == (400, "bad_request")


@pytest.mark.parametrize(
    "text", ["", "   ", "short", "两个汉字不是凭证而且很长很长", "a b" * 10, "x" * 513]
)
def test_text_no_platform_issues_is_refused_without_asking(text: str) -> None:
    # Pointed at a port where nothing listens: had it asked, the answer would be "offline".
    client = CentralClient(f"http://127.0.0.1:{free_port()}", DeviceIdentity("dev_x", b"k"))
    with pytest.raises(EVoucherMalformed):
        EVoucherResolver(client).resolve(text)
    assert classify_scan(text) is ScanKind.UNREADABLE


def test_scans_are_classified_without_the_network() -> None:
    assert classify_scan("YB4418022611230000123") is ScanKind.RECEIPT
    assert classify_scan(" YBEV1." + "A" * 43 + "\n") is ScanKind.EVOUCHER
    assert classify_scan("0123456789ABCDEF") is ScanKind.EVOUCHER


def test_the_centre_stopped_offers_the_cards(tmp_path: Path) -> None:
    with run_centre(tmp_path) as own:
        client = own.terminal().client()
        resolver = EVoucherResolver(client)
        token = own.evoucher()
        assert resolver.resolve(token).name == "陈秀英"
    started = time.monotonic()
    with pytest.raises(EVoucherOffline) as caught:
        resolver.resolve(token)
    assert time.monotonic() - started < 3
    assert caught.value.zh == OFFLINE_ZH
    assert caught.value.offer_cards and "ID card" in caught.value.en
    client.close()


def test_a_centre_that_does_not_answer_times_out_quickly() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        client = CentralClient(f"http://127.0.0.1:{port}", DeviceIdentity("dev_x", b"k"))
        resolver = EVoucherResolver(client, Timeouts(connect=0.5, read=0.5))
        started = time.monotonic()
        with pytest.raises(EVoucherOffline) as caught:
            resolver.resolve("YBEV1." + "A" * 43)
        assert 0.4 < time.monotonic() - started < 2
        assert caught.value.zh == OFFLINE_ZH
        client.close()


def test_only_activated_devices_may_resolve(centre: RunningCentre) -> None:
    token = centre.evoucher()
    not_activated = CentralClient(centre.url, None)
    with pytest.raises(EVoucherNotAllowed) as caught:
        EVoucherResolver(not_activated).resolve(token)
    assert "终端尚未激活" in caught.value.zh and "请改用社保卡或身份证" in caught.value.zh
    unsigned = requests.post(centre.url + RESOLVE, json={"token": token}, timeout=10)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "auth_missing")
    stranger = CentralClient(centre.url, DeviceIdentity("dev_" + "0" * 24, b"s" * 32))
    with pytest.raises(EVoucherNotAllowed):
        EVoucherResolver(stranger).resolve(token)
    revoked = centre.terminal()
    admin.revoke(centre.db, revoked.device_id)
    with pytest.raises(EVoucherNotAllowed) as caught:
        EVoucherResolver(revoked.client()).resolve(token)
    assert "此终端已被停用" in caught.value.zh
    assert _row(centre, token).resolve_count == 0


def test_a_clock_the_centre_finds_off_is_corrected_once(
    centre: RunningCentre, terminal: Terminal
) -> None:
    client = CentralClient(
        centre.url, DeviceIdentity(terminal.device_id, terminal.secret), clock_offset_s=-3600
    )
    assert EVoucherResolver(client).resolve(centre.evoucher()).name == "陈秀英"
    client.close()


def test_logs_carry_neither_token_nor_person(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with run_centre(tmp_path) as own:  # in this process, so its log records are captured
        resolver = EVoucherResolver(own.terminal().client())
        token = own.evoucher(ZHANG)
        resolver.resolve(token)
        with pytest.raises(EVoucherUnknown):
            resolver.resolve("YBEV1." + secrets.token_urlsafe(32))
        with pytest.raises(EVoucherExpired):
            resolver.resolve(own.evoucher(ZHANG, issued_at=utcnow() - dt.timedelta(hours=1)))
    text = "\n".join(r.getMessage() for r in caplog.records)
    for logged in ("resolved by device", "unknown token", "expired", "issued"):
        assert logged in text
    for secret in (token, token[6:], "张𠮷", "110105198001010016"):
        assert secret not in text


def test_cli_issues_a_token_that_resolves(
    centre: RunningCentre,
    resolver: EVoucherResolver,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--data-dir", str(tmp_path), "central", "evoucher", "issue", "--db", centre.db_url]
    png = tmp_path / "qr.png"
    code = yibao([*args, "--id-number", "110105198001010016", "--name", "张三", "--minutes", "5"])
    assert code == 0
    token = capsys.readouterr().out.splitlines()[0]
    assert resolver.resolve(token).name == "张三"
    assert yibao([*args, "--demo", "--json", "--png", str(png)]) == 0
    issued = json.loads(capsys.readouterr().out)
    expires = dt.datetime.fromisoformat(issued["expires_at"].removesuffix("Z"))
    assert dt.timedelta(minutes=4) < expires - utcnow() <= dt.timedelta(minutes=5)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert resolver.resolve(issued["token"]).name == "陈秀英"
    assert yibao([*args, "--id-number", "110105198001010017", "--name", "张三"]) == 1
    assert "身份证号码无效" in capsys.readouterr().err
