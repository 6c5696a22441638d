"""The request's transaction: one commit on success, a rollback on any error.

Every view runs inside `TransactionalFlask.dispatch_request`. When the view returns a response
under 400 the session is committed; when it raises, or answers 4xx/5xx (a refused form, say),
everything it wrote is rolled back. Views never commit. Work that leaves the process (socket
events, notifier messages) is handed to `reception.db.transaction.after_commit` and runs only
once the commit succeeded.
An API operation whose view returned a success commits that same transaction a step earlier,
before its answer is serialised (`commit_answered`); the boundary then has nothing left to do.
"""

from __future__ import annotations

from contextvars import ContextVar

from flask import Flask, g
from flask.typing import ResponseReturnValue

from reception.db.extensions import db

_KEEP_KEY = "reception_keep_writes"


def keep_writes_on_refusal() -> None:
    """Commit this request's writes even though it answers 4xx (a failed login's record)."""
    g.setdefault(_KEEP_KEY, True)


_committing: ContextVar[bool] = ContextVar("reception_committing", default=False)


def committing() -> bool:
    """Whether the request's boundary is committing now (tests hold every commit to this)."""
    return _committing.get()


def finish_transaction(status: int) -> None:
    """Commit when the answer is a success (or a refusal that keeps its record), else roll back.
    Nothing to do when the request's transaction already ended (`commit_answered`)."""
    if not db.session().in_transaction():
        return
    if status < 400 or (status < 500 and g.get(_KEEP_KEY)):
        marker = _committing.set(True)
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            _committing.reset(marker)
    else:
        db.session.rollback()


def commit_answered() -> None:
    """Commit now: the view has returned a success whose answer is plain data, and only its
    serialisation is left. The writer's locks (the hall row, this process's writer line) are
    then handed on, and the events sent, before that serialisation instead of after it; the
    boundary's own commit finds nothing left to do. Nothing reads the request's objects again
    (the answer is plain data, the events were built before the commit), so the commit does not
    expire them: expiring every object the request touched was ~2 % of an API write's CPU."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        finish_transaction(200)
    finally:
        session.expire_on_commit = expiring


class TransactionalFlask(Flask):
    """Flask whose every view runs inside the request's one transaction."""

    def dispatch_request(self) -> ResponseReturnValue:
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            db.session.rollback()
            raise
        finish_transaction(response.status_code)
        return response
