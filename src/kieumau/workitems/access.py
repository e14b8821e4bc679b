"""Who may see and work on which work items: the agency narrowing of the unit scope.

The role `agency_officer` is granted on a province, but an agency officer must see only the
items of their own agency (`AgencyMember`). `agency_filter` returns the extra condition that
`WorkItemQuerySet.visible_to` applies; `can_update` and `can_manage` are the checks services
make before writing.
"""

from django.db.models import Q
from django.utils import timezone

from kieumau.accounts.permissions import ROLE_PERMISSIONS, Role
from kieumau.accounts.scope import can_act_on_unit, grant_for


def _assignments(actor, perm: str) -> tuple[set[int], set[int]]:
    """(units granted through agency_officer roles, units granted through any other role)."""
    from kieumau.accounts.models import RoleAssignment

    cache = actor.__dict__.setdefault("_kieumau_agency_split", {})
    if perm not in cache:
        roles = [r for r, perms in ROLE_PERMISSIONS.items() if perm in perms]
        agency, other = set(), set()
        for role, unit_id in (
            RoleAssignment.objects.active_on(timezone.localdate())
            .filter(user=actor, role__in=roles)
            .values_list("role", "unit_id")
        ):
            (agency if role == Role.AGENCY_OFFICER else other).add(unit_id)
        cache[perm] = (agency, other)
    return cache[perm]


def agency_filter(actor, perm: str) -> Q | None:
    """The condition narrowing an actor's items to their agencies, or None when not needed.

    Protects other agencies' work from an agency officer: within the provinces where the actor
    is only an agency officer, an item is visible when assigned to one of the actor's agencies.
    Provinces where the actor holds another role keep the plain unit scope.
    """
    grant = grant_for(actor, perm)
    if grant.national or grant.empty:
        return None
    agency_units, other_units = _assignments(actor, perm)
    if not agency_units:
        return None
    from kieumau.orgunits.models import OrgUnitClosure
    from kieumau.workitems.models import AgencyMember

    in_agency_provinces = OrgUnitClosure.objects.filter(ancestor_id__in=agency_units).values(
        "descendant_id"
    )
    own = AgencyMember.objects.filter(
        user_id=actor.pk, agency__province_id__in=in_agency_provinces
    ).values("agency_id")
    condition = Q(assignee_agency_id__in=own)
    if other_units:
        condition |= Q(
            unit_id__in=OrgUnitClosure.objects.filter(ancestor_id__in=other_units).values(
                "descendant_id"
            )
        )
    return condition


def agency_ids_of(actor) -> list[int]:
    """The agencies the actor works for (their task board's default filter)."""
    from kieumau.workitems.models import AgencyMember

    if getattr(actor, "pk", None) is None:
        return []
    return list(AgencyMember.objects.filter(user_id=actor.pk).values_list("agency_id", flat=True))


def can_manage(actor, unit_id: int) -> bool:
    """Whether the actor may create, edit or cancel items about `unit_id` (MANAGE_WORKITEMS)."""
    from kieumau.accounts.permissions import MANAGE_WORKITEMS

    return can_act_on_unit(actor, MANAGE_WORKITEMS, unit_id)
