"""Account services: users, roles, locks, passwords and API tokens — authorised, validated,
audited."""

import datetime as dt
import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from kieumau.accounts import services
from kieumau.accounts.models import ApiToken, RoleAssignment
from kieumau.accounts.permissions import VIEW_UNITS
from kieumau.accounts.scope import grant_for
from kieumau.audit.models import AuditEntry
from kieumau.audit.verify import verify_chain
from kieumau.core.actors import CLI
from kieumau.core.errors import NotFound, PermissionDenied, ValidationFailed

User = get_user_model()


@pytest.fixture
def admin_a(make_user):
    return make_user("province_admin", "A")


@pytest.fixture
def ministry_admin(make_user):
    return make_user("ministry_admin", "VN")


def fresh(user):
    """The user as a new request would load it (grants are cached on the object)."""
    return User.objects.get(pk=user.pk)


def snapshot() -> tuple[int, int, int]:
    return User.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()


# -- creating users and granting roles ---------------------------------------------------------
def test_province_admin_creates_a_user_in_the_province(hierarchy, admin_a, argon2_hasher):
    user, password = services.create_user(
        actor=admin_a,
        username="can-bo-a",
        full_name="  Nguyễn Văn A ",
        email="a@example.vn",
        role="unit_officer",
        unit_code="A-W1",
    )
    assert user.full_name == "Nguyễn Văn A"
    assert user.check_password(password)
    assert user.password.startswith("argon2")
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.unit.code) == ("unit_officer", "A-W1")
    assert assignment.valid_from == timezone.localdate()
    assert assignment.created_by == admin_a
    entries = AuditEntry.objects.filter(actor=admin_a).order_by("seq")
    assert [e.event for e in entries] == ["accounts.user_created", "accounts.role_granted"]
    assert entries[0].after["username"] == "can-bo-a"
    assert entries[1].after == {
        "user": "can-bo-a",
        "role": "unit_officer",
        "unit": "A-W1",
        "valid_from": timezone.localdate().isoformat(),
        "valid_to": None,
    }
    assert {e.unit.code for e in entries} == {"A-W1"}
    assert password not in str(list(AuditEntry.objects.values_list("after", flat=True)))
    assert verify_chain().ok
    assert grant_for(fresh(user), VIEW_UNITS).unit_ids == {assignment.unit_id}


@pytest.mark.parametrize(
    "role", ["province_admin", "province_appraiser", "agency_officer", "viewer"]
)
def test_province_roles_on_the_province(hierarchy, admin_a, role):
    user, _password = services.create_user(
        actor=admin_a, username=f"u-{role}", full_name="X", role=role, unit_code="A"
    )
    assert user.role_assignments.get().role == role


@pytest.mark.parametrize("role", ["ministry_admin", "ministry_viewer"])
def test_province_admin_cannot_grant_ministry_roles(hierarchy, admin_a, role):
    before = snapshot()
    with pytest.raises(PermissionDenied) as exc_info:
        services.create_user(actor=admin_a, username="x", full_name="X", role=role, unit_code="A")
    assert "chỉ quản trị viên cấp Bộ mới được cấp vai trò" in exc_info.value.summary()
    with pytest.raises(NotFound):
        services.create_user(actor=admin_a, username="x", full_name="X", role=role, unit_code="VN")
    assert snapshot() == before


def test_province_admin_cannot_grant_on_another_province(hierarchy, admin_a, make_user):
    before = snapshot()
    with pytest.raises(NotFound) as exc_info:
        services.create_user(
            actor=admin_a, username="x", full_name="X", role="viewer", unit_code="C-W1"
        )
    assert exc_info.value.summary() == "không tìm thấy đơn vị 'C-W1'"
    # Same answer as a unit that does not exist at all.
    with pytest.raises(NotFound) as missing:
        services.create_user(
            actor=admin_a, username="x", full_name="X", role="viewer", unit_code="KHONG-CO"
        )
    assert missing.value.status_code == exc_info.value.status_code == 404
    assert snapshot() == before

    in_a = make_user("viewer", "A-W1", username="nguoi-a")
    with pytest.raises(NotFound):
        services.grant_role(actor=admin_a, user_id=in_a.pk, role="viewer", unit_code="C")
    in_c = make_user("viewer", "C-W1", username="nguoi-c")
    with pytest.raises(NotFound):
        services.grant_role(actor=admin_a, user_id=in_c.pk, role="viewer", unit_code="A")
    assert in_c.role_assignments.count() == 1


