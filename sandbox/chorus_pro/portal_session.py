"""Who is logged into the portal, and when their session ends: after ``PORTAL_IDLE_S`` idle seconds
(30 minutes by default) or earlier when the fault injector says so."""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, flash, redirect, request, session, url_for

from sandbox.faults import faults


def log_in(login: str, supplier_siret: str) -> None:
    session.clear()
    session.update(cpp_login=login, cpp_siret=supplier_siret, cpp_started=time.time(), cpp_seen=time.time())


def log_out() -> None:
    session.clear()


def current_siret() -> str:
    return session["cpp_siret"]


def current_login() -> str:
    return session["cpp_login"]


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send anonymous or expired visitors to the login page, then back where they were going."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if "cpp_login" not in session:
            return redirect(url_for("portal.connexion", suivant=request.full_path.rstrip("?")))
        if faults().session_expired(session["cpp_started"], session["cpp_seen"],
                                    int(current_app.config["PORTAL_IDLE_S"])):
            log_out()
            flash("Votre session a expiré. Veuillez vous reconnecter.", "erreur")
            return redirect(url_for("portal.connexion", suivant=request.full_path.rstrip("?")))
        session["cpp_seen"] = time.time()
        return view(*args, **kwargs)

    return guarded
