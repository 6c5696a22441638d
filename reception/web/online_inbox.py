"""What came online, in the registrar's work (`/cases/online/`): the inbox, one matter with its
attachments and the person's open matters (Art. 19), its registration and routing, requests for
material. Every view of an online matter and of each file is in the audit trail."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from reception.core import identity
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import OnlineFile, OnlinePetition
from reception.models.types import utcnow
from reception.online import (
    files,
    petitions,
    receiving,
    texts,  # noqa: F401 - connects the texts at each step
)
from reception.triage import routing
from reception.triage.registration import PURPOSES, MatterInput, matters_in
from reception.web.cases import DECIDERS, STAFF, _case
from reception.web.common import current_hall, error_text, roles_required
from reception.web.edge.running import settings
from reception.web.forms.online import MaterialRequestForm, OnlineRoutingForm

bp = Blueprint("online_inbox", __name__, url_prefix="/cases/online")


def _departments() -> set[int]:
    return {current_user.department_id} if current_user.department_id else set()


def _petition(petition_id: int) -> OnlinePetition:
    """A matter received online at this hall and not hidden from this user (else 404); once
    registered, the case's own rule (its hall, its department, Art. 30) decides."""
    petition = db.session.get(OnlinePetition, petition_id)
    if petition is None or receiving.hidden_from(petition, _departments()):
        abort(404)
    if petition.case_id is not None:
        _case(petition.case_id)  # 404 unless this user may see the case
    elif petition.hall_id != current_hall().id or not current_user.can(*DECIDERS):
        abort(404)
    return petition


@bp.get("/")
@roles_required(*DECIDERS)
def inbox():
    hall = current_hall()
    waiting = receiving.inbox(hall.id, _departments())
    return render_template(
        "cases/online_inbox.html",
        hall=hall,
        waiting=waiting,
        masked={p.id: identity.mask_name(p.name) for p in waiting},
        departments={s.id: s for s in hall.services},
        notice_due=receiving.notice_due,
    )


@bp.get("/<int:petition_id>")
@roles_required(*DECIDERS)
def detail(petition_id: int):
    return _detail_page(_petition(petition_id), OnlineRoutingForm(formdata=None))


def _detail_page(petition: OnlinePetition, form: OnlineRoutingForm, *, error: str = "", status=200):
    petitions.viewed(petition, current_user.id, "opened")
    hall = current_hall()
    person = receiving.person_of(petition)
    open_matters = receiving.already_open(petition)
    if not form.category.data:
        form.category.data = petition.category
        form.purpose.data = petition.purpose
        form.department_id.data = petition.department_id
        form.accusation.data = petition.accusation
        form.accused_id.data = petition.department_id if petition.accusation else None
    page = render_template(
        "cases/online_detail.html",
        hall=hall,
        petition=petition,
        form=form,
        material_form=MaterialRequestForm(formdata=None),
        error=error,
        files=receiving.files_of(petition),
        requests=receiving.requests_of(petition),
        known=matters_in(person, hall.id) if person is not None else [],
        open_elsewhere=len(
            [c for c in open_matters if hall.id not in (c.hall_id, c.origin_hall_id)]
        ),
        open_here=[c for c in open_matters if hall.id in (c.hall_id, c.origin_hall_id)],
        id_masked=identity.mask_id(petition.id_number),
        phone_masked=identity.mask_phone(petition.phone),
        categories=routing.categories(hall),
        purposes=PURPOSES,
        departments=petitions.departments(hall),
        department_names={s.id: s.name for s in hall.services},
        notice_due=receiving.notice_due,
    )
    return page, status


@bp.post("/<int:petition_id>/register")
@roles_required(*DECIDERS)
def register(petition_id: int):
    """Register and route the matter as the counter does; on to its case page."""
    petition, form = _petition(petition_id), OnlineRoutingForm()
    hall = current_hall()
    try:
        if not form.validate_on_submit():
            name, problems = next(iter(form.errors.items()))
            raise InvalidInput(
                N_("%(field)s: %(problem)s"), field=form[name].label.text, problem=problems[0]
            )
        case = receiving.register(
            petition,
            hall,
            MatterInput(
                account="",
                category=form.category.data or "",
                purpose=form.purpose.data or "",
                department_id=form.department_id.data,
                urgent=bool(form.urgent.data),
                accusation=bool(form.accusation.data),
                accused_id=form.accused_id.data,
            ),
            staff_id=current_user.id,
            categories=routing.categories(hall),
            elderly_age=settings().elderly_age,
            now=utcnow(),
        )
    except QueueError as error:
        db.session.rollback()
        return _detail_page(
            _petition(petition_id), form, error=error_text(error), status=error.status
        )
    flash(gettext("Registered: the 15 days run from the day it was received."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)


@bp.post("/<int:petition_id>/material")
@roles_required(*DECIDERS)
def ask_material(petition_id: int):
    petition, form = _petition(petition_id), MaterialRequestForm()
    if not form.validate_on_submit():
        flash(gettext("Write what material is missing."), "error")
    else:
        try:
            receiving.ask_material(petition, form.text.data or "", current_user.id, utcnow())
        except QueueError as error:
            db.session.rollback()
            flash(error_text(error), "error")
        else:
            flash(gettext("Asked: the petitioner is texted and sees it on their page."), "success")
    if petition.case_id is not None:
        return redirect(url_for("cases.detail", case_id=petition.case_id), 303)
    return redirect(url_for("online_inbox.detail", petition_id=petition.id), 303)


@bp.get("/files/<int:file_id>")
@roles_required(*STAFF)
def attachment(file_id: int):
    """An attachment, for staff who may see its matter: always a download, never shown inline
    (a file is the petitioner's, whatever it claims to be); every fetch audited."""
    file = db.session.get(OnlineFile, file_id)
    if file is None:
        abort(404)
    petition = _petition(file.petition_id)
    petitions.viewed(petition, current_user.id, f"file {file.id}")
    response = Response(files.content(file), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{files.download_name(file)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
