"""The append-only, hash-chained audit log.

Each entry's `hash` is the SHA-256 of its own canonical content plus the previous entry's hash,
and `seq` numbers entries 1, 2, 3… without gaps. Editing, deleting or inserting an entry breaks
the chain at that point, which `kieumau audit verify` reports. Database triggers refuse UPDATE and
DELETE (see the migration), and the model refuses them too.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kieumau.core.querysets import ScopedQuerySet
from kieumau.orgunits.models import OrgUnit


class AuditEntry(models.Model):
    SCOPE_PATH = "unit"

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_repr = models.CharField(_("actor"), max_length=200, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    event = models.CharField(_("event"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["unit", "at"]), models.Index(fields=["actor", "at"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """A single row holding the last seq and hash; locked to serialise chain appends."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
