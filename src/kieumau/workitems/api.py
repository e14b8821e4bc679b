"""The workitems API under /api/v1/workitems/."""

from ninja import Router

router = Router()
