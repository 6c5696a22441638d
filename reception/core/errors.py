"""Errors the queue engine raises; the web layer maps `status` to an HTTP code."""

from __future__ import annotations

from reception.core.messages import N_


class QueueError(Exception):
    status = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(QueueError):
    status = 404


class IllegalMove(QueueError):
    """The ticket's state (or the desk's) does not allow the move; nothing was changed."""

    status = 409


class InvalidInput(QueueError):
    status = 422


def bounded(text: str, limit: int) -> str:
    """The text, stripped, or a refusal when it is longer than its column allows: forms tell
    people the limit, and nothing is ever cut short silently at save."""
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput(N_("A text is too long: %(limit)s characters at most."), limit=limit)
    return text


class Forbidden(QueueError):
    """The caller's role may not do this (a leader asking for the petitioners' identity)."""

    status = 403


class Limited(QueueError):
    """Too many tries from one phone number or address: wait, then try again."""

    status = 429
