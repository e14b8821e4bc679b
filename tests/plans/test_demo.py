"""The plans demo on the real demo structure: three plans from the seeds, 14 Hưng Yên agencies
with their duties, idempotent; the targets re-based on the 2025 structure."""

import datetime as dt

import pytest

from kieumau.core.actors import CLI
from kieumau.orgunits.demo import load_demo as load_structure
from kieumau.plans import selectors
from kieumau.plans.demo import load_demo
from kieumau.plans.models import Plan
from kieumau.plans.targets import RULE_AS_STATED, RULE_REBASED, RULE_SHARE
from kieumau.workitems.models import Agency, AgencyMember, WorkItem


@pytest.fixture
def structure(db, tmp_path, monkeypatch, settings):
    monkeypatch.setenv("KIEUMAU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("KIEUMAU_DEMO_PASSWORD", raising=False)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_structure(password="Mẫu-thử-dài-2025")


def test_the_demo_plans_and_tasks(structure):
    counts = load_demo()
    assert counts == {"plans": 3, "agencies": 16, "tasks": 16, "agency_members": 1}
    assert load_demo() == {}
    assert Agency.objects.filter(province__code="P33").count() == 14
    assert WorkItem.objects.filter(plan__number="1886/QĐ-UBND").count() == 16
    assert AgencyMember.objects.get().user.username == "demo-so-taichinh-hy"

    hy = Plan.objects.get(number="1886/QĐ-UBND")
    before = selectors.plan_progress(CLI, hy, 2024, as_of=dt.date(2024, 10, 1))
    # 14 wards in the plan; Quang Trung merged into Lê Lợi on 1/12/2024, so 13 at the year end.
    assert (before.total, before.designated) == (13, 4)
    rows = {t.due_date.year: t for t in selectors.target_rows(hy)}
    # 50% of the 6 wards in force on 31/12/2025 (after the 1/7/2025 mergers), rounded up.
    assert (rows[2025].required, rows[2025].total, rows[2025].rule) == (3, 6, RULE_SHARE)
    after = selectors.plan_progress(CLI, hy, 2025, as_of=dt.date(2025, 10, 1))
    # An Tảo, Hiến Nam → Phố Hiến; Lam Sơn → Sơn Nam; Hồng Châu → Hồng Châu (2025).
    assert after.designated == 3
    assert any(w["code"] == "designations_short" for w in hy.warnings)

    kh = Plan.objects.get(unit__code="P56")
    rows = {t.due_date.year: t for t in selectors.target_rows(kh)}
    # 11/35 stated for 35 wards; on 31/12/2025 Khánh Hòa has 11 wards: ceil(11·11/35) = 4.
    assert (rows[2025].required, rows[2025].total, rows[2025].rule) == (4, 11, RULE_REBASED)
    assert (rows[2030].required, rows[2030].total) == (11, 11)

    ls = Plan.objects.get(unit__code="P20")
    rows = {t.due_date.year: t for t in selectors.target_rows(ls)}
    assert (rows[2023].required, rows[2023].rule) == (1, RULE_AS_STATED)
    assert (rows[2027].required, rows[2027].total, rows[2027].rule) == (4, 4, RULE_REBASED)


def test_the_demo_pages(structure):
    from django.contrib.auth import get_user_model
    from django.test import Client

    load_demo()
    users = get_user_model().objects
    province = Client()
    province.force_login(users.get(username="demo-hungyen"))
    hy = Plan.objects.get(number="1886/QĐ-UBND")
    page = province.get(f"/plans/{hy.pk}/", {"as_of": "2025-09-15"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phường Lam Sơn" in html and "P33-SONNAM" in html
    national = province.get("/plans/national/")
    assert [r.code for r in national.context["rows"]] == ["P33"]
    agency = Client()
    agency.force_login(users.get(username="demo-so-taichinh-hy"))
    board = agency.get("/tasks/")
    titles = [i.title for i in board.context["page"]]
    assert titles == ["Tham mưu bố trí kinh phí hỗ trợ thực hiện Đề án"]
