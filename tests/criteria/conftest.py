"""Criteria fixtures: the default 22 criteria imported through the real service.

Tests of other apps (datavalues, evaluation, e2e) define their own `default_criteria` fixture
with `import_default()` from here.
"""

from pathlib import Path

import pytest

import kieumau.criteria
from kieumau.core.actors import CLI
from kieumau.criteria.services import import_version

DEFAULT_22 = Path(kieumau.criteria.__file__).parent / "data" / "default_22.yaml"


def default_text() -> str:
    return DEFAULT_22.read_text(encoding="utf-8")


def import_default():
    """QD5764 v1 (22 criteria, published, in force since 13/7/2021), imported as the CLI would."""
    return import_version(actor=CLI, text=default_text())


@pytest.fixture
def default_criteria(db):
    return import_default()
