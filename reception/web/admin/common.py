"""The administration's blueprint and what its views share: a refusal shown on its form."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    request,
    url_for,
)

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.web.common import (
    error_text,
)
from reception.web.forms import (
    PostForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def refused(form: Any, error: QueueError) -> None:
    """A refusal from the rules, shown on the form; nothing was changed."""
    db.session.rollback()
    form.form_errors.append(error_text(error))
    form.refusal_status = error.status


def status_of(form: Any) -> int:
    if getattr(form, "refusal_status", None):
        return int(form.refusal_status)
    return 422 if form.errors or form.form_errors else 200


def posted() -> None:
    if not PostForm().validate_on_submit():
        abort(400)


@bp.errorhandler(QueueError)
def refused_move(error: QueueError):
    """A refused one-button step (a removal the rules forbid): said on the page it came from."""
    flash(error_text(error), "error")
    back = request.referrer or ""
    if not back.startswith(request.host_url):  # only ever back to this site's own pages
        back = url_for("admin.index")
    return redirect(back, 303)
