"""The hall's desks: number, place, services."""

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

from reception.core.errors import QueueError
from reception.hall import administration
from reception.models import (
    Desk,
    Role,
)
from reception.web.admin.common import bp, refused, status_of
from reception.web.common import (
    current_hall,
    in_hall,
    roles_required,
)
from reception.web.forms import (
    DeskForm,
)

# --- desks ----------------------------------------------------------------------------------


def _desk(desk_id: int) -> Desk:
    return in_hall(Desk, desk_id)


@bp.get("/desks")
@roles_required(Role.ADMIN)
def desks():
    return render_template("admin/desks.html", hall=current_hall())


@bp.route("/desks/new", methods=["GET", "POST"], defaults={"desk_id": None})
@bp.route("/desks/<int:desk_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def desk(desk_id: int | None):
    hall = current_hall()
    item = _desk(desk_id) if desk_id is not None else None
    form = DeskForm(obj=item)
    if request.method == "GET" and item is not None:
        form.services.data = [s.id for s in item.services]
    by_id = {s.id: s for s in hall.services}
    if form.validate_on_submit():
        unknown = [i for i in form.services.data or [] if i not in by_id]
        if unknown:
            form.services.errors = [gettext("Choose from the list.")]
        else:
            chosen = [by_id[i] for i in form.services.data or []]
            try:
                saved = administration.save_desk(hall, item, form.data, chosen, current_user.id)
            except QueueError as error:
                refused(form, error)
            else:
                flash(gettext("Saved desk %(number)s.", number=saved.number), "success")
                return redirect(url_for("admin.desks"), 303)
    status = status_of(form)
    return render_template("admin/desk.html", hall=hall, form=form, item=item), status
