"""Administration in the browser (role admin): the hall, services, desks, staff, displays,
bookable times, routing rules, the hall description's import and export, the first
administrator; and the audit trail (admin and supervisor). One module a topic, all on the one
blueprint (`common.bp`). Views are thin: `reception.hall.administration` changes the set-up
and audits each change."""

from __future__ import annotations

from reception.web.admin.audit import audit
from reception.web.admin.common import bp
from reception.web.admin.description import export
from reception.web.admin.desks import desks
from reception.web.admin.displays import displays
from reception.web.admin.first_run import first_run
from reception.web.admin.hall import index
from reception.web.admin.routing import routing
from reception.web.admin.services import services
from reception.web.admin.staff import staff
from reception.web.admin.texts import texts
from reception.web.admin.times import appointments

__all__ = [
    "appointments",
    "audit",
    "bp",
    "desks",
    "displays",
    "export",
    "first_run",
    "index",
    "routing",
    "services",
    "staff",
    "texts",
]
