"""The OpenAPI 3.1 document of the native API, served at /api/v1/openapi.json."""
from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, *, security: str = "apiToken", body: dict | None = None, params: list | None = None,
        responses: dict[str, str] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "security": [{security: []}] if security else [],
                          "responses": {code: {"description": text, **(
                              {"content": {"application/json": {"schema": ERROR}}} if int(code) >= 400 else {})}
                              for code, text in (responses or {"200": "OK"}).items()}}
    for code in ("400", "401", "403"):
        op["responses"].setdefault(code, {"description": "error", "content": {"application/json": {"schema": ERROR}}})
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _q(name: str, description: str, schema_type: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": schema_type}}


def _p(name: str) -> dict[str, Any]:
    schema_type = "integer" if name.endswith("id") else "string"
    return {"name": name, "in": "path", "required": True, "schema": {"type": schema_type}}


NEW_ITEM = {"$ref": "#/components/schemas/NewItem"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "arfleet control room — native API", "version": "1"},
    "components": {
        "securitySchemes": {
            "apiToken": {"type": "http", "scheme": "bearer", "description": "a person's API token"},
            "runnerCredential": {"type": "http", "scheme": "bearer", "description": "a runner's credential"},
        },
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "NewItem": {"type": "object", "properties": {
                "payload": {"type": "object"}, "reference": {"type": "string", "maxLength": 255},
                "priority": {"type": "integer"}, "deadline": {"type": "string", "format": "date-time"},
                "defer_until": {"type": "string", "format": "date-time"}}},
        },
    },
    "paths": {
        "/api/v1/items": {
            "post": _op("Create one item, a batch ({process, items}) or one item with files (multipart: item, file)",
                        body={"allOf": [NEW_ITEM, {"type": "object", "required": ["process"], "properties": {
                            "process": {"type": "string"}, "items": {"type": "array", "items": NEW_ITEM}}}]},
                        responses={"201": "created", "409": "duplicate reference (existing_item_id given)",
                                   "413": "payload or file too large"}),
            "get": _op("List items, newest first", params=[
                _q("process", "process name"), _q("queue", "queue name"), _q("state", "item state"),
                _q("reference", "exact reference"), _q("q", "text in the payload"),
                _q("created_after", "ISO date-time"), _q("created_before", "ISO date-time"),
                _q("limit", "page size (max 500)", "integer"), _q("before_id", "keyset cursor", "integer")]),
        },
        "/api/v1/items/{item_id}": {"get": _op("Item detail with payload, files, children",
                                               params=[_p("item_id")], responses={"200": "OK", "404": "no such item"})},
        "/api/v1/items/{item_id}/files/{file_id}": {"get": _op("Download an item's file",
                                                               params=[_p("item_id"), _p("file_id")])},
        "/api/v1/items/batch": {"post": _op(
            "retry | done | reject | move | delete many items with a reason (all or nothing)",
            body={"type": "object", "required": ["action", "ids", "reason"], "properties": {
                "action": {"enum": ["retry", "done", "reject", "move", "delete"]},
                "ids": {"type": "array", "items": {"type": "integer"}}, "reason": {"type": "string"},
                "queue": {"type": "string"}}},
            responses={"200": "done", "409": "some items refused; nothing changed"})},
        "/api/v1/processes/{name}/runs": {"post": _op(
            "Start a run now, optionally with payloads for its input queue", params=[_p("name")],
            body={"type": "object", "properties": {"payloads": {"type": "array", "items": NEW_ITEM}}},
            responses={"201": "run requested", "404": "no such process"})},
        "/api/v1/runs": {"get": _op("List runs", params=[_q("process", "process name"), _q("state", "run state")])},
        "/api/v1/runs/{run_id}": {"get": _op("Run detail with its steps", params=[_p("run_id")])},
        "/api/v1/runs/{run_id}/stop": {"post": _op("Stop a run", params=[_p("run_id")],
                                                   responses={"200": "stopping", "409": "already ended"})},
        "/api/v1/registration-tokens": {"post": _op(
            "Create a one-time runner registration token (shown once)",
            body={"type": "object", "properties": {"expires_in_hours": {"type": "integer"}}},
            responses={"201": "created"})},
        "/api/v1/runners/register": {"post": _op(
            "Trade a registration token for a runner credential", security="",
            body={"type": "object", "required": ["token", "name"], "properties": {
                "token": {"type": "string"}, "name": {"type": "string"},
                "labels": {"type": "array", "items": {"type": "string"}}, "capacity": {"type": "integer"}}},
            responses={"201": "registered", "409": "name taken"})},
        "/api/v1/runners/heartbeat": {"post": _op("Heartbeat; answers the step runs to stop",
                                                  security="runnerCredential")},
        "/api/v1/runners/assignments": {"post": _op(
            "Long-poll for a step run this runner can take", security="runnerCredential",
            body={"type": "object", "properties": {"wait_seconds": {"type": "number"}}},
            responses={"200": "a step run with its RC_* environment", "204": "nothing to do"})},
        "/api/v1/step-runs/{step_run_id}/logs": {
            "post": _op("Append console lines ({seq, line}; idempotent by seq)", security="runnerCredential",
                        params=[_p("step_run_id")]),
            "get": _op("Read console lines after a sequence number", params=[_p("step_run_id"),
                                                                           _q("after_seq", "", "integer")]),
        },
        "/api/v1/step-runs/{step_run_id}/artifacts": {"post": _op(
            "Upload artifacts (multipart, field 'file', repeated)", security="runnerCredential",
            params=[_p("step_run_id")], responses={"201": "stored", "413": "too large"})},
        "/api/v1/step-runs/{step_run_id}/finish": {"post": _op(
            "Report the bot's exit", security="runnerCredential", params=[_p("step_run_id")],
            body={"type": "object", "required": ["exit_code"], "properties": {"exit_code": {"type": "integer"}}})},
    },
}
