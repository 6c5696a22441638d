"""The online door (`/online/`): a matter sent from a phone, no account; and the petitioner's
own page for following it (or a matter registered in the hall) to its end.

The page is opened by the 查询码 and the phone number, by the link in a text, or from the
ticket of a hall visit; what opened it is kept in the signed session for a while, so no code,
token or ID number stays in the address."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from reception.core import identity
from reception.core.clock import hall_day
from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import Case, Hall, OnlinePetition
from reception.models.types import utcnow
from reception.online import (
    codes,
    files,
    follow,
    limits,
    petitions,
    receiving,
    texts,  # noqa: F401 - connects the texts at each step
)
from reception.triage import casework, clocks, routing
from reception.triage.registration import PURPOSES
from reception.web.cases import NOTICES, notices_for
from reception.web.common import current_hall, error_text, hall_path
from reception.web.edge.boundary import keep_writes_on_refusal
from reception.web.forms.online import (
    MaterialAnswerForm,
    OnlinePetitionForm,
    PetitionerRequestForm,
    PhoneCodeForm,
    QueryForm,
    ReplyRatingForm,
)

bp = Blueprint("online", __name__, url_prefix="/online")
ACCESS_SECONDS = 30 * 60
_ACCESS = "online_access"
_SHOWN = "online_query_code"


def _remote() -> str:
    return request.remote_addr or ""


def _by_script() -> bool:
    """The page's script sent the form (and keeps the chosen files when it is refused)."""
    return request.headers.get("X-Requested-With") == "fetch"


def _form_page(form: OnlinePetitionForm, *, status: int = 200, message: str = "", error: str = ""):
    hall = current_hall()
    page = render_template(
        "online/form.html",
        hall=hall,
        form=form,
        categories=routing.categories(hall),
        departments=petitions.departments(hall),
        purposes=PURPOSES,
        message=message,
        error=error,
        max_files=files.MAX_FILES,
        max_bytes=files.MAX_BYTES,
    )
    return page, status


@bp.before_request
def _room_for_files() -> None:
    """The form and a material answer carry up to five files of 10 MB; no other page does."""
    request.max_content_length = files.MAX_FILES * files.MAX_BYTES + 1024 * 1024


@bp.get("/")
def index():
    return _form_page(OnlinePetitionForm(formdata=None))


@bp.post("/code")
def send_code():
    """Text a code to the number; the page's script asks for it, a page without script
    posts the whole form here and gets it back with everything typed."""
    form = PhoneCodeForm()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Write your mobile number."))
        codes.send(current_hall().id, form.phone.data or "", _remote(), utcnow())
    except QueueError as error:
        db.session.rollback()
        if _by_script():
            return jsonify(error="refused", message=error_text(error)), error.status
        return _form_page(OnlinePetitionForm(), status=error.status, error=error_text(error))
    message = gettext("A code was sent to your phone. It is valid for 10 minutes.")
    if _by_script():
        return jsonify(ok=True, message=message, wait=int(limits.CODE_GAP.total_seconds()))
    return _form_page(OnlinePetitionForm(), message=message)


def _refused(form: OnlinePetitionForm, error: str, status: int = 422):
    if _by_script():
        fields = {name: [str(m) for m in problems] for name, problems in form.errors.items()}
        return jsonify(error="invalid_input", message=error, fields=fields), status
    return _form_page(form, status=status, error=error)


def _uploads(field: str = "files") -> list[files.Upload]:
    """What was attached (an empty file input sends one nameless, empty part)."""
    return [
        files.Upload(part.filename or "", part.read(files.MAX_BYTES + 1))
        for part in request.files.getlist(field)
        if part and (part.filename or part.content_length)
    ]


@bp.post("/")
def submit():
    form = OnlinePetitionForm()
    if not form.validate_on_submit():
        return _refused(form, gettext("Please check the marked fields."))
    hall = current_hall()
    data = petitions.PetitionInput(
        name=form.name.data or "",
        id_number=form.id_number.data or "",
        phone=form.phone.data or "",
        request=form.request.data or "",
        facts=form.facts.data or "",
        category=form.category.data or "",
        purpose=form.purpose.data or "",
        department_id=form.department_id.data,
        accusation=bool(form.accusation.data),
        place=form.place.data or "",
        group_size=form.group_size.data or 1,
        representatives=(form.representatives.data or "").splitlines(),
    )
    try:
        petition, query = petitions.submit(
            hall,
            data,
            _uploads(),
            form.code.data or "",
            categories=routing.categories(hall),
            remote=_remote(),
            now=utcnow(),
        )
    except codes.WrongCode as error:
        keep_writes_on_refusal()  # the try counts; nothing else was written
        form.code.errors = [error_text(error)]
        return _refused(form, error_text(error))
    except QueueError as error:
        return _refused(form, error_text(error), error.status)
    session[_SHOWN] = petitions.shown(query)
    _grant(petition=petition)
    if _by_script():
        return jsonify(ok=True, redirect=url_for("online.done"))
    return redirect(url_for("online.done"), 303)


