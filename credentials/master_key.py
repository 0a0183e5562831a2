"""The master key: 32 random bytes from ARFLEET_MASTER_KEY (base64) or a 0600 key file.

It never enters the database. A check value encrypted under it is kept in the database, so starting
with the wrong key fails at once with a clear error instead of producing garbage later.
"""
from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
CHECK_PLAINTEXT = b"arfleet master key check v1"


class MasterKeyError(RuntimeError):
    """The master key is missing, malformed or does not match this database."""


def _decode(text: str, origin: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"{origin} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"{origin} must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_or_create(env_value: str | None, key_file: Path) -> bytes:
    """The key from the environment, else from the key file, else a new key written to the key file."""
    if env_value:
        return _decode(env_value, "ARFLEET_MASTER_KEY")
    if key_file.exists():
        return _decode(key_file.read_text(), f"master key file {key_file}")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = AESGCM.generate_key(bit_length=256)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(base64.b64encode(key).decode() + "\n")
    return key


def seal(key: bytes, plaintext: bytes, context: bytes) -> tuple[bytes, bytes]:
    """AES-GCM encrypt; `context` is authenticated (binds a ciphertext to its row)."""
    nonce = os.urandom(12)
    return nonce, AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, nonce: bytes, ciphertext: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context)
    except InvalidTag:
        raise MasterKeyError("cannot decrypt with this master key (wrong key, or the data was altered)") from None
