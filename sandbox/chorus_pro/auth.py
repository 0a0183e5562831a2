"""The two locks on Chorus Pro's API: a PISTE OAuth2 token (client credentials, ``scope=openid``)
in ``Authorization: Bearer``, and a technical account in ``cpro-account: base64(login:password)``.

Token errors follow RFC 6749/6750 as PISTE's gateway answers them (``invalid_client``,
``unsupported_grant_type``, ``invalid_token`` with a ``WWW-Authenticate`` header); a missing or
wrong technical account is refused with HTTP 401 by Chorus Pro itself.
"""
from __future__ import annotations

import base64
import hmac
import secrets
from datetime import timedelta

from flask import Blueprint, Response, current_app, g, jsonify, request
from sqlalchemy import select

from sandbox.app_db import db
from sandbox.chorus_pro import clock
from sandbox.chorus_pro.models import AccessToken, OAuthClient, TechnicalAccount

oauth = Blueprint("oauth", __name__)


@oauth.post("/api/oauth/token")
def token() -> Response | tuple[Response, int]:
    """Client-credentials grant, form-encoded like PISTE's ``/api/oauth/token``."""
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant_type must be client_credentials", 400)
    session = db()
    client = session.scalar(select(OAuthClient).where(OAuthClient.client_id == form.get("client_id", "")))
    if client is None or not hmac.compare_digest(client.client_secret, form.get("client_secret", "")):
        return _oauth_error("invalid_client", "Client authentication failed", 401)
    scopes = form.get("scope", "openid").split()
    if "openid" not in scopes:
        return _oauth_error("invalid_scope", "The requested scope is invalid, unknown, or malformed", 400)
    lifetime = int(current_app.config["TOKEN_LIFETIME_S"])
    issued = AccessToken(token=secrets.token_urlsafe(32), client_id=client.client_id,
                         expires_at=clock.now(session) + timedelta(seconds=lifetime))
    session.add(issued)
    session.commit()
    answer = jsonify(access_token=issued.token, token_type="Bearer", expires_in=lifetime, scope="openid")
    answer.headers["Cache-Control"] = "no-store"
    return answer


def require_api_credentials() -> tuple[Response, int] | None:
    """``before_request`` of the API blueprints: both credentials, or the real refusals."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return _bearer_refusal(None, "Bearer access token missing")
    session = db()
    found = session.scalar(select(AccessToken).where(AccessToken.token == header[7:].strip()))
    if found is None:
        return _bearer_refusal("invalid_token", "The access token is invalid")
    if found.expires_at <= clock.now(session):
        return _bearer_refusal("invalid_token", "The access token expired")
    account = _technical_account(request.headers.get("cpro-account"))
    if isinstance(account, str):
        answer = jsonify(codeRetour=401, libelle=account)
        return answer, 401
    g.technical_account = account
    return None


def _technical_account(header: str | None) -> TechnicalAccount | str:
    if not header:
        return ("L'en-tete cpro-account est obligatoire : identifiant et mot de passe du compte technique "
                "encodes en base 64.")
    try:
        login, _, password = base64.b64decode(header, validate=True).decode("utf-8").partition(":")
    except ValueError:  # binascii.Error, non-ASCII input and UnicodeDecodeError are all ValueErrors
        return "L'en-tete cpro-account n'est pas un encodage base 64 de identifiant:mot de passe."
    account = db().scalar(select(TechnicalAccount).where(TechnicalAccount.login == login))
    if account is None or not hmac.compare_digest(account.password, password):
        return "Echec de l'authentification du compte technique : identifiant ou mot de passe incorrect."
    return account


def _oauth_error(code: str, description: str, status: int) -> tuple[Response, int]:
    answer = jsonify(error=code, error_description=description)
    answer.headers["Cache-Control"] = "no-store"
    return answer, status


def _bearer_refusal(code: str | None, description: str) -> tuple[Response, int]:
    challenge = 'Bearer realm="PISTE"'
    body = {"error_description": description}
    if code:
        challenge += f', error="{code}", error_description="{description}"'
        body = {"error": code, **body}
    answer = jsonify(body)
    answer.headers["WWW-Authenticate"] = challenge
    return answer, 401
