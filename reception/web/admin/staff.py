"""Staff accounts: role, desks, unit; passwords and API tokens shown once."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.models import (
    Role,
    ServiceKind,
    User,
)
from reception.models.staff import works_in
from reception.video import sessions as video
from reception.web.admin.common import bp, posted, refused, status_of
from reception.web.common import (
    current_hall,
    roles_required,
)
from reception.web.forms import (
    StaffForm,
)

# --- staff ----------------------------------------------------------------------------------


def _user(user_id: int) -> User:
    """An account working in this hall that this administrator may manage: a city account
    (one working in every hall) only by the city's administrators."""
    user = db.session.get(User, user_id)
    if (
        user is None
        or user.role_in(current_hall().id) is None
        or (user.all_halls and not current_user.all_halls)
    ):
        abort(404)
    return user


@bp.get("/staff")
@roles_required(Role.ADMIN)
def staff():
    hall = current_hall()
    users = db.session.scalars(
        select(User)
        .where(works_in(hall.id))
        .options(selectinload(User.desks), selectinload(User.memberships))
        .order_by(User.username)
    ).all()
    return render_template("admin/staff.html", hall=hall, users=users)


@bp.route("/staff/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person(user_id: int | None):
    hall = current_hall()
    item = _user(user_id) if user_id is not None else None
    form = StaffForm(obj=item)
    if request.method == "GET" and item is not None:
        form.desks.data = [d.id for d in item.desks]
        form.role.data = item.role_in(hall.id)
    by_id = {d.id: d for d in hall.desks}
    departments = {s.id for s in hall.services if s.kind == ServiceKind.DEPARTMENT}
    units = {unit.id: unit for unit in video.units(hall.id)}
    if form.validate_on_submit():
        if [i for i in form.desks.data or [] if i not in by_id]:
            form.desks.errors = [gettext("Choose from the list.")]
        elif form.department_id.data is not None and form.department_id.data not in departments:
            form.department_id.errors = [gettext("Choose from the list.")]
        elif form.remote_unit_id.data is not None and form.remote_unit_id.data not in units:
            form.remote_unit_id.errors = [gettext("Choose from the list.")]
        elif form.role.data == Role.REMOTE and form.remote_unit_id.data is None:
            form.remote_unit_id.errors = [gettext("A remote account needs its unit.")]
        else:
            chosen = [by_id[i] for i in form.desks.data or []]
            try:
                saved, password = administration.save_user(
                    item, form.data, chosen, current_user, hall.id
                )
            except QueueError as error:
                refused(form, error)
            else:
                if password:
                    return _shown_once(saved, password=password)
                flash(gettext("Saved %(name)s.", name=saved.username), "success")
                return redirect(url_for("admin.staff"), 303)
    status = status_of(form)
    page = render_template(
        "admin/person.html",
        hall=hall,
        form=form,
        item=item,
        roles=[r.value for r in Role],
        departments=[s for s in hall.services if s.kind == ServiceKind.DEPARTMENT],
        units=list(units.values()),
    )
    return page, status


def _shown_once(user: User, *, password: str | None = None, token: str | None = None):
    """A new password or API token, shown this once (only its hash is kept)."""
    page = render_template(
        "admin/secret.html", hall=current_hall(), user=user, password=password, token=token
    )
    response = (page, 200, {"Cache-Control": "no-store"})
    return response


@bp.post("/staff/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    posted()
    user = _user(user_id)
    return _shown_once(user, password=administration.reset_password(user, current_user.id))


@bp.post("/staff/<int:user_id>/token")
@roles_required(Role.ADMIN)
def new_token(user_id: int):
    posted()
    user = _user(user_id)
    return _shown_once(user, token=administration.new_api_token(user, current_user.id))


@bp.post("/staff/<int:user_id>/token/revoke")
@roles_required(Role.ADMIN)
def revoke_token(user_id: int):
    posted()
    administration.revoke_api_token(_user(user_id), current_user.id)
    flash(gettext("The API token no longer works."), "success")
    return redirect(url_for("admin.person", user_id=user_id), 303)
