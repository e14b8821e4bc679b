"""Writes to accounts: users, role assignments, API tokens. Authorised, validated, audited.

A province administrator manages users only inside the province and may grant only
province-level roles there; ministry roles are granted by a ministry administrator. Nobody can
grant a role on a unit outside their own scope.
"""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from kieumau.accounts.models import ApiToken, RoleAssignment
from kieumau.accounts.permissions import MANAGE_USERS, PROVINCE_GRANTABLE, ROLE_LEVELS, Role
from kieumau.accounts.scope import can_act_on_unit, grant_for
from kieumau.audit.services import record
from kieumau.core.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion

User = get_user_model()
TOKEN_PREFIX = "km_"  # noqa: S105 - a public prefix, not a secret


def _check_grantable(actor, role: str, unit: OrgUnit, on: dt.date) -> None:
    """Refuse a grant the actor may not make, saying why in Vietnamese."""
    if role not in Role.values:
        raise ValidationFailed.single(
            f"vai trò '{role}' không tồn tại", "unknown role", field="role"
        )
    if not can_act_on_unit(actor, MANAGE_USERS, unit.pk):
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit.code}'", "unit not found", field="unit"
        )
    if not grant_for(actor, MANAGE_USERS).national and role not in PROVINCE_GRANTABLE:
        raise PermissionDenied.single(
            f"chỉ quản trị viên cấp Bộ mới được cấp vai trò '{Role(role).label}'",
            "only a ministry administrator may grant this role",
            field="role",
        )
    version = OrgUnitVersion.objects.active_on(on).filter(unit=unit).first()
    if version is None:
        raise ValidationFailed.single(
            f"đơn vị '{unit.code}' không hoạt động vào ngày {on:%d/%m/%Y}",
            "unit not active on that date",
            field="unit",
        )
    if version.level not in ROLE_LEVELS[role]:
        raise ValidationFailed.single(
            f"không thể cấp vai trò '{Role(role).label}' trên đơn vị cấp "
            f"'{version.get_level_display()}' ({unit.code})",
            "role not allowed on this level",
            field="role",
        )


def _password_problems(password: str, user) -> list[Problem]:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        return [Problem(str(m), field="password") for m in exc.messages]
    return []


