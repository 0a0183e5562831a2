"""JSON errors `{"error": {"code", "message"}}` with the right status, for every API route."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from control_room.queue.transitions import DuplicateReference

API_PREFIXES = ("/api/", "/process-v1/", "/json-v1/", "/secrets-v1/")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def duplicate_reference(exc: DuplicateReference) -> ApiError:
    """409 with the id of the item that already has the reference, so a client can go and look."""
    return ApiError(409, "duplicate_reference", str(exc), existing_item_id=exc.existing_id)


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(status: int, code: str, message: str, **extra):
    return jsonify(error_body(code, message, **extra)), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, **exc.extra)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith(API_PREFIXES):
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(exc.code or 500, code, exc.description or exc.name)
        return exc
