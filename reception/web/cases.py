"""Cases and their statutory clocks: due-soon and overdue lists, decisions, extensions, reviews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import selectinload

from reception.core import identity
from reception.core.clock import hall_day
from reception.core.errors import IllegalMove, InvalidInput, NotFound, QueueError
from reception.core.messages import N_
from reception.db.extensions import db
from reception.models import (
    AuditEntry,
    Case,
    CaseStatus,
    Hall,
    HandoverKind,
    Role,
    Service,
    ServiceKind,
    Ticket,
    User,
    VideoSession,
)
from reception.models.staff import holding
from reception.models.types import utcnow
from reception.online import follow, petitions, receiving
from reception.triage import casework, clocks, handover
from reception.triage.registration import audit, find_by_id_number, matters_in, visible_to
from reception.video import recordings
from reception.web import case_view
from reception.web.actions import optional_id
from reception.web.common import (
    city_staff_only,
    current_hall,
    error_text,
    roles_required,
)
from reception.web.forms import CaseActionForm, CaseFilterForm, LookupForm
from reception.web.forms.online import MaterialRequestForm

bp = Blueprint("cases", __name__, url_prefix="/cases")
STAFF = (Role.REGISTRAR, Role.DESK, Role.SUPERVISOR, Role.LEADER)
DECIDERS = (Role.REGISTRAR, Role.SUPERVISOR, Role.LEADER)


def _today() -> date:
    return hall_day(current_hall().timezone, utcnow())


def _departments_of(user: User) -> set[int]:
    return {user.department_id} if user.department_id else set()


def _may_see(case: Case) -> bool:
    if current_user.is_a(Role.DESK) and current_user.department_id:
        # department staff see their department's matters, never an accusation against it
        return case.department_id == current_user.department_id and visible_to(
            case, _departments_of(current_user)
        )
    return visible_to(case, _departments_of(current_user))


PAGE_SIZE = 50
FILTERS = ("state", "department", "category", "since", "until", "number")


def _visible_clause() -> ColumnElement[bool]:
    """The cases this user may see, as SQL (the same rule as `_may_see`)."""
    dept = current_user.department_id
    if dept is None:
        return true()
    not_accusing_us = or_(
        Case.accusation.is_(False), Case.accused_id.is_(None), Case.accused_id != dept
    )
    if current_user.is_a(Role.DESK):
        return and_(Case.department_id == dept, not_accusing_us)
    return not_accusing_us


@bp.get("/")
@roles_required(*STAFF)
def index():
    """Every case this user may see, newest first, filtered and paged."""
    form = CaseFilterForm(request.args)
    hall = current_hall()
    if not form.validate():
        return _list_page(form, [], 0, status=422)
    # the hall's own matters, and those it handed down to another hall (read only here)
    here = or_(Case.hall_id == hall.id, Case.origin_hall_id == hall.id)
    query = select(Case).where(here, _visible_clause())
    if form.state.data:
        query = query.where(Case.status == form.state.data)
    if form.department.data:
        query = query.where(Case.department_id == form.department.data)
    if form.category.data:
        query = query.where(Case.category == form.category.data)
    if form.since.data:
        query = query.where(Case.registered_on >= form.since.data)
    if form.until.data:
        query = query.where(Case.registered_on <= form.until.data)
    if form.case_id is not None:
        query = query.where(Case.id == form.case_id)
    listed = db.paginate(
        query.options(selectinload(Case.visitor), selectinload(Case.department)).order_by(
            Case.id.desc()
        ),
        page=form.page.data or 1,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return _list_page(form, list(listed.items), listed.total or 0)


def _list_page(
    form: CaseFilterForm,
    cases: list[Case],
    total: int,
    *,
    lookup: LookupForm | None = None,
    looked_up: bool = False,
    status: int = 200,
):
    hall = current_hall()
    number = (form.page.data or 1) if not form.errors else 1
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in FILTERS and v}
    html = render_template(
        "cases/list.html",
        hall=hall,
        form=form,
        lookup=lookup or LookupForm(formdata=None),
        looked_up=looked_up,
        cases=cases,
        total=total,
        page=number,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_url=lambda n: url_for("cases.index", page=n, **args),
        departments=[s for s in hall.services if s.kind == ServiceKind.DEPARTMENT],
        categories=hall.triage.get("categories", []),
        masked={case.id: identity.mask_name(case.visitor.name) for case in cases},
        clocks=clocks,
        today=_today(),
        online_waiting=(
            receiving.waiting_count(hall.id, _departments_of(current_user))
            if current_user.can(*DECIDERS)
            else None
        ),
    )
    return html, status


@bp.post("/lookup")
@roles_required(*STAFF)
def lookup():
    """A visitor's cases by ID number: POSTed, matched through the keyed hash, audited."""
    form, lookup_form = CaseFilterForm(formdata=None), LookupForm()
    if not lookup_form.validate_on_submit() or not lookup_form.id_number.data:
        lookup_form.id_number.errors = list(lookup_form.id_number.errors) or [
            gettext("Type the ID number to look up.")
        ]
        return _list_page(form, [], 0, lookup=lookup_form, looked_up=True, status=422)
    try:
        visitor = find_by_id_number(lookup_form.id_number.data, current_user.id, _today())
    except InvalidInput as error:
        lookup_form.id_number.errors = [error_text(error)]
        return _list_page(form, [], 0, lookup=lookup_form, looked_up=True, status=422)
    cases = [c for c in matters_in(visitor, current_hall().id) if _may_see(c)] if visitor else []
    lookup_form.id_number.data = ""  # the number is not drawn back into the page
    return _list_page(form, cases, len(cases), lookup=lookup_form, looked_up=True)


