"""Every HTML form the hall's pages post, as a Flask-WTF class with its validators, grouped
by who fills it in: `fields` (the field types and limits they share), `auth` (staff logging
in), `visitors` (the kiosk, booking, rating), `desk` (the desk console and video), `cases`
(registration and the matters), `admin` (the hall's set-up), `oversight` (follow-ups, reports).

A refused form is drawn again from the same object, so it comes back with everything the
person typed or ticked (the registrar's desks in the order chosen), each error beside its
field. Lengths are the form's (the page shows them as `maxlength`), never a silent cut at save.
Ids go through `guard.parse_id`: Unicode digits and numbers past 64 bits are a field error."""

from __future__ import annotations

from reception.web.forms.admin import (
    SERVICE_KINDS,
    STAFF_ROLES,
    AuditFilterForm,
    ClosureForm,
    DeskForm,
    DisplayForm,
    FirstRunForm,
    HallForm,
    ImportForm,
    LeaderDayForm,
    NewHallForm,
    RemoteUnitForm,
    RoutingForm,
    ServiceForm,
    SlotTemplateForm,
    StaffForm,
)
from reception.web.forms.auth import LoginForm, PasswordChangeForm
from reception.web.forms.cases import (
    CASE_STATES,
    VULNERABLE,
    CaseActionForm,
    CaseFilterForm,
    LookupForm,
    RegistrationForm,
)
from reception.web.forms.desk import DeskActionForm, DeskStateForm, VideoOutcomeForm, VideoStartForm
from reception.web.forms.fields import (
    ACCOUNT_MAX,
    ADDRESS_MAX,
    ID_MAX,
    NAME_MAX,
    NOTE_MAX,
    OUTCOME_MAX,
    PHONE_MAX,
    TEXT_MAX,
    IdField,
    IdListField,
    IsoDateField,
    PostForm,
    TextListField,
    TimeField,
    WholeNumberField,
    known_zone,
    username_field,
)
from reception.web.forms.oversight import (
    REPORT_GROUPS,
    REPORT_PERIODS,
    AnnualForm,
    ExportForm,
    FollowUpForm,
    ReportForm,
)
from reception.web.forms.visitors import (
    BookingForm,
    CardCheckInForm,
    CheckInForm,
    KioskIssueForm,
    KioskUnitForm,
    ManageBookingForm,
    RatingForm,
)

__all__ = [
    "ACCOUNT_MAX",
    "ADDRESS_MAX",
    "AnnualForm",
    "ExportForm",
    "AuditFilterForm",
    "BookingForm",
    "CASE_STATES",
    "CaseActionForm",
    "CaseFilterForm",
    "CardCheckInForm",
    "CheckInForm",
    "ClosureForm",
    "DeskActionForm",
    "DeskForm",
    "DeskStateForm",
    "DisplayForm",
    "FirstRunForm",
    "FollowUpForm",
    "HallForm",
    "NewHallForm",
    "ID_MAX",
    "IdField",
    "IdListField",
    "ImportForm",
    "IsoDateField",
    "KioskIssueForm",
    "KioskUnitForm",
    "LeaderDayForm",
    "LoginForm",
    "LookupForm",
    "ManageBookingForm",
    "NAME_MAX",
    "NOTE_MAX",
    "OUTCOME_MAX",
    "PHONE_MAX",
    "PasswordChangeForm",
    "PostForm",
    "REPORT_GROUPS",
    "REPORT_PERIODS",
    "RatingForm",
    "RegistrationForm",
    "RemoteUnitForm",
    "ReportForm",
    "RoutingForm",
    "SERVICE_KINDS",
    "STAFF_ROLES",
    "ServiceForm",
    "SlotTemplateForm",
    "StaffForm",
    "TEXT_MAX",
    "TextListField",
    "TimeField",
    "VULNERABLE",
    "VideoOutcomeForm",
    "VideoStartForm",
    "WholeNumberField",
    "known_zone",
    "username_field",
]
