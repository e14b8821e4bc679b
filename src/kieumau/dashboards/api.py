"""The dashboards API under /api/v1/dashboards/."""

from ninja import Router

router = Router()
