"""Querysets of the unit hierarchy: the as-of filter every hierarchy read uses."""

import datetime as dt

from django.db.models import Q

from kieumau.core.querysets import ScopedQuerySet


def active_on_q(as_of: dt.date, prefix: str = "") -> Q:
    """Rows whose [valid_from, valid_to) interval contains `as_of` (valid_to is exclusive)."""
    return Q(**{f"{prefix}valid_from__lte": as_of}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of})
    )


class OrgUnitVersionQuerySet(ScopedQuerySet):
    def active_on(self, as_of: dt.date):
        """The one version of each unit in force on `as_of`."""
        return self.filter(active_on_q(as_of))
