"""Who may see what: the grants behind `ScopedQuerySet.visible_to`.

An actor's grant for a permission is the set of units on which they hold, today, a role that
includes the permission. A grant on the nation unit (or a superuser) is national: no filter. Any
other grant admits rows whose unit was ever contained by a granted unit (directly or through a
predecessor in a merger), per the derived `OrgUnitClosure` table — so a merged province's
administrator keeps seeing the history of the provinces it absorbed. National reference data
(criteria, indicators) declares SCOPE_PATH "*": anyone holding the permission somewhere reads it.
"""

from dataclasses import dataclass

from django.utils import timezone

from kieumau.accounts.permissions import ROLE_PERMISSIONS
from kieumau.orgunits.choices import Level


@dataclass(frozen=True)
class Grant:
    """What one actor may see under one permission."""

    national: bool
    unit_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.national and not self.unit_ids


NO_GRANT = Grant(national=False, unit_ids=frozenset())


def grant_for(actor, perm: str) -> Grant:
    """The actor's grant for `perm` today; cached on the actor object for the request.

    All of the actor's grants are computed together (two queries whatever the number of
    permissions asked for), so a page whose menu asks about a dozen permissions pays once.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return NO_GRANT
    if actor.is_superuser:
        return Grant(national=True, unit_ids=frozenset())
    grants = actor.__dict__.get("_kieumau_grants")
    if grants is None:
        grants = actor.__dict__["_kieumau_grants"] = _compute_grants(actor)
    return grants.get(perm, NO_GRANT)


def _compute_grants(actor) -> dict[str, Grant]:
    """Every permission's grant from the actor's roles in force today."""
    from kieumau.accounts.models import RoleAssignment
    from kieumau.orgunits.models import OrgUnitVersion

    today = timezone.localdate()
    held = list(
        RoleAssignment.objects.active_on(today).filter(user=actor).values_list("role", "unit_id")
    )
    if not held:
        return {}
    nation = set(
        OrgUnitVersion.objects.filter(
            unit_id__in={unit for _, unit in held}, level=Level.NATION
        ).values_list("unit_id", flat=True)
    )
    units_by_perm: dict[str, set[int]] = {}
    for role, unit in held:
        for perm in ROLE_PERMISSIONS.get(role, ()):
            units_by_perm.setdefault(perm, set()).add(unit)
    return {
        perm: Grant(national=bool(units & nation), unit_ids=frozenset(units))
        for perm, units in units_by_perm.items()
    }


def has_perm(actor, perm: str) -> bool:
    """Whether the actor holds `perm` anywhere (for menus and route guards)."""
    return not grant_for(actor, perm).empty


def restrict_to_scope(queryset, actor, perm: str, scope_path: str | None):
    """Filter `queryset` to rows the actor may read; the single row-access chokepoint."""
    from kieumau.orgunits.models import OrgUnitClosure

    grant = grant_for(actor, perm)
    if grant.national:
        return queryset
    if grant.empty or scope_path is None:
        return queryset.none()
    if scope_path == "*":
        return queryset
    visible_units = OrgUnitClosure.objects.filter(ancestor_id__in=grant.unit_ids).values(
        "descendant_id"
    )
    lookup = f"{scope_path}__in" if scope_path else "pk__in"
    return queryset.filter(**{lookup: visible_units})


def can_act_on_unit(actor, perm: str, unit_id: int) -> bool:
    """Whether `perm` on `unit_id` is granted: the check services make before writing."""
    from kieumau.orgunits.models import OrgUnitClosure

    grant = grant_for(actor, perm)
    if grant.national:
        return True
    if grant.empty:
        return False
    return OrgUnitClosure.objects.filter(
        ancestor_id__in=grant.unit_ids, descendant_id=unit_id
    ).exists()


def users_with_perm_on(unit_id: int, perm: str):
    """Active users to notify about `unit_id` under `perm` (see `recipients_by_unit`)."""
    return recipients_by_unit([unit_id], perm)[unit_id]


def recipients_by_unit(unit_ids, perm: str) -> dict[int, list]:
    """For each unit, the active users holding `perm` today on its *nearest* ancestor that has any.

    A ward's reminder goes to the ward's own officers, not to everyone above who could also
    enter its data; when the ward has none, it goes one level up (the province's
    administrators), so that somebody is always told. Three queries for any number of units.
    """
    from kieumau.accounts.models import RoleAssignment, User
    from kieumau.orgunits.models import OrgUnitClosure, OrgUnitVersion

    unit_ids = list(unit_ids)
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if perm in perms]
    holders: dict[int, set[int]] = {}
    for user_id, unit_id in (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role__in=roles, user__is_active=True)
        .values_list("user_id", "unit_id")
    ):
        holders.setdefault(unit_id, set()).add(user_id)
    if not holders:
        return {uid: [] for uid in unit_ids}
    depth: dict[int, int] = {}
    for uid, level in OrgUnitVersion.objects.filter(unit_id__in=list(holders)).values_list(
        "unit_id", "level"
    ):
        depth[uid] = max(depth.get(uid, 0), level)
    nearest: dict[int, tuple[int, set[int]]] = {}
    for ancestor, descendant in OrgUnitClosure.objects.filter(
        descendant_id__in=unit_ids, ancestor_id__in=list(holders)
    ).values_list("ancestor_id", "descendant_id"):
        level = depth.get(ancestor, 0)
        best = nearest.get(descendant)
        if best is None or level > best[0]:
            nearest[descendant] = (level, set(holders[ancestor]))
        elif level == best[0]:
            best[1].update(holders[ancestor])
    users = User.objects.in_bulk({u for _, chosen in nearest.values() for u in chosen})
    return {
        uid: sorted((users[u] for u in nearest.get(uid, (0, set()))[1]), key=lambda u: u.username)
        for uid in unit_ids
    }
