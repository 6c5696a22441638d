"""The domains' signals (blinker): one domain tells what happened, others react as receivers.

A lower layer sends; a domain above connects its receiver where its own code lives, so the
sender never imports it. Receivers run inside the sender's transaction, before its commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# triage registered a matter and gave it its ticket: sender the hall id; `case`, `ticket`,
# `matter` (the registrar's `MatterInput`), `now`
matter_registered = _signals.signal("matter-registered")

# the queue ended a leg with words for the record: sender the ticket; `kind` ("outcome": what
# the desk did, "transfer": the note for the next desk), `text`, the leg's `service_id` and
# `desk_id`, `staff_id`, `now`
leg_noted = _signals.signal("leg-noted")
