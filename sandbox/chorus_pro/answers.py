"""How Chorus Pro's API answers: every body carries ``codeRetour`` (0 when done) and ``libelle``;
functional refusals are HTTP 400 with a non-zero ``codeRetour``. Dates are local (Europe/Paris)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, jsonify, request
from flask.json.provider import DefaultJSONProvider

from sandbox.app_clock import PARIS

OK_LIBELLE = "GCU_MSG_01_000"


class ChorusJSONProvider(DefaultJSONProvider):
    """Amounts go out as JSON numbers, as the real API sends them (Flask would send strings)."""

    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        return DefaultJSONProvider.default(o)


def ok(libelle: str = OK_LIBELLE, **fields: Any) -> Response:
    return jsonify({"codeRetour": 0, "libelle": libelle, **fields})


def refused(code: int, libelle: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"codeRetour": code, "libelle": libelle}), status


def json_body() -> dict[str, Any] | None:
    """The request's JSON object, or None when the body is not one."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def paris_datetime(moment: datetime) -> str:
    """``2018-02-16T15:10:25.536+01:00``, as in Chorus Pro's answers."""
    return moment.astimezone(PARIS).isoformat(timespec="milliseconds")


def paris_date(moment: datetime) -> str:
    return moment.astimezone(PARIS).date().isoformat()


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
