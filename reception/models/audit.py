"""Every kind of audit entry, once: its code (stored) and what a person reads for it.

An entry of a kind not listed here cannot be written (`AuditEntry` checks), so the audit trail
never shows a raw code such as `view_case` to its readers.
"""

from __future__ import annotations

from reception.core.messages import N_

AUDIT_ACTIONS: dict[str, str] = {
    # who opened which record
    "view_visitor": N_("Opened a visitor's record"),
    "view_case": N_("Opened a case"),
    "play_recording": N_("Played a video reception recording"),
    "print_acceptance": N_("Printed the notice of acceptance"),
    "print_non-acceptance": N_("Printed the notice of non-acceptance"),
    "print_opinion": N_("Printed the handling opinion"),
    # who registered and decided what
    "register_case": N_("Registered a matter"),
    "issue_outside_hours": N_("Gave a number outside the opening hours"),
    "video_outcome": N_("Wrote the outcome of a video reception"),
    "case_accepted": N_("Accepted a matter"),
    "case_not_accepted": N_("Did not accept a matter"),
    "case_not_reaccepted": N_("Did not accept a matter again"),
    "case_transferred": N_("Transferred a matter"),
    "case_decision_dated": N_("Recorded a decision taken on an earlier day"),
    "case_extend": N_("Extended the handling time"),
    "case_reply": N_("Gave the handling opinion"),
    "case_review": N_("Recorded a request for review"),
    "case_review-answer": N_("Answered a request for review"),
    "case_recheck": N_("Recorded a request for re-examination"),
    "case_leader": N_("Named the leader responsible"),
    "reveal_phone": N_("Showed a visitor's phone number for a call-back"),
    # who changed the set-up
    "setup_hall": N_("Changed the hall"),
    "setup_service": N_("Changed a service"),
    "setup_desk": N_("Changed a desk"),
    "setup_staff": N_("Changed a staff account"),
    "setup_remote_unit": N_("Changed a unit received over video"),
    "setup_display": N_("Changed a display"),
    "setup_routing": N_("Changed the routing rules"),
    "setup_slots": N_("Changed the bookable times"),
    "setup_leader_day": N_("Changed a leader's reception day"),
    "setup_password_reset": N_("Gave a new password"),
    "setup_api_token": N_("Gave an API token"),
    "setup_api_token_revoked": N_("Revoked an API token"),
    "setup_first_admin": N_("Created the first administrator"),
    "setup_import": N_("Imported a hall description"),
    "password_changed": N_("Changed their own password"),
}

# The set-up fields a change shows (before → after), by the name it is stored under.
CHANGE_FIELDS: dict[str, str] = {
    "name": N_("Name of the record"),
    "name_en": N_("English name"),
    "address": N_("Address of the hall"),
    "timezone": N_("Time zone"),
    "notice": N_("Notice line"),
    "lobby_floor": N_("Floor of the lobby"),
    "opening_hours": N_("Opening hours"),
    "follow_up_days": N_("Working days to a call-back"),
    "pause_alert_minutes": N_("Minutes before a pause alert"),
    "video_answer_seconds": N_("Seconds for a unit to answer"),
    "video_recording": N_("Record video receptions"),
    "recording_retention_days": N_("Days a recording is kept"),
    "prefix": N_("Number prefix"),
    "kind": N_("Kind"),
    "waiting_area": N_("Waiting area"),
    "wait_target_minutes": N_("Wait target (minutes)"),
    "active": N_("In use"),
    "sort_order": N_("Order"),
    "number": N_("Desk number"),
    "floor": N_("Floor"),
    "location": N_("Room"),
    "location_en": N_("Room (English)"),
    "services": N_("Services"),
    "username": N_("Username"),
    "display_name": N_("Display name"),
    "role": N_("Role"),
    "department_id": N_("Department"),
    "remote_unit_id": N_("Unit received over video"),
    "desks": N_("Desks"),
    "desk": N_("Desk"),
    "desk_id": N_("Desk"),
    "autoplay": N_("Plays sound by itself"),
    "revoked": N_("Revoked"),
    "triage": N_("Routing rules"),
    "service": N_("Service"),
    "weekdays": N_("Weekdays"),
    "start": N_("From"),
    "end": N_("Until"),
    "slot_minutes": N_("Minutes a slot"),
    "capacity": N_("Places a slot"),
    "day": N_("Date"),
    "leader": N_("Leader"),
}
