"""The reports API under /api/v1/reports/."""

from ninja import Router

router = Router()
