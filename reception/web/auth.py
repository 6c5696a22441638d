"""Staff login and logout."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from ..boundary import keep_writes_on_refusal
from ..extensions import db
from ..models import User
from ..models.types import utcnow
from ..queue import consoles
from . import throttle
from .forms import LoginForm
from .navigation import landing_url

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
            login_user(user)
            return redirect(_safe_next(request.args.get("next"), user))
        form.password.errors = [_l("Wrong username or password.")]
    if form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if "console_key" in session:
        consoles.release(session.pop("console_key"))  # its desks are free for the next clerk
    logout_user()
    return redirect(url_for("auth.login"))
