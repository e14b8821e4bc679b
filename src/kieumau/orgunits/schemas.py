"""API shapes of the unit hierarchy."""

import datetime as dt

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    parent_code: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    is_synthetic: bool


class UnitDetailOut(UnitOut):
    as_of: dt.date
    ancestors: list[UnitOut]


class LinkOut(Schema):
    code: str
    name: str


class HistoryEntryOut(Schema):
    date: dt.date
    kind: str
    legal_basis: str
    legal_basis_date: dt.date | None
    note: str
    name: str | None
    parent_code: str | None
    predecessors: list[LinkOut]
    successors: list[LinkOut]
    is_synthetic: bool


class HistoryOut(Schema):
    code: str
    is_synthetic: bool
    versions: list[UnitOut]
    timeline: list[HistoryEntryOut]
    predecessors: list[LinkOut]
    successors: list[LinkOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = []
