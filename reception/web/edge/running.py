"""What a view reads of the running app: its settings (`reception.core.settings`)."""

from __future__ import annotations

from flask import current_app

from reception.core.settings import Settings, of


def settings() -> Settings:
    """The running app's settings."""
    return of(current_app.extensions)
