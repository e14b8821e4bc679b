"""The one chokepoint for row access: `ScopedQuerySet.visible_to(actor, perm)`.

Every user-facing read (views, API, exports) starts from `Model.objects.visible_to(...)`. A model
declares `SCOPE_PATH`, the lookup from the model to the org unit that owns the row ("unit",
"case__unit", "" for OrgUnit itself, "*" for national reference data anyone with the
permission may read, None for national-only records). Rows whose unit lies outside the actor's granted
subtrees are simply absent, so a view that fetches by id answers 404 for them exactly as for a
missing row. Rows with no unit (national-level records) are visible only to national scope.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to what an actor may see."""

    def visible_to(self, actor, perm: str):
        """Rows of this queryset that `actor` may read under permission `perm`."""
        from kieumau.accounts.scope import restrict_to_scope

        return restrict_to_scope(self, actor, perm, getattr(self.model, "SCOPE_PATH", "unit"))
