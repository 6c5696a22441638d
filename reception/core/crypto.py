"""Encryption at rest for personal data, and keyed hashes to look it up.

The key comes from configuration (`RECEPTION_DATA_KEY`, 32 url-safe base64 bytes as made by
`Fernet.generate_key()`); production refuses to start without one. The app factory installs
where the running app's key is read (`install_key_source`): this module knows no framework.
Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256); lookups use HMAC-SHA256 under a
key derived from the same secret, so the database holds neither the ID number nor anything
that can be reversed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

DEV_KEY_SEED = b"reception development data key - not for production"


def development_key() -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(DEV_KEY_SEED).digest()).decode()


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@lru_cache(maxsize=8)
def _lookup_key(key: str) -> bytes:
    return hmac.new(base64.urlsafe_b64decode(key), b"reception lookup v1", "sha256").digest()


_key_source: Callable[[], str] | None = None


def install_key_source(source: Callable[[], str]) -> None:
    """Where the running app's data key is read from (installed by the app factory)."""
    global _key_source
    _key_source = source


def _key() -> str:
    if _key_source is None:
        raise RuntimeError("no data key source installed: create the app first")
    return _key_source()


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet(_key()).encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet(_key()).decrypt(token)
    except InvalidToken as exc:
        raise RuntimeError("personal data cannot be decrypted: wrong RECEPTION_DATA_KEY") from exc


def encrypt(text: str) -> bytes:
    return encrypt_bytes(text.encode())


def decrypt(token: bytes) -> str:
    return decrypt_bytes(token).decode()


def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash of `value` for exact-match lookup (kind separates ID numbers from phones)."""
    message = f"{kind}:{value}".encode()
    return hmac.new(_lookup_key(_key()), message, "sha256").hexdigest()
