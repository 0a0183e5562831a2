"""The control room's web UI through a Flask test client, as a browser uses it: log in through the
login form, send the form's CSRF token with every post."""
from __future__ import annotations

import re

from tests.support.seeds import PASSWORD


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """A Flask test client that logs in through the login form and sends the CSRF token like a page."""

    def __init__(self, app) -> None:
        self.client = app.test_client()
        self.token = ""

    def login(self, username: str, password: str = PASSWORD):
        self.token = csrf_from(self.client.get("/login").get_data(as_text=True))
        answer = self.client.post("/login", data={"username": username, "password": password,
                                                  "csrf_token": self.token})
        if answer.status_code == 302:
            self.token = csrf_from(self.client.get("/").get_data(as_text=True))
        return answer

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token
        return self.client.post(path, data=data, **kwargs)
