"""The first administrator, made through the one-time address `reception run` prints."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext
from flask_login import login_user

from reception.core.errors import QueueError
from reception.hall import administration
from reception.web.admin.common import bp, refused, status_of
from reception.web.forms import (
    FirstRunForm,
)

# --- the first administrator -----------------------------------------------------------------


@bp.route("/first-run/<token>", methods=["GET", "POST"])
def first_run(token: str):
    """The one-time address `reception run` prints while no administrator exists: creates the
    hall (if none) and the first administrator, then logs them in."""
    instance = current_app.instance_path
    if not administration.first_run_valid(instance, token):
        abort(404)
    form = FirstRunForm()
    if form.validate_on_submit():
        try:
            user = administration.first_run(
                instance,
                form.hall_name.data or "",
                form.timezone.data or "",
                form.username.data or "",
                form.display_name.data or "",
                form.password.data or "",
            )
        except QueueError as error:
            refused(form, error)
        else:
            login_user(user)
            flash(gettext("Welcome: the hall is yours to set up."), "success")
            return redirect(url_for("admin.index"), 303)
    return render_template("admin/first_run.html", hall=None, form=form), status_of(form)
