"""Errors the queue engine raises; the web layer maps `status` to an HTTP code."""

from __future__ import annotations


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