@bp.get("/due")
@roles_required(*STAFF)
def due():
    """Cases due within 7 days and overdue, grouped by department in charge."""
    today = _today()
    department = optional_id(request.args, "department")
    query = select(Case).where(
        Case.hall_id == current_hall().id,
        Case.status.in_((CaseStatus.REGISTERED, CaseStatus.ACCEPTED)),
    )
    if department:
        query = query.where(Case.department_id == department)
    rows = []
    for case in db.session.scalars(query.order_by(Case.id)):
        standing = clocks.standing(case, today)
        if standing != "ok" and _may_see(case):
            deadline = clocks.next_deadline(case)
            if deadline is not None:
                rows.append((case, deadline, standing))
    rows.sort(key=lambda row: row[1].due)
    departments = [s for s in current_hall().services if s.kind == ServiceKind.DEPARTMENT]
    return render_template(
        "cases/due.html",
        hall=current_hall(),
        rows=rows,
        today=today,
        departments=departments,
        department=department,
    )


def _case(case_id: int) -> Case:
    """The case, or the same 404 whether it does not exist or is hidden from this user: one of
    this hall's, or one it handed down to another hall (a read view here)."""
    case = db.session.get(Case, case_id)
    hall = current_hall()
    if case is None or hall.id not in (case.hall_id, case.origin_hall_id) or not _may_see(case):
        abort(404)
    return case


def _handled_here(case: Case) -> Case:
    """A matter this hall decides on: not one it handed down (refused, nothing changes)."""
    if case.hall_id != current_hall().id:
        raise IllegalMove(N_("This matter was handed to another hall: its steps are taken there."))
    return case


@bp.get("/<int:case_id>")
@roles_required(*STAFF)
def detail(case_id: int):
    return _detail_page(_case(case_id), CaseActionForm(formdata=None))


def _detail_page(case: Case, form: CaseActionForm, *, error: str = "", status: int = 200):
    """The case; after a refused step, with what was typed and why it was refused."""
    audit(current_user.id, "view_case", case_id=case.id, visitor_id=case.visitor_id)
    hall = current_hall()
    handled_here = case.hall_id == hall.id
    page = render_template(
        "cases/detail.html",
        hall=hall,
        case=case,
        handled_here=handled_here,
        handling_hall=db.session.get(Hall, case.hall_id),
        handovers=handover.handovers(case.id),
        hall_names={h.id: h.name for h in db.session.scalars(select(Hall))},
        receiving=handover.receiving_departments(case) if handled_here else [],
        supervision=handover.open_supervision(case.id),
        may_supervise=current_user.all_halls and current_user.can(Role.SUPERVISOR, Role.LEADER),
        person=case_view.masked(case),
        clocks=clocks,
        today=_today(),
        deadline=clocks.next_deadline(case),
        may_decide=handled_here and current_user.can(*DECIDERS),
        leaders=db.session.scalars(
            select(User).where(holding(Role.LEADER, current_hall().id)).order_by(User.id)
        ).all(),
        case_form=form,
        error=error,
        staff_names=_staff_names(case),
        registration=_registration(case),
        notices=notices_for(case),
        notice_titles={kind: gettext(title) for kind, title in NOTICES.items()},
        recorded=recordings.recorded_for_case(case.id),
        online=_online_part(case),
    )
    return page, status


def _online_part(case: Case) -> dict[str, Any] | None:
    """What came online with the matter (its files, requests for material, the petitioner's
    ratings of the reply); looking at it is audited."""
    petition = petitions.of_case(case.id)
    if petition is None:
        return None
    petitions.viewed(petition, current_user.id, "case page")
    return {
        "petition": petition,
        "files": receiving.files_of(petition),
        "requests": receiving.requests_of(petition),
        "ratings": list(follow.ratings_of(case).values()),
        "levels": follow.LEVELS,
        "material_form": MaterialRequestForm(formdata=None),
    }


@bp.get("/<int:case_id>/recordings/<int:session_id>.webm")
@roles_required(*STAFF)
def recording(case_id: int, session_id: int):
    """A video session's recording, for those who may see the case; every playback audited."""
    case = _case(case_id)
    call = db.session.get(VideoSession, session_id)
    ticket = db.session.get(Ticket, call.ticket_id) if call is not None else None
    if call is None or ticket is None or ticket.case_id != case.id or not call.recording:
        abort(404)
    if call.recording_purged_at is not None or recordings.stored(call.id)[0] == 0:
        abort(404)
    audit(current_user.id, "play_recording", case_id=case.id, detail=f"video session {call.id}")
    pieces = stream_with_context(recordings.pieces(call.id))
    response = Response(pieces, mimetype="video/webm")
    response.headers["Cache-Control"] = "no-store"
    return response


