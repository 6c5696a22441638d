"""The hall's services (departments, lawyer, counsellor, mediator, video, leader)."""

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
    Role,
    Service,
    ServiceKind,
)
from reception.web.admin.common import bp, refused, status_of
from reception.web.common import (
    SERVICE_KINDS,
    current_hall,
    in_hall,
    roles_required,
)
from reception.web.forms import (
    ServiceForm,
)

# --- services -------------------------------------------------------------------------------


def _service(service_id: int) -> Service:
    return in_hall(Service, service_id)


@bp.get("/services")
@roles_required(Role.ADMIN)
def services():
    return render_template("admin/services.html", hall=current_hall())


@bp.route("/services/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service(service_id: int | None):
    hall = current_hall()
    item = _service(service_id) if service_id is not None else None
    form = ServiceForm(obj=item)
    if request.method == "GET" and item is None and request.args.get("kind") in SERVICE_KINDS:
        form.kind.data = request.args["kind"]  # "make one" from a page that needs that kind
    if form.validate_on_submit():
        try:
            saved = administration.save_service(hall, item, form.data, current_user.id)
        except QueueError as error:
            refused(form, error)
        else:
            flash(gettext("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("admin.services"), 303)
    status = status_of(form)
    page = render_template(
        "admin/service.html",
        hall=hall,
        form=form,
        item=item,
        kinds=[k.value for k in ServiceKind],
        prefix_fixed=item is not None and administration.has_tickets(item),
    )
    return page, status
