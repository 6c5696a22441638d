"""The online door (`/online/`): a matter sent from a phone, no account (`sending`); and the
petitioner's own page for following it, or a matter registered in the hall, to its end
(`following`). What opened the page is kept in the signed session for a while (`access`), so no
code, token or ID number stays in an address."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("online", __name__, url_prefix="/online")

from reception.web.online import access, following, sending  # noqa: E402 - they add bp's routes

fill_booking, open_case, open_link = access.fill_booking, access.open_case, access.open_link

__all__ = ["bp", "fill_booking", "following", "open_case", "open_link", "sending"]
