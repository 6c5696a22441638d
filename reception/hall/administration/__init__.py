"""Changes to the hall's set-up made from the browser, one module a topic: `changes` (how every
change is applied, audited and published), `places` (the hall, its services and desks), `people`
(staff accounts, passwords, API tokens; the video units), `displays`, `first_run` (the first
administrator), `transfer` (a description imported; the routing rules), `times` (slot
templates and the leaders' reception days). Every change is audited with what it was and what
it became (never a password, a token or anything personal). Nothing a ticket, case or booking
refers to is ever deleted: services, desks, staff and displays are deactivated instead."""

from __future__ import annotations

from reception.hall.administration.displays import change_display, enrol_display, revoke_display
from reception.hall.administration.first_run import (
    FIRST_RUN_FILE,
    first_run,
    first_run_token,
    first_run_valid,
    needs_first_admin,
)
from reception.hall.administration.people import (
    PASSWORD_ALPHABET,
    PASSWORD_LENGTH,
    change_own_password,
    new_api_token,
    new_password,
    reset_password,
    revoke_api_token,
    save_unit,
    save_user,
)
from reception.hall.administration.places import (
    create_hall,
    has_tickets,
    save_desk,
    save_hall,
    save_service,
)
from reception.hall.administration.times import (
    add_leader_day,
    add_template,
    remove_leader_day,
    remove_template,
)
from reception.hall.administration.transfer import (
    format_routing,
    import_description,
    parse_routing,
    save_routing,
)

__all__ = [
    "create_hall",
    "FIRST_RUN_FILE",
    "PASSWORD_ALPHABET",
    "PASSWORD_LENGTH",
    "add_leader_day",
    "add_template",
    "change_display",
    "change_own_password",
    "enrol_display",
    "first_run",
    "first_run_token",
    "first_run_valid",
    "format_routing",
    "has_tickets",
    "import_description",
    "needs_first_admin",
    "new_api_token",
    "new_password",
    "parse_routing",
    "remove_leader_day",
    "remove_template",
    "reset_password",
    "revoke_api_token",
    "revoke_display",
    "save_desk",
    "save_hall",
    "save_routing",
    "save_service",
    "save_unit",
    "save_user",
]
