"""API: one unit's explained evaluation for a period."""

from ninja import Router

from kieumau.evaluation.schemas import EvaluationOut
from kieumau.evaluation.services import evaluate_unit_code
from kieumau.orgunits.schemas import ErrorOut

router = Router()


@router.get("/{code}/evaluation", response={200: EvaluationOut, 404: ErrorOut, 422: ErrorOut})
def unit_evaluation(request, code: str, period: str):
    """Every criterion for the unit in `period` (e.g. 2025): status, values, threshold, explanation."""
    return evaluate_unit_code(request.auth, code, period)
