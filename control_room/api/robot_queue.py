"""The two robot API calls a bot makes for every work item — reserve the next one, release it — served
by a lean WSGI front that sits before Flask.

robocorp-workitems calls `reserve-next-work-item` and `release-work-item` once per item, so a busy
queue sees hundreds of them a second. Both need nothing of Flask (no cookie session, no template, no
form): a bearer token, a small JSON body, one transaction and a small JSON answer. Served through
Flask's request machinery (contexts, routing, hooks, the response object) they cost as much CPU as
their database work; here they cost a regular expression. Everything else goes on to Flask, and the
rules (run tokens, route checks, body limits, transitions, error shapes) are the same functions the
Flask routes use.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from control_room import transitions
from control_room.actors import Actor
from control_room.api.errors import ApiError, error_body
from control_room.api.requests import body_limit, body_too_large, parse_json_body
from control_room.api.run_auth import authenticated_run, check_run_route
from control_room.context import Services
from control_room.models import ExceptionType, WorkItem
from control_room.reservation import reserve_next
from control_room.runs import RunContext
from control_room.security_headers import COMMON_HEADERS, HSTS_HEADER

log = logging.getLogger(__name__)

ROUTE = re.compile(r"/process-v1/workspaces/(?P<ws>[^/]+)/processes/(?P<process_id>\d+)/runs/(?P<process_run_id>\d+)"
                   r"/robotRuns/(?P<step_run_id>\d+)/(?P<call>reserve-next-work-item|release-work-item)")
_REASONS = {200: "200 OK", 400: "400 BAD REQUEST", 401: "401 UNAUTHORIZED", 403: "403 FORBIDDEN",
            404: "404 NOT FOUND", 405: "405 METHOD NOT ALLOWED", 409: "409 CONFLICT",
            413: "413 REQUEST ENTITY TOO LARGE", 500: "500 INTERNAL SERVER ERROR"}

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def reserve(session: Session, run: RunContext, _raw_body: bytes) -> dict[str, Any]:
    actor = Actor.run(run.step_run_id)
    item_id = reserve_next(session, run.queue_id, run.step_run_id, run.lease_seconds, actor)
    return {"workItemId": str(item_id) if item_id is not None else None}


def release(session: Session, run: RunContext, raw_body: bytes) -> dict[str, Any]:
    body = parse_json_body(raw_body)
    try:
        item_id = int(body["workItemId"])
        state = body["state"]
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, "bad_request", "workItemId and state are required") from None
    actor = Actor.run(run.step_run_id)
    try:
        if state == "COMPLETED":
            transitions.complete(session, item_id, run.step_run_id, actor)
        elif state == "FAILED":
            exc = body.get("exception") or {}
            try:
                exc_type = ExceptionType(str(exc.get("type", "APPLICATION")).lower())
            except ValueError:
                raise ApiError(400, "bad_request", "exception.type must be BUSINESS or APPLICATION") from None
            transitions.fail(session, item_id, run.step_run_id, exc_type, exc.get("code"), exc.get("message"), actor)
        else:
            raise ApiError(400, "bad_request", "state must be COMPLETED or FAILED")
    except transitions.TransitionRefused as refused:
        if session.get(WorkItem, item_id) is None:
            raise ApiError(404, "not_found", f"no work item {item_id}") from None
        raise ApiError(409, "conflict", str(refused)) from None
    return {"workItemId": str(item_id), "state": state}


CALLS: dict[str, Callable[[Session, RunContext, bytes], dict[str, Any]]] = {
    "reserve-next-work-item": reserve,
    "release-work-item": release,
}


class RobotQueueFront:
    """WSGI middleware: answers the two per-item calls itself and passes every other request on."""

    def __init__(self, app: WsgiApp, services: Services) -> None:
        self._app, self._services = app, services

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        match = ROUTE.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return self._app(environ, start_response)
        try:
            if environ.get("REQUEST_METHOD") != "POST":
                raise ApiError(405, "method_not_allowed", "this route takes POST")
            status, answer = 200, self._serve(match, environ)
        except ApiError as error:
            status, answer = error.status, error_body(error.code, error.message, **error.extra)
        except Exception:
            log.exception("robot API call %s failed", match["call"])
            status, answer = 500, error_body("internal_error", "the control room failed to answer; see its log")
        payload = json.dumps(answer, ensure_ascii=False).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *COMMON_HEADERS]
        if environ.get("wsgi.url_scheme") == "https":
            headers.append(HSTS_HEADER)
        start_response(_REASONS.get(status, f"{status} ERROR"), headers)
        return [payload]

    def _serve(self, match: re.Match, environ: dict) -> dict[str, Any]:
        raw_body = self._read_body(environ)
        with self._services.sessions() as session:
            run = authenticated_run(session, environ.get("HTTP_AUTHORIZATION", ""), match["ws"])
            check_run_route(run, int(match["process_id"]), int(match["process_run_id"]), int(match["step_run_id"]))
            answer = CALLS[match["call"]](session, run, raw_body)
            session.commit()
        return answer

    def _read_body(self, environ: dict) -> bytes:
        limit = body_limit(self._services.settings.max_payload_bytes)
        try:  # werkzeug's guard: never reads past Content-Length, nor waits for a body that was not sent
            return get_input_stream(environ, max_content_length=limit).read()
        except RequestEntityTooLarge:
            raise body_too_large(limit) from None