@bp.get("/done")
def done():
    """The 查询码, shown after sending (for this browser's session only)."""
    code = session.get(_SHOWN)
    if not code:
        return redirect(url_for("online.lookup"))
    return render_template("online/done.html", hall=current_hall(), query_code=code)


def _grant(*, petition: OnlinePetition | None = None, case: Case | None = None) -> None:
    session[_ACCESS] = {
        "p": petition.id if petition is not None else None,
        "c": case.id if case is not None else None,
        "until": int(time.time()) + ACCESS_SECONDS,
    }


def _granted() -> tuple[OnlinePetition | None, Case | None]:
    """The matter this browser opened (petition, case), or None for either; 404-free: an
    expired or missing grant sends the person to the look-up."""
    grant = session.get(_ACCESS)
    if not isinstance(grant, dict) or int(grant.get("until") or 0) < time.time():
        session.pop(_ACCESS, None)
        raise _LookUpFirst()
    petition = db.session.get(OnlinePetition, grant["p"]) if grant.get("p") else None
    case_id = petition.case_id if petition is not None else grant.get("c")
    case = db.session.get(Case, case_id) if case_id else None
    if petition is None and case is None:
        raise _LookUpFirst()
    grant["until"] = int(time.time()) + ACCESS_SECONDS
    session[_ACCESS] = grant
    return petition, case


class _LookUpFirst(Exception):
    pass


@bp.errorhandler(_LookUpFirst)
def _look_up_first(_error: Exception):
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
                form.query_code.data or "", form.phone.data or "", _remote(), utcnow()
            )
        except QueueError as refused:
            keep_writes_on_refusal()  # a miss counts towards the limit
            error = error_text(refused)
        else:
            _grant(petition=petition)
            return redirect(url_for("online.matter"), 303)
    else:
        error = gettext("Type the query code and the phone number.")
    page = render_template("online/lookup.html", hall=current_hall(), form=form, error=error)
    return page, 422


@bp.post("/leave")
def leave():
    session.pop(_ACCESS, None)
    session.pop(_SHOWN, None)
    return redirect(url_for("online.lookup"), 303)


def open_case(case: Case) -> BaseResponse:
    """The matter's page for the visitor holding its ticket (the ticket page's link)."""
    petition = petitions.of_case(case.id)
    _grant(petition=petition, case=case)
    return redirect(url_for("online.matter"), 303)


def open_link(link: str) -> BaseResponse | None:
    """A text's link: the matter's page at the hall it was sent to; None when no matter has it."""
    petition = petitions.by_link(link)
    if petition is None:
        return None
    _grant(petition=petition)
    page = url_for("online.matter")
    hall = db.session.get(Hall, petition.hall_id)
    if hall is not None and hall.id != current_hall().id:
        page = hall_path(hall, page)
    return redirect(page, 303)


def fill_booking(form: Any) -> None:
    """A person who has just sent a matter from this browser books a visit to talk about it
    without typing themselves again (only then: a page opened later by a link or the 查询码
    shows the person masked, and so never fills their identity into a form)."""
    grant = session.get(_ACCESS)
    if not session.get(_SHOWN) or not isinstance(grant, dict) or not grant.get("p"):
        return
    if int(grant.get("until") or 0) < time.time():
        return
    petition = db.session.get(OnlinePetition, grant["p"])
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


def _today(hall: Hall) -> Any:
    return hall_day(hall.timezone, utcnow())


@bp.get("/matter")
def matter():
    petition, case = _granted()
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
    petition, case = _granted()
    try:
        if not form.validate_on_submit():
            raise InvalidInput(N_("Please check what you filled in."))
        do(petition, case, form)
    except QueueError as error:
        db.session.rollback()
        petition, case = _granted()
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
        receiving.answer_material(
            petition, request_id, form.answer.data or "", _uploads(), utcnow()
        )

    return _act(do, "answer", MaterialAnswerForm())


@bp.get("/matter/notice/<kind>")
def notice(kind: str):
    """A written notice of the matter, to read or (`?download=1`) to keep."""
    _petition, case = _granted()
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
