"""Sending a matter from a phone: the code that confirms the number, the form with its files
(sent by the page's script, so a refusal keeps every file chosen), the 查询码 once."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext

from reception.core.errors import InvalidInput, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models.types import utcnow
from reception.online import codes, files, limits, petitions
from reception.triage import routing
from reception.triage.registration import PURPOSES
from reception.web.common import current_hall, error_text
from reception.web.edge.boundary import keep_writes_on_refusal
from reception.web.forms.online import OnlinePetitionForm, PhoneCodeForm
from reception.web.online import bp
from reception.web.online.access import SHOWN, grant, remote


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
        codes.send(current_hall().id, form.phone.data or "", remote(), utcnow())
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


def uploads(field: str = "files") -> list[files.Upload]:
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
            uploads(),
            form.code.data or "",
            categories=routing.categories(hall),
            remote=remote(),
            now=utcnow(),
        )
    except codes.WrongCode as error:
        keep_writes_on_refusal()  # the try counts; nothing else was written
        form.code.errors = [error_text(error)]
        return _refused(form, error_text(error))
    except QueueError as error:
        return _refused(form, error_text(error), error.status)
    session[SHOWN] = petitions.shown(query)
    grant(petition=petition)
    if _by_script():
        return jsonify(ok=True, redirect=url_for("online.done"))
    return redirect(url_for("online.done"), 303)


@bp.get("/done")
def done():
    """The 查询码, shown after sending (for this browser's session only)."""
    code = session.get(SHOWN)
    if not code:
        return redirect(url_for("online.lookup"))
    return render_template("online/done.html", hall=current_hall(), query_code=code)
