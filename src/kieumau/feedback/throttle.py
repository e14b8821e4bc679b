"""Rate limits of the public pages, shared by every app process through the Django cache.

A fixed window per (action, client) and per (action, unit): a client may send a few items an
hour, and a unit's page takes a bounded number from everyone together (a bot rotating its
addresses still cannot flood one ward). Limits can be changed with the setting
KIEUMAU_FEEDBACK_RATE_LIMITS = {"feedback": (count, seconds), ...}.
"""

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "feedback": (5, 3600),
    "survey": (10, 3600),
    "lookup": (30, 3600),
    "unit-feedback": (200, 3600),
    "unit-survey": (500, 3600),
}


def limit_of(action: str) -> tuple[int, int]:
    """(count, window in seconds) for `action`."""
    custom = getattr(settings, "KIEUMAU_FEEDBACK_RATE_LIMITS", None) or {}
    return tuple(custom.get(action, DEFAULT_LIMITS[action]))


def allow(action: str, key: str) -> bool:
    """Count one attempt of `action` by `key`; False once the window's limit is passed.

    Protects the public forms from floods: the count lives in the shared cache, so every
    gunicorn worker sees the same number; the window restarts when the cache entry expires.
    """
    limit, window = limit_of(action)
    name = f"kieumau:feedback:rl:{action}:{key}"
    cache.add(name, 0, window)
    try:
        count = cache.incr(name)
    except ValueError:
        cache.set(name, 1, window)
        count = 1
    return count <= limit
