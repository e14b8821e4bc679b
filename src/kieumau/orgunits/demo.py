"""Loading the demo: the real structure of five provinces plus demo accounts, idempotently.

The structure comes from the YAML files in `data/demo/`, applied in name order through
`reorganise_from_file` — the same path a user's reorganisation file takes — so the demo also
proves the reorganisation service on real data. A file is skipped when a `Reorganisation` with
its SHA-256 already exists; a demo account is skipped when its username exists. Everything is
one transaction. Generated passwords are kept in `var/demo_logins.json` (mode 0600) so that a
later run can print them again.
"""

import datetime as dt
import hashlib
import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from kieumau.accounts.models import RoleAssignment
from kieumau.accounts.permissions import Role
from kieumau.accounts.services import create_user, grant_role
from kieumau.audit.services import record
from kieumau.config.paths import var_dir
from kieumau.core.actors import CLI
from kieumau.orgunits.models import OrgUnitVersion, Reorganisation
from kieumau.orgunits.services import reorganise_from_file

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
DEMO_START = dt.date(2020, 1, 1)
REORG_DATE = dt.date(2025, 7, 1)
LOGINS_FILE = "demo_logins.json"

ROLE_LABELS = {
    Role.MINISTRY_ADMIN: "Quản trị cấp Bộ / Ministry administrator",
    Role.MINISTRY_VIEWER: "Lãnh đạo Bộ, chỉ xem / Ministry viewer",
    Role.PROVINCE_ADMIN: "Quản trị Công an tỉnh / Province administrator",
    Role.PROVINCE_APPRAISER: "Thẩm định cấp tỉnh / Province appraiser",
    Role.UNIT_OFFICER: "Cán bộ Công an cấp xã / Unit officer",
    Role.AGENCY_OFFICER: "Cán bộ sở, ngành / Agency officer",
    Role.VIEWER: "Người xem / Viewer",
}


@dataclass(frozen=True)
class DemoAccount:
    """A demo login: its first role from 2020, and optional later roles (role, unit, from)."""

    username: str
    full_name: str
    role: str
    unit_code: str
    first_role_until: dt.date | None = None
    later_roles: tuple[tuple[str, str, dt.date], ...] = ()


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo-admin", "Quản trị Bộ (demo)", Role.MINISTRY_ADMIN, "VN"),
    DemoAccount("demo-bo", "Lãnh đạo Cục V05, chỉ xem (demo)", Role.MINISTRY_VIEWER, "VN"),
    DemoAccount(
        "demo-hungyen", "Quản trị Công an tỉnh Hưng Yên (demo)", Role.PROVINCE_ADMIN, "P33"
    ),
    DemoAccount("demo-thamdinh-hy", "Tổ thẩm định Hưng Yên (demo)", Role.PROVINCE_APPRAISER, "P33"),
    # Phường An Tảo ceased on 1/7/2025 (merged into phường Phố Hiến): the officer's role on it
    # ends then and a role on the successor starts, so the account works today and history
    # stays truthful.
    DemoAccount(
        "demo-antao",
        "Cán bộ Công an phường An Tảo (demo)",
        Role.UNIT_OFFICER,
        "P33-ANTAO",
        first_role_until=REORG_DATE,
        later_roles=((Role.UNIT_OFFICER, "P33-PHOHIEN", REORG_DATE),),
    ),
    DemoAccount(
        "demo-khanhhoa", "Quản trị Công an tỉnh Khánh Hòa (demo)", Role.PROVINCE_ADMIN, "P56"
    ),
    DemoAccount(
        "demo-so-taichinh-hy", "Cán bộ Sở Tài chính Hưng Yên (demo)", Role.AGENCY_OFFICER, "P33"
    ),
    DemoAccount("demo-xem", "Người xem Lạng Sơn (demo)", Role.VIEWER, "P20"),
)


@dataclass(frozen=True)
class DemoLogin:
    """One line of the printed login block."""

    username: str
    full_name: str
    roles: tuple[str, ...]  # "role label — scope" per role assignment
    password: str | None  # None when unknown (created earlier with another password)


@dataclass(frozen=True)
class DemoResult:
    """What one `load_demo` run did, and the logins to print."""

    applied_files: tuple[str, ...]
    skipped_files: tuple[str, ...]
    created_users: tuple[str, ...]
    logins: tuple[DemoLogin, ...]

    @property
    def changed(self) -> bool:
        return bool(self.applied_files or self.created_users)


