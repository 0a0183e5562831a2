"""Response headers every response carries, whoever serves it (Flask or the robot queue front)."""
from __future__ import annotations

COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
# Only over TLS: a plain-HTTP answer must not pin the browser to HTTPS.
HSTS_HEADER = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
