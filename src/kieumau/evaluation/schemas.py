"""API shapes of evaluation results."""

from typing import Any

from ninja import Schema


class GroupOut(Schema):
    code: str
    name: str
    name_en: str
    met: int
    total: int
    missing_data: int
    not_applicable: int


class CriterionOut(Schema):
    code: str
    group: str
    name: str
    name_en: str
    status: str
    values: dict[str, Any]
    threshold: dict[str, Any]
    explanation: str
    explanation_en: str
    missing: list[str]
    evidence: list[str]


class EvaluationOut(Schema):
    unit: str
    period: str
    criteria_version: str
    criteria_version_sha256: str
    input_digest: str
    met: int
    total: int
    missing_data: int
    model_standard: bool
    groups: list[GroupOut]
    criteria: list[CriterionOut]
