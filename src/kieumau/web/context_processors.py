"""What every page's navigation needs to know about the signed-in user."""

from kieumau.accounts.permissions import (
    ENTER_DATA,
    MANAGE_UNITS,
    VIEW_ASSESSMENTS,
    VIEW_AUDIT,
    VIEW_CRITERIA,
    VIEW_DASHBOARDS,
    VIEW_DATA,
    VIEW_EVALUATION,
    VIEW_FEEDBACK,
    VIEW_PLANS,
    VIEW_REPORTS,
    VIEW_UNITS,
    VIEW_USERS,
    VIEW_WORKITEMS,
)
from kieumau.accounts.scope import has_perm
from kieumau.notifications.selectors import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "units": has_perm(user, VIEW_UNITS),
            "manage_units": has_perm(user, MANAGE_UNITS),
            "users": has_perm(user, VIEW_USERS),
            "audit": has_perm(user, VIEW_AUDIT),
            "evaluation": has_perm(user, VIEW_EVALUATION),
            "criteria": has_perm(user, VIEW_CRITERIA),
            "data": has_perm(user, VIEW_DATA),
            "enter_data": has_perm(user, ENTER_DATA),
            "assessments": has_perm(user, VIEW_ASSESSMENTS),
            "plans": has_perm(user, VIEW_PLANS),
            "tasks": has_perm(user, VIEW_WORKITEMS),
            "feedback": has_perm(user, VIEW_FEEDBACK),
            "dashboards": has_perm(user, VIEW_DASHBOARDS),
            "reports": has_perm(user, VIEW_REPORTS),
            "unread": unread_count(user),
        }
    }
