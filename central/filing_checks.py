"""The centre's checks of one filing or command in a batch: each failure is a reason the
operator can read (Chinese and English), never an HTTP error, because one bad item never fails
a batch."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.ratings import Rating, check_reasons
from central.schemas import BatchItem

# Commands about a filing already accepted (§6): they reference it by its idempotency key.
SUPPLEMENT = "supplement"
RATING = "rating"
COMMAND_KINDS = frozenset({SUPPLEMENT, RATING})
_KEY = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")

# The payload as app.services.filing_service freezes it, and the type each field must have.
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "uid": str,
    "item_code": str,
    "catalog_version": str,
    "station": str,
    "operator": str,
    "created_at": str,
    "values": dict,
    "person": dict,
    "attachments": list,
}


@dataclass(frozen=True)
class Rejection:
    reason: str
    reason_en: str


@dataclass(frozen=True)
class StationFacts:
    """What the checks need to know about the sending station."""

    code: str
    region_code: str
    enabled_items: frozenset[str]


def decode_payload(item: BatchItem) -> bytes | Rejection:
    try:
        return base64.b64decode(item.payload, validate=True)
    except (binascii.Error, ValueError):
        return Rejection("申请内容无法解码（不是有效的 base64）", "Payload is not valid base64")


def hash_mismatch() -> Rejection:
    return Rejection("申请内容与其校验值不符", "Payload does not match its SHA-256")


def check_filing(
    item: BatchItem,
    payload: bytes,
    station: StationFacts,
    catalog_kinds: Mapping[str, str] | None,
) -> Rejection | None:
    """None when the centre accepts this filing's content, else why not."""
    if item.kind != "filing":
        return Rejection(
            f"中心暂不受理此类提交（{item.kind}）", f"The centre does not take “{item.kind}” items"
        )
    if catalog_kinds is None:
        return Rejection(
            f"中心没有事项目录版本 {item.catalog_version}",
            f"Unknown catalog version {item.catalog_version}",
        )
    kind = catalog_kinds.get(item.item_code)
    if kind is None:
        return Rejection(
            f"事项目录 {item.catalog_version} 中没有事项 {item.item_code}",
            f"Item {item.item_code} is not in catalog {item.catalog_version}",
        )
    if kind != "application":
        return Rejection(
            "该事项为查询或打印业务，不能作为申请提交",
            "The item is a query or printing service, not an application",
        )
    if item.item_code not in station.enabled_items:
        return Rejection("本站点未开通该事项", "This station does not handle the item")
    return _check_payload(item, payload, station)


def _check_payload(item: BatchItem, payload: bytes, station: StationFacts) -> Rejection | None:
    try:
        doc: Any = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if not isinstance(doc, dict):
        return Rejection("申请内容不是有效的 JSON 对象", "Payload is not a valid JSON object")
    missing = [k for k, t in _REQUIRED.items() if not isinstance(doc.get(k), t)]
    if missing:
        names = ", ".join(missing)
        return Rejection(
            f"申请内容缺少必填项或类型不对：{names}",
            f"Payload lacks required fields or has them of the wrong type: {names}",
        )
    if doc["item_code"] != item.item_code or doc["catalog_version"] != item.catalog_version:
        return Rejection(
            "申请内容中的事项或目录版本与提交信息不符",
            "The payload's item or catalog version differs from the item sent",
        )
    if doc["station"] != station.code:
        return Rejection("申请所属站点与本终端不符", "The payload names another station")
    named = _attachment_hashes(doc["attachments"])
    if named is None or named != set(item.attachments):
        return Rejection(
            "申请内容中的附件与提交的附件清单不符",
            "The payload's attachments differ from the attachments listed",
        )
    return None


def _attachment_hashes(entries: list[Any]) -> set[str] | None:
    hashes = set()
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            return None
        hashes.add(entry["sha256"])
    return hashes


@dataclass(frozen=True)
class CommandDoc:
    """A command's payload as checked: what the database stage needs of it."""

    kind: str
    references: str  # the idempotency key of the filing it is about
    operator: str | None
    created_at: dt.datetime  # naive UTC
    rating: str | None = None
    reasons: tuple[str, ...] = ()


def _malformed(what: str, what_en: str) -> Rejection:
    return Rejection(f"内容有误：{what}", f"Malformed command: {what_en}")


def check_command(item: BatchItem, payload: bytes, station: StationFacts) -> CommandDoc | Rejection:
    """A supplement's or rating's payload (as app.services.command_service freezes it), or why
    the centre refuses it. Whether the filing it references exists is decided later, in the
    batch's transaction."""
    try:
        doc: Any = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if not isinstance(doc, dict):
        return Rejection("内容不是有效的 JSON 对象", "Payload is not a valid JSON object")
    required = ("uid", "kind", "references", "station", "created_at")
    missing = [k for k in required if not isinstance(doc.get(k), str)]
    if missing or not isinstance(doc.get("operator"), str | None):
        names = ", ".join(missing or ["operator"])
        return _malformed(f"缺少必填项或类型不对：{names}", f"missing or mistyped: {names}")
    if doc["kind"] != item.kind or doc["uid"] != item.idempotency_key:
        return _malformed("类型或编号与提交信息不符", "kind or uid differs from the item sent")
    if doc["station"] != station.code:
        return Rejection("所属站点与本终端不符", "The payload names another station")
    if not _KEY.match(doc["references"]):
        return _malformed("所涉申请编号无效", "references is not an idempotency key")
    try:
        at = dt.datetime.fromisoformat(doc["created_at"].removesuffix("Z"))
    except ValueError:
        return _malformed("时间格式不对", "created_at is not an ISO 8601 time")
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    common = {"references": doc["references"], "operator": doc["operator"], "created_at": at}
    if item.kind == SUPPLEMENT:
        entries = doc.get("attachments")
        named = _attachment_hashes(entries) if isinstance(entries, list) else None
        if not named:
            return _malformed("补充材料清单为空或有误", "a supplement lists no attachments")
        if named != set(item.attachments):
            return Rejection(
                "内容中的附件与提交的附件清单不符",
                "The payload's attachments differ from the attachments listed",
            )
        return CommandDoc(SUPPLEMENT, **common)
    if item.attachments:
        return _malformed("评价不能带附件", "a rating carries no attachments")
    reasons = doc.get("reasons")
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        return _malformed("评价原因须为代码列表", "reasons must be a list of codes")
    try:
        level = Rating(str(doc.get("rating")))
        codes = check_reasons(level, reasons)
    except ValueError:
        return _malformed("评价等级或原因不在可选范围内", "unknown rating or reason")
    return CommandDoc(RATING, **common, rating=level.value, reasons=codes)
