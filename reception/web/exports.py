"""Records for the national systems from the reports page (`/reports/exports/<kind>`): the
好差评 records (GB/T 39046) and the 信访件 records, as JSON, CSV or Excel. The mapping and the
audit are in `reception.oversight.exports`; this module reads the form and writes the file."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request
from flask_babel import gettext
from flask_login import current_user
from openpyxl import Workbook

from reception.core.clock import hall_day
from reception.core.errors import InvalidInput
from reception.models import Role
from reception.models.types import utcnow
from reception.oversight.exports import headings, rows
from reception.oversight.exports.taking import take
from reception.web.common import current_hall, error_text, roles_required
from reception.web.edge.gate import long_running
from reception.web.forms import ExportForm
from reception.web.reports import form_scope
from reception.web.spreadsheets import append, csv_response, workbook_response

bp = Blueprint("exports", __name__, url_prefix="/reports/exports")

TITLES = {"ratings": "好差评", "petitions": "信访件"}


@bp.get("/ratings")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def ratings():
    """The period's 好差评 records (GB/T 39046 table 9), in the chosen format."""
    return _export("ratings")


@bp.get("/petitions")
@long_running
@roles_required(Role.SUPERVISOR, Role.LEADER)
def petitions():
    """The period's 信访件 records, in the chosen format."""
    return _export("petitions")


def _export(kind: str):
    hall = current_hall()
    form = ExportForm(request.args)
    today = hall_day(hall.timezone, utcnow())
    if not form.validate():
        return {"message": gettext("Check the export's period."), "errors": form.errors}, 422
    try:
        scope = form_scope(form, hall, today)
    except InvalidInput as error:
        return {"message": error_text(error)}, 422
    fmt = form.fmt.data or "xlsx"
    taken = take(
        kind,
        hall,
        scope,
        current_user,
        fmt=fmt,
        reversed_codes=bool(form.reversed_codes.data),
        identity=bool(form.identity.data),
    )
    span = scope.first.isoformat() if scope.days == 1 else f"{scope.first}_{scope.last}"
    filename = f"{kind}_{span}.{fmt}"
    if fmt == "json":
        body = json.dumps(taken.described(scope), ensure_ascii=False, default=str, indent=1)
        return Response(
            body,
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    if fmt == "csv":
        return csv_response(headings(taken.fields), rows(taken.fields, taken.records), filename)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = TITLES[kind]
    append(sheet, headings(taken.fields))
    for row in rows(taken.fields, taken.records):
        append(sheet, row)
    return workbook_response(book, filename)
