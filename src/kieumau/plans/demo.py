"""Demo data for plans, loaded by `kieumau demo`."""


def load_demo() -> dict:
    """Load the plans demo once; return counts of what was created (empty when nothing new)."""
    return {}
