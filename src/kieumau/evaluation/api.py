"""API: one unit's explained evaluation for a period."""

from ninja import Router

from kieumau.core.errors import ValidationFailed
from kieumau.evaluation.schemas import EvaluationOut
from kieumau.evaluation.services import evaluate_unit_code
from kieumau.orgunits.schemas import ErrorOut

router = Router()


@router.get("/{code}/evaluation", response={200: EvaluationOut, 404: ErrorOut, 422: ErrorOut})
def unit_evaluation(request, code: str, period: str):
    """Every criterion for the unit in `period` (e.g. 2025): status, values, threshold, explanation."""
    try:
        return evaluate_unit_code(request.auth, code, period)
    except ValidationFailed as exc:
        # A malformed period code is an unprocessable query parameter (422, as documented above),
        # like the other query parameters ninja validates itself.
        exc.status_code = 422
        raise
