"""The feedback API under /api/v1/feedback/."""

from ninja import Router

router = Router()
