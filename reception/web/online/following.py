"""The petitioner's own page: where the matter stands and each step, the next statutory date,
the written notices, a request for material to answer, the reply to rate, review and
re-examination to ask for."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from reception.core import identity
from reception.core.clock import hall_day
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, Hall, OnlinePetition
from reception.models.types import utcnow
from reception.online import (
    follow,
    receiving,
    texts,  # noqa: F401 - connects the texts at each step
)
from reception.triage import casework, clocks
from reception.web.cases import NOTICES, notices_for
from reception.web.common import current_hall, error_text
from reception.web.forms.online import MaterialAnswerForm, PetitionerRequestForm, ReplyRatingForm
from reception.web.online import bp
from reception.web.online.access import granted
from reception.web.online.sending import uploads


def _today(hall: Hall) -> Any:
    return hall_day(hall.timezone, utcnow())


@bp.get("/matter")
def matter():
    petition, case = granted()
    return _matter_page(petition, case)


def _matter_page(
    petition: OnlinePetition | None,
    case: Case | None,
    *,
    status: int = 200,
    error: str = "",
    forms: dict[str, Any] | None = None,
):
    hall = current_hall()
    today = _today(hall)
    name = case.visitor.name if case is not None else petition.name if petition else ""
    forms = forms or {}
    page = render_template(
        "online/matter.html",
        hall=hall,
        petition=petition,
        case=case,
        name=identity.mask_name(name),
        now=gettext(follow.NOW_TEXT[follow.now(case)]),
        steps=follow.steps(hall, petition, case),
        step_text=follow.STEP_TEXT,
        next_date=follow.next_date(case, petition),
        next_text=follow.NEXT_TEXT,
        notices=_notices(case),
        requests=receiving.requests_of(petition) if petition is not None else [],
        rating_stage=follow.rating_stage(case) if case is not None else None,
        given=follow.ratings_of(case) if case is not None else {},
        levels=follow.LEVELS,
        may_ask=follow.may_ask(case, today) if case is not None else None,
        rating_form=forms.get("rate") or ReplyRatingForm(formdata=None),
        ask_form=forms.get("ask") or PetitionerRequestForm(formdata=None),
        answer_form=forms.get("answer") or MaterialAnswerForm(formdata=None),
        error=error,
        today=today,
    )
    return page, status


def _notices(case: Case | None) -> list[tuple[str, str]]:
    if case is None:
        return []
    return [(kind, gettext(NOTICES[kind])) for kind in notices_for(case)]


def _act(do, form_key: str, form: Any):
    """One step the petitioner takes on their page: saved and back to it, or refused with
    the page drawn again with what was typed and why."""
    petition, case = granted()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Please check what you filled in."))
        do(petition, case, form)
    except QueueError as error:
        db.session.rollback()
        petition, case = granted()
        return _matter_page(
            petition, case, status=error.status, error=error_text(error), forms={form_key: form}
        )
    flash(gettext("Saved."), "success")
    return redirect(url_for("online.matter"), 303)


def _need_case(case: Case | None) -> Case:
    if case is None:
        raise InvalidInput(N_("The matter is not registered yet."))
    return case


@bp.post("/matter/rate")
def rate():
    def do(petition, case, form):
        follow.rate(_need_case(case), form.unit.data or "", form.office.data or "", utcnow())

    return _act(do, "rate", ReplyRatingForm())


@bp.post("/matter/ask/<what>")
def ask(what: str):
    if what not in ("review", "recheck"):
        abort(404)

    def do(petition, case, form):
        follow.ask(_need_case(case), what, form.reason.data or "", _today(current_hall()))

    return _act(do, "ask", PetitionerRequestForm())


@bp.post("/matter/material/<int:request_id>")
def answer(request_id: int):
    def do(petition, case, form):
        if petition is None:
            raise InvalidInput(N_("No such request for material."))
        receiving.answer_material(petition, request_id, form.answer.data or "", uploads(), utcnow())

    return _act(do, "answer", MaterialAnswerForm())


@bp.get("/matter/notice/<kind>")
def notice(kind: str):
    """A written notice of the matter, to read or (`?download=1`) to keep."""
    _petition, case = granted()
    if case is None or kind not in [k for k, _t in _notices(case)]:
        abort(404)
    signed = case.replied_on if kind == "opinion" else case.decided_on
    html = render_template(
        "cases/notice.html",
        hall=db.session.get(Hall, case.hall_id),  # the authority handling it (handed down too)
        case=case,
        kind=kind,
        title=gettext(NOTICES[kind]),
        visitor_name=identity.mask_name(case.visitor.name),
        clocks=clocks,
        reason=casework.reason_for(case, case.status),
        opinion=casework.reason_for(case, "reply"),
        reference=casework.notice_reference(case, kind),
        today=signed,
        back_url=url_for("online.matter"),
    )
    response = Response(html, mimetype="text/html")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{case.number}-{kind}.html"'
        )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_app_request
def private_pages(response: Response) -> Response:
    """The petitioner's pages are nobody else's: never cached, never named to another site."""
    if request.blueprint == "online":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response