def test_role_level_is_checked_in_vietnamese(hierarchy, admin_a):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_user(
            actor=admin_a, username="x", full_name="X", role="unit_officer", unit_code="A"
        )
    (problem,) = exc_info.value.problems
    assert problem.field == "role"
    assert "không thể cấp vai trò" in problem.message
    assert "trên đơn vị cấp" in problem.message
    assert "(A)" in problem.message
    with pytest.raises(ValidationFailed):
        services.create_user(
            actor=admin_a, username="x", full_name="X", role="province_admin", unit_code="A-W1"
        )
    assert snapshot() == before


def test_a_role_on_a_unit_that_no_longer_exists(hierarchy, ministry_admin):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_user(
            actor=ministry_admin, username="x", full_name="X", role="viewer", unit_code="B"
        )
    assert "không hoạt động vào ngày" in exc_info.value.summary()


def test_ministry_admin_grants_ministry_roles(hierarchy, ministry_admin):
    user, _password = services.create_user(
        actor=ministry_admin, username="bo", full_name="Bộ", role="ministry_viewer", unit_code="VN"
    )
    assert grant_for(fresh(user), VIEW_UNITS).national


def test_usernames_are_unique_ignoring_case(hierarchy, admin_a, make_user):
    make_user("viewer", "A-W1", username="Trung")
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_user(
            actor=admin_a, username="trung", full_name="X", role="viewer", unit_code="A"
        )
    assert "đã được dùng" in exc_info.value.summary()


def test_grant_a_second_role_and_not_twice(hierarchy, admin_a, make_user):
    user = make_user("viewer", "A-W1", username="nguoi-a")
    assignment = services.grant_role(
        actor=admin_a, user_id=user.pk, role="unit_officer", unit_code="A-W9"
    )
    assert assignment.unit.code == "A-W9"
    assert AuditEntry.objects.filter(event="accounts.role_granted", target_id=str(assignment.pk))
    with pytest.raises(ValidationFailed, match="đã có vai trò này"):
        services.grant_role(actor=admin_a, user_id=user.pk, role="unit_officer", unit_code="A-W9")


# -- ending roles ------------------------------------------------------------------------------
def test_end_role_keeps_the_history(hierarchy, admin_a, make_user):
    user = make_user("viewer", "A-W1", username="nguoi-a")
    assignment = user.role_assignments.get()
    assert not grant_for(fresh(user), VIEW_UNITS).empty
    ended = services.end_role(actor=admin_a, assignment_id=assignment.pk, note="chuyển công tác")
    today = timezone.localdate()
    assert ended.valid_to == today
    stored = RoleAssignment.objects.get(pk=assignment.pk)
    assert (stored.valid_from, stored.valid_to) == (dt.date(2020, 1, 1), today)
    assert grant_for(fresh(user), VIEW_UNITS).empty
    entry = AuditEntry.objects.get(event="accounts.role_ended")
    assert entry.note == "chuyển công tác"
    assert entry.after["valid_to"] == today.isoformat()
    with pytest.raises(ValidationFailed, match="đã hết hiệu lực"):
        services.end_role(actor=admin_a, assignment_id=assignment.pk)


