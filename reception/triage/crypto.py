"""Encryption at rest for personal data, and keyed hashes to look it up.

The key comes from configuration (`RECEPTION_DATA_KEY`, 32 url-safe base64 bytes as made by
`Fernet.generate_key()`); production refuses to start without one. Values are encrypted with
Fernet (AES-128-CBC + HMAC-SHA256); lookups use HMAC-SHA256 under a key derived from the same
secret, so the database holds neither the ID number nor anything that can be reversed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

DEV_KEY_SEED = b"reception development data key - not for production"


def development_key() -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(DEV_KEY_SEED).digest()).decode()


@lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@lru_cache(maxsize=8)
def _lookup_key(key: str) -> bytes:
    return hmac.new(base64.urlsafe_b64decode(key), b"reception lookup v1", "sha256").digest()


def _key() -> str:
    return str(current_app.config["DATA_KEY"])


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


class Encrypted(TypeDecorator[str]):
    """A text column stored encrypted; reads and writes plain `str`."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: object) -> str | None:
        return None if value is None else decrypt(bytes(value))