def demo_files() -> list[Path]:
    """The demo reorganisation files, in the order they are applied."""
    return sorted(DEMO_DIR.glob("*.yaml"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_loaded() -> bool:
    """Whether every demo file has been applied and every demo account exists.

    Lets `kieumau demo --once` (run at every container start) skip all writes after the first.
    """
    User = get_user_model()
    applied = set(Reorganisation.objects.values_list("file_sha256", flat=True))
    if any(_sha256(path) not in applied for path in demo_files()):
        return False
    existing = {u.lower() for u in User.objects.values_list("username", flat=True)}
    return all(a.username.lower() in existing for a in DEMO_ACCOUNTS)


# -- stored passwords -------------------------------------------------------------------------


def logins_path() -> Path:
    """Where generated demo passwords are kept (var/demo_logins.json)."""
    return var_dir() / LOGINS_FILE


def _read_logins() -> dict[str, str]:
    path = logins_path()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_logins(logins: dict[str, str]) -> None:
    """Write the passwords readable by the owner only (0600), atomically."""
    path = logins_path()
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(logins, handle, ensure_ascii=False, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _generate_password(username: str) -> str:
    """A random password that passes the configured password policy."""
    User = get_user_model()
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(16))
        try:
            validate_password(candidate, User(username=username))
        except DjangoValidationError:
            continue
        return candidate


# -- loading ----------------------------------------------------------------------------------


@transaction.atomic
def load_demo(*, password: str | None) -> DemoResult:
    """Apply the demo files and create the demo accounts that are missing; all or nothing.

    Protects an existing installation: nothing already there is changed (files applied before
    are skipped by checksum, existing usernames are left alone, passwords are never reset), and
    a run that changes nothing writes nothing — not even an audit entry. `password` (from
    KIEUMAU_DEMO_PASSWORD) is used for every new account; otherwise each gets a generated one.
    """
    applied, skipped = [], []
    for path in demo_files():
        data = path.read_bytes()
        if Reorganisation.objects.filter(file_sha256=hashlib.sha256(data).hexdigest()).exists():
            skipped.append(path.name)
            continue
        reorganise_from_file(actor=CLI, data=data, file_name=path.name)
        applied.append(path.name)

    User = get_user_model()
    stored = _read_logins()
    created = []
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(username__iexact=account.username).exists():
            continue
        secret = password or stored.get(account.username) or _generate_password(account.username)
        user, _ = create_user(
            actor=CLI,
            username=account.username,
            full_name=account.full_name,
            password=secret,
            role=account.role,
            unit_code=account.unit_code,
            valid_from=DEMO_START,
        )
        if account.first_role_until:
            _end_first_role(user, account)
        for role, unit_code, start in account.later_roles:
            grant_role(actor=CLI, user_id=user.pk, role=role, unit_code=unit_code, valid_from=start)
        if not password:
            stored[account.username] = secret
        created.append(account.username)
    if created and not password:
        _write_logins(stored)
    if applied or created:
        record(
            actor=CLI,
            event="demo.loaded",
            after={"files": applied, "skipped_files": skipped, "users": created},
            note="Dữ liệu mẫu (kieumau demo)",
        )
    return DemoResult(tuple(applied), tuple(skipped), tuple(created), demo_logins(password))


def _end_first_role(user, account: DemoAccount) -> None:
    """Close the first role on the date its unit ceased (audited like any role change)."""
    assignment = RoleAssignment.objects.select_related("unit", "user").get(
        user=user, unit__code=account.unit_code, role=account.role
    )
    assignment.valid_to = account.first_role_until
    assignment.save(update_fields=["valid_to"])
    record(
        actor=CLI,
        event="accounts.role_ended",
        target=assignment,
        unit=assignment.unit,
        target_repr=f"{user.username}: {assignment.role} @ {assignment.unit.code}",
        after={
            "user": user.username,
            "role": assignment.role,
            "unit": assignment.unit.code,
            "valid_from": assignment.valid_from,
            "valid_to": assignment.valid_to,
        },
        note="Dữ liệu mẫu: đơn vị thôi tồn tại từ ngày này (sắp xếp 01/07/2025)",
    )


# -- what to print ----------------------------------------------------------------------------


def _scope(assignment: RoleAssignment) -> str:
    # The latest version: the current name, or the name the unit ended with.
    version = OrgUnitVersion.objects.filter(unit=assignment.unit).order_by("-valid_from").first()
    name = version.name if version else assignment.unit.code
    text = f"{name} ({assignment.unit.code})"
    if assignment.valid_from > DEMO_START:
        text += f" từ/from {assignment.valid_from:%d/%m/%Y}"
    if assignment.valid_to:
        last = assignment.valid_to - dt.timedelta(days=1)
        text += f" đến/until {last:%d/%m/%Y}"
    return text


def demo_logins(password: str | None = None) -> tuple[DemoLogin, ...]:
    """The demo accounts as they are in the database, with their password when known.

    A password is shown only if it actually opens the account (checked against the stored
    hash), so the printed block never advertises a stale password.
    """
    User = get_user_model()
    stored = _read_logins()
    logins = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username__iexact=account.username).first()
        if user is None:
            continue
        roles = tuple(
            f"{ROLE_LABELS.get(a.role, a.role)} — {_scope(a)}"
            for a in user.role_assignments.select_related("unit").order_by("valid_from", "id")
        )
        known = None
        for candidate in (stored.get(account.username), password):
            if candidate and user.check_password(candidate):
                known = candidate
                break
        logins.append(DemoLogin(user.username, user.full_name, roles, known))
    return tuple(logins)


def login_block(logins: tuple[DemoLogin, ...], *, port: str) -> str:
    """The Vietnamese + English block printed after `kieumau demo`."""
    url = f"http://127.0.0.1:{port}"
    lines = [
        "=" * 78,
        "Dữ liệu mẫu kieumau / kieumau demo data",
        f"Địa chỉ / URL: {url}",
        "Tài khoản mẫu (chỉ dùng để trình diễn) / demo logins (for demonstration only):",
        "",
    ]
    for login in logins:
        lines.append(f"  {login.username}  —  {login.full_name}")
        for role in login.roles:
            lines.append(f"      {role}")
        shown = login.password or (
            "(không rõ — tài khoản đã có từ trước; đặt lại mật khẩu nếu cần / "
            "unknown: account existed before)"
        )
        lines.append(f"      mật khẩu / password: {shown}")
    lines += [
        "",
        f"Mật khẩu được lưu ở / passwords are kept in: {logins_path()} (0600)",
        "Đặt KIEUMAU_DEMO_PASSWORD để dùng một mật khẩu chung / set it for one shared password.",
        "=" * 78,
    ]
    return "\n".join(lines)
