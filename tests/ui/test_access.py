"""Who may do what, checked on the server: every route with every role, CSRF on every form, the
bearer-token APIs exempt from it, security headers, sessions, login rate limiting."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from control_room.access.models import LoginAttempt, Role
from control_room.access.permissions import PERMISSIONS
from control_room.audit.models import AuditEvent
from tests.support import ui_seed
from tests.support.seeds import PASSWORD, ROLES, auth, make_user, user_token
from tests.support.ui_client import Browser, csrf_from


def routes(f: ui_seed.Fleet) -> list[tuple[str, str, str, dict]]:
    """(method, path, permission, form) for every page and form action of the UI."""
    return [
        ("GET", "/", "runs.read", {}),
        ("GET", "/dashboard/panel", "runs.read", {}),
        ("GET", "/dashboard/charts.json", "runs.read", {}),
        ("GET", "/runs", "runs.read", {}),
        ("GET", f"/runs/{f.run_id}", "runs.read", {}),
        ("GET", f"/runs/{f.run_id}/panel", "runs.read", {}),
        ("GET", f"/runs/{f.run_id}/console", "runs.read", {}),
        ("GET", f"/runs/artifacts/{f.artifact_id}", "runs.read", {}),
        ("GET", "/runs/new", "runs.control", {}),
        ("POST", "/runs/new", "runs.control", {"process": str(f.process_id)}),
        ("POST", f"/runs/{f.run_id}/rerun", "runs.control", {}),
        ("POST", f"/runs/{f.run_id}/stop", "runs.control", {}),
        ("GET", "/queues", "items.read", {}),
        ("GET", f"/queues/{f.queue_id}", "items.read", {}),
        ("GET", f"/items/{f.item_id}", "items.read", {}),
        ("POST", "/items/batch", "items.resolve", {"action": "retry", "ids": str(f.other_item_id), "reason": "t"}),
        ("POST", f"/items/{f.other_item_id}/action", "items.resolve", {"action": "done", "reason": "t"}),
        ("POST", f"/items/{f.other_item_id}/action", "items.delete", {"action": "delete", "reason": "t"}),
        ("GET", "/inbox", "items.resolve", {}),
        ("POST", f"/inbox/{f.item_id}/claim", "items.resolve", {}),
        ("POST", f"/inbox/{f.item_id}/release", "items.resolve", {}),
        ("POST", f"/inbox/{f.item_id}/resolve", "items.resolve", {"action": "done", "reason": "t"}),
        ("POST", "/inbox/bulk", "items.resolve", {"action": "done", "reason": "t", "ids": "999999"}),
        ("GET", "/schedules", "schedules.read", {}),
        ("POST", f"/schedules/{f.schedule_id}/pause", "schedules.manage", {}),
        ("POST", f"/schedules/{f.schedule_id}/resume", "schedules.manage", {}),
        ("POST", f"/schedules/{f.schedule_id}/run", "schedules.manage", {}),
        ("GET", "/runners", "runners.read", {}),
        ("POST", "/runners/tokens", "runners.manage", {"hours": "24"}),
        ("POST", f"/runners/{f.runner_id}/retire", "runners.manage", {}),
        ("GET", "/credentials", "secrets.manage", {}),
        ("POST", "/credentials", "secrets.manage", {"name": "x", "values": "k=v"}),
        ("POST", f"/credentials/{f.secret}/rotate", "secrets.manage", {"values": "password=rotated-value"}),
        ("POST", "/credentials/x/delete", "secrets.manage", {}),
        ("GET", "/audit", "audit.read", {}),
        ("GET", "/audit/export.csv", "audit.read", {}),
        ("POST", "/audit/verify", "audit.read", {}),
        ("GET", "/users", "users.manage", {}),
        ("POST", "/users", "users.manage", {"username": "x", "password": "short", "role": "viewer"}),
        ("POST", "/users/1/role", "users.manage", {"role": "admin"}),
        ("POST", "/users/1/active", "users.manage", {"active": "1"}),
    ]


def test_every_route_with_every_role(app, sessions):
    fleet = ui_seed.build(app)
    clients = {}
    for role in ROLES:
        make_user(sessions, role, f"{role}-user")
        clients[role] = Browser(app)
        assert clients[role].login(f"{role}-user").status_code == 302
    checked = 0
    for method, path, permission, form in routes(fleet):
        for role in ROLES:
            client = clients[role]
            answer = client.get(path) if method == "GET" else client.post(path, form)
            may = Role(role) in PERMISSIONS[permission]
            where = f"{method} {path} as {role}"
            if may:
                assert answer.status_code not in (401, 403) and answer.status_code < 500, where
            else:
                assert answer.status_code == 403, where
            checked += 1
    assert checked == len(routes(fleet)) * len(ROLES)


def test_anonymous_is_sent_to_the_login_page(app, sessions):
    fleet = ui_seed.build(app)
    client = app.test_client()
    for method, path, _permission, _form in routes(fleet):
        if method == "GET":
            answer = client.get(path)
            assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), path


def test_every_post_without_a_csrf_token_is_refused(app, sessions):
    fleet = ui_seed.build(app)
    make_user(sessions, "admin", "root")
    client = Browser(app)
    assert client.login("root").status_code == 302
    with sessions() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    posts = [r for r in routes(fleet) if r[0] == "POST"] + [("POST", "/logout", "", {}),
                                                           ("POST", "/language", "", {"language": "fr"})]
    for _method, path, _permission, form in posts:
        answer = client.post(path, form, csrf=False)
        assert answer.status_code == 400, path
        assert "CSRF" in answer.get_data(as_text=True), path
        wrong = client.post(path, {**form, "csrf_token": "forged"}, csrf=False)
        assert wrong.status_code == 400, path
    with sessions() as session:  # nothing happened
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    # a login form without the token is refused as well
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"username": "root", "password": PASSWORD}).status_code == 400


def test_bearer_token_apis_need_no_csrf_token(app, sessions):
    from tests.support.seeds import declare

    declare(sessions, "invoices")
    ops = user_token(sessions, "ops")
    answer = app.test_client().post("/api/v1/items", json={"process": "invoices", "reference": "F-1"},
                                    headers=auth(ops))
    assert answer.status_code == 201
    unknown = app.test_client().get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"


def test_security_headers_and_session_cookie(app, sessions):
    make_user(sessions, "viewer", "val")
    client = Browser(app)
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["Referrer-Policy"] == "same-origin"
    answer = client.login("val")
    cookie = answer.headers.get_all("Set-Cookie")[-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; ARFLEET_PUBLIC_URL=https://… turns it on


def test_logout_ends_the_session(app, sessions):
    make_user(sessions, "viewer", "val")
    client = Browser(app)
    client.login("val")
    assert client.get("/audit").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/audit").status_code == 302


def test_disabled_user_loses_access_at_once(app, sessions):
    admin, victim = Browser(app), Browser(app)
    make_user(sessions, "admin", "root")
    make_user(sessions, "ops", "olga")
    admin.login("root")
    victim.login("olga")
    assert victim.get("/runs").status_code == 200
    with sessions() as session:
        from control_room.access.models import User

        olga_id = session.scalar(select(User.id).where(User.username == "olga"))
    assert admin.post(f"/users/{olga_id}/active", {"active": "0"}).status_code == 302
    assert victim.get("/runs").status_code == 302  # back to the login page
    assert Browser(app).login("olga").status_code == 401


def test_login_attempts_are_limited_in_the_database(app, sessions):
    make_user(sessions, "ops", "olga")
    client = Browser(app)
    for _ in range(5):
        assert client.login("olga", "wrong password!").status_code == 401
    # the right password no longer gets in while the window lasts, from any process reading the table
    refused = Browser(app).login("olga")
    assert refused.status_code == 429 and "Too many failed attempts" in refused.get_data(as_text=True)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)
                              .where(LoginAttempt.username == "olga", LoginAttempt.succeeded.is_(False))) == 5
    # another user from the same address is not locked out by olga's failures
    make_user(sessions, "viewer", "val")
    assert Browser(app).login("val").status_code == 302


def test_login_redirects_only_to_this_site(app, sessions):
    make_user(sessions, "viewer", "val")
    client = Browser(app)
    client.token = csrf_from(client.get("/login").get_data(as_text=True))
    answer = client.client.post("/login", data={"username": "val", "password": PASSWORD, "next": "//evil.example/x",
                                                "csrf_token": client.token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/vendor/htmx.min.js", "/vendor/chart.umd.min.js"])
def test_front_end_packages_are_served_from_node_modules(app, path):
    answer = app.test_client().get(path)
    assert answer.status_code == 200 and answer.mimetype in ("text/javascript", "application/javascript")
    assert app.test_client().get("/vendor/package.json").status_code == 404
