"""Administration in the browser (role admin): the hall, services, desks, staff, displays; and
the audit trail (admin and supervisor). Views are thin: `reception.hall.administration` changes the
set-up and audits each change."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from reception.appointments.slots import outside_hours
from reception.core.clock import hall_day, local_time, zone
from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.hall.description import HallDescriptionError, describe_hall
from reception.models import (
    AuditEntry,
    Desk,
    DisplayDevice,
    Hall,
    LeaderDay,
    Role,
    Service,
    ServiceKind,
    SlotTemplate,
    User,
)
from reception.models.audit import AUDIT_ACTIONS
from reception.models.types import utcnow
from reception.video import sessions as video
from reception.web import sockets
from reception.web.common import (
    SERVICE_KINDS,
    current_hall,
    error_text,
    in_hall,
    kind_aliases,
    roles_required,
    service_kind_text,
)
from reception.web.edge.gate import long_running
from reception.web.forms import (
    AuditFilterForm,
    DeskForm,
    DisplayForm,
    FirstRunForm,
    HallForm,
    ImportForm,
    LeaderDayForm,
    PostForm,
    RoutingForm,
    ServiceForm,
    SlotTemplateForm,
    StaffForm,
)
from reception.web.hall_import import check_description
from reception.web.tickets import public_base

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 50
MAX_DESCRIPTION = 1024 * 1024


def _refused(form: Any, error: QueueError) -> None:
    """A refusal from the rules, shown on the form; nothing was changed."""
    db.session.rollback()
    form.form_errors.append(error_text(error))
    form.refusal_status = error.status


def _status(form: Any) -> int:
    if getattr(form, "refusal_status", None):
        return int(form.refusal_status)
    return 422 if form.errors or form.form_errors else 200


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    hall = current_hall()
    return render_template(
        "admin/index.html",
        hall=hall,
        counts={
            "services": len(hall.services),
            "desks": len(hall.desks),
            "staff": db.session.scalar(select(func.count(User.id))),
            "displays": db.session.scalar(
                select(func.count(DisplayDevice.id)).where(DisplayDevice.revoked.is_(False))
            ),
        },
    )


@bp.route("/hall", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def hall_settings():
    hall = current_hall()
    form = HallForm(obj=hall)
    if request.method == "GET":
        form.fill_hours(hall.opening_hours or {})
    status = 200
    if form.validate_on_submit():
        data = {**form.data, "opening_hours": form.opening_hours()}
        administration.save_hall(hall, data, current_user.id)
        flash(gettext("Saved."), "success")
        return redirect(url_for("admin.hall_settings"), 303)
    if form.errors:
        status = 422
    return render_template("admin/hall.html", hall=hall, form=form), status


# --- services -------------------------------------------------------------------------------


def _service(service_id: int) -> Service:
    return in_hall(Service, service_id)


@bp.get("/services")
@roles_required(Role.ADMIN)
def services():
    return render_template("admin/services.html", hall=current_hall())


@bp.route("/services/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def service(service_id: int | None):
    hall = current_hall()
    item = _service(service_id) if service_id is not None else None
    form = ServiceForm(obj=item)
    if request.method == "GET" and item is None and request.args.get("kind") in SERVICE_KINDS:
        form.kind.data = request.args["kind"]  # "make one" from a page that needs that kind
    if form.validate_on_submit():
        try:
            saved = administration.save_service(hall, item, form.data, current_user.id)
        except QueueError as error:
            _refused(form, error)
        else:
            flash(gettext("Saved %(name)s.", name=saved.name), "success")
            return redirect(url_for("admin.services"), 303)
    status = _status(form)
    page = render_template(
        "admin/service.html",
        hall=hall,
        form=form,
        item=item,
        kinds=[k.value for k in ServiceKind],
        prefix_fixed=item is not None and administration.has_tickets(item),
    )
    return page, status


# --- desks ----------------------------------------------------------------------------------


def _desk(desk_id: int) -> Desk:
    return in_hall(Desk, desk_id)


@bp.get("/desks")
@roles_required(Role.ADMIN)
def desks():
    return render_template("admin/desks.html", hall=current_hall())


@bp.route("/desks/new", methods=["GET", "POST"], defaults={"desk_id": None})
@bp.route("/desks/<int:desk_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def desk(desk_id: int | None):
    hall = current_hall()
    item = _desk(desk_id) if desk_id is not None else None
    form = DeskForm(obj=item)
    if request.method == "GET" and item is not None:
        form.services.data = [s.id for s in item.services]
    by_id = {s.id: s for s in hall.services}
    if form.validate_on_submit():
        unknown = [i for i in form.services.data or [] if i not in by_id]
        if unknown:
            form.services.errors = [gettext("Choose from the list.")]
        else:
            chosen = [by_id[i] for i in form.services.data or []]
            try:
                saved = administration.save_desk(hall, item, form.data, chosen, current_user.id)
            except QueueError as error:
                _refused(form, error)
            else:
                flash(gettext("Saved desk %(number)s.", number=saved.number), "success")
                return redirect(url_for("admin.desks"), 303)
    status = _status(form)
    return render_template("admin/desk.html", hall=hall, form=form, item=item), status


# --- staff ----------------------------------------------------------------------------------


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/staff")
@roles_required(Role.ADMIN)
def staff():
    users = db.session.scalars(
        select(User).options(selectinload(User.desks)).order_by(User.username)
    ).all()
    return render_template("admin/staff.html", hall=current_hall(), users=users)


@bp.route("/staff/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def person(user_id: int | None):
    hall = current_hall()
    item = _user(user_id) if user_id is not None else None
    form = StaffForm(obj=item)
    if request.method == "GET" and item is not None:
        form.desks.data = [d.id for d in item.desks]
    by_id = {d.id: d for d in hall.desks}
    departments = {s.id for s in hall.services if s.kind == ServiceKind.DEPARTMENT}
    units = {unit.id: unit for unit in video.units(hall.id)}
    if form.validate_on_submit():
        if [i for i in form.desks.data or [] if i not in by_id]:
            form.desks.errors = [gettext("Choose from the list.")]
        elif form.department_id.data is not None and form.department_id.data not in departments:
            form.department_id.errors = [gettext("Choose from the list.")]
        elif form.remote_unit_id.data is not None and form.remote_unit_id.data not in units:
            form.remote_unit_id.errors = [gettext("Choose from the list.")]
        elif form.role.data == Role.REMOTE and form.remote_unit_id.data is None:
            form.remote_unit_id.errors = [gettext("A remote account needs its unit.")]
        else:
            chosen = [by_id[i] for i in form.desks.data or []]
            try:
                saved, password = administration.save_user(item, form.data, chosen, current_user)
            except QueueError as error:
                _refused(form, error)
            else:
                if password:
                    return _shown_once(saved, password=password)
                flash(gettext("Saved %(name)s.", name=saved.username), "success")
                return redirect(url_for("admin.staff"), 303)
    status = _status(form)
    page = render_template(
        "admin/person.html",
        hall=hall,
        form=form,
        item=item,
        roles=[r.value for r in Role],
        departments=[s for s in hall.services if s.kind == ServiceKind.DEPARTMENT],
        units=list(units.values()),
    )
    return page, status


def _shown_once(user: User, *, password: str | None = None, token: str | None = None):
    """A new password or API token, shown this once (only its hash is kept)."""
    page = render_template(
        "admin/secret.html", hall=current_hall(), user=user, password=password, token=token
    )
    response = (page, 200, {"Cache-Control": "no-store"})
    return response


def _posted() -> None:
    if not PostForm().validate_on_submit():
        abort(400)


@bp.post("/staff/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    _posted()
    user = _user(user_id)
    return _shown_once(user, password=administration.reset_password(user, current_user.id))


@bp.post("/staff/<int:user_id>/token")
@roles_required(Role.ADMIN)
def new_token(user_id: int):
    _posted()
    user = _user(user_id)
    return _shown_once(user, token=administration.new_api_token(user, current_user.id))


@bp.post("/staff/<int:user_id>/token/revoke")
@roles_required(Role.ADMIN)
def revoke_token(user_id: int):
    _posted()
    administration.revoke_api_token(_user(user_id), current_user.id)
    flash(gettext("The API token no longer works."), "success")
    return redirect(url_for("admin.person", user_id=user_id), 303)


# --- displays -------------------------------------------------------------------------------


def _display(device_id: int) -> DisplayDevice:
    return in_hall(DisplayDevice, device_id)


def _desk_choice(form: DisplayForm) -> Desk | None:
    if form.desk_id.data is None:
        return None
    desk = db.session.get(Desk, form.desk_id.data)
    if desk is None or desk.hall_id != current_hall().id:
        form.desk_id.errors = [gettext("Choose from the list.")]
        return None
    return desk


@bp.route("/displays", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def displays():
    hall = current_hall()
    form = DisplayForm()
    if request.method == "GET":
        form = DisplayForm(formdata=None)
    elif form.validate_on_submit():
        desk = _desk_choice(form)
        if not form.desk_id.errors:
            _device, token = administration.enrol_display(
                hall,
                form.name.data or "",
                desk,
                form.autoplay.data,
                current_user.id,
                rater=form.rater.data,
            )
            address = public_base() + url_for("home.enrol_display", code=token)
            return (
                render_template(
                    "admin/enrolled.html", hall=hall, name=form.name.data, address=address
                ),
                200,
                {"Cache-Control": "no-store"},
            )
    devices = db.session.scalars(
        select(DisplayDevice)
        .where(DisplayDevice.hall_id == hall.id)
        .order_by(DisplayDevice.revoked, DisplayDevice.name)
    ).all()
    status = 422 if form.errors else 200
    page = render_template(
        "admin/displays.html",
        hall=hall,
        form=form,
        devices=devices,
        online=_online_displays(),
        seen=_seen(devices),
        local=lambda moment: local_time(hall.timezone, moment),
        desks={d.id: d for d in hall.desks},
    )
    return page, status


def _online_displays() -> set[int]:
    return sockets.online_displays()


def _seen(devices: Any) -> dict[int, datetime | None]:
    return {device.id: sockets.last_seen(device.id) for device in devices}


@bp.route("/displays/<int:device_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def display(device_id: int):
    device = _display(device_id)
    form = DisplayForm(obj=device)
    if form.validate_on_submit():
        desk = _desk_choice(form)
        if not form.desk_id.errors:
            administration.change_display(
                device, form.name.data or "", desk, form.autoplay.data, current_user.id
            )
            flash(gettext("Saved %(name)s.", name=device.name), "success")
            return redirect(url_for("admin.displays"), 303)
    status = 422 if form.errors else 200
    page = render_template("admin/display.html", hall=current_hall(), form=form, item=device)
    return page, status


@bp.post("/displays/<int:device_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_display(device_id: int):
    _posted()
    device = _display(device_id)
    administration.revoke_display(device, current_user.id)
    flash(gettext("%(name)s no longer receives anything.", name=device.name), "success")
    return redirect(url_for("admin.displays"), 303)


# --- bookable times: slot templates and leaders' reception days -------------------------------


@bp.get("/appointments")
@roles_required(Role.ADMIN)
def appointments():
    return _appointments_page(SlotTemplateForm(formdata=None), LeaderDayForm(formdata=None))


def _appointments_page(
    template_form: SlotTemplateForm, leader_form: LeaderDayForm, status: int = 200
):
    hall = current_hall()
    by_id = {s.id: s for s in hall.services}
    today = hall_day(hall.timezone, utcnow())
    templates = db.session.scalars(
        select(SlotTemplate)
        .where(SlotTemplate.service_id.in_(list(by_id)))
        .order_by(SlotTemplate.service_id, SlotTemplate.start)
    ).all()
    leader_days = db.session.scalars(
        select(LeaderDay)
        .where(LeaderDay.hall_id == hall.id, LeaderDay.day >= today)
        .order_by(LeaderDay.day)
    ).all()
    page = render_template(
        "admin/appointments.html",
        hall=hall,
        services=by_id,
        templates=templates,
        leader_days=leader_days,
        template_form=template_form,
        leader_form=leader_form,
        today=today,
    )
    return page, status


@bp.post("/appointments/templates")
@roles_required(Role.ADMIN)
def add_template():
    form = SlotTemplateForm()
    if form.validate_on_submit():
        service = _service(form.service_id.data) if form.service_id.data else None
        try:
            assert service is not None
            data = {**form.data, "weekdays": [d - 1 for d in form.weekdays.data or []]}
            administration.add_template(service, data, current_user.id)
        except QueueError as error:
            _refused(form, error)
        else:
            _saved_within_hours(data)
            return redirect(url_for("admin.appointments"), 303)
    return _appointments_page(form, LeaderDayForm(formdata=None), _status(form))


def _saved_within_hours(data: dict[str, Any], message: str = "") -> None:
    """Saved; and, when the opening hours cut some of its slots, how many are not offered."""
    _inside, outside = outside_hours(
        current_hall(), data["weekdays"], data["start"], data["end"], data["slot_minutes"]
    )
    flash(message or gettext("Saved."), "success")
    if outside:
        flash(
            gettext(
                "%(n)s slot(s) fall outside the opening hours (the lunch break, a closed "
                "weekday) and are not offered.",
                n=outside,
            ),
            "info",
        )


@bp.post("/appointments/templates/<int:template_id>/remove")
@roles_required(Role.ADMIN)
def remove_template(template_id: int):
    _posted()
    template = db.session.get(SlotTemplate, template_id)
    service = _service(template.service_id) if template else None
    if template is None or service is None:
        abort(404)
    administration.remove_template(template, service, current_user.id)
    flash(gettext("Removed: bookings already made keep their times."), "success")
    return redirect(url_for("admin.appointments"), 303)


@bp.post("/appointments/leader-days")
@roles_required(Role.ADMIN)
def add_leader_day():
    hall, form = current_hall(), LeaderDayForm()
    if form.validate_on_submit():
        service = _service(form.service_id.data) if form.service_id.data else None
        try:
            assert service is not None
            today = hall_day(hall.timezone, utcnow())
            administration.add_leader_day(hall, service, form.data, today, current_user.id)
        except QueueError as error:
            _refused(form, error)
        else:
            data = form.data
            _saved_within_hours(
                {**data, "weekdays": [data["day"].weekday()]}, gettext("Published.")
            )
            return redirect(url_for("admin.appointments"), 303)
    return _appointments_page(SlotTemplateForm(formdata=None), form, _status(form))


@bp.post("/appointments/leader-days/<int:day_id>/remove")
@roles_required(Role.ADMIN)
def remove_leader_day(day_id: int):
    _posted()
    day = in_hall(LeaderDay, day_id)
    administration.remove_leader_day(day, current_user.id)
    flash(gettext("Removed from the published schedule."), "success")
    return redirect(url_for("admin.appointments"), 303)


@bp.errorhandler(QueueError)
def _refused_move(error: QueueError):
    """A refused one-button step (a removal the rules forbid): said on the page it came from."""
    flash(error_text(error), "error")
    back = request.referrer or ""
    if not back.startswith(request.host_url):  # only ever back to this site's own pages
        back = url_for("admin.index")
    return redirect(back, 303)


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
            _refused(form, error)
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin.routing"), 303)
    kinds = "、".join(service_kind_text(code) for code in SERVICE_KINDS if code != "department")
    page = render_template("admin/routing.html", hall=hall, form=form, kinds=kinds)
    return page, _status(form)


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
    return render_template("admin/import.html", hall=hall, form=form), _status(form)


# --- the first administrator -----------------------------------------------------------------


@bp.route("/first-run/<token>", methods=["GET", "POST"])
def first_run(token: str):
    """The one-time address `reception run` prints while no administrator exists: creates the
    hall (if none) and the first administrator, then logs them in."""
    instance = current_app.instance_path
    if not administration.first_run_valid(instance, token):
        abort(404)
    form = FirstRunForm()
    if form.validate_on_submit():
        try:
            user = administration.first_run(
                instance,
                form.hall_name.data or "",
                form.timezone.data or "",
                form.username.data or "",
                form.display_name.data or "",
                form.password.data or "",
            )
        except QueueError as error:
            _refused(form, error)
        else:
            login_user(user)
            flash(gettext("Welcome: the hall is yours to set up."), "success")
            return redirect(url_for("admin.index"), 303)
    return render_template("admin/first_run.html", hall=None, form=form), _status(form)


# --- the audit trail ------------------------------------------------------------------------


def _change_names(hall: Hall) -> dict[str, dict[int, str]]:
    """What the ids a set-up change holds name, by field (a department by its service)."""
    services = {s.id: s.name for s in hall.services}
    return {
        "department_id": services,
        "desk_id": {d.id: f"{d.number} {d.name}".strip() for d in hall.desks},
        "remote_unit_id": {u.id: u.name for u in video.units(hall.id)},
    }


@bp.get("/audit")
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def audit():
    """Who opened which record, who changed the set-up, who decided what: never the content
    of a visitor's record (entries hold ids and actions, changes hold set-up fields only)."""
    hall = current_hall()
    form = AuditFilterForm(request.args)
    query = select(AuditEntry)
    if form.validate():
        tz = zone(hall.timezone)
        if form.staff_id.data:
            query = query.where(AuditEntry.staff_id == form.staff_id.data)
        if form.action.data:
            query = query.where(AuditEntry.action == form.action.data)
        if form.since.data:
            start = datetime.combine(form.since.data, time(0), tzinfo=tz)
            query = query.where(AuditEntry.at >= start)
        if form.until.data:
            end = datetime.combine(form.until.data + timedelta(days=1), time(0), tzinfo=tz)
            query = query.where(AuditEntry.at < end)
    page = (form.page.data or 1) if not form.errors else 1
    listed = db.paginate(
        query.order_by(AuditEntry.id.desc()), page=page, per_page=AUDIT_PAGE, error_out=False
    )
    kept = ("staff_id", "action", "since", "until")
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in kept and v}
    html = render_template(
        "admin/audit.html",
        hall=hall,
        form=form,
        entries=listed.items,
        total=listed.total or 0,
        page=page,
        pages=max(1, listed.pages),
        page_url=lambda n: url_for("admin.audit", page=n, **args),
        users={u.id: u for u in db.session.scalars(select(User))},
        actions=list(AUDIT_ACTIONS),
        names=_change_names(hall),
    )
    return html, 422 if form.errors else 200
