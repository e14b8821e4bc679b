"""Reads of data values, through the scope chokepoint."""

from kieumau.accounts.permissions import VIEW_DATA
from kieumau.core.errors import NotFound
from kieumau.datavalues.models import DataValue
from kieumau.orgunits.models import OrgUnit


def values_of(actor, unit_code: str, period_code: str) -> list[DataValue]:
    """The stored values of one unit and period the actor may read (404 when out of scope)."""
    unit = OrgUnit.objects.visible_to(actor, VIEW_DATA).filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    return list(
        DataValue.objects.visible_to(actor, VIEW_DATA)
        .filter(unit=unit, period=period_code)
        .select_related("indicator", "updated_by")
        .order_by("indicator__code")
    )
