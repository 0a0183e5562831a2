"""Short-lived signed URLs for file up- and downloads, which robocorp-workitems fetches without
auth headers. Each signature is bound to one purpose, one item and one file, and expires."""
from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidSignedUrl(PermissionError):
    pass


class UrlSigner:
    def __init__(self, secret_key: bytes, max_age_seconds: int) -> None:
        self._secret, self.max_age = secret_key, max_age_seconds

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=f"arfleet-files-{purpose}")

    def sign(self, purpose: str, claims: dict[str, Any]) -> str:
        return self._serializer(purpose).dumps(claims)

    def verify(self, purpose: str, token: str) -> dict[str, Any]:
        try:
            return self._serializer(purpose).loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise InvalidSignedUrl("this file link has expired") from None
        except BadSignature:
            raise InvalidSignedUrl("this file link is not valid") from None
