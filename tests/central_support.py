"""Helpers for the central tests: the reference centre on a real port, and a minimal signing
terminal that speaks docs/sync-protocol.md the way a client must."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import uvicorn
from fastapi import FastAPI

from app.ids import new_uid
from app.services.filing_service import frozen_json
from central import admin, evoucher
from central.api import create_app
from central.db import Database, open_database
from central.models import Role
from sync.transport import CentralClient, DeviceIdentity, Timeouts

DEMO = admin.DEMO_STATION
CATALOG = "2026.11.1"
ITEM = "CX-CBDJ-001"  # 城乡居民参保登记, a township application
AGENT_ROLE = "township_agent"


@dataclass
class RunningCentre:
    url: str
    db_url: str
    db: Database  # the administrator's own connection, as the CLI would have
    blob_dir: Path

    def code(self, station: str = DEMO, ttl: dt.timedelta = admin.DEFAULT_CODE_TTL) -> str:
        return admin.create_enrolment_code(self.db, station, ttl).enrolment_code

    def terminal(self, station: str = DEMO) -> Terminal:
        return activate(self.url, self.code(station))

    def evoucher(
        self,
        person: evoucher.EVoucherPerson = evoucher.DEMO_PERSON,
        ttl: dt.timedelta = evoucher.DEFAULT_TTL,
        issued_at: dt.datetime | None = None,
    ) -> str:
        """The QR text of a new e-voucher token, as `yibao central evoucher issue` prints it;
        `issued_at` in the past gives a token that has already expired."""
        return evoucher.issue(self.db, person, ttl, issued_at).token

    def operator(
        self,
        code: str,
        password: str | None = admin.DEMO_OPERATOR_PASSWORD,
        *,
        station: str = DEMO,
        name: str = "测试经办人",
        status: str = "active",
        must_change: bool = False,
    ) -> str:
        """A registered operator of `station` with an agent role and, unless None, a password
        (as `yibao central set-password` sets it); returns the code."""
        with self.db.read() as s:
            has_role = s.get(Role, (station, AGENT_ROLE)) is not None
        if not has_role:
            admin.set_role(self.db, station, AGENT_ROLE, "经办人员", "township", [ITEM])
        admin.set_operator(self.db, station, code, name, [AGENT_ROLE])
        if password is not None:
            admin.set_operator_password(self.db, station, code, password, must_change=must_change)
        if status != "active":
            admin.set_operator(self.db, station, code, name, [AGENT_ROLE], status=status)
        return code

    def new_station(self, code: str, items: Sequence[str] | None = None) -> Terminal:
        """A station of its own (clean counters) and an activated terminal on it."""
        admin.add_station(
            self.db,
            admin.StationSpec(
                code, f"测试站 {code}", "township", "township", "township", "441802", items=items
            ),
        )
        return self.terminal(code)


@contextmanager
def run_centre(
    folder: Path, customise: Callable[[FastAPI], None] | None = None
) -> Iterator[RunningCentre]:
    """The centre on 127.0.0.1 with a free port, serving from a thread, with the demo seeded."""
    db_url = f"sqlite:///{folder / 'centre.db'}"
    blob_dir = folder / "blobs"
    app = create_app(db_url, blob_dir)
    if customise is not None:
        customise(app)
    db = open_database(db_url)
    admin.seed_demo(db)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the centre did not start")
        time.sleep(0.02)
    try:
        yield RunningCentre(f"http://127.0.0.1:{port}", db_url, db, blob_dir)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        db.dispose()
        app.state.centre.db.dispose()


def activate(base_url: str, code: str, name: str = "counter-1") -> Terminal:
    answer = requests.post(
        f"{base_url}/api/v1/activate",
        json={"enrolment_code": code, "device_name": name, "client_version": "0.1.0"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Terminal(base_url, body["device_id"], base64.b64decode(body["device_secret"]), body)


def sign(secret: bytes, method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    text = "\n".join([method, target, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


class Terminal:
    """An activated device that signs every request (§4)."""

    def __init__(self, base_url: str, device_id: str, secret: bytes, activation: Any) -> None:
        self.base_url = base_url
        self.device_id = device_id
        self.secret = secret
        self.activation = activation
        self.station = activation["station"]["code"] if activation else DEMO

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
        secret: bytes | None = None,
        device_id: str | None = None,
        sent_body: bytes | None = None,
    ) -> requests.Response:
        """Sign and send; `sent_body` replaces the body after signing (tampering)."""
        body = json.dumps(json_body).encode() if json_body is not None else (data or b"")
        content_type = "application/json" if json_body is not None else "application/octet-stream"
        prepared = requests.Request(
            method, self.base_url + path, data=body, headers={"Content-Type": content_type}
        ).prepare()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        once = nonce or secrets.token_hex(16)
        signature = sign(secret or self.secret, method, prepared.path_url, stamp, once, body)
        prepared.headers.update(
            {
                "X-Yibao-Device": device_id or self.device_id,
                "X-Yibao-Timestamp": stamp,
                "X-Yibao-Nonce": once,
                "X-Yibao-Signature": signature,
            }
        )
        if sent_body is not None:
            prepared.prepare_body(sent_body, None)
        with requests.Session() as session:
            return session.send(prepared, timeout=30)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def client(self, timeouts: Timeouts | None = None) -> CentralClient:
        """The client's own transport (sync.transport) with this device's identity."""
        identity = DeviceIdentity(self.device_id, self.secret)
        return CentralClient(self.base_url, identity, timeouts=timeouts)

    def post(self, path: str, body: Any, **kw: Any) -> requests.Response:
        return self.request("POST", path, json_body=body, **kw)

    def send(self, *items: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.post("/api/v1/filings/batch", {"items": list(items)})
        assert answer.status_code == 200, answer.text
        results: list[dict[str, Any]] = answer.json()["results"]
        return results

    def upload(self, data: bytes, chunk: int = 64 * 1024) -> dict[str, Any]:
        sha = hashlib.sha256(data).hexdigest()
        offset = 0
        answer: dict[str, Any] = {}
        while True:
            part = data[offset : offset + chunk]
            reply = self.request(
                "PUT", f"/api/v1/attachments/{sha}?offset={offset}&size={len(data)}", data=part
            )
            assert reply.status_code == 200, reply.text
            answer = reply.json()
            offset += len(part)
            if offset >= len(data):
                return answer


def payload_for(
    key: str,
    station: str = DEMO,
    item_code: str = ITEM,
    catalog_version: str = CATALOG,
    attachments: Sequence[bytes] = (),
    phone: str = "13800138000",
) -> dict[str, Any]:
    """A payload shaped like the one FilingService.submit freezes."""
    return {
        "uid": key,
        "item_code": item_code,
        "catalog_version": catalog_version,
        "station": station,
        "operator": "DEMO01",
        "created_at": "2026-11-23T02:41:07Z",
        "values": {"name": "张三", "id_number": "440102199001011234", "phone": phone},
        "person": {
            "id_kind": "resident_id",
            "id_number": "440102199001011234",
            "name": "张三",
            "source": "simulated",
        },
        "attachments": [
            {
                "code": "id_copy",
                "sha256": hashlib.sha256(a).hexdigest(),
                "size": len(a),
                "mime": "image/jpeg",
            }
            for a in attachments
        ],
        "references": None,
        "materials_pending": False,
    }


def batch_item(payload: dict[str, Any] | bytes, **override: Any) -> dict[str, Any]:
    """The batch entry for a payload (a dict is frozen as the client freezes it)."""
    frozen = payload if isinstance(payload, bytes) else frozen_json(payload)
    doc = payload if isinstance(payload, dict) else {}
    item = {
        "idempotency_key": doc.get("uid") or new_uid(),
        "kind": "filing",
        "item_code": doc.get("item_code", ITEM),
        "catalog_version": doc.get("catalog_version", CATALOG),
        "payload_sha256": hashlib.sha256(frozen).hexdigest(),
        "payload": base64.b64encode(frozen).decode(),
        "attachments": [a["sha256"] for a in doc.get("attachments", [])],
    }
    item.update(override)
    return item


def filing(station: str = DEMO, **kw: Any) -> dict[str, Any]:
    """A valid batch item with a fresh key."""
    return batch_item(payload_for(new_uid(), station=station, **kw))
