"""Staff login and logout."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from reception.core.errors import QueueError
from reception.db.extensions import db
from reception.hall import administration
from reception.models import User
from reception.models.types import utcnow
from reception.queue import consoles
from reception.video import sessions as video
from reception.web.common import current_hall, error_text, hall_path, halls_of
from reception.web.edge import throttle
from reception.web.edge.boundary import keep_writes_on_refusal
from reception.web.forms import LoginForm, PasswordChangeForm
from reception.web.navigation import landing_url

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, user: User) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return landing_url(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username, remote, now = form.username.data or "", request.remote_addr or "", utcnow()
        if throttle.locked(username, remote, now):
            form.password.errors = [_l("Too many failed attempts: wait 10 minutes.")]
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalars(select(User).where(User.username == username)).first()
        ok = user is not None and user.active and user.check_password(form.password.data or "")
        throttle.record(username, remote, ok, now)
        keep_writes_on_refusal()  # a failed attempt counts even though the answer is 422
        if ok and user is not None:
            hall = current_hall()
            user.hall_role = user.role_in(hall.id)
            elsewhere = None if user.hall_role is not None else halls_of(user)
            if elsewhere == []:
                form.password.errors = [_l("This account works in no hall: ask the administrator.")]
                return render_template("auth/login.html", form=form), 403
            login_user(user)
            if elsewhere:  # a county's staff at the city's door: their own hall's pages
                user.hall_role = user.role_in(elsewhere[0].id)
                return redirect(hall_path(elsewhere[0], landing_url(user)))
            if user.must_change_password:
                return redirect(url_for("auth.password"))
            return redirect(_safe_next(request.args.get("next"), user))
        form.password.errors = [_l("Wrong username or password.")]
    if form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


# what a person who must change a given password may still reach: this page, logging out, the
# language switch and the static files
FIRST_LOGIN_ENDPOINTS = {"auth.password", "auth.logout", "home.set_language", "static"}


def require_own_password() -> Any:
    """Before every page: a person logged in with a password someone else gave them (a new
    account, a reset) sets their own first."""
    if (
        not request.path.startswith("/api/")  # integrations sign in with a token (and the
        # hot path loads no session user for this)
        and request.endpoint not in FIRST_LOGIN_ENDPOINTS
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("auth.password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (required at the first login with a given password)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            administration.change_own_password(
                current_user, form.current.data or "", form.password.data or ""
            )
        except QueueError as error:
            form.password.errors = [error_text(error)]
        else:
            flash(gettext("Your password is changed."), "success")
            return redirect(landing_url(current_user), 303)
    status = 422 if form.errors else 200
    return render_template(
        "auth/password.html", form=form, first=current_user.must_change_password
    ), status


@bp.post("/logout")
@login_required
def logout():
    if "console_key" in session:
        consoles.release(session.pop("console_key"))  # its desks are free for the next clerk
    video.mark_absent(current_user)  # a unit's staff gone: the kiosk stops offering the unit
    logout_user()
    return redirect(url_for("auth.login"))
