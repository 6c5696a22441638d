"""The one table of a ticket's actions.

Every action a ticket's event log records is a row here: the states it may start from, whether
only the desk holding the ticket may make it, what it takes besides the desk, how staff read
its name and what it did. The engine checks its moves against this table; the desk console,
the JSON API's operations and request schemas, the live events' type, the labels and the tests
all read it, so an action is added, renamed or refused in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from reception.core.messages import N_, Label
from reception.models import TicketState

S = TicketState


@dataclass(frozen=True)
class TicketAction:
    code: str  # as the engine and the event log write it ("no_show")
    label: str  # its name for staff (marked for translation; "mark a no-show")
    allowed_from: frozenset[str] = frozenset()  # empty: not a move on an existing ticket
    desk_bound: bool = False  # only the desk that holds the ticket may make it
    takes: str = ""  # what it needs besides the desk: "outcome", "note" or "target"
    done: str = ""  # what it did, for the desk that made it (marked; "%(number)s …")

    @property
    def path(self) -> str:
        """As addresses write it ("no-show"): a move's URL, the API's operation."""
        return self.code.replace("_", "-")

    @property
    def is_move(self) -> bool:
        """A desk's move on a ticket (the console's and the API's), not issuing or video."""
        return bool(self.allowed_from)

    def named(self) -> Label:
        """The action's name as an error message's parameter (the web translates it)."""
        return Label(self.label)


ACTIONS: dict[str, TicketAction] = {
    action.code: action
    for action in (
        TicketAction("issue", N_("issue a ticket")),
        TicketAction("call", N_("call"), frozenset({S.WAITING}), done=N_("Called %(number)s.")),
        TicketAction(
            "recall",
            N_("recall"),
            frozenset({S.CALLED}),
            desk_bound=True,
            done=N_("%(number)s called again."),
        ),
        TicketAction(
            "start",
            N_("start service"),
            frozenset({S.CALLED}),
            desk_bound=True,
            done=N_("%(number)s: service started."),
        ),
        TicketAction(
            "finish",
            N_("finish"),
            frozenset({S.SERVING}),
            desk_bound=True,
            takes="outcome",
            done=N_("%(number)s finished."),
        ),
        TicketAction(
            "no_show",
            N_("mark a no-show"),
            frozenset({S.CALLED}),
            desk_bound=True,
            done=N_("%(number)s marked as not present."),
        ),
        TicketAction(
            "return",
            N_("return to queue"),
            frozenset({S.NO_SHOW}),
            done=N_("%(number)s is back in line."),
        ),
        TicketAction(
            "hold",
            N_("hold"),
            frozenset({S.CALLED, S.SERVING}),
            desk_bound=True,
            takes="note",
            done=N_("%(number)s on hold."),
        ),
        TicketAction(
            "resume", N_("resume"), frozenset({S.HELD}), done=N_("%(number)s is back in line.")
        ),
        TicketAction(
            "transfer",
            N_("transfer"),
            frozenset({S.CALLED, S.SERVING}),
            desk_bound=True,
            takes="target",
        ),
        TicketAction(
            "cancel",
            N_("cancel"),
            frozenset({S.WAITING, S.CALLED, S.HELD, S.NO_SHOW}),
            takes="note",
            done=N_("%(number)s voided."),
        ),
        TicketAction("video_start", N_("start the video reception")),
        TicketAction("video_end", N_("end the video reception")),
    )
}
MOVES: tuple[TicketAction, ...] = tuple(a for a in ACTIONS.values() if a.is_move)
BY_PATH: dict[str, TicketAction] = {a.path: a for a in MOVES}

# the engine's views of the table
ALLOWED_FROM: dict[str, frozenset[str]] = {a.code: a.allowed_from for a in MOVES}
DESK_BOUND = frozenset(a.code for a in MOVES if a.desk_bound)
