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

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.models import (
    DisplayDevice,
    Hall,
    Role,
    StaffHall,
    User,
)
from reception.models.staff import works_in
from reception.web.admin.common import bp, refused, status_of
from reception.web.common import (
    city_staff_only,
    current_hall,
    hall_path,
    roles_required,
    several_halls,
)
from reception.web.forms import (
    HallForm,
    NewHallForm,
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
            "staff": db.session.scalar(select(func.count(User.id)).where(works_in(hall.id))),
            "displays": db.session.scalar(
                select(func.count(DisplayDevice.id)).where(
                    DisplayDevice.hall_id == hall.id, DisplayDevice.revoked.is_(False)
                )
            ),
        },
        several_halls=several_halls() and current_user.all_halls,
    )


@bp.route("/halls", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def halls():
    """The city's halls, their addresses and staff; a new hall (the city's administrators)."""
    city_staff_only()
    form = NewHallForm()
    if form.validate_on_submit():
        try:
            made = administration.create_hall(
                form.name.data or "",
                form.code.data or "",
                form.timezone.data or "",
                current_user.id,
            )
        except QueueError as error:
            refused(form, error)
        else:
            flash(
                gettext("Created %(name)s: set it up on its own pages.", name=made.name), "success"
            )
            return redirect(hall_path(made, url_for("admin.hall_settings")), 303)
    status = status_of(form)
    listed = db.session.scalars(select(Hall).order_by(Hall.id)).all()
    staff = dict(
        db.session.execute(
            select(StaffHall.hall_id, func.count(StaffHall.user_id)).group_by(StaffHall.hall_id)
        ).all()
    )
    page = render_template(
        "admin/halls.html", hall=current_hall(), halls=listed, staff=staff, form=form
    )
    return page, status


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
