"""The administration's start page and the hall's own settings."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, select

from reception.db.extensions import db
from reception.hall import administration
from reception.models import (
    DisplayDevice,
    Role,
    User,
)
from reception.web.admin.common import bp
from reception.web.common import (
    current_hall,
    roles_required,
)
from reception.web.forms import (
    HallForm,
)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    hall = current_hall()
    return render_template(
        "admin/index.html",
        hall=hall,
        counts={
            "services": len(hall.services),
            "desks": len(hall.desks),
            "staff": db.session.scalar(select(func.count(User.id))),
            "displays": db.session.scalar(
                select(func.count(DisplayDevice.id)).where(DisplayDevice.revoked.is_(False))
            ),
        },
    )


@bp.route("/hall", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def hall_settings():
    hall = current_hall()
    form = HallForm(obj=hall)
    if request.method == "GET":
        form.fill_hours(hall.opening_hours or {})
    status = 200
    if form.validate_on_submit():
        data = {**form.data, "opening_hours": form.opening_hours()}
        administration.save_hall(hall, data, current_user.id)
        flash(gettext("Saved."), "success")
        return redirect(url_for("admin.hall_settings"), 303)
    if form.errors:
        status = 422
    return render_template("admin/hall.html", hall=hall, form=form), status
