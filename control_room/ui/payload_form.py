"""A work item's JSON payload as an HTML form and back: one field per top-level key, typed like the
value the bot wrote (text, number, yes/no), nested values edited as JSON. Pure functions."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # text | number | boolean | json | null
    value: str


def fields(payload: dict[str, Any]) -> list[Field]:
    out = []
    for key, value in payload.items():
        if isinstance(value, bool):
            out.append(Field(key, "boolean", "true" if value else "false"))
        elif isinstance(value, (int, float)):
            out.append(Field(key, "number", json.dumps(value)))
        elif isinstance(value, str):
            out.append(Field(key, "text", value))
        elif value is None:
            out.append(Field(key, "null", ""))
        else:
            out.append(Field(key, "json", json.dumps(value, ensure_ascii=False, indent=2)))
    return out


class PayloadError(ValueError):
    pass


def _number(key: str, raw: str) -> int | float:
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            raise PayloadError(f"{key}: {raw!r} is not a number") from None


def parse(form: Mapping[str, str], original: dict[str, Any], prefix: str = "field:") -> dict[str, Any]:
    """The corrected payload: each original key read back from its field, with the original's type.
    Keys whose field is missing from the form keep their value."""
    result: dict[str, Any] = {}
    for field in fields(original):
        name = prefix + field.key
        if name not in form:
            result[field.key] = original[field.key]
            continue
        raw = form[name]
        if field.kind == "boolean":
            result[field.key] = raw in ("true", "on", "1")
        elif field.kind == "text":
            result[field.key] = raw
        elif field.kind == "number":
            result[field.key] = _number(field.key, raw.strip())
        elif field.kind == "null":
            result[field.key] = raw if raw != "" else None
        else:
            try:
                result[field.key] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise PayloadError(f"{field.key}: not valid JSON ({exc.msg})") from None
    return result
