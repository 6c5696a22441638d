"""Who may see which matter on the petitioner's page: the 查询码 and the phone number, a text's
link or a hall ticket open it for this browser for a while (the signed session); nothing that
opens it stays in an address."""

from __future__ import annotations

import time
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.models import Case, Hall, OnlinePetition
from reception.models.types import utcnow
from reception.online import petitions
from reception.web.common import current_hall, error_text, hall_path
from reception.web.edge.boundary import keep_writes_on_refusal
from reception.web.forms.online import QueryForm
from reception.web.online import bp

ACCESS_SECONDS = 30 * 60
ACCESS = "online_access"
SHOWN = "online_query_code"


def remote() -> str:
    return request.remote_addr or ""


def grant(*, petition: OnlinePetition | None = None, case: Case | None = None) -> None:
    session[ACCESS] = {
        "p": petition.id if petition is not None else None,
        "c": case.id if case is not None else None,
        "until": int(time.time()) + ACCESS_SECONDS,
    }


def granted() -> tuple[OnlinePetition | None, Case | None]:
    """The matter this browser opened (petition, case), or None for either; 404-free: an
    expired or missing one sends the person to the look-up."""
    held = session.get(ACCESS)
    if not isinstance(held, dict) or int(held.get("until") or 0) < time.time():
        session.pop(ACCESS, None)
        raise LookUpFirst()
    petition = db.session.get(OnlinePetition, held["p"]) if held.get("p") else None
    case_id = petition.case_id if petition is not None else held.get("c")
    case = db.session.get(Case, case_id) if case_id else None
    if petition is None and case is None:
        raise LookUpFirst()
    held["until"] = int(time.time()) + ACCESS_SECONDS
    session[ACCESS] = held
    return petition, case


class LookUpFirst(Exception):
    """No matter is open in this browser (or it was open too long ago)."""


@bp.errorhandler(LookUpFirst)
def look_up_first(_error: Exception):
    flash(gettext("Type your query code and phone number to open your matter."), "error")
    return redirect(url_for("online.lookup"), 303)


@bp.route("/lookup", methods=["GET", "POST"])
def lookup():
    form = QueryForm()
    if request.method == "GET":
        return render_template("online/lookup.html", hall=current_hall(), form=form)
    error = ""
    if form.validate_on_submit():
        try:
            petition = petitions.find(
                form.query_code.data or "", form.phone.data or "", remote(), utcnow()
            )
        except QueueError as refused:
            keep_writes_on_refusal()  # a miss counts towards the limit
            error = error_text(refused)
        else:
            grant(petition=petition)
            return redirect(url_for("online.matter"), 303)
    else:
        error = gettext("Type the query code and the phone number.")
    page = render_template("online/lookup.html", hall=current_hall(), form=form, error=error)
    return page, 422


@bp.post("/leave")
def leave():
    session.pop(ACCESS, None)
    session.pop(SHOWN, None)
    return redirect(url_for("online.lookup"), 303)


def open_case(case: Case) -> BaseResponse:
    """The matter's page for the visitor holding its ticket (the ticket page's link)."""
    petition = petitions.of_case(case.id)
    grant(petition=petition, case=case)
    return redirect(url_for("online.matter"), 303)


def open_link(link: str) -> BaseResponse | None:
    """A text's link: the matter's page at the hall it was sent to; None when no matter has it."""
    petition = petitions.by_link(link)
    if petition is None:
        return None
    grant(petition=petition)
    page = url_for("online.matter")
    hall = db.session.get(Hall, petition.hall_id)
    if hall is not None and hall.id != current_hall().id:
        page = hall_path(hall, page)
    return redirect(page, 303)


def fill_booking(form: Any) -> None:
    """A person who has just sent a matter from this browser books a visit to talk about it
    without typing themselves again (only then: a page opened later by a link or the 查询码
    shows the person masked, and so never fills their identity into a form)."""
    held = session.get(ACCESS)
    if not session.get(SHOWN) or not isinstance(held, dict) or not held.get("p"):
        return
    if int(held.get("until") or 0) < time.time():
        return
    petition = db.session.get(OnlinePetition, held["p"])
    if petition is None:
        return
    form.name.data, form.phone.data, form.id_number.data = (
        petition.name,
        petition.phone,
        petition.id_number,
    )
    form.description.data = f"网上信访事项（{petition.received_on:%Y-%m-%d}）：{petition.request}"[
        :500
    ]
