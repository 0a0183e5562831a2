"""Bearer authentication for the native API: people's API tokens (checked against the role table)
and runners' long-lived credentials."""
from __future__ import annotations

from functools import wraps

from flask import g, request
from sqlalchemy import select

from control_room.access import tokens
from control_room.access.models import User
from control_room.access.permissions import allowed
from control_room.access.users import user_for_api_token
from control_room.api.errors import ApiError
from control_room.audit.actors import Actor
from control_room.context import db
from control_room.fleet.models import Runner


def _bearer() -> str:
    token = tokens.bearer_token(request.headers.get("Authorization", ""))
    if token is None:
        raise ApiError(401, "unauthorized", "an API token is required (Authorization: Bearer …)")
    return token


def requires(permission: str):
    """The caller must be an active user whose role has `permission`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = user_for_api_token(db(), _bearer())
            if user is None:
                raise ApiError(401, "unauthorized", "this API token is unknown or revoked")
            if not allowed(user.role, permission):
                raise ApiError(403, "forbidden", f"role {user.role.value!r} may not do {permission!r}")
            g.user, g.actor = user, Actor.user(user.username)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def current_user() -> User:
    return g.user


def requires_runner(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        runner = db().scalar(select(Runner).where(Runner.credential_hash == tokens.token_hash(_bearer())))
        if runner is None or runner.retired:
            raise ApiError(401, "unauthorized", "this runner credential is unknown or retired")
        g.runner, g.actor = runner, Actor.runner(runner.name)
        return view(*args, **kwargs)

    return wrapper
