"""The plans API under /api/v1/plans/."""

from ninja import Router

router = Router()
