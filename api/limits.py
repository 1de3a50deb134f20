"""Bounds on a request: the body's size (read no further than the bound), the page's size,
and errors in one shape with a Chinese reason ({"detail": …, "errors": {field: […]}})."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler

from districts.access import NotNow


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求体过大。"
    default_code = "too_large"


def max_body() -> int:
    return settings.API_MAX_BODY_BYTES


class BoundedJSONParser(JSONParser):
    """JSON of at most API_MAX_BODY_BYTES, refused before it is read in full."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body()
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(length or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise TooLarge(f"请求体最多 {limit} 字节。")
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise TooLarge(f"请求体最多 {limit} 字节。")
        return super().parse(io.BytesIO(data), media_type, parser_context)


class Pages(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "没有这一页。"


def _messages(detail) -> dict[str, list[str]]:
    """DRF's nested validation errors as {field: [message, …]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            key = "" if key == "non_field_errors" else str(key)
            for sub, messages in _messages(value).items():
                out.setdefault(f"{key}.{sub}" if sub else key, []).extend(messages)
        return out
    if isinstance(detail, list):
        out: dict[str, list[str]] = {}
        for item in detail:
            for key, messages in _messages(item).items():
                out.setdefault(key, []).extend(messages)
        return out
    return {"": [str(detail)]}


def handle(exc, context):
    """Every error as {"detail": …} (and "errors" per field for a 400)."""
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError("请求体不是有效的 JSON。")
    elif isinstance(exc, NotNow):
        # Allowed, but not in the object's present state (a race after the view's check).
        return error(409, " ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "没有找到。")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "你的角色无权进行这项操作。")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _messages(exc.detail)
        first = next((m for ms in errors.values() for m in ms), "请求有误。")
        response.data = {"detail": first, "errors": errors}
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = {"detail": f"请求太频繁，请 {wait} 秒后再试。"}
    elif not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": str(response.data)}
    else:
        response.data = {"detail": str(response.data["detail"])}
    return response


def error(status_code: int, detail: str, **extra) -> Response:
    return Response({"detail": detail, **extra}, status=status_code)
