"""The demo: real structure through the reorganisation service, idempotent, working logins.

Loading the demo applies ~500 rows through `apply_changes`, so each test loads it once and checks
many things; there are two loads in this module (generated passwords, and a shared password via
the command).
"""

import datetime as dt
import io
import json
import stat
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kieumau.accounts.models import RoleAssignment
from kieumau.audit.models import AuditEntry
from kieumau.audit.verify import verify_chain
from kieumau.core.actors import CLI
from kieumau.orgunits import selectors
from kieumau.orgunits.choices import Level
from kieumau.orgunits.demo import DEMO_ACCOUNTS, is_loaded, load_demo, logins_path
from kieumau.orgunits.models import (
    LineageEvent,
    LineageLink,
    OrgUnit,
    OrgUnitVersion,
    Reorganisation,
)

BEFORE = dt.date(2024, 6, 1)
BETWEEN = dt.date(2025, 5, 1)  # district police gone, provinces not yet merged
AFTER = dt.date(2026, 1, 1)
SHARED_PASSWORD = "Mẫu-thử-dài-2025"


@pytest.fixture
def demo_env(tmp_path, monkeypatch):
    """Demo passwords go to a temporary var/ (never the checkout's), no shared password."""
    monkeypatch.setenv("KIEUMAU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("KIEUMAU_DEMO_PASSWORD", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    return tmp_path


def under(code: str, day: dt.date, actor=CLI) -> list[selectors.UnitRow]:
    """The rows of `code`'s subtree on `day`, computed from parent codes.

    (Not `units_as_of(under=...)`: its recursive query currently fails on PostgreSQL,
    integer vs bigint in selectors.subtree_ids — reported to the lead.)
    """
    rows = selectors.units_as_of(actor, day)
    children: dict[str | None, list[selectors.UnitRow]] = {}
    for row in rows:
        children.setdefault(row.parent_code, []).append(row)
    found, stack = [], [code]
    while stack:
        for row in children.get(stack.pop(), []):
            found.append(row)
            stack.append(row.code)
    return found


def kinds_under(code: str, day: dt.date) -> Counter:
    return Counter(r.kind for r in under(code, day) if r.level == Level.COMMUNE)


def snapshot() -> tuple[int, ...]:
    return (
        OrgUnit.objects.count(),
        OrgUnitVersion.objects.count(),
        LineageEvent.objects.count(),
        LineageLink.objects.count(),
        Reorganisation.objects.count(),
        get_user_model().objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.django_db
def test_demo_loads_the_real_structure_and_is_idempotent(demo_env, client):
    result = load_demo(password=None)

    assert result.applied_files == (
        "01_structure_2020.yaml",
        "02_police_districts_2025-03-01.yaml",
        "03_provinces_and_communes_2025-07-01.yaml",
    )
    assert set(result.created_users) == {a.username for a in DEMO_ACCOUNTS}

    # 63 provinces before the merger, 34 after (NQ 202/2025/QH15).
    assert len(selectors.units_as_of(CLI, BEFORE, level=Level.PROVINCE)) == 63
    after = selectors.units_as_of(CLI, AFTER, level=Level.PROVINCE)
    assert len(after) == 34
    assert {"P33", "P56", "P20", "P40", "P42"} <= {r.code for r in after}
    assert "P34" not in {r.code for r in after}  # Thái Bình absorbed by Hưng Yên
    central = {
        r.code for r in selectors.units_as_of(CLI, BEFORE, level=1) if r.kind == "central_city"
    }
    assert central == {"P01", "P31", "P48", "P79", "P92"}

    # Hưng Yên city: 7 wards and 10 communes; Mỹ Hào: 7 wards and 6 communes (DOMAIN.md §3).
    wards = [r.name for r in under("P33-TPHY", BEFORE) if r.kind == "ward"]
    assert sorted(wards) == sorted(
        f"Phường {n}"
        for n in [
            "An Tảo",
            "Lam Sơn",
            "Hiến Nam",
            "Hồng Châu",
            "Lê Lợi",
            "Quang Trung",
            "Minh Khai",
        ]
    )
    assert kinds_under("P33-TPHY", BEFORE) == {"ward": 7, "commune": 10}
    assert kinds_under("P33-TXMH", BEFORE) == {"ward": 7, "commune": 6}
    # Khánh Hòa: 35 ward police units; Nghệ An: 32 wards; Lạng Sơn city: 5 wards.
    assert kinds_under("P56", BEFORE)["ward"] == 35
    assert kinds_under("P40", BEFORE)["ward"] == 32
    assert kinds_under("P20-TPLS", BEFORE) == {"ward": 5, "commune": 3}
    assert kinds_under("P42-HCANLOC", BEFORE) == {"commune": 15, "township": 2}
    # Residential groups exist for criteria 6.2/6.3.
    groups = [r for r in under("P33-ANTAO", BEFORE) if r.level == 4]
    assert len(groups) == 4 and all(g.is_synthetic for g in groups)

    # District police ended 1/3/2025: no districts, An Tảo directly under the province.
    assert selectors.units_as_of(CLI, BETWEEN, level=Level.DISTRICT) == []
    assert selectors.version_as_of(CLI, "P33-ANTAO", BETWEEN).parent.code == "P33"

    # An Tảo ceased on 1/7/2025; its successor is phường Phố Hiến, with An Tảo as predecessor.
    assert selectors.version_as_of(CLI, "P33-ANTAO", AFTER) is None
    history = selectors.unit_history(CLI, "P33-ANTAO")
    assert [code for code, _ in history.successors] == ["P33-PHOHIEN"]
    successor = selectors.version_as_of(CLI, "P33-PHOHIEN", AFTER)
    assert successor.name == "Phường Phố Hiến" and successor.parent.code == "P33"
    assert "P33-ANTAO" in [
        code for code, _ in selectors.unit_history(CLI, "P33-PHOHIEN").predecessors
    ]
    # Its residential groups followed it to the successor.
    assert all(r.parent_code == "P33-PHOHIEN" for r in under("P33-PHOHIEN", AFTER) if r.level == 4)

    # Every commune-level unit that ended on 1/7/2025 has exactly one successor.
    ended = set(
        OrgUnitVersion.objects.filter(
            level=Level.COMMUNE, valid_to=dt.date(2025, 7, 1)
        ).values_list("unit_id", flat=True)
    )
    successors = Counter(
        LineageLink.objects.filter(predecessor_id__in=ended).values_list(
            "predecessor_id", flat=True
        )
    )
    assert ended and set(successors) == ended and set(successors.values()) == {1}

    # Generated passwords: stored 0600, each opens its account.
    path = logins_path()
    assert path.parent == demo_env
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert set(stored) == {a.username for a in DEMO_ACCOUNTS}
    for login in result.logins:
        assert login.password == stored[login.username]
        assert client.login(username=login.username, password=login.password), login.username
        client.logout()

    # demo-antao: An Tảo until 30/6/2025, Phố Hiến from 1/7/2025.
    roles = list(
        RoleAssignment.objects.filter(user__username="demo-antao")
        .order_by("valid_from")
        .values_list("unit__code", "valid_from", "valid_to")
    )
    assert roles == [
        ("P33-ANTAO", dt.date(2020, 1, 1), dt.date(2025, 7, 1)),
        ("P33-PHOHIEN", dt.date(2025, 7, 1), None),
    ]

    # Running it again changes nothing at all, and no duplicate users appear.
    before = snapshot()
    again = load_demo(password=None)
    assert not again.changed
    assert len(again.skipped_files) == 3
    assert snapshot() == before
    assert is_loaded()
    assert json.loads(path.read_text(encoding="utf-8")) == stored
    assert verify_chain().ok


@pytest.mark.django_db
def test_demo_command_shared_password_logins_and_scope(demo_env, monkeypatch, client):
    monkeypatch.setenv("KIEUMAU_DEMO_PASSWORD", SHARED_PASSWORD)
    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()

    assert "http://127.0.0.1:8123" in text
    assert "Tài khoản mẫu" in text and "demo logins" in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert text.count(f"mật khẩu / password: {SHARED_PASSWORD}") == len(DEMO_ACCOUNTS)
    assert "Phường Phố Hiến (P33-PHOHIEN)" in text
    assert not logins_path().exists()  # a shared password is never written to disk

    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.username, password=SHARED_PASSWORD), account.username
        client.logout()

    # A province administrator sees the province's units, and a 404 outside it.
    assert client.login(username="demo-hungyen", password=SHARED_PASSWORD)
    assert client.get("/units/P33/").status_code == 200
    assert client.get("/units/P33-ANTAO/").status_code == 200
    assert client.get("/units/P33-PHOHIEN/").status_code == 200
    assert client.get("/units/P56-VINHNGUYEN/").status_code == 404
    assert client.get("/units/P56/").status_code == 404
    user = get_user_model().objects.get(username="demo-hungyen")
    visible = {r.code for r in selectors.units_as_of(user, BEFORE)}
    assert "P33-ANTAO" in visible and "P33-TPHY" in visible
    assert not any(code.startswith("P56") for code in visible)
    client.logout()

    # The An Tảo officer today: Phố Hiến and, through lineage, An Tảo's history.
    assert client.login(username="demo-antao", password=SHARED_PASSWORD)
    assert client.get("/units/P33-PHOHIEN/").status_code == 200
    assert client.get("/units/P33-ANTAO/").status_code == 200
    assert client.get("/units/P33-SONNAM/").status_code == 404
    client.logout()

    # --once on a loaded database writes nothing and prints the same block.
    entries = AuditEntry.objects.count()
    again = io.StringIO()
    call_command("demo", "--once", stdout=again)
    assert AuditEntry.objects.count() == entries
    assert "demo data already loaded" in again.getvalue()
    assert again.getvalue().count(SHARED_PASSWORD) == len(DEMO_ACCOUNTS)
    assert verify_chain().ok