def generate_password() -> str:
    """A random password that passes the password policy."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    full_name: str,
    email: str = "",
    password: str | None = None,
    role: str,
    unit_code: str,
    valid_from: dt.date | None = None,
) -> tuple["User", str]:
    """Create a user with a first role assignment; returns (user, the password to hand over)."""
    username = username.strip()
    valid_from = valid_from or timezone.localdate()
    if not username:
        raise ValidationFailed.single("thiếu tên đăng nhập", "username required", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed.single(
            f"tên đăng nhập '{username}' đã được dùng", "username taken", field="username"
        )
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    _check_grantable(actor, role, unit, valid_from)
    password = password or generate_password()
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    problems = _password_problems(password, user)
    if problems:
        raise ValidationFailed(problems)
    user.set_password(password)
    user.save()
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, valid_from=valid_from, created_by=_db_user(actor)
    )
    record(
        actor=actor,
        event="accounts.user_created",
        target=user,
        unit=unit,
        after={"username": user.username, "full_name": user.full_name, "email": user.email},
    )
    _audit_assignment(actor, "accounts.role_granted", assignment)
    return user, password


def _db_user(actor):
    return actor if getattr(actor, "pk", None) else None


def _audit_assignment(actor, event: str, assignment: RoleAssignment, note: str = "") -> None:
    record(
        actor=actor,
        event=event,
        target=assignment,
        unit=assignment.unit,
        target_repr=f"{assignment.user.username}: {assignment.role} @ {assignment.unit.code}",
        after={
            "user": assignment.user.username,
            "role": assignment.role,
            "unit": assignment.unit.code,
            "valid_from": assignment.valid_from,
            "valid_to": assignment.valid_to,
        },
        note=note,
    )


def manageable_users(actor):
    """Users the actor may manage: every role they hold lies inside the actor's scope.

    Protects against taking over a wider account: a user who also holds a role elsewhere, or a
    role the actor could not grant (a ministry role), is managed only by someone whose scope
    covers all of it — otherwise a province administrator could reset the password of a
    ministry administrator who happens to hold a viewer role in the province.
    """
    if grant_for(actor, MANAGE_USERS).national:
        return User.objects.filter(role_assignments__isnull=False).distinct()
    inside = RoleAssignment.objects.visible_to(actor, MANAGE_USERS)
    outside = RoleAssignment.objects.exclude(pk__in=inside.values("pk")).values("user_id")
    wider = RoleAssignment.objects.exclude(role__in=PROVINCE_GRANTABLE).values("user_id")
    return (
        User.objects.filter(pk__in=inside.values("user_id"))
        .exclude(pk__in=outside)
        .exclude(pk__in=wider)
    )


def get_manageable_user(actor, user_id: int):
    user = manageable_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound.single("không tìm thấy người dùng", "user not found")
    return user


@transaction.atomic
def grant_role(
    *, actor, user_id: int, role: str, unit_code: str, valid_from: dt.date | None = None
):
    """Grant one more role to a user the actor manages."""
    user = get_manageable_user(actor, user_id)
    valid_from = valid_from or timezone.localdate()
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise NotFound.single(
            f"không tìm thấy đơn vị '{unit_code}'", "unit not found", field="unit"
        )
    _check_grantable(actor, role, unit, valid_from)
    if (
        RoleAssignment.objects.active_on(valid_from)
        .filter(user=user, role=role, unit=unit)
        .exists()
    ):
        raise ValidationFailed.single(
            "người dùng đã có vai trò này trên đơn vị này", "already granted"
        )
    assignment = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, valid_from=valid_from, created_by=_db_user(actor)
    )
    _audit_assignment(actor, "accounts.role_granted", assignment)
    return assignment


@transaction.atomic
def end_role(
    *, actor, assignment_id: int, note: str = "", user_id: int | None = None
) -> RoleAssignment:
    """End a role assignment from today (history is kept; nothing is deleted)."""
    assignment = (
        RoleAssignment.objects.visible_to(actor, MANAGE_USERS)
        .select_for_update()
        .select_related("user", "unit")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or (user_id is not None and assignment.user_id != user_id):
        raise NotFound.single("không tìm thấy phân quyền", "assignment not found")
    if not grant_for(actor, MANAGE_USERS).national and assignment.role not in PROVINCE_GRANTABLE:
        raise PermissionDenied.single("bạn không được thu hồi vai trò này", "not allowed")
    today = timezone.localdate()
    if assignment.valid_to and assignment.valid_to <= today:
        raise ValidationFailed.single("phân quyền này đã hết hiệu lực", "already ended")
    # From today; a grant that had not started yet (or started today) never takes effect.
    assignment.valid_to = max(today, assignment.valid_from)
    assignment.save(update_fields=["valid_to"])
    _audit_assignment(actor, "accounts.role_ended", assignment, note)
    return assignment


@transaction.atomic
def set_active(*, actor, user_id: int, active: bool) -> None:
    """Lock or unlock a user's sign-in."""
    user = get_manageable_user(actor, user_id)
    if getattr(actor, "pk", None) == user.pk:
        raise ValidationFailed.single(
            "không thể tự khóa tài khoản của mình", "cannot lock yourself"
        )
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(
        actor=actor,
        event="accounts.user_activated" if active else "accounts.user_locked",
        target=user,
        before={"is_active": before},
        after={"is_active": active},
    )


@transaction.atomic
def reset_password(*, actor, user_id: int, password: str | None = None) -> str:
    """Set a new password for a managed user and return it (to hand over once)."""
    user = get_manageable_user(actor, user_id)
    password = password or generate_password()
    problems = _password_problems(password, user)
    if problems:
        raise ValidationFailed(problems)
    user.set_password(password)
    user.save(update_fields=["password"])
    record(actor=actor, event="accounts.password_reset", target=user)
    return password


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Create an API token for `user` (the actor themself, or by CLI); the key is shown once."""
    if getattr(actor, "pk", None) not in (None, user.pk):
        raise PermissionDenied.single("chỉ được tạo mã truy cập cho chính mình", "own tokens only")
    name = (name or "").strip() or "API"
    secret = secrets.token_urlsafe(32)
    prefix = secret[:8]
    key = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=prefix, key_sha256=_hash_key(key)
    )
    record(
        actor=actor,
        event="accounts.token_created",
        target=token,
        after={"user": user.username, "name": token.name, "prefix": prefix},
    )
    return token, key


@transaction.atomic
def revoke_token(*, actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user_id=actor.pk).first()
    if token is None:
        raise NotFound.single("không tìm thấy mã truy cập", "token not found")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, event="accounts.token_revoked", target=token)
    return token


def user_for_token(key: str):
    """The active user owning a valid, unrevoked token; updates its last use (at most per minute)."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
