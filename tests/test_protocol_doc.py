"""docs/sync-protocol.md matches the code: the same endpoints, the same error classes."""

from __future__ import annotations

import re
from pathlib import Path

from central.api import create_app
from sync.errors import _REACTIONS

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "sync-protocol.md").read_text(encoding="utf-8")


def documented_endpoints() -> set[tuple[str, str]]:
    found = set()
    for method, path in re.findall(r"`(GET|POST|PUT|DELETE) (/api/v1/[^`?\s]*)", DOC):
        found.add((method.lower(), path))
    return found


def test_every_endpoint_is_documented_and_every_documented_one_exists(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'c.db'}", tmp_path / "blobs")
    served = {
        (method, path) for path, methods in app.openapi()["paths"].items() for method in methods
    }
    assert served == documented_endpoints()


def test_error_classes_agree() -> None:
    section = DOC[DOC.index("## 2. Errors") : DOC.index("## 3.")]
    rows = [
        line.split("|")[2] for line in section.splitlines() if re.match(r"\| (\d{3}|\dxx) ", line)
    ]
    documented = {name for row in rows for name in re.findall(r"`([a-z_]+)`", row)}
    assert documented == set(_REACTIONS), "the client reacts to exactly the documented classes"
    central_source = "\n".join(p.read_text() for p in (REPO / "central").glob("*.py"))
    produced = {name for name in documented if f'"{name}"' in central_source}
    auth_family = set(re.findall(r'"(auth_[a-z_]+)"', central_source))
    assert auth_family <= documented, f"undocumented auth classes: {auth_family - documented}"
    # Documented for platforms that need them; the reference centre never sends these:
    # a device exists only once activated, and it does no rate limiting (the client's
    # handling of 429 is proven through the fault proxy).
    reserved = {"device_not_activated", "rate_limited"}
    assert documented - produced == reserved
