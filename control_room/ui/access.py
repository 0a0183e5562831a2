"""Who is logged in, and what they may do: Flask-Login sessions backed by the users table, and the
`requires` decorator that checks the role table on the server before any page or form action runs."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort
from flask_login import LoginManager, current_user
from sqlalchemy import select

from control_room.access.models import Role, User
from control_room.access.permissions import allowed
from control_room.audit.actors import Actor
from control_room.context import db

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"


@dataclass(frozen=True)
class SessionUser:
    """The logged-in person as Flask-Login sees them; re-read from the database on every request, so
    disabling a user or changing their role takes effect at once."""

    id: int
    username: str
    role: Role
    locale: str | None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)

    @classmethod
    def of(cls, user: User) -> SessionUser:
        return cls(user.id, user.username, user.role, user.locale)


@login_manager.user_loader
def _load(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    user = db().scalar(select(User).where(User.id == int(user_id), User.active.is_(True)))
    return SessionUser.of(user) if user else None


def requires(permission: str) -> Callable:
    """Log in first, then the role must hold `permission`; otherwise 403 (never just a hidden button)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def me() -> SessionUser:
    return current_user._get_current_object()


def actor() -> Actor:
    """The audit log names people by username."""
    return Actor.user(me().username)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

    @app.context_processor
    def _can() -> dict:
        def can(permission: str) -> bool:
            return current_user.is_authenticated and current_user.can(permission)

        return {"can": can}
