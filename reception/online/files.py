"""Attachments sent online: photos and PDFs, told apart by their content (never their name),
at most five to a sending and 10 MB each, stored encrypted with the matter."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from reception.core.crypto import decrypt_bytes, encrypt_bytes
from reception.core.errors import InvalidInput, bounded
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import OnlineFile

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", PDF: ".pdf"}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _image_type(data: bytes) -> str | None:
    """The image's type as Pillow reads it off the content, if it is a whole, sane image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_TYPES)) as image:
                kind = IMAGE_TYPES.get(image.format or "")
                if kind is None:
                    return None
                image.verify()
                return kind
    except Exception:  # noqa: BLE001 - whatever Pillow cannot read whole is not a photo
        return None


def content_type(data: bytes) -> str | None:
    """A photo (JPEG, PNG, WebP) or a PDF, by what the bytes are; None for anything else."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return PDF
    return _image_type(data)


def check(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Each upload with its type, or a refusal naming the first that cannot be taken."""
    uploads = [u for u in uploads if u.data or u.name]
    if len(uploads) > MAX_FILES:
        raise InvalidInput(N_("At most 5 attachments."))
    checked = []
    for upload in uploads:
        name = bounded(upload.name or "", 200) or "-"
        if not upload.data:
            raise InvalidInput(N_("The file %(name)s is empty."), name=name)
        if len(upload.data) > MAX_BYTES:
            raise InvalidInput(N_("The file %(name)s is larger than 10 MB."), name=name)
        kind = content_type(upload.data)
        if kind is None:
            raise InvalidInput(
                N_("The file %(name)s is not a photo (JPEG, PNG, WebP) or a PDF."), name=name
            )
        checked.append((Upload(name, upload.data), kind))
    return checked


def store(
    petition_id: int, checked: list[tuple[Upload, str]], now: datetime, material_id: int | None
) -> None:
    for upload, kind in checked:
        db.session.add(
            OnlineFile(
                petition_id=petition_id,
                material_id=material_id,
                at=now,
                name=upload.name,
                mimetype=kind,
                size=len(upload.data),
                data=encrypt_bytes(upload.data),
            )
        )


def content(file: OnlineFile) -> bytes:
    return decrypt_bytes(file.data)


def download_name(file: OnlineFile) -> str:
    """A name to save the file under that names nobody: the matter's file number and type."""
    return f"attachment-{file.id}{EXTENSIONS.get(file.mimetype, '')}"
