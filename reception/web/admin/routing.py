"""The routing rules behind the registrar's suggestions."""

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
)
from reception.web.admin.common import bp, refused, status_of
from reception.web.common import (
    SERVICE_KINDS,
    current_hall,
    kind_aliases,
    roles_required,
    service_kind_text,
)
from reception.web.forms import (
    RoutingForm,
)

# --- routing rules for the registrar's suggestions -------------------------------------------


@bp.route("/routing", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def routing():
    hall = current_hall()
    form = RoutingForm()
    if request.method == "GET":
        labels = {code: service_kind_text(code) for code in SERVICE_KINDS}
        form.rules.data = administration.format_routing(hall, labels)
    elif form.validate_on_submit():
        try:
            administration.save_routing(
                hall, form.rules.data or "", current_user.id, kind_aliases()
            )
        except QueueError as error:
            refused(form, error)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin.routing"), 303)
    kinds = "、".join(service_kind_text(code) for code in SERVICE_KINDS if code != "department")
    page = render_template("admin/routing.html", hall=hall, form=form, kinds=kinds)
    return page, status_of(form)
