"""Builders for work item tests: agencies, members and items through the services."""

import datetime as dt

from kieumau.core.actors import CLI
from kieumau.workitems import services


def agencies():
    """Two agencies of province A and one of province C."""
    return {
        "finance": services.create_agency(
            actor=CLI, province="A", name="Sở Tài chính A", kind="department"
        ),
        "city": services.create_agency(
            actor=CLI, province="A", name="UBND Thành phố A", kind="peoples_committee"
        ),
        "c": services.create_agency(
            actor=CLI, province="C", name="Sở Tài chính C", kind="department"
        ),
    }


def item(agency=None, unit="A-W1", title="Bố trí kinh phí", due=dt.date(2030, 6, 30), **kw):
    return services.create_item(
        actor=CLI, title=title, unit=unit, due_date=due, assignee_agency=agency, **kw
    )
