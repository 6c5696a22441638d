"""Cases and their statutory clocks: due-soon and overdue lists, decisions, extensions, reviews."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Case, CaseStatus, Role, ServiceKind, User
from ..models.types import utcnow
from ..queue.clock import hall_day
from ..queue.errors import InvalidInput, NotFound, QueueError
from ..queue.messages import N_
from ..triage import casework, clocks
from ..triage.registration import audit, visible_to
from . import case_view
from .actions import optional_id
from .common import current_hall, error_text, roles_required
from .forms import CaseActionForm

bp = Blueprint("cases", __name__, url_prefix="/cases")
STAFF = (Role.REGISTRAR, Role.DESK, Role.SUPERVISOR, Role.LEADER)
DECIDERS = (Role.REGISTRAR, Role.SUPERVISOR, Role.LEADER)


def _today() -> date:
    return hall_day(current_hall().timezone, utcnow())


def _departments_of(user: User) -> set[int]:
    return {user.department_id} if user.department_id else set()


def _may_see(case: Case) -> bool:
    if current_user.role == Role.DESK and current_user.department_id:
        # department staff see their department's matters, never an accusation against it
        return case.department_id == current_user.department_id and visible_to(
            case, _departments_of(current_user)
        )
    return visible_to(case, _departments_of(current_user))


@bp.get("/")
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
    """The case, or the same 404 whether it does not exist or is hidden from this user."""
    case = db.session.get(Case, case_id)
    if case is None or case.hall_id != current_hall().id or not _may_see(case):
        abort(404)
    return case


@bp.get("/<int:case_id>")
@roles_required(*STAFF)
def detail(case_id: int):
    return _detail_page(_case(case_id), CaseActionForm(formdata=None))


def _detail_page(case: Case, form: CaseActionForm, *, error: str = "", status: int = 200):
    """The case; after a refused step, with what was typed and why it was refused."""
    audit(current_user.id, "view_case", case_id=case.id, visitor_id=case.visitor_id)
    page = render_template(
        "cases/detail.html",
        hall=current_hall(),
        case=case,
        person=case_view.masked(case),
        clocks=clocks,
        today=_today(),
        deadline=clocks.next_deadline(case),
        may_decide=current_user.can(*DECIDERS),
        leaders=db.session.scalars(select(User).where(User.role == Role.LEADER)).all(),
        case_form=form,
        error=error,
    )
    return page, status


@bp.post("/<int:case_id>/<action>")
@roles_required(*DECIDERS)
def act(case_id: int, action: str):
    case, form = _case(case_id), CaseActionForm()
    try:
        if not form.validate_on_submit():
            name, problems = next(iter(form.errors.items()))
            raise InvalidInput(
                N_("%(field)s: %(problem)s"), field=form[name].label.text, problem=problems[0]
            )
        casework.apply(case, action, _today(), form.data, current_user.id)
    except QueueError as error:
        if isinstance(error, NotFound):
            abort(404)
        db.session.rollback()  # draw the case from the state before the attempt
        return _detail_page(_case(case_id), form, error=error_text(error), status=error.status)
    flash(gettext("Saved."), "success")
    return redirect(url_for("cases.detail", case_id=case.id), 303)
