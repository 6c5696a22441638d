"""The lobby, desk and rating displays: enrolment, their desk, revocation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from reception.core.clock import local_time
from reception.db.extensions import db
from reception.hall import administration
from reception.models import (
    Desk,
    DisplayDevice,
    Role,
)
from reception.web import sockets
from reception.web.admin.common import bp, posted
from reception.web.common import (
    current_hall,
    in_hall,
    roles_required,
)
from reception.web.forms import (
    DisplayForm,
)
from reception.web.tickets import public_base

# --- displays -------------------------------------------------------------------------------


def _display(device_id: int) -> DisplayDevice:
    return in_hall(DisplayDevice, device_id)


def _desk_choice(form: DisplayForm) -> Desk | None:
    if form.desk_id.data is None:
        return None
    desk = db.session.get(Desk, form.desk_id.data)
    if desk is None or desk.hall_id != current_hall().id:
        form.desk_id.errors = [gettext("Choose from the list.")]
        return None
    return desk


@bp.route("/displays", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def displays():
    hall = current_hall()
    form = DisplayForm()
    if request.method == "GET":
        form = DisplayForm(formdata=None)
    elif form.validate_on_submit():
        desk = _desk_choice(form)
        if not form.desk_id.errors:
            _device, token = administration.enrol_display(
                hall,
                form.name.data or "",
                desk,
                form.autoplay.data,
                current_user.id,
                rater=form.rater.data,
            )
            address = public_base() + url_for("home.enrol_display", code=token)
            return (
                render_template(
                    "admin/enrolled.html", hall=hall, name=form.name.data, address=address
                ),
                200,
                {"Cache-Control": "no-store"},
            )
    devices = db.session.scalars(
        select(DisplayDevice)
        .where(DisplayDevice.hall_id == hall.id)
        .order_by(DisplayDevice.revoked, DisplayDevice.name)
    ).all()
    status = 422 if form.errors else 200
    page = render_template(
        "admin/displays.html",
        hall=hall,
        form=form,
        devices=devices,
        online=_online_displays(),
        seen=_seen(devices),
        local=lambda moment: local_time(hall.timezone, moment),
        desks={d.id: d for d in hall.desks},
    )
    return page, status


def _online_displays() -> set[int]:
    return sockets.online_displays()


def _seen(devices: Any) -> dict[int, datetime | None]:
    return {device.id: sockets.last_seen(device.id) for device in devices}


@bp.route("/displays/<int:device_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def display(device_id: int):
    device = _display(device_id)
    form = DisplayForm(obj=device)
    if form.validate_on_submit():
        desk = _desk_choice(form)
        if not form.desk_id.errors:
            administration.change_display(
                device, form.name.data or "", desk, form.autoplay.data, current_user.id
            )
            flash(gettext("Saved %(name)s.", name=device.name), "success")
            return redirect(url_for("admin.displays"), 303)
    status = 422 if form.errors else 200
    page = render_template("admin/display.html", hall=current_hall(), form=form, item=device)
    return page, status


@bp.post("/displays/<int:device_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_display(device_id: int):
    posted()
    device = _display(device_id)
    administration.revoke_display(device, current_user.id)
    flash(gettext("%(name)s no longer receives anything.", name=device.name), "success")
    return redirect(url_for("admin.displays"), 303)
