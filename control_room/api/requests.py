"""Reading API request bodies strictly: malformed JSON is a 400 that says where, too big is a 413."""
from __future__ import annotations

import json
from typing import Any

from flask import request
from sqlalchemy import String

from control_room.api.errors import ApiError
from control_room.context import services
from control_room.queue.models import WorkItem


def _payload_limit() -> int:
    return services().settings.max_payload_bytes


def json_body(allow_any: bool = False) -> Any:
    """The request's JSON body: an object unless `allow_any`. An empty body reads as {}."""
    limit = body_limit(_payload_limit())
    if request.content_length is not None and request.content_length > limit:
        raise body_too_large(limit)
    return parse_json_body(request.get_data(cache=True), allow_any)


def body_limit(payload_limit: int) -> int:
    """A body may be twice the payload limit (JSON framing, escapes); beyond that it is not read."""
    return payload_limit * 2


def body_too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"the request body exceeds {limit} bytes")


def parse_json_body(raw: bytes, allow_any: bool = False) -> Any:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not allow_any and not isinstance(body, dict):
        raise ApiError(400, "bad_json", f"expected a JSON object, got {type(body).__name__}")
    return body


_REFERENCE_TYPE = WorkItem.__table__.c.reference.type
if not isinstance(_REFERENCE_TYPE, String) or _REFERENCE_TYPE.length is None:
    raise TypeError("work_items.reference must be a String column of bounded length")
REFERENCE_MAX: int = _REFERENCE_TYPE.length


def checked_reference(value: Any, where: str) -> str | None:
    """A work item's unique reference as a client sent it: absent, or a non-blank text that fits."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > REFERENCE_MAX:
        raise ApiError(400, "bad_request", f"{where} must be a non-empty text of at most {REFERENCE_MAX} characters")
    return value


def reject_large_payload(payload: Any) -> None:
    limit = _payload_limit()
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size > limit:
        raise ApiError(413, "payload_too_large", f"the payload is {size} bytes; the limit is {limit} bytes")


def storable_text(text: str) -> str:
    """Text both databases can store, changed visibly where it had to be: NUL (which PostgreSQL's text
    refuses) becomes "␀", and a lone surrogate (not UTF-8) its escape, e.g. "\\ud800"."""
    if "\x00" in text:
        text = text.replace("\x00", "␀")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
