"""The domains' signals (blinker): one domain tells what happened, others react as receivers.

A lower layer sends; a domain above connects its receiver where its own code lives, so the
sender never imports it. Receivers run inside the sender's transaction, before its commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# triage registered a matter and gave it its ticket: sender the hall id; `case`, `ticket`
# (None for a matter received without a visit: online), `matter` (the registrar's
# `MatterInput`), `now`
matter_registered = _signals.signal("matter-registered")

# staff took a step on a matter (a decision, the reply, a review's answer …): sender the case;
# `action` (`casework.DECISIONS` and `casework.STEPS`), `now`
case_step = _signals.signal("case-step")

# the queue ended a leg with words for the record: sender the ticket; `kind` ("outcome": what
# the desk did, "transfer": the note for the next desk), `text`, the leg's `service_id` and
# `desk_id`, `staff_id`, `now`
leg_noted = _signals.signal("leg-noted")
