"""Where each role works: the pages in a staff member's navigation bar, and where a login lands.

The roles here are the same ones each page's `roles_required` checks (admins may open all).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from reception.models import Role, User


@dataclass(frozen=True)
class Page:
    endpoint: str
    label: object  # a lazy translation
    roles: tuple[str, ...]
    city: bool = False  # for the city's own accounts only (those working in every hall)


STAFF_PAGES = (
    Page("desk.choose", _l("Desk console"), (Role.DESK, Role.SUPERVISOR)),
    Page("registration.start", _l("Registration"), (Role.REGISTRAR, Role.SUPERVISOR)),
    Page("cases.index", _l("Cases"), (Role.REGISTRAR, Role.DESK, Role.SUPERVISOR, Role.LEADER)),
    Page("appointments.day", _l("Bookings"), (Role.REGISTRAR, Role.DESK, Role.SUPERVISOR)),
    Page("supervisor.board", _l("Hall board"), (Role.SUPERVISOR, Role.LEADER)),
    Page("city.board", _l("City board"), (Role.SUPERVISOR, Role.LEADER), city=True),
    Page("city.supervised", _l("Supervision"), (Role.SUPERVISOR, Role.LEADER), city=True),
    Page("supervisor.follow_ups", _l("Follow-ups"), (Role.SUPERVISOR, Role.LEADER)),
    Page("reports.index", _l("Reports"), (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)),
    Page("video.remote", _l("Video reception"), (Role.REMOTE,)),
    Page("admin.index", _l("Administration"), (Role.ADMIN,)),
    Page("admin.audit", _l("Audit trail"), (Role.SUPERVISOR,)),
)
LANDING = {
    Role.DESK: "desk.choose",
    Role.REGISTRAR: "registration.start",
    Role.SUPERVISOR: "supervisor.board",
    Role.LEADER: "supervisor.board",
    Role.ADMIN: "admin.index",
    Role.REMOTE: "video.remote",
}


def pages_for(user: User, *, city: bool = False) -> list[Page]:
    """The pages in `user`'s navigation bar; the city's pages only on a deployment of several
    halls (`city`) and for its city accounts."""
    pages = [
        page
        for page in STAFF_PAGES
        if user.can(*page.roles) and (not page.city or (city and user.all_halls))
    ]
    if user.is_a(Role.ADMIN):  # the audit trail is inside administration; admins hold no unit
        pages = [page for page in pages if page.endpoint not in ("admin.audit", "video.remote")]
    return pages


def landing_url(user: User) -> str:
    """The page a role starts its day on (every role has one it may open)."""
    return url_for(LANDING.get(Role(user.hall_role or user.role), "home.index"))