def test_ending_a_role_granted_today_takes_effect_today(hierarchy, admin_a):
    user, _password = services.create_user(
        actor=admin_a, username="nham", full_name="Cấp nhầm", role="viewer", unit_code="A"
    )
    services.end_role(actor=admin_a, assignment_id=user.role_assignments.get().pk)
    assert grant_for(fresh(user), VIEW_UNITS).empty


def test_end_role_out_of_scope_and_ministry_roles(hierarchy, admin_a, make_user):
    in_c = make_user("viewer", "C-W1", username="nguoi-c")
    with pytest.raises(NotFound):
        services.end_role(actor=admin_a, assignment_id=in_c.role_assignments.get().pk)
    assert in_c.role_assignments.get().valid_to is None
    with pytest.raises(NotFound):
        services.end_role(actor=admin_a, assignment_id=10**9)
    ministry = make_user("ministry_viewer", "VN", username="bo")
    with pytest.raises(NotFound):
        services.end_role(actor=admin_a, assignment_id=ministry.role_assignments.get().pk)


# -- locking -----------------------------------------------------------------------------------
def test_lock_and_unlock(hierarchy, admin_a, make_user, client):
    user = make_user("viewer", "A-W1", username="nguoi-a", password="Mật-khẩu-dài-2025")
    services.set_active(actor=admin_a, user_id=user.pk, active=False)
    assert not fresh(user).is_active
    assert grant_for(fresh(user), VIEW_UNITS).empty
    response = client.post(
        "/accounts/login/", {"username": "nguoi-a", "password": "Mật-khẩu-dài-2025"}
    )
    assert response.status_code == 200  # refused
    services.set_active(actor=admin_a, user_id=user.pk, active=True)
    assert fresh(user).is_active
    response = client.post(
        "/accounts/login/", {"username": "nguoi-a", "password": "Mật-khẩu-dài-2025"}
    )
    assert response.status_code == 302
    events = list(
        AuditEntry.objects.filter(target_id=str(user.pk), event__startswith="accounts.user_")
        .order_by("seq")
        .values_list("event", "before", "after")
    )
    assert events == [
        ("accounts.user_locked", {"is_active": True}, {"is_active": False}),
        ("accounts.user_activated", {"is_active": False}, {"is_active": True}),
    ]


def test_lock_is_scoped_and_not_for_yourself(hierarchy, admin_a, make_user):
    in_c = make_user("viewer", "C-W1", username="nguoi-c")
    with pytest.raises(NotFound):
        services.set_active(actor=admin_a, user_id=in_c.pk, active=False)
    assert fresh(in_c).is_active
    with pytest.raises(ValidationFailed, match="không thể tự khóa"):
        services.set_active(actor=admin_a, user_id=admin_a.pk, active=False)
    assert fresh(admin_a).is_active


# -- passwords ---------------------------------------------------------------------------------
WEAK = {
    "12345": ["Mật khẩu này hoàn toàn là số.", "Mật khẩu này quá phổ biến."],
    "password123": ["Mật khẩu này quá phổ biến."],
    "9876543210123": ["Mật khẩu này hoàn toàn là số."],
    "nguyenvananh1": ["Mật khẩu quá giống với"],
}


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused_in_vietnamese(hierarchy, admin_a, password):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_user(
            actor=admin_a,
            username="nguyenvananh",
            full_name="Nguyễn Văn Anh",
            password=password,
            role="viewer",
            unit_code="A",
        )
    messages = [p.message for p in exc_info.value.problems]
    assert all(p.field == "password" for p in exc_info.value.problems)
    for fragment in WEAK[password]:
        assert any(fragment in m for m in messages), messages
    if len(password) < 10:
        assert len(messages) == len(WEAK[password]) + 1  # and the "too short" message
    assert snapshot() == before


def test_too_short_password_message_is_vietnamese(hierarchy, admin_a):
    with pytest.raises(ValidationFailed) as exc_info:
        services.create_user(
            actor=admin_a,
            username="x",
            full_name="X",
            password="Ng4n!",
            role="viewer",
            unit_code="A",
        )
    assert [p.message for p in exc_info.value.problems] == [
        "Mật khẩu quá ngắn: cần có ít nhất 10 ký tự."
    ]


