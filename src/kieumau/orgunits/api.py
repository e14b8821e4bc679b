"""API routes of the unit hierarchy: list and detail as of a date, and history."""

import datetime as dt

from ninja import Query, Router, Schema

from kieumau.core.errors import NotFound
from kieumau.orgunits import selectors
from kieumau.orgunits.schemas import ErrorOut, HistoryOut, UnitDetailOut, UnitOut

router = Router()


class UnitFilter(Schema):
    as_of: dt.date | None = None
    under: str | None = None
    level: int | None = None


def _links(pairs):
    return [{"code": code, "name": name} for code, name in pairs]


@router.get("", response={200: list[UnitOut], 404: ErrorOut, 422: ErrorOut})
def list_units(request, filters: Query[UnitFilter]):
    """Units in force on `as_of` (default today) that you may see, optionally under one unit."""
    as_of = filters.as_of or selectors.parse_as_of(None)
    rows = selectors.units_as_of(request.auth, as_of, under=filters.under, level=filters.level)
    return [r.as_dict() for r in rows]


@router.get("/{code}", response={200: UnitDetailOut, 404: ErrorOut, 422: ErrorOut})
def get_unit(request, code: str, as_of: dt.date | None = None):
    """One unit as it was on `as_of` (default today), with its ancestors on that date."""
    day = as_of or selectors.parse_as_of(None)
    version = selectors.version_as_of(request.auth, code, day)
    if version is None:
        raise NotFound.single(
            f"đơn vị '{code}' không hoạt động vào ngày {day:%d/%m/%Y}",
            "unit not active on that date",
        )
    row = selectors.row_of(version).as_dict()
    ancestors = [r.as_dict() for r in selectors.ancestors_as_of(request.auth, code, day)]
    return {**row, "as_of": day, "ancestors": ancestors}


@router.get("/{code}/history", response={200: HistoryOut, 404: ErrorOut})
def unit_history(request, code: str):
    """A unit's versions and dated events (names, parents, predecessors, successors)."""
    history = selectors.unit_history(request.auth, code)
    return {
        "code": history.code,
        "is_synthetic": history.is_synthetic,
        "versions": [v.as_dict() for v in history.versions],
        "timeline": [
            {
                "date": e.date,
                "kind": e.kind,
                "legal_basis": e.legal_basis,
                "legal_basis_date": e.legal_basis_date,
                "note": e.note,
                "name": e.name,
                "parent_code": e.parent_code,
                "predecessors": _links(e.predecessors),
                "successors": _links(e.successors),
                "is_synthetic": e.is_synthetic,
            }
            for e in history.timeline
        ],
        "predecessors": _links(history.predecessors),
        "successors": _links(history.successors),
    }
