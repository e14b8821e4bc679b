"""The request id of the request being served, for audit entries and logs.

Stored in a context variable so services can read it without being handed the request.
"""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request in progress, or None outside a request (CLI, worker)."""
    return _request_id.get()


def set_request_id(value: str | None) -> contextvars.Token:
    """Bind a request id for the current context; returns the token to reset it."""
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex
