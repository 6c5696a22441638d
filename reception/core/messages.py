"""Marker for user-facing messages raised by the domain core.

The domain core stays free of Flask; `N_` only marks a string for extraction, the web layer
translates it when it builds the response.
"""


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


class Label(str):
    """A marked domain word given as a message's parameter (an action's name): the web layer
    translates it along with the message, whatever word it is."""
