"""Writes of periodic data values: validated as a whole, all or nothing, audited, re-evaluated.

Every entry point (CLI, API, forms, Excel) calls `set_values`, so the same checks and the same
Vietnamese messages apply everywhere, and the scorecard is current the moment a value lands.
"""

from django.db import transaction

from kieumau.accounts.permissions import ENTER_DATA, VIEW_DATA
from kieumau.accounts.scope import can_act_on_unit
from kieumau.audit.services import record
from kieumau.core.errors import NotFound, ValidationFailed
from kieumau.core.text import clean_comment
from kieumau.criteria.models import Indicator
from kieumau.datavalues.batch import Entry, apply_entries
from kieumau.datavalues.models import DataValue, ValueComment
from kieumau.engine import PeriodError, parse_period
from kieumau.orgunits.models import OrgUnit


def resolve_period(code: str):
    """A Period from its code, or ValidationFailed with the engine's Vietnamese reason."""
    try:
        return parse_period(code)
    except PeriodError as exc:
        raise ValidationFailed.single(str(exc), "invalid period", field="period") from exc


def resolve_unit(actor, code: str, perm: str) -> OrgUnit:
    """The unit if it exists and `perm` is granted on it; NotFound otherwise (same answer)."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not can_act_on_unit(actor, perm, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{code}'", f"unit '{code}' not found", field="unit"
        )
    return unit


def set_values(
    *,
    actor,
    unit_code: str,
    period_code: str,
    values: dict[str, object],
    expected_revisions: dict[str, int] | None = None,
    synthetic: bool = False,
    reevaluate: bool = True,
    source: str = "cli",
) -> list[DataValue]:
    """Validate and store several values of one unit and period; nothing lands if one is wrong.

    A thin front of `batch.apply_entries` (the one write path) for callers that hold one
    unit's values. `expected_revisions` (indicator code → revision the editor read, 0 for "was
    empty") makes a concurrent edit a Conflict instead of a silent overwrite.
    """
    expected = expected_revisions or {}
    entries = [
        Entry(
            unit=unit_code,
            indicator=code,
            period=period_code,
            raw=raw,
            expected_revision=expected.get(code),
        )
        for code, raw in values.items()
    ]
    resolve_unit(actor, unit_code, ENTER_DATA)
    resolve_period(period_code)
    keys = apply_entries(
        actor=actor, entries=entries, source=source, synthetic=synthetic, reevaluate=reevaluate
    ).saved_keys
    return list(
        DataValue.objects.filter(
            unit_id__in={k[0] for k in keys},
            indicator_id__in={k[1] for k in keys},
            period__in={k[2] for k in keys},
        ).select_related("indicator")
    )


@transaction.atomic
def comment_on_value(
    *, actor, unit_code: str, period_code: str, indicator_code: str, text: str
) -> ValueComment:
    """A note kept beside one value (its source, a correction's reason), audited.

    Anyone who may read the unit's data may comment; the text is stored as typed and escaped
    wherever it is shown.
    """
    unit = resolve_unit(actor, unit_code, VIEW_DATA)
    resolve_period(period_code)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise NotFound.single(f"chỉ tiêu '{indicator_code}' không tồn tại", "unknown indicator")
    text = clean_comment(text, field="text")
    comment = ValueComment.objects.create(
        unit=unit,
        indicator=indicator,
        period=period_code,
        text=text,
        author=actor if getattr(actor, "pk", None) else None,
        author_repr=actor.get_username(),
    )
    record(
        actor=actor,
        event="datavalues.value_comment",
        target=comment,
        unit=unit,
        target_repr=f"{unit.code} {indicator_code} {period_code}",
        after={"text": text},
    )
    return comment
