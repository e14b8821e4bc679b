"""Comments on a timeline (a report's, a case's): one rule for storing and auditing them."""

from kieumau.audit.services import record
from kieumau.core.text import clean_comment


def post_comment(*, actor, events, subject, unit, action: str, audit_event: str, comment: str):
    """Add a comment event through the `events` related manager of `subject`, audited.

    The caller has already checked that the actor may read `subject`; this protects every
    timeline the same way: the text is cleaned (no empty or over-long comment), the author is
    kept by name even for the system actor, and the audit entry carries the text.
    """
    text = clean_comment(comment, field="comment")
    event = events.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=actor.get_username(),
        comment=text,
    )
    record(actor=actor, event=audit_event, target=subject, unit=unit, note=text)
    return event
