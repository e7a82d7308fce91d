"""Plausible, valid form values and photos for drills, the demo and the benchmarks.

Everything here passes the same validation as typed input; nothing bypasses it.
"""

from __future__ import annotations

import datetime as dt
import random
import struct
from pathlib import Path

from stdnum import luhn
from stdnum.cn import uscc

from app.catalog.schema import CatalogItem, FieldSpec, FieldType
from app.identity import PersonRead

DEMO_PHOTO = Path(__file__).resolve().parent.parent.parent / "resources" / "demo" / "portrait.jpg"


def demo_value(spec: FieldSpec, rng: random.Random, today: dt.date) -> str | bool:
    """A value a careful operator might type into `spec`, as text (or a bool)."""
    t = spec.type
    if t is FieldType.TEXT:
        text = "演练数据" + str(rng.randrange(100))
        return text[: spec.max_length or 100]
    if t is FieldType.LONG_TEXT:
        return "演练用申请说明，情况属实。"[: spec.max_length or 500]
    if t is FieldType.PHONE:
        return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    if t is FieldType.BANK_CARD:
        body = "622202" + "".join(rng.choice("0123456789") for _ in range(12))
        return body + luhn.calc_check_digit(body)
    if t is FieldType.ID_NUMBER:
        return random_id_number(rng)
    if t is FieldType.BIRTH_CERT:
        return rng.choice("ABCDEFGHJKMNOPQRSTUVWXYZ") + f"{rng.randrange(10**9):09d}"
    if t is FieldType.DATE:
        if spec.not_past:
            return (today + dt.timedelta(days=rng.randrange(0, 30))).isoformat()
        if spec.not_future:
            return (today - dt.timedelta(days=rng.randrange(1, 300))).isoformat()
        return today.isoformat()
    if t is FieldType.AMOUNT:
        low = spec.min_value if spec.min_value is not None else 1
        high = spec.max_value if spec.max_value is not None else 10_000_00
        fen = rng.randrange(low, min(high, low + 500_000) + 1)
        return f"{fen // 100}.{fen % 100:02d}"
    if t is FieldType.INTEGER:
        low = spec.min_value if spec.min_value is not None else 0
        high = spec.max_value if spec.max_value is not None else low + 10
        return str(rng.randrange(low, min(high, low + 10) + 1))
    if t is FieldType.CHOICE:
        return rng.choice(spec.choices).value
    if t is FieldType.BOOLEAN:
        return rng.choice([True, False])
    if t is FieldType.REGION:
        return rng.choice(["441802", "110105", "510104", "330106"])
    if t is FieldType.USCC:
        body = "91441802" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        return body + uscc.calc_check_digit(body)
    raise AssertionError(f"no demo value for {t}")  # pragma: no cover


def demo_values(
    item: CatalogItem, person: PersonRead, rng: random.Random, today: dt.date | None = None
) -> dict[str, object]:
    """Values for every field of `item`; prefilled fields take the person's data."""
    today = today or dt.date.today()
    prefill = person.prefill()
    values: dict[str, object] = {}
    for spec in item.fields:
        if spec.prefill is not None and spec.prefill.value in prefill:
            values[spec.key] = prefill[spec.prefill.value]
        else:
            values[spec.key] = demo_value(spec, rng, today)
    return values


def random_id_number(rng: random.Random) -> str:
    from stdnum.cn import ric

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 70))
    body = f"441802{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def demo_photo(rng: random.Random, size: int = 200_000) -> bytes:
    """A valid JPEG of about `size` bytes, unique per call (random comment segments).

    Unique bytes matter: attachments are content-addressed, so identical photos would be
    stored and sent once and make drills and benchmarks lie about volume.
    """
    base = DEMO_PHOTO.read_bytes()
    assert base[:2] == b"\xff\xd8"
    segments = []
    remaining = max(size - len(base), 16)
    while remaining > 0:
        chunk = min(remaining, 65_000)
        segments.append(b"\xff\xfe" + struct.pack(">H", chunk + 2) + rng.randbytes(chunk))
        remaining -= chunk + 4
    return base[:2] + b"".join(segments) + base[2:]
