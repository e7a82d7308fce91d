"""A real TCP/HTTP proxy on 127.0.0.1 that sits between a terminal and the centre and breaks
the line on purpose, for the sync chaos tests.

What it simulates, per request, chosen with the plan's probabilities from a seeded
`random.Random` (the plan can be changed while the proxy runs):

* `refuse`: the link goes down. This request is forwarded and answered, but the proxy stops
  listening (for `down_s`) before it hands the answer back, so the client's next connections
  are refused (ECONNREFUSED: the client knows that nothing left).
* `reset_before`: the connection is reset after the request was read; the centre never
  sees it.
* `reset_after`: the request is forwarded, the centre's whole answer is read (the centre has
  committed), then the client's connection is reset: the centre acted, the client saw nothing.
* `slow`: the request is forwarded and answered by the centre, but the answer is held past
  the client's read timeout (the client gives up on a request the centre carried out).
* `late`: the request is held past the client's read timeout and only then forwarded (a
  request stuck in a queue reaches the centre after the client gave up, possibly while the
  client is already retrying it).
* `error_500`: answered `500 server_error` without forwarding.
* `rate_limited`: answered `429 rate_limited` with `Retry-After: 1` without forwarding.

One request per connection: the proxy reads one request (headers and a Content-Length body),
forwards it with `Connection: close`, reads the whole answer (Content-Length, chunked, or up
to the close) and hands it back with `Connection: close` and a Content-Length, so a
keep-alive client opens a new connection for every request and each one meets its own fate.
Counters say how many requests were seen, forwarded and hit by each fault, so a test can
prove that every kind of fault was exercised.
"""

from __future__ import annotations

import json
import random
import select
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

HEADER_LIMIT = 64 * 1024
IO_TIMEOUT_S = 30.0


class Fault(StrEnum):
    REFUSE = "refuse"
    RESET_BEFORE = "reset_before"
    RESET_AFTER = "reset_after"
    SLOW = "slow"
    LATE = "late"
    ERROR_500 = "error_500"
    RATE_LIMITED = "rate_limited"


@dataclass
class FaultPlan:
    """Per-request probabilities of each fault (the rest are forwarded untouched), how long a
    slow answer or a late request is held, and how long the link stays down after `refuse`."""

    rates: dict[Fault, float] = field(default_factory=dict)
    hold_s: float = 3.0
    down_s: tuple[float, float] = (0.3, 1.2)
    only: str = ""  # faults only for requests whose "METHOD /path" starts with this

    def __post_init__(self) -> None:
        if sum(self.rates.values()) > 1.0:
            raise ValueError("fault probabilities add up to more than 1")


class ProtocolError(Exception):
    """The peer did not speak HTTP/1.1 as this proxy understands it."""


@dataclass
class _Message:
    head: bytes  # the start line
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def encode(self, extra: Mapping[str, str] | None = None) -> bytes:
        """The message with `Connection: close` and an exact Content-Length."""
        skip = {"connection", "keep-alive", "content-length", "transfer-encoding", "host"}
        extra = extra or {}
        skip |= {k.lower() for k in extra}
        lines = [self.head.decode("latin-1")]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in skip]
        lines += [f"{k}: {v}" for k, v in extra.items()]
        lines += [f"Content-Length: {len(self.body)}", "Connection: close", "", ""]
        return "\r\n".join(lines).encode("latin-1") + self.body


class _Reader:
    """Buffered reads from a socket: up to a delimiter, an exact count, or the end."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buf = b""
        self.eof = False

    def _more(self) -> None:
        data = self._sock.recv(65536)
        if not data:
            self.eof = True
            raise ProtocolError("the peer closed the connection")
        self._buf += data

    def until(self, delimiter: bytes, limit: int = HEADER_LIMIT) -> bytes:
        while delimiter not in self._buf:
            if len(self._buf) > limit:
                raise ProtocolError("header too long")
            self._more()
        line, self._buf = self._buf.split(delimiter, 1)
        return line

    def exactly(self, n: int) -> bytes:
        while len(self._buf) < n:
            self._more()
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def rest(self) -> bytes:
        with suppress(ProtocolError):
            while True:
                self._more()
        data, self._buf = self._buf, b""
        return data


def _read_message(reader: _Reader, *, is_response: bool) -> _Message:
    head, *lines = reader.until(b"\r\n\r\n").split(b"\r\n")
    headers = []
    for line in lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    message = _Message(head, headers, b"")
    if (message.header("transfer-encoding") or "").lower() == "chunked":
        parts = []
        while size := int(reader.until(b"\r\n").split(b";")[0], 16):
            parts.append(reader.exactly(size))
            reader.exactly(2)
        while reader.until(b"\r\n"):  # trailers, up to the empty line
            pass
        message.body = b"".join(parts)
    elif (length := message.header("content-length")) is not None:
        message.body = reader.exactly(int(length))
    elif is_response and not _bodiless(head):
        message.body = reader.rest()  # delimited by the close
    return message


def _bodiless(status_line: bytes) -> bool:
    parts = status_line.split()
    return len(parts) > 1 and (parts[1].startswith(b"1") or parts[1] in (b"204", b"304"))


def _reset(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN: the peer sees 'connection reset'."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.close()


def error_answer(status: int, error: str, zh: str, en: str, headers: Mapping[str, str]) -> bytes:
    """An error answer shaped like the centre's own (§2 of the protocol)."""
    body = json.dumps(
        {"error": error, "message": zh, "message_en": en, "server_time": int(time.time())},
        ensure_ascii=False,
    ).encode()
    reason = {429: "Too Many Requests", 500: "Internal Server Error"}[status]
    head = f"HTTP/1.1 {status} {reason}".encode()
    extra = {"Content-Type": "application/json", **headers}
    return _Message(head, [], body).encode(extra)


