"""The two robot API calls a bot makes for every work item — reserve the next one, release it — served
by a lean WSGI front that sits before Flask.

robocorp-workitems calls `reserve-next-work-item` and `release-work-item` once per item, so a busy
queue sees hundreds of them a second. Both need nothing of Flask (no cookie session, no template, no
form): a bearer token, a small JSON body, one transaction and a small JSON answer. Served through
Flask's request machinery (contexts, routing, hooks, the response object) they cost as much CPU as
their database work; here they cost a regular expression. Everything else goes on to Flask, and the
rules (run tokens, route checks, body limits, transitions, error shapes) are the same functions the
Flask routes use. On PostgreSQL the common case (a live run reserving, or completing what it holds) is
one statement (one_statement_calls.py); the rest takes the general path below.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_input_stream

from control_room.access.tokens import bearer_token, token_hash
from control_room.api.errors import ApiError, error_body
from control_room.api.requests import body_limit, body_too_large, parse_json_body
from control_room.api.run_auth import authenticated_run, check_run_route
from control_room.audit.actors import Actor
from control_room.context import Services
from control_room.fleet.runs import WORKSPACE_ID, RunContext
from control_room.queue import transitions
from control_room.queue.models import ExceptionType, WorkItem
from control_room.queue.one_statement_calls import OneStatementCalls, RunRoute
from control_room.queue.reservation import reserve_next
from control_room.serving.security_headers import COMMON_HEADERS, HSTS_HEADER
from control_room.storage.engine import is_postgres

log = logging.getLogger(__name__)

ROUTE = re.compile(r"/process-v1/workspaces/(?P<ws>[^/]+)/processes/(?P<process_id>\d+)/runs/(?P<process_run_id>\d+)"
                   r"/robotRuns/(?P<step_run_id>\d+)/(?P<call>reserve-next-work-item|release-work-item)")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


RESERVE = "reserve-next-work-item"


def _reserved(item_id: int | None) -> dict[str, Any]:
    return {"workItemId": str(item_id) if item_id is not None else None}


def _released(item_id: int, state: str) -> dict[str, Any]:
    return {"workItemId": str(item_id), "state": state}


def reserve(session: Session, run: RunContext) -> dict[str, Any]:
    actor = Actor.run(run.step_run_id)
    return _reserved(reserve_next(session, run.queue_id, run.step_run_id, run.lease_seconds, actor))


def _release_request(raw_body: bytes) -> tuple[dict[str, Any], int, Any]:
    """(body, item id, state) of a release call, or ApiError."""
    body = parse_json_body(raw_body)
    try:
        item_id, state = int(body["workItemId"]), body["state"]
    except (KeyError, TypeError, ValueError):
        raise ApiError(400, "bad_request", "workItemId and state are required") from None
    if not 0 < item_id < 2**63:  # beyond any id the database can hold
        raise ApiError(404, "not_found", f"no work item {item_id}")
    return body, item_id, state


def release(session: Session, run: RunContext, raw_body: bytes) -> dict[str, Any]:
    body, item_id, state = _release_request(raw_body)
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
    return _released(item_id, state)


class RobotQueueFront:
    """WSGI middleware: answers the two per-item calls itself and passes every other request on."""

    def __init__(self, app: WsgiApp, services: Services) -> None:
        self._app, self._services = app, services
        self._one_statement = OneStatementCalls(services.engine) if is_postgres(services.engine) else None

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
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [payload]

    def _serve(self, match: re.Match, environ: dict) -> dict[str, Any]:
        raw_body = self._read_body(environ)
        if self._one_statement is not None:
            answer = self._in_one_statement(self._one_statement, match, environ.get("HTTP_AUTHORIZATION", ""), raw_body)
            if answer is not None:
                return answer
        with self._services.sessions() as session:
            run = authenticated_run(session, environ.get("HTTP_AUTHORIZATION", ""), match["ws"])
            check_run_route(run, int(match["process_id"]), int(match["process_run_id"]), int(match["step_run_id"]))
            answer = reserve(session, run) if match["call"] == RESERVE else release(session, run, raw_body)
            session.commit()
        return answer

    def _in_one_statement(self, calls: OneStatementCalls, match: re.Match, authorization: str,
                          raw_body: bytes) -> dict[str, Any] | None:
        """The common case (a live run reserving, or completing an item it holds) in one statement on
        PostgreSQL; None for anything else, which the general path then serves or refuses in words."""
        token = bearer_token(authorization)
        if match["ws"] != WORKSPACE_ID or token is None:
            return None
        route = RunRoute(token_hash(token), int(match["process_id"]), int(match["process_run_id"]),
                         int(match["step_run_id"]))
        now = self._services.clock.now()
        if match["call"] == RESERVE:
            authorised, item_id = calls.reserve(route, now)
            return _reserved(item_id) if authorised else None
        try:
            _body, item_id, state = _release_request(raw_body)
        except ApiError:
            return None
        if state != "COMPLETED" or not calls.complete(route, item_id, now):
            return None
        return _released(item_id, state)

    def _read_body(self, environ: dict) -> bytes:
        limit = body_limit(self._services.settings.max_payload_bytes)
        try:  # werkzeug's guard: never reads past Content-Length, nor waits for a body that was not sent
            return get_input_stream(environ, max_content_length=limit).read()
        except RequestEntityTooLarge:
            raise body_too_large(limit) from None
