"""Demo data for feedback, loaded by `kieumau demo`."""


def load_demo() -> dict:
    """Load the feedback demo once; return counts of what was created (empty when nothing new)."""
    return {}
