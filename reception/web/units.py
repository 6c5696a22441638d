"""Administration of the departments and counties received over video (remote units)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.models import RemoteUnit, Role, User
from reception.web.admin.common import refused, status_of
from reception.web.common import current_hall, in_hall, roles_required
from reception.web.forms import RemoteUnitForm

bp = Blueprint("units", __name__, url_prefix="/admin/remote-units")


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    hall = current_hall()
    units = db.session.scalars(
        select(RemoteUnit)
        .where(RemoteUnit.hall_id == hall.id)
        .order_by(RemoteUnit.sort_order, RemoteUnit.id)
    ).all()
    staff = db.session.scalars(
        select(User).where(User.remote_unit_id.is_not(None)).order_by(User.username)
    ).all()
    return render_template("admin/units.html", hall=hall, units=units, staff=staff)


@bp.route("/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit(unit_id: int | None):
    hall = current_hall()
    item = in_hall(RemoteUnit, unit_id) if unit_id is not None else None
    form = RemoteUnitForm(obj=item)
    if form.validate_on_submit():
        try:
            saved = administration.save_unit(hall, item, form.data, current_user.id)
        except QueueError as error:
            refused(form, error)
        else:
            flash(gettext("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("units.index"), 303)
    page = render_template("admin/unit.html", hall=hall, form=form, item=item)
    return page, status_of(form)
