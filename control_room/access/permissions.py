"""Which roles may do what: one table, checked on the server for every API call and page."""
from __future__ import annotations

from control_room.access.models import Role

A, IT, OPS, H, V = Role.ADMIN, Role.IT, Role.OPS, Role.HANDLER, Role.VIEWER

PERMISSIONS: dict[str, frozenset[Role]] = {
    "items.read": frozenset({A, IT, OPS, H, V}),
    "items.create": frozenset({A, OPS}),
    "items.resolve": frozenset({A, OPS, H}),  # retry, mark done, move, reject
    "items.delete": frozenset({A, OPS}),
    "runs.read": frozenset({A, IT, OPS, H, V}),
    "runs.control": frozenset({A, OPS}),  # start, stop, re-run
    "runners.read": frozenset({A, IT, OPS, V}),
    "runners.manage": frozenset({A, IT}),
    "secrets.manage": frozenset({A, IT}),
    "processes.manage": frozenset({A, IT}),
    "schedules.read": frozenset({A, IT, OPS, V}),
    "schedules.manage": frozenset({A, IT}),  # pause, resume, run now
    "audit.read": frozenset({A, IT, OPS, H, V}),
    "users.manage": frozenset({A}),
}


def allowed(role: Role, permission: str) -> bool:
    return role in PERMISSIONS[permission]