def test_reset_password(hierarchy, admin_a, make_user):
    user = make_user("viewer", "A-W1", username="nguoi-a")
    with pytest.raises(ValidationFailed) as exc_info:
        services.reset_password(actor=admin_a, user_id=user.pk, password="12345678")
    assert "Mật khẩu này hoàn toàn là số." in exc_info.value.messages()
    new = services.reset_password(actor=admin_a, user_id=user.pk)
    assert fresh(user).check_password(new)
    assert AuditEntry.objects.filter(event="accounts.password_reset", target_id=str(user.pk))
    in_c = make_user("viewer", "C-W1", username="nguoi-c")
    with pytest.raises(NotFound):
        services.reset_password(actor=admin_a, user_id=in_c.pk)


def test_generated_passwords_pass_the_policy():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(20):
        validate_password(services.generate_password(), User(username="x"))


def test_passwords_are_hashed_with_argon2(make_user, argon2_hasher):
    user = make_user("viewer", None, password="Mật-khẩu-dài-2025")
    assert user.password.startswith("argon2$argon2id$")
    assert "Mật-khẩu-dài-2025" not in user.password


# -- API tokens --------------------------------------------------------------------------------
def test_token_lifecycle(hierarchy, make_user, client):
    user = make_user("viewer", "C")
    token, key = services.create_token(actor=user, user=user, name="  báo cáo  ")
    assert key.startswith("km_")
    assert token.name == "báo cáo"
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key[3:].startswith(stored.prefix) and len(stored.prefix) == 8
    stored_values = [str(getattr(stored, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert not any(key in v or key[3:] in v for v in stored_values)
    created = AuditEntry.objects.get(event="accounts.token_created")
    assert key not in str(created.after) and key[3:] not in str(created.after)

    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    response = client.get("/api/v1/units", {"as_of": "2025-07-01"}, **headers)
    assert response.status_code == 200
    assert [r["code"] for r in response.json()] == ["C", "C-W1"]
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None

    other = make_user("viewer", "A")
    with pytest.raises(NotFound):
        services.revoke_token(actor=other, token_id=token.pk)
    assert client.get("/api/v1/units", **headers).status_code == 200

    services.revoke_token(actor=user, token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get("/api/v1/units", **headers).status_code == 401
    assert AuditEntry.objects.filter(event="accounts.token_revoked").count() == 1


def test_tokens_only_for_yourself(hierarchy, make_user):
    user, other = make_user("viewer", "C"), make_user("viewer", "A")
    with pytest.raises(PermissionDenied):
        services.create_token(actor=other, user=user, name="x")
    assert not ApiToken.objects.exists()


def test_token_page_shows_the_key_once(hierarchy, make_user, client):
    user = make_user("viewer", "C")
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"name": "máy chủ báo cáo"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("km_") and key in response.content.decode()
    again = client.get("/accounts/tokens/")
    assert key not in again.content.decode()
    assert "máy chủ báo cáo" in again.content.decode()
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_token_command_prints_a_working_token(hierarchy, make_user, client):
    make_user("viewer", "C", username="bao-cao")
    out = io.StringIO()
    call_command("token", "create", "bao-cao", "--name", "cron", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("km_")
    token = ApiToken.objects.get(key_sha256=hashlib.sha256(key.encode()).hexdigest())
    assert (token.user.username, token.name) == ("bao-cao", "cron")
    entry = AuditEntry.objects.get(event="accounts.token_created")
    assert entry.actor_id is None and entry.actor_repr == str(CLI)
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_token_command_unknown_user(db):
    with pytest.raises(CommandError) as exc_info:
        call_command("token", "create", "khong-co")
    assert exc_info.value.returncode == 2
    assert "Không tìm thấy người dùng 'khong-co'" in str(exc_info.value)
