"""Operators log in against the centre (docs/sync-protocol.md §10), through the client's own
transport (sync.operator_login) over HTTP on 127.0.0.1.

The centre is the real `yibao central serve` process, seeded with `yibao central seed-demo
--json --operator-password` as an administrator runs it; other operators are registered
through the administrator's functions on its database, the way the CLI does it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import update

from app.cli import main as yibao
from central import admin, passwords
from central.clock import utcnow
from central.db import open_database
from central.models import Operator
from sync.operator_login import (
    CentreLogin,
    CentreLoginResult,
    CentreUnavailable,
    CentreUnreachable,
    LoginLocked,
    LoginRefused,
    OperatorInactive,
    PasswordWeak,
    TerminalNotAllowed,
)
from sync.transport import CentralClient, DeviceIdentity, Timeouts
from tests.central_support import DEMO, RunningCentre, Terminal, run_centre
from tests.centre_process import running_centre

LOGIN = "/api/v1/operators/login"
PASSWORD = "/api/v1/operators/password"
REFUSED_ZH = "工号或密码不正确。"
NEW = "Xin-mima-2027"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningCentre, str]]:
    folder = tmp_path_factory.mktemp("centre")
    with running_centre(folder) as process:
        out = process.admin("seed-demo", "--json", "--operator-password")
        assert out.returncode == 0, out.stderr
        printed = json.loads(out.stdout.strip().splitlines()[-1])
        assert {"station", "enrolment_code", "operator_password"} <= set(printed)
        db = open_database(process.db_url)  # the administrator's connection
        yield (
            RunningCentre(process.url, process.db_url, db, folder / "blobs"),
            printed["operator_password"],
        )
        db.dispose()


@pytest.fixture(scope="module")
def centre(seeded: tuple[RunningCentre, str]) -> RunningCentre:
    return seeded[0]


@pytest.fixture(scope="module")
def demo_password(seeded: tuple[RunningCentre, str]) -> str:
    return seeded[1]


@pytest.fixture(scope="module")
def terminal(centre: RunningCentre) -> Terminal:
    return centre.terminal()


@pytest.fixture
def centre_login(terminal: Terminal) -> Iterator[CentreLogin]:
    client = terminal.client()
    yield CentreLogin(client)
    client.close()


def _row(centre: RunningCentre, code: str, station: str = DEMO) -> Operator:
    with centre.db.read() as s:
        row = s.get(Operator, (station, code))
        assert row is not None
        return row


def _refusal(answer: requests.Response) -> tuple[int, dict[str, Any]]:
    body = answer.json()
    body.pop("server_time")
    return answer.status_code, body


def test_the_demo_operators_log_in_with_the_printed_password(
    centre: RunningCentre, terminal: Terminal, centre_login: CentreLogin, demo_password: str
) -> None:
    assert demo_password == admin.DEMO_OPERATOR_PASSWORD
    result = centre_login.login(" DEMO01 ", demo_password)
    assert result == CentreLoginResult(
        code="DEMO01",
        name="李明",
        status="active",
        roles=("township_agent",),
        offline_login_days=7,
        must_change_password=False,
        password_changed_at=result.password_changed_at,
    )
    assert result.password_changed_at is not None
    assert abs(result.password_changed_at - utcnow()) < dt.timedelta(minutes=5)
    assert centre_login.login("DEMO02", demo_password).roles == (
        "township_agent",
        "insurance_helper",
    )
    raw = terminal.post(LOGIN, {"operator": "DEMO01", "password": demo_password})
    assert raw.status_code == 200
    assert set(raw.json()) == {
        "operator",
        "offline_login_days",
        "must_change_password",
        "password_changed_at",
        "server_time",
    }
    assert "scrypt" not in raw.text and demo_password not in raw.text
    row = _row(centre, "DEMO01")
    assert row.password_verifier is not None
    assert row.password_verifier.startswith("scrypt$16384$8$1$")
    assert demo_password not in row.password_verifier
    assert row.last_login_at is not None and row.failed_logins == 0


def test_round_trip_on_loopback(centre_login: CentreLogin, demo_password: str) -> None:
    times = []
    for _ in range(10):
        centre_login.login("DEMO01", demo_password)
        assert centre_login.last_round_trip_ms is not None
        times.append(centre_login.last_round_trip_ms)
    median = statistics.median(times)
    print(f"operator login round trip on 127.0.0.1: median {median:.1f} ms, max {max(times):.1f}")
    assert median < 500  # about 50 ms here, nearly all of it scrypt


def test_unknown_foreign_and_wrong_look_the_same(
    centre: RunningCentre, terminal: Terminal, centre_login: CentreLogin, demo_password: str
) -> None:
    centre.operator("SAME01", "Right-pass-1")
    centre.operator("NOPW01", None)  # registered, no password set yet
    other = centre.new_station("SAME-441802-002")
    centre.operator("FOREIGN1", "Foreign-pass-1", station="SAME-441802-002")
    other_login = CentreLogin(other.client())
    assert other_login.login("FOREIGN1", "Foreign-pass-1").code == "FOREIGN1"  # at home: fine
    tries = [
        ("SAME01", "wrong-password"),  # wrong password
        ("NOBODY99", demo_password),  # nobody has this code
        ("FOREIGN1", "Foreign-pass-1"),  # another station's operator, right password
        ("NOPW01", demo_password),  # no password set
        ("", demo_password),
    ]
    answers = [_refusal(terminal.post(LOGIN, {"operator": c, "password": p})) for c, p in tries]
    assert answers[0] == (
        401,
        {
            "error": "login_failed",
            "message": "工号或密码不正确",
            "message_en": answers[0][1]["message_en"],
        },
    )
    assert all(a == answers[0] for a in answers), answers
    for code, password in tries:
        with pytest.raises(LoginRefused) as caught:
            centre_login.login(code, password)
        assert caught.value.zh == REFUSED_ZH
        assert caught.value.en == "Wrong operator code or password."
    assert not isinstance(caught.value, CentreUnreachable)  # no fallback to offline


def test_five_wrong_passwords_lock_the_operator_for_15_minutes(
    centre: RunningCentre, terminal: Terminal, centre_login: CentreLogin
) -> None:
    code = centre.operator("LOCK01", "Right-pass-1")
    for attempt in range(1, 5):
        with pytest.raises(LoginRefused):
            centre_login.login(code, f"wrong-{attempt}")
    assert _row(centre, code).failed_logins == 4
    with pytest.raises(LoginLocked) as caught:
        centre_login.login(code, "wrong-5")
    assert caught.value.minutes == 15 and 890 <= caught.value.retry_after_s <= 900
    assert caught.value.zh == "密码错误次数过多，此工号已锁定，请 15 分钟后再试。"
    # The right password is refused while locked, by the client and on the wire.
    with pytest.raises(LoginLocked):
        centre_login.login(code, "Right-pass-1")
    raw = terminal.post(LOGIN, {"operator": code, "password": "Right-pass-1"})
    body = raw.json()
    assert (raw.status_code, body["error"]) == (429, "login_locked")
    assert 890 <= body["retry_after_s"] <= 900
    assert int(raw.headers["Retry-After"]) == body["retry_after_s"]
    # A password change is refused as well.
    with pytest.raises(LoginLocked):
        CentreLogin(terminal.client()).change_password(code, "Right-pass-1", NEW)
    # Fifteen minutes later (the lock is moved into the past): in again, and counting anew.
    with centre.db.write() as s:
        s.execute(
            update(Operator)
            .where(Operator.code == code)
            .values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
    assert centre_login.login(code, "Right-pass-1").code == code
    row = _row(centre, code)
    assert (row.failed_logins, row.locked_until) == (0, None)
    # A success resets the count: four wrong, one right, four wrong is no lock.
    for round_ in range(2):
        for attempt in range(4):
            with pytest.raises(LoginRefused):
                centre_login.login(code, f"wrong-{round_}-{attempt}")
        if round_ == 0:
            centre_login.login(code, "Right-pass-1")
    assert centre_login.login(code, "Right-pass-1").code == code


def test_concurrent_wrong_passwords_all_count(centre: RunningCentre, terminal: Terminal) -> None:
    code = centre.operator("RACE01", "Right-pass-1")
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        client = terminal.client()
        try:
            CentreLogin(client).login(code, f"guess-{n}")
        except (LoginRefused, LoginLocked) as exc:
            with lock:
                outcomes.append(type(exc).__name__)
        finally:
            client.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["LoginLocked"] + ["LoginRefused"] * 4
    with pytest.raises(LoginLocked):
        CentreLogin(terminal.client()).login(code, "Right-pass-1")


def test_a_suspended_operator_learns_it_only_with_the_right_password(
    centre: RunningCentre, terminal: Terminal, centre_login: CentreLogin
) -> None:
    code = centre.operator("SUSP01", "Right-pass-1", status="suspended")
    with pytest.raises(OperatorInactive) as caught:
        centre_login.login(code, "Right-pass-1")
    assert caught.value.zh.startswith("此工号已停用")
    raw = terminal.post(LOGIN, {"operator": code, "password": "Right-pass-1"})
    assert (raw.status_code, raw.json()["error"]) == (403, "operator_inactive")
    with pytest.raises(LoginRefused):
        centre_login.login(code, "wrong-password")
    with pytest.raises(OperatorInactive):
        centre_login.change_password(code, "Right-pass-1", NEW)


def test_password_change(
    centre: RunningCentre, terminal: Terminal, centre_login: CentreLogin
) -> None:
    code = centre.operator("CHG01", "Initial-pass-1", must_change=True)
    first = centre_login.login(code, "Initial-pass-1")
    assert first.must_change_password
    # The old password wrong: refused, and it counts towards the lock-out.
    with pytest.raises(LoginRefused) as refused:
        centre_login.change_password(code, "not-the-old-one", NEW)
    assert refused.value.zh == REFUSED_ZH
    assert _row(centre, code).failed_logins == 1
    # Weak new passwords, before the old one is even checked.
    weak = {
        "short-1": "too_short",
        "123456789": "digits_only",
        "Initial-pass-1": "same_as_old",
        "x" * 129: "too_long",
    }
    for new, rule in weak.items():
        with pytest.raises(PasswordWeak) as caught:
            centre_login.change_password(code, "Initial-pass-1", new)
        assert caught.value.rule == rule
    assert caught.value.zh == "新密码不能超过 128 位。"
    raw = terminal.post(
        PASSWORD, {"operator": code, "old_password": "Initial-pass-1", "new_password": "1234"}
    )
    assert (raw.status_code, raw.json()["error"], raw.json()["rule"]) == (
        422,
        "password_weak",
        "too_short",
    )
    assert _row(centre, code).failed_logins == 1
    # Ten digits are fine; so is the good one.
    centre_login.change_password(code, "Initial-pass-1", "1234567890")
    centre_login.change_password(code, "1234567890", NEW)
    with pytest.raises(LoginRefused):
        centre_login.login(code, "1234567890")
    after = centre_login.login(code, NEW)
    assert not after.must_change_password
    assert after.password_changed_at is not None and first.password_changed_at is not None
    assert after.password_changed_at >= first.password_changed_at
    row = _row(centre, code)
    assert row.password_verifier is not None and NEW not in row.password_verifier
    # The same change sent again is refused: the old password is not the password any more.
    raw = terminal.post(
        PASSWORD, {"operator": code, "old_password": "1234567890", "new_password": NEW}
    )
    assert (raw.status_code, raw.json()["error"]) == (401, "login_failed")
    assert _row(centre, code).password_verifier == row.password_verifier


def test_a_change_whose_answer_was_lost_is_found_out_when_repeated(
    centre: RunningCentre, terminal: Terminal
) -> None:
    code = centre.operator("LOST01", "Before-pass-1")
    client = terminal.client()
    centre_login = CentreLogin(client, Timeouts(connect=2.0, read=0.005))  # gives up at once
    with pytest.raises(CentreUnreachable) as caught:
        centre_login.change_password(code, "Before-pass-1", NEW)
    assert caught.value.maybe_delivered
    time.sleep(0.5)  # the centre finishes the change nobody waits for
    centre_login.timeouts = Timeouts(connect=2.0, read=5.0)
    centre_login.change_password(code, "Before-pass-1", NEW)  # the operator tries again: done
    assert centre_login.login(code, NEW).code == code
    assert _row(centre, code).failed_logins == 0
    # Without a lost answer before it, a wrong old password is just that.
    with pytest.raises(LoginRefused):
        centre_login.change_password(code, "Before-pass-1", "Another-pass-2")
    client.close()


def test_cli_set_password_and_offline_days(
    centre: RunningCentre,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    station = "DAYS-441802-003"
    days_terminal = centre.new_station(station)
    code = centre.operator("CLI01", None, station=station)
    centre_login = CentreLogin(days_terminal.client())

    def central(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        exit_code = yibao(["--data-dir", str(tmp_path), "central", *args, "--db", centre.db_url])
        out, err = capsys.readouterr()
        return exit_code, out, err

    with pytest.raises(LoginRefused):  # registered, but no password yet
        centre_login.login(code, "Env-pass-123")
    monkeypatch.setenv("YIBAO_OPERATOR_PASSWORD", "Env-pass-123")
    exit_code, out, _ = central("set-password", station, code)
    assert exit_code == 0 and "Env-pass-123" not in out and "must change" in out
    assert centre_login.login(code, "Env-pass-123").must_change_password
    monkeypatch.delenv("YIBAO_OPERATOR_PASSWORD")
    exit_code, out, _ = central(
        "set-password",
        station,
        code,
        "--password",
        "Flag-pass-123",
        "--no-change-required",
        "--json",
    )
    assert exit_code == 0
    assert json.loads(out)["must_change_password"] is False
    assert not centre_login.login(code, "Flag-pass-123").must_change_password
    with pytest.raises(LoginRefused):
        centre_login.login(code, "Env-pass-123")
    # No password and no terminal to ask on: a usage error. Weak or unknown: refused.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    exit_code, _, err = central("set-password", station, code)
    assert exit_code == 2 and "YIBAO_OPERATOR_PASSWORD" in err
    exit_code, _, err = central("set-password", station, code, "--password", "12345678")
    assert exit_code == 1 and "纯数字密码至少 10 位" in err
    exit_code, _, err = central("set-password", station, "NOBODY", "--password", "Flag-pass-123")
    assert exit_code == 1 and "没有经办人员 NOBODY" in err
    # Offline log-in days: in the log-in answer and in the station the terminal syncs.
    assert central("set-offline-days", station, "3")[0] == 0
    assert centre_login.login(code, "Flag-pass-123").offline_login_days == 3
    station_view = days_terminal.get("/api/v1/reference").json()["station"]
    assert station_view["offline_login_days"] == 3
    assert central("set-offline-days", station, "0")[0] == 0
    assert centre_login.login(code, "Flag-pass-123").offline_login_days == 0
    exit_code, _, err = central("set-offline-days", station, "91")
    assert exit_code == 1 and "0 到 90" in err
    # seed-demo again without the option leaves the demo operators' passwords alone.
    exit_code, out, _ = central("seed-demo", "--json")
    assert exit_code == 0 and set(json.loads(out)) == {"station", "enrolment_code"}


def test_the_centre_stopped_is_unreachable_not_a_refusal(tmp_path: Path) -> None:
    with run_centre(tmp_path) as own:
        client = own.terminal().client()
        centre_login = CentreLogin(client)
        assert centre_login.login("DEMO01", admin.DEMO_OPERATOR_PASSWORD).name == "李明"
    started = time.monotonic()
    with pytest.raises(CentreUnreachable) as caught:
        centre_login.login("DEMO01", admin.DEMO_OPERATOR_PASSWORD)
    assert time.monotonic() - started < 3
    assert type(caught.value) is CentreUnreachable
    assert caught.value.zh == "无法连接医保平台，不能在线验证工号和密码。"
    with pytest.raises(CentreUnreachable):
        centre_login.change_password("DEMO01", admin.DEMO_OPERATOR_PASSWORD, NEW)
    client.close()


def test_a_centre_that_does_not_answer_times_out_quickly() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        client = CentralClient(
            f"http://127.0.0.1:{silent.getsockname()[1]}", DeviceIdentity("dev_x", b"k")
        )
        started = time.monotonic()
        with pytest.raises(CentreUnreachable):
            CentreLogin(client, Timeouts(connect=0.5, read=0.5)).login("DEMO01", "whatever-1")
        assert 0.4 < time.monotonic() - started < 2
        client.close()


def test_a_centre_without_operator_login_is_unavailable(
    centre: RunningCentre, terminal: Terminal
) -> None:
    # Nothing is served under this prefix: the 404 of a platform that lacks §10.
    client = CentralClient(
        centre.url + "/elsewhere", DeviceIdentity(terminal.device_id, terminal.secret)
    )
    with pytest.raises(CentreUnavailable) as caught:
        CentreLogin(client).login("DEMO01", admin.DEMO_OPERATOR_PASSWORD)
    assert isinstance(caught.value, CentreUnreachable)  # the terminal may fall back
    client.close()


def test_only_activated_terminals_of_active_stations_may_ask(
    centre: RunningCentre, terminal: Terminal, demo_password: str
) -> None:
    body = {"operator": "DEMO01", "password": demo_password}
    unsigned = requests.post(centre.url + LOGIN, json=body, timeout=10)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "auth_missing")
    unsigned = requests.post(
        centre.url + PASSWORD, json={**body, "old_password": "x", "new_password": NEW}, timeout=10
    )
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "auth_missing")
    with pytest.raises(TerminalNotAllowed) as caught:
        CentreLogin(CentralClient(centre.url, None)).login("DEMO01", demo_password)
    assert "终端尚未激活" in caught.value.zh
    stranger = CentralClient(centre.url, DeviceIdentity("dev_" + "0" * 24, b"s" * 32))
    with pytest.raises(TerminalNotAllowed):
        CentreLogin(stranger).login("DEMO01", demo_password)
    revoked = centre.terminal()
    admin.revoke(centre.db, revoked.device_id)
    with pytest.raises(TerminalNotAllowed) as caught:
        CentreLogin(revoked.client()).login("DEMO01", demo_password)
    assert "此终端已被停用" in caught.value.zh
    suspended = centre.new_station("SUSP-441802-004")
    centre.operator("SUSPST1", "Right-pass-1", station="SUSP-441802-004")
    admin.set_station_status(centre.db, "SUSP-441802-004", "suspended")
    with pytest.raises(TerminalNotAllowed) as caught:
        CentreLogin(suspended.client()).login("SUSPST1", "Right-pass-1")
    assert "站点已暂停" in caught.value.zh
    # A malformed body is a client bug, answered 400 without a word about the operator.
    answer = terminal.post(LOGIN, {"operator": "DEMO01"})
    assert (answer.status_code, answer.json()["error"]) == (400, "bad_request")
    assert demo_password not in answer.text


def test_a_clock_the_centre_finds_off_is_corrected_once(
    centre: RunningCentre, terminal: Terminal, demo_password: str
) -> None:
    client = CentralClient(
        centre.url, DeviceIdentity(terminal.device_id, terminal.secret), clock_offset_s=-3600
    )
    assert CentreLogin(client).login("DEMO01", demo_password).code == "DEMO01"
    client.close()


def test_logs_carry_no_password(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with run_centre(tmp_path) as own:  # in this process, so its log records are captured
        own.operator("LOG01", "Logged-never-1")
        centre_login = CentreLogin(own.terminal().client())
        centre_login.login("LOG01", "Logged-never-1")
        with pytest.raises(LoginRefused):
            centre_login.login("LOG01", "Typo-never-2")
        with pytest.raises(LoginRefused):  # a password typed into the code field
            centre_login.login("Typed-in-code-3", "x-never-4")
        with pytest.raises(PasswordWeak):
            centre_login.change_password("LOG01", "Logged-never-1", "weak-5")
        centre_login.change_password("LOG01", "Logged-never-1", "Changed-never-6")
        with own.db.read() as s:
            row = s.get(Operator, (DEMO, "LOG01"))
            assert row is not None and row.password_verifier is not None
            verifier = row.password_verifier
    text = "\n".join(r.getMessage() for r in caplog.records)
    for logged in ("operator login ok: LOG01", "unknown operator", "password change ok"):
        assert logged in text
    for secret in ("never", "Typed-in-code", "weak-5", verifier, verifier.split("$")[-1]):
        assert secret not in text


def test_verifiers_and_the_password_rule() -> None:
    verifier = passwords.make_verifier("Zhang-san-1")
    assert verifier.split("$")[:4] == ["scrypt", "16384", "8", "1"]
    assert passwords.make_verifier("Zhang-san-1") != verifier  # a fresh salt each time
    assert passwords.check(verifier, "Zhang-san-1")
    assert not passwords.check(verifier, "zhang-san-1")
    assert not passwords.check(None, "Zhang-san-1")
    assert not passwords.check("scrypt$1$1$1$AAAA$AAAA", "Zhang-san-1")  # refused, not tried
    assert not passwords.needs_rehash(verifier)
    cheaper = "scrypt$1024$8$1$" + "$".join(verifier.split("$")[4:])
    assert passwords.needs_rehash(cheaper)
    # The same characters typed through another input method are the same password.
    assert passwords.check(passwords.make_verifier("Café-mima-1"), "Cafe\u0301-mima-1")
    assert passwords.weakness("1234567") is passwords.Weakness.TOO_SHORT
    assert passwords.weakness("123456789") is passwords.Weakness.DIGITS_ONLY
    assert passwords.weakness("1234567890") is None
    assert passwords.weakness("医保服务站密码二") is None  # eight Chinese characters
    assert passwords.weakness("Same-pass-1", "Same-pass-1") is passwords.Weakness.SAME_AS_OLD
