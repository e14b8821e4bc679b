"""Public codes: a unit's short address code and a feedback item's tracking code.

Both are random (never derived from ids, so they cannot be guessed or enumerated) and use an
alphabet without look-alike characters (no 0/O, 1/I/L), because people read them off a poster
or a phone screen and type them back.
"""

import hashlib
import re
import secrets

from django.conf import settings

_CHANNEL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHANNEL_LENGTH = 6
TRACKING_PREFIX = "PA"
_TRACKING = re.compile(r"^PA([A-Z0-9]{4})([A-Z0-9]{4})$")


def new_channel_code() -> str:
    """Six lower-case characters: short enough to type from a poster."""
    return "".join(secrets.choice(_CHANNEL_ALPHABET) for _ in range(CHANNEL_LENGTH))


def new_tracking_code() -> str:
    """PA-XXXX-XXXX: about 10^12 possibilities, so codes cannot be guessed."""
    body = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(8))
    return f"{TRACKING_PREFIX}-{body[:4]}-{body[4:]}"


def normalise_tracking_code(text: str) -> str | None:
    """The canonical form of a typed tracking code (case, spaces and dashes ignored); None if
    it cannot be one."""
    compact = re.sub(r"[\s\-._]", "", (text or "").upper())[:40]
    match = _TRACKING.match(compact)
    if not match:
        return None
    return f"{TRACKING_PREFIX}-{match.group(1)}-{match.group(2)}"


def client_hash(address: str) -> str:
    """A keyed hash of the client's address: enough to count and compare, never the address."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:feedback:{address}".encode()).hexdigest()[:32]


def text_digest(text: str) -> str:
    """A digest of a text with case and spacing ignored, for duplicate detection."""
    normal = " ".join((text or "").lower().split())
    return hashlib.sha256(normal.encode()).hexdigest()
