"""Robocorp's `robocloud-vault-transit-v2` envelope, as robocorp-vault 1.4 speaks it.

Reads: the bot sends its RSA public key (base64 DER); we answer the secret encrypted with a fresh
AES-256-GCM key wrapped by RSA-OAEP-SHA256. The library decrypts with the *hex string* of the IV as
the nonce, so that is the nonce we encrypt with. Writes: the bot encrypts with the raw IV bytes and
wraps its AES key with our public key (GET publicKey).
"""
from __future__ import annotations

import base64
import binascii
import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCHEME = "robocloud-vault-transit-v2"
_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
TAG_BYTES = 16


class EnvelopeError(ValueError):
    pass


def seal_for_client(values: dict[str, Any], client_public_key_b64: str | bytes) -> dict[str, str]:
    """The `encryption` fields and `value` of a secret read, for the client's public key."""
    try:
        public_key = serialization.load_der_public_key(base64.b64decode(client_public_key_b64))
    except (ValueError, binascii.Error):
        raise EnvelopeError("publicKey is not a base64 DER RSA public key") from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise EnvelopeError("publicKey must be an RSA key")
    aes_key = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(16)
    sealed = AESGCM(aes_key).encrypt(binascii.hexlify(iv), json.dumps(values).encode(), b"")
    return {
        "value": base64.b64encode(sealed[:-TAG_BYTES]).decode(),
        "encryptedAES": base64.b64encode(public_key.encrypt(aes_key, _OAEP)).decode(),
        "authTag": base64.b64encode(sealed[-TAG_BYTES:]).decode(),
        "iv": base64.b64encode(iv).decode(),
    }


def open_from_client(body: dict[str, Any], private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    """The values of a secret written by robocorp-vault's `set_secret`."""
    try:
        enc = body["encryption"]
        if enc.get("encryptionScheme") != SCHEME:
            raise EnvelopeError(f"encryptionScheme must be {SCHEME}")
        aes_key = private_key.decrypt(base64.b64decode(enc["encryptedAES"]), _OAEP)
        iv = base64.b64decode(enc["iv"])
        ciphertext = base64.b64decode(body["value"]) + base64.b64decode(enc["authTag"])
        values = json.loads(AESGCM(aes_key).decrypt(iv, ciphertext, b""))
    except EnvelopeError:
        raise
    except Exception:
        raise EnvelopeError("the secret envelope could not be opened") from None
    if not isinstance(values, dict):
        raise EnvelopeError("a secret's value must be a JSON object")
    return values


def new_transit_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def public_key_b64(private_key: rsa.RSAPrivateKey) -> bytes:
    der = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der)


def private_key_der(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def load_private_key_der(der: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key