class FaultProxy:
    """Listens on 127.0.0.1 (a port of its own) and forwards to `upstream_url`'s host."""

    def __init__(self, upstream_url: str, plan: FaultPlan | None = None, seed: int = 0) -> None:
        target = urlsplit(upstream_url)
        assert target.hostname and target.port, upstream_url
        self._upstream = (target.hostname, target.port)
        self.plan = plan or FaultPlan()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._down_until = 0.0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers: set[threading.Thread] = set()
        self.port = 0
        self.injected: Counter[Fault] = Counter()
        self.requests = 0
        self.forwarded = 0
        self.endpoints: Counter[str] = Counter()  # "METHOD /api/v1/endpoint": requests seen
        self.sites: Counter[str] = Counter()  # "fault METHOD /api/v1/endpoint": faults there

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        listener = self._bind()
        assert listener is not None
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            workers = list(self._workers)
        for worker in workers:
            worker.join(timeout=IO_TIMEOUT_S)

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {f.value: self.injected[f] for f in Fault} | {
                "requests": self.requests,
                "forwarded": self.forwarded,
            }

    # ---- the listener ----------------------------------------------------------------------
    def _bind(self) -> socket.socket | None:
        """A listening socket on our port, or None when the port is briefly taken (by an
        outgoing connection that got it as its local port while we were down)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", self.port))
            sock.listen(64)
        except OSError:
            sock.close()
            return None
        return sock

    def go_down(self, seconds: float) -> None:
        """Stop listening now for `seconds`: connections meanwhile are refused."""
        with self._lock:
            self._down_until = time.monotonic() + seconds
            if self._listener is not None:
                self._listener.close()
                self._listener = None

    def back_up(self) -> None:
        """End an outage now: the proxy listens again within a few milliseconds."""
        with self._lock:
            self._down_until = 0.0

    def _go_down(self) -> None:
        """The outage after a `refuse` fault, as long as the plan says."""
        with self._lock:
            seconds = self._rng.uniform(*self.plan.down_s)
        self.go_down(seconds)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                if self._listener is None and time.monotonic() >= self._down_until:
                    self._listener = self._bind()
                listener = self._listener
            if listener is None:
                time.sleep(0.01)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.05)
                if not ready:
                    continue
                conn, _ = listener.accept()
            except (OSError, ValueError):  # closed under us by _go_down
                continue
            worker = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._workers = {w for w in self._workers if w.is_alive()} | {worker}
            worker.start()

    # ---- one request -----------------------------------------------------------------------
    def _choose(self, label: str) -> Fault | None:
        endpoint = "/".join(label.split("/")[:4])  # without keys and hashes
        with self._lock:
            self.requests += 1
            self.endpoints[endpoint] += 1
            if not label.startswith(self.plan.only):
                return None
            roll = self._rng.random()
            for fault, rate in self.plan.rates.items():
                if roll < rate:
                    self.injected[fault] += 1
                    self.sites[f"{fault.value} {endpoint}"] += 1
                    return fault
                roll -= rate
            return None

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(IO_TIMEOUT_S)
        try:
            request = _read_message(_Reader(conn), is_response=False)
        except (OSError, ProtocolError, ValueError):
            conn.close()
            return
        method, target, *_ = [*request.head.decode("latin-1").split(), "", ""]
        label = f"{method} {urlsplit(target).path}"
        fault = self._choose(label)
        try:
            if fault is Fault.RESET_BEFORE:
                _reset(conn)
                return
            if fault is Fault.ERROR_500:
                conn.sendall(
                    error_answer(
                        500, "server_error", "中心出错", "The centre failed (injected)", {}
                    )
                )
                return
            if fault is Fault.RATE_LIMITED:
                conn.sendall(
                    error_answer(
                        429,
                        "rate_limited",
                        "请求过于频繁",
                        "Too many requests (injected)",
                        {"Retry-After": "1"},
                    )
                )
                return
            if fault is Fault.LATE and self._stopping.wait(self.plan.hold_s):
                return
            answer = self._forward(request)
            if fault is Fault.RESET_AFTER:
                _reset(conn)
                return
            if fault is Fault.SLOW and self._stopping.wait(self.plan.hold_s):
                return
            if fault is Fault.REFUSE:
                self._go_down()  # before answering, so the client's next connection is refused
            conn.sendall(answer)
        except (OSError, ProtocolError, ValueError):
            _reset(conn)
        finally:
            with suppress(OSError):
                conn.close()

    def _forward(self, request: _Message) -> bytes:
        host, port = self._upstream
        with socket.create_connection((host, port), timeout=IO_TIMEOUT_S) as upstream:
            upstream.sendall(request.encode({"Host": f"{host}:{port}"}))
            answer = _read_message(_Reader(upstream), is_response=True)
        with self._lock:
            self.forwarded += 1
        return answer.encode()


@contextmanager
def fault_proxy(
    upstream_url: str, plan: FaultPlan | None = None, seed: int = 0
) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream_url, plan, seed).start()
    try:
        yield proxy
    finally:
        proxy.stop()
