"""The centre's HTTP API (docs/sync-protocol.md), as a FastAPI application.

Handlers are plain functions (run in the thread pool) over the modules that do the work;
the only async code reads request bodies with a size cap before anything else happens.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from central.activation import activate
from central.attachments import CHUNK_LIMIT, Attachments
from central.audit import AuditUpload, store_events
from central.auth import Caller, Verifier, read_body, signed
from central.blobstore import BlobStore
from central.catalogs import CatalogIndex
from central.clock import unix_now
from central.commands import lookup_any
from central.db import Database, open_database
from central.errors import bad_request, install_error_handlers, too_large
from central.evoucher import ResolveRequest, resolve
from central.feed import FEED_LIMIT_MAX, status_feed
from central.heartbeat import record_heartbeat
from central.insured import (
    IssueRequest,
    QueryRequest,
    issue_document,
    query,
    verification,
    verification_page,
)
from central.intake import Intake
from central.operators import LoginRequest, PasswordChangeRequest, change_password, login
from central.reference import reference
from central.schemas import ActivateRequest, BatchRequest, HeartbeatRequest

BATCH_ITEMS_MAX = 200
BATCH_BYTES_MAX = 8 << 20
SMALL_BODY_MAX = 64 << 10
AUDIT_BYTES_MAX = 2 << 20  # 500 events with room for long details

Signed = Annotated[Caller, Depends(signed(SMALL_BODY_MAX))]
SignedBatch = Annotated[Caller, Depends(signed(BATCH_BYTES_MAX))]
SignedChunk = Annotated[Caller, Depends(signed(CHUNK_LIMIT))]
SignedAudit = Annotated[Caller, Depends(signed(AUDIT_BYTES_MAX))]
Sha = Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")]
M = TypeVar("M", bound=BaseModel)


@dataclass
class Centre:
    """What the handlers share: the database and the services over it."""

    db: Database
    attachments: Attachments
    intake: Intake


def _centre(request: Request) -> Centre:
    centre: Centre = request.app.state.centre
    return centre


CentreDep = Annotated[Centre, Depends(_centre)]


def _parse(model: type[M], body: bytes | Any) -> M:
    try:
        if isinstance(body, bytes):
            return model.model_validate_json(body)
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        detail = f"{where}: {first['msg']}"
        raise bad_request(detail, detail) from None


router = APIRouter(prefix="/api/v1")


@router.post("/activate")
async def post_activate(request: Request) -> dict[str, Any]:
    body = await read_body(request, SMALL_BODY_MAX)
    payload = _parse(ActivateRequest, body)
    centre = _centre(request)
    return await run_in_threadpool(activate, centre.db, payload)


@router.get("/attachments/{sha256}")
def get_attachment(sha256: Sha, caller: Signed, centre: CentreDep) -> dict[str, Any]:
    return centre.attachments.state(caller.station_code, sha256).as_json()


@router.put("/attachments/{sha256}")
def put_attachment(
    sha256: Sha,
    caller: SignedChunk,
    centre: CentreDep,
    offset: Annotated[int, Query(ge=0)],
    size: Annotated[int, Query(ge=0)],
) -> dict[str, Any]:
    state = centre.attachments.put(caller.station_code, sha256, offset, size, caller.body)
    return state.as_json()


@router.post("/filings/batch")
def post_batch(caller: SignedBatch, centre: CentreDep) -> dict[str, Any]:
    try:
        raw = json.loads(caller.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise bad_request("请求体不是 JSON", "the body is not JSON") from None
    items = raw.get("items") if isinstance(raw, dict) else None
    if isinstance(items, list) and len(items) > BATCH_ITEMS_MAX:
        most = BATCH_ITEMS_MAX
        raise too_large(f"一批最多 {most} 项", f"at most {most} items a batch")
    batch = _parse(BatchRequest, raw)
    results = centre.intake.take(caller, batch.items)
    return {"results": results, "server_time": unix_now()}


@router.get("/filings/{idempotency_key}")
def get_filing(idempotency_key: str, caller: Signed, centre: CentreDep) -> dict[str, Any]:
    return lookup_any(centre.db, caller.station_code, idempotency_key)


@router.get("/status-feed")
def get_status_feed(
    caller: Signed,
    centre: CentreDep,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=FEED_LIMIT_MAX)] = 500,
) -> dict[str, Any]:
    return status_feed(centre.db, caller.station_code, cursor, limit)


@router.get("/reference")
def get_reference(
    caller: Signed,
    centre: CentreDep,
    catalog: Annotated[str | None, Query(max_length=32)] = None,
    roster: int | None = None,
    announcements: int | None = None,
    members: int | None = None,
) -> dict[str, Any]:
    return reference(centre.db, caller.station_code, catalog, roster, announcements, members)


@router.post("/heartbeat")
def post_heartbeat(caller: Signed, centre: CentreDep) -> dict[str, Any]:
    beat = _parse(HeartbeatRequest, caller.body)
    return record_heartbeat(centre.db, caller.device_id, beat)


@router.post("/audit")
def post_audit(caller: SignedAudit, centre: CentreDep) -> dict[str, Any]:
    upload = _parse(AuditUpload, caller.body)
    return store_events(centre.db, caller, upload.events)


@router.post("/evoucher/resolve")
def post_evoucher_resolve(caller: Signed, centre: CentreDep) -> dict[str, Any]:
    request = _parse(ResolveRequest, caller.body)
    return resolve(centre.db, caller, request.token)


@router.post("/operators/login")
def post_operator_login(caller: Signed, centre: CentreDep) -> dict[str, Any]:
    request = _parse(LoginRequest, caller.body)
    return login(centre.db, caller, request.operator, request.password)


@router.post("/operators/password")
def post_operator_password(caller: Signed, centre: CentreDep) -> dict[str, Any]:
    request = _parse(PasswordChangeRequest, caller.body)
    return change_password(
        centre.db, caller, request.operator, request.old_password, request.new_password
    )


@router.post("/insured/query")
def post_insured_query(caller: Signed, centre: CentreDep) -> dict[str, Any]:
    request = _parse(QueryRequest, caller.body)
    return query(centre.db, caller, request)


@router.post("/documents/issue")
def post_document_issue(caller: Signed, centre: CentreDep, request: Request) -> dict[str, Any]:
    wanted = _parse(IssueRequest, caller.body)
    return issue_document(centre.db, caller, wanted, str(request.base_url))


# Public and unsigned: anyone holding a printed certificate checks it here (§13). Not part of
# the station API, so not in its schema.
public = APIRouter()


@public.get("/verify/{code}", include_in_schema=False)
def get_verify(
    code: Annotated[str, PathParam(max_length=64)],
    centre: CentreDep,
    fmt: Annotated[str, Query(alias="format", pattern="^(html|json)$")] = "html",
) -> Response:
    found = verification(centre.db, code)
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    status = 200 if found is not None else 404
    if fmt == "json":
        body: dict[str, Any] = (
            found
            if found is not None
            else {
                "genuine": False,
                "error": "not_found",
                "message": "查无此证明，校验码不是医保平台出具的",
                "message_en": "No document with this code was issued by the platform",
            }
        )
        return JSONResponse({**body, "server_time": unix_now()}, status, headers)
    return HTMLResponse(verification_page(found, code), status, headers)


def create_app(db_url: str, blob_dir: Path) -> FastAPI:
    """The centre's application over the database at `db_url` and attachments in `blob_dir`."""
    db = open_database(db_url)
    app = FastAPI(
        title="Yibao Station reference centre",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.centre = Centre(
        db=db,
        attachments=Attachments(db, BlobStore(blob_dir)),
        intake=Intake(db, CatalogIndex(db)),
    )
    app.state.verifier = Verifier(db)
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(public)
    return app
