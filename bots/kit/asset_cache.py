"""Static assets (style sheets, scripts, images, fonts) fetched once per bot run and then served
from memory. A person's browser caches them; a bot revisiting the same portal a hundred times an
hour should too: the portal sees only the requests that matter, pages load faster, and a flaky
portal has fewer chances to fail a page. Screenshots keep the real styling. Failed fetches are
not kept, so a style sheet that failed once is fetched again next time."""
from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Route

__all__ = ["AssetCache"]

ASSET_TYPES = frozenset({"stylesheet", "script", "image", "font"})


@dataclass(frozen=True)
class _Asset:
    status: int
    headers: dict[str, str]
    body: bytes


class AssetCache:
    def __init__(self) -> None:
        self._assets: dict[str, _Asset] = {}

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        if request.method != "GET" or request.resource_type not in ASSET_TYPES:
            route.continue_()
            return
        cached = self._assets.get(request.url)
        if cached is not None:
            route.fulfill(status=cached.status, headers=cached.headers, body=cached.body)
            return
        response = route.fetch()
        if response.status == 200:
            self._assets[request.url] = _Asset(response.status, response.headers, response.body())
        route.fulfill(response=response)
