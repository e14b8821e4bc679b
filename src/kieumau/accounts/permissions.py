"""Permission codes and what each role grants.

A role is granted on a unit (`RoleAssignment`) and its permissions apply to that unit's subtree.
Later apps add their permission codes here, next to the roles that hold them, so that the whole
access policy can be read in one file.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kieumau.orgunits.choices import Level

VIEW_UNITS = "orgunits.view"
MANAGE_UNITS = "orgunits.manage"
VIEW_USERS = "accounts.view"
MANAGE_USERS = "accounts.manage"
VIEW_AUDIT = "audit.view"
VIEW_CRITERIA = "criteria.view"
MANAGE_CRITERIA = "criteria.manage"
VIEW_DATA = "datavalues.view"
ENTER_DATA = "datavalues.enter"
APPROVE_DATA = "datavalues.approve"
UNLOCK_DATA = "datavalues.unlock"
VIEW_ASSESSMENTS = "assessments.view"
SELF_ASSESS = "assessments.self"
REGISTER_CASES = "assessments.register"
FORWARD_CASES = "assessments.forward"
APPRAISE_CASES = "assessments.appraise"
RECOGNISE_CASES = "assessments.recognise"
VIEW_EVALUATION = "evaluation.view"
RUN_EVALUATION = "evaluation.run"
VIEW_FEEDBACK = "feedback.view"
ANSWER_FEEDBACK = "feedback.answer"
MANAGE_FEEDBACK = "feedback.manage"
VIEW_PLANS = "plans.view"
MANAGE_PLANS = "plans.manage"
VIEW_WORKITEMS = "workitems.view"
MANAGE_WORKITEMS = "workitems.manage"
UPDATE_WORKITEMS = "workitems.update"
VIEW_DASHBOARDS = "dashboards.view"
VIEW_REPORTS = "reports.view"
GENERATE_REPORTS = "reports.generate"

ALL_PERMISSIONS = frozenset(
    {
        VIEW_UNITS,
        MANAGE_UNITS,
        VIEW_USERS,
        MANAGE_USERS,
        VIEW_AUDIT,
        VIEW_CRITERIA,
        MANAGE_CRITERIA,
        VIEW_DATA,
        ENTER_DATA,
        APPROVE_DATA,
        UNLOCK_DATA,
        VIEW_EVALUATION,
        RUN_EVALUATION,
        VIEW_ASSESSMENTS,
        SELF_ASSESS,
        REGISTER_CASES,
        FORWARD_CASES,
        APPRAISE_CASES,
        RECOGNISE_CASES,
        VIEW_FEEDBACK,
        ANSWER_FEEDBACK,
        MANAGE_FEEDBACK,
        VIEW_PLANS,
        MANAGE_PLANS,
        VIEW_WORKITEMS,
        MANAGE_WORKITEMS,
        UPDATE_WORKITEMS,
        VIEW_DASHBOARDS,
        VIEW_REPORTS,
        GENERATE_REPORTS,
    }
)
_READ = frozenset(
    {
        VIEW_UNITS,
        VIEW_CRITERIA,
        VIEW_DATA,
        VIEW_EVALUATION,
        VIEW_ASSESSMENTS,
        VIEW_FEEDBACK,
        VIEW_PLANS,
        VIEW_WORKITEMS,
        VIEW_DASHBOARDS,
        VIEW_REPORTS,
    }
)


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", _("Ministry administrator")
    MINISTRY_VIEWER = "ministry_viewer", _("Ministry viewer")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    PROVINCE_APPRAISER = "province_appraiser", _("Province appraiser")
    UNIT_OFFICER = "unit_officer", _("Unit officer")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    VIEWER = "viewer", _("Viewer")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.MINISTRY_ADMIN: ALL_PERMISSIONS,
    Role.MINISTRY_VIEWER: _READ | {VIEW_AUDIT},
    Role.PROVINCE_ADMIN: _READ
    | {
        VIEW_USERS,
        MANAGE_USERS,
        VIEW_AUDIT,
        ENTER_DATA,
        APPROVE_DATA,
        UNLOCK_DATA,
        RUN_EVALUATION,
        REGISTER_CASES,
        SELF_ASSESS,
        APPRAISE_CASES,
        ANSWER_FEEDBACK,
        MANAGE_FEEDBACK,
        MANAGE_PLANS,
        MANAGE_WORKITEMS,
        UPDATE_WORKITEMS,
        GENERATE_REPORTS,
    },
    Role.PROVINCE_APPRAISER: _READ | {APPRAISE_CASES},
    Role.UNIT_OFFICER: _READ
    | {ENTER_DATA, SELF_ASSESS, FORWARD_CASES, ANSWER_FEEDBACK, UPDATE_WORKITEMS},
    # An agency officer reads the criteria and works on the tasks of their own agency only
    # (the workitems app narrows the province scope to the agency).
    Role.AGENCY_OFFICER: frozenset({VIEW_CRITERIA, VIEW_WORKITEMS, UPDATE_WORKITEMS}),
    Role.VIEWER: _READ,
}

# The unit levels on which a role may be granted.
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.MINISTRY_ADMIN: frozenset({Level.NATION}),
    Role.MINISTRY_VIEWER: frozenset({Level.NATION}),
    Role.PROVINCE_ADMIN: frozenset({Level.PROVINCE}),
    Role.PROVINCE_APPRAISER: frozenset({Level.PROVINCE}),
    Role.UNIT_OFFICER: frozenset({Level.DISTRICT, Level.COMMUNE}),
    Role.AGENCY_OFFICER: frozenset({Level.PROVINCE}),
    Role.VIEWER: frozenset({Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE}),
}

# Roles that a province administrator may grant inside the province; ministry roles are granted
# only by a ministry administrator.
PROVINCE_GRANTABLE = frozenset(
    {
        Role.PROVINCE_ADMIN,
        Role.PROVINCE_APPRAISER,
        Role.UNIT_OFFICER,
        Role.AGENCY_OFFICER,
        Role.VIEWER,
    }
)
