"""The protocol's error answers (§2 of docs/sync-protocol.md) and the handlers that send them.

Every error body carries the error class, a Chinese and an English message and the server's
time. Nothing unexpected reaches a client as a traceback: it is logged and answered 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from central.clock import unix_now

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success, with the fields of §2 and any extra ones (`received`)."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        message_en: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(f"{status} {error}: {message_en}")
        self.status = status
        self.error = error
        self.message = message
        self.message_en = message_en
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        return error_response(
            self.status, self.error, self.message, self.message_en, self.headers, **self.extra
        )


def error_response(
    status: int,
    error: str,
    message: str,
    message_en: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "error": error,
        "message": message,
        "message_en": message_en,
        "server_time": unix_now(),
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers)


def bad_request(detail_zh: str, detail_en: str) -> ApiError:
    return ApiError(
        400, "bad_request", f"请求格式有误：{detail_zh}", f"Malformed request: {detail_en}"
    )


def not_found(what_zh: str, what_en: str) -> ApiError:
    return ApiError(404, "not_found", f"中心没有{what_zh}", f"The centre holds no {what_en}")


def too_large(detail_zh: str, detail_en: str) -> ApiError:
    return ApiError(413, "too_large", f"请求过大：{detail_zh}", f"Request too large: {detail_en}")


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', '')}")
    return "; ".join(parts)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = _describe_validation(exc)
    return bad_request(detail, detail).response()


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return not_found("此地址", "such path").response()
    if exc.status_code == 405:
        return error_response(405, "bad_request", "不支持此请求方法", "Method not allowed")
    if exc.status_code >= 500:
        return error_response(exc.status_code, "server_error", "中心出错", "The centre failed")
    return error_response(exc.status_code, "bad_request", "请求有误", str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        500, "server_error", "中心出错，请稍后重试", "The centre failed; retry later"
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