def _registration(case: Case) -> tuple[Any, str]:
    """When and by whom the matter was registered: the first line of its history."""
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.case_id == case.id, AuditEntry.action == "register_case")
        .order_by(AuditEntry.id)
        .limit(1)
    ).first()
    staff_id = entry.staff_id if entry is not None else case.registered_by
    user = db.session.get(User, staff_id) if staff_id else None
    who = (user.display_name or user.username) if user is not None else "—"
    return (entry.at if entry is not None else case.registered_on), who


def _staff_names(case: Case) -> dict[int, str]:
    ids = {note.staff_id for note in case.notes if note.staff_id}
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return {user.id: user.display_name or user.username for user in users}


NOTICES = {
    "acceptance": N_("Notice of acceptance (受理告知书)"),
    "non-acceptance": N_("Notice of non-acceptance (不予受理告知书)"),
    "opinion": N_("Handling opinion (信访处理意见书)"),
}


def notices_for(case: Case) -> list[str]:
    """The written notices the case's state allows printing."""
    kinds = []
    if case.status in (CaseStatus.ACCEPTED, CaseStatus.CONCLUDED) and case.decided_on:
        kinds.append("acceptance")
    if case.status in (CaseStatus.NOT_ACCEPTED, CaseStatus.NOT_REACCEPTED):
        kinds.append("non-acceptance")
    if case.replied_on:
        kinds.append("opinion")
    return kinds


@bp.get("/<int:case_id>/notice/<kind>")
@roles_required(*DECIDERS)
def notice(case_id: int, kind: str):
    """A written notice on A4, with the statutory dates filled in (printing it is audited)."""
    case = _case(case_id)
    if kind not in NOTICES:
        abort(404)
    if kind not in notices_for(case):
        abort(409, gettext("The case's state does not call for this notice."))
    audit(current_user.id, f"print_{kind}", case_id=case.id, visitor_id=case.visitor_id)
    return render_template(
        "cases/notice.html",
        hall=current_hall(),
        case=case,
        kind=kind,
        title=gettext(NOTICES[kind]),
        visitor_name=case.visitor.name,
        clocks=clocks,
        reason=casework.reason_for(case, case.status),
        opinion=casework.reason_for(case, "reply"),
        reference=casework.notice_reference(case, kind),
        today=_today(),
    )


@bp.post("/<int:case_id>/<action>")
@roles_required(*DECIDERS)
def act(case_id: int, action: str):
    return _step(
        case_id,
        lambda case, form: casework.apply(
            _handled_here(case), action, _today(), form.data, current_user.id
        ),
    )


@bp.post("/<int:case_id>/hand-down")
@roles_required(*DECIDERS)
def hand_down(case_id: int):
    """Hand the matter to a department of another hall (交办 / 转送), with the reason and the
    date to report by; this hall keeps a read view."""

    def step(case: Case, form: CaseActionForm) -> None:
        chosen = form.to_department_id.data
        department = db.session.get(Service, chosen) if chosen is not None else None
        handover.hand_down(
            _handled_here(case),
            department,
            kind=form.handover_kind.data or HandoverKind.ASSIGNED.value,
            reason=form.note.data or "",
            due_on=form.due_on.data,
            staff_id=current_user.id,
            today=_today(),
        )

    return _step(case_id, step)


@bp.post("/<int:case_id>/supervise")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def supervise(case_id: int):
    """The city puts the matter under supervision (督办): its accounts only."""
    city_staff_only()
    return _step(
        case_id,
        lambda case, form: handover.supervise(
            case,
            due_on=form.due_on.data,
            note=form.note.data or "",
            staff_id=current_user.id,
            today=_today(),
        ),
    )


@bp.post("/<int:case_id>/supervision/end")
@roles_required(Role.SUPERVISOR, Role.LEADER)
def end_supervision(case_id: int):
    city_staff_only()
    return _step(
        case_id,
        lambda case, form: handover.end_supervision(
            case, note=form.note.data or "", staff_id=current_user.id, now=utcnow()
        ),
    )


def _step(case_id: int, do: Callable[[Case, CaseActionForm], object]):
    """One step on the case from its page's form: saved and back to the case, or refused with
    nothing changed and the page drawn again with what was typed and why."""
    case, form = _case(case_id), CaseActionForm()
    try:
        if not form.validate_on_submit():
            name, problems = next(iter(form.errors.items()))
            raise InvalidInput(
                N_("%(field)s: %(problem)s"), field=form[name].label.text, problem=problems[0]
            )
        do(case, form)
    except QueueError as error:
        if isinstance(error, NotFound):
            abort(404)
        db.session.rollback()  # draw the case from the state before the attempt
        return _detail_page(_case(case_id), form, error=error_text(error), status=error.status)
    flash(gettext("Saved."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)
