"""The hall's description as a file: exported, and imported through the forms' checks."""

from __future__ import annotations

import json

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from reception.db.extensions import db
from reception.hall import administration
from reception.hall.description import HallDescriptionError, describe_hall
from reception.models import (
    Role,
)
from reception.web.admin.common import bp, status_of
from reception.web.common import (
    current_hall,
    roles_required,
)
from reception.web.edge.gate import long_running
from reception.web.forms import (
    ImportForm,
)
from reception.web.hall_import import check_description

MAX_DESCRIPTION = 1024 * 1024


# --- import and export of the hall description -------------------------------------------------


@bp.get("/export")
@long_running
@roles_required(Role.ADMIN)
def export():
    """The hall's set-up as the JSON description `reception load-hall` and the import read."""
    hall = current_hall()
    body = json.dumps(describe_hall(hall), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=hall.json"},
    )


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_hall():
    hall, form = current_hall(), ImportForm()
    if form.validate_on_submit():
        raw = form.description.data.read(MAX_DESCRIPTION + 1)
        try:
            if len(raw) > MAX_DESCRIPTION:
                raise HallDescriptionError(gettext("The file is larger than 1 MB."))
            try:
                data = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise HallDescriptionError(gettext("The file is not UTF-8 text.")) from exc
            except json.JSONDecodeError as exc:
                raise HallDescriptionError(
                    gettext(
                        "Line %(line)s, column %(column)s: %(problem)s",
                        line=exc.lineno,
                        column=exc.colno,
                        problem=exc.msg,
                    )
                ) from exc
            except RecursionError as exc:
                raise HallDescriptionError(gettext("The file is nested too deeply.")) from exc
            if isinstance(data, dict):
                data = {**data, "name": hall.name}  # the set-up lands in this hall
            check_description(data)  # field by field, as the admin's own forms check
            passwords = administration.import_description(hall, data, current_user.id)
        except HallDescriptionError as error:
            db.session.rollback()
            form.description.errors = str(error).splitlines()
        else:
            flash(gettext("The hall description is applied."), "success")
            if passwords:
                return (
                    render_template("admin/imported.html", hall=hall, passwords=passwords),
                    200,
                    {"Cache-Control": "no-store"},
                )
            return redirect(url_for("admin.index"), 303)
    return render_template("admin/import.html", hall=hall, form=form), status_of(form)
