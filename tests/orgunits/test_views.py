"""The unit pages: the tree as of a date, a unit with its history, one edit, a reorganisation file."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.orgunits import selectors
from kieumau.orgunits.models import LineageEvent, OrgUnit, OrgUnitVersion, Reorganisation


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 as configured costs ~1 s per hash; these tests only need some password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (OrgUnit, OrgUnitVersion, LineageEvent, Reorganisation, AuditEntry)
    )


@pytest.fixture
def admin(client, make_user, hierarchy):
    client.force_login(make_user("ministry_admin", "VN"))
    return client


def upload(name: str, content: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


# -- reorganisation upload ---------------------------------------------------------------------
def test_upload_a_valid_file(admin):
    content = (
        "action,code,effective_date,name,kind,parent_code\n"
        "create,C-W2,2026-01-01,Xã Năm,commune,C\n"
        "rename,C-W1,2026-01-01,Xã Bốn Mới,,\n"
    ).encode()
    response = admin.post("/units/reorganise/", upload("sap-xep.csv", content))
    assert response.status_code == 302
    assert response["Location"] == "/units/reorganise/"
    page = admin.get(response["Location"])
    assert "sap-xep.csv" in page.content.decode()  # listed among applied reorganisations
    assert selectors.version_as_of(CLI, "C-W1", dt.date(2026, 1, 1)).name == "Xã Bốn Mới"
    reorg = Reorganisation.objects.get(file_name="sap-xep.csv")
    assert reorg.applied_by.username == "ministry_admin-vn"
    assert AuditEntry.objects.filter(
        event="orgunits.create", actor__username="ministry_admin-vn"
    ).exists()


def test_upload_an_invalid_file_shows_every_problem_and_changes_nothing(admin):
    content = (
        "action,code,effective_date,name,kind,parent_code\n"
        "rename,C-W1,2026-01-01,Xã Bốn Mới,,\n"
        "create,C-W2,2026-01-01,Xã Năm,commune,KHONG-CO\n"
        "dissolve,A,2026-01-01,,,\n"
    ).encode()
    before = counts()
    response = admin.post("/units/reorganise/", upload("sap-xep.csv", content))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dòng 3: mã đơn vị &#x27;KHONG-CO&#x27; không tồn tại" in html
    assert "Dòng 4: ngày 01/01/2026: đơn vị &#x27;A-W1&#x27; vẫn thuộc" in html
    assert counts() == before
    assert selectors.version_as_of(CLI, "C-W1", dt.date(2026, 1, 1)).name == "Xã Bốn"


def test_upload_a_non_utf8_csv(admin):
    before = counts()
    content = "action,code,effective_date,name\nrename,C-W1,2026-01-01,Xã\n".encode("utf-16")
    response = admin.post("/units/reorganise/", upload("sap-xep.csv", content))
    assert response.status_code == 200
    assert "tệp CSV phải mã hóa UTF-8" in response.content.decode()
    assert counts() == before


def test_upload_a_file_of_another_type_is_refused_by_the_form(admin):
    before = counts()
    response = admin.post("/units/reorganise/", upload("sap-xep.txt", b"action,code\n"))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert counts() == before


def test_upload_page_is_only_for_unit_managers(client, make_user, hierarchy):
    client.force_login(make_user("province_admin", "A"))
    before = counts()
    content = b"action,code,effective_date,name\nrename,A-W1,2026-01-01,X\n"
    assert client.get("/units/reorganise/").status_code == 404
    assert client.post("/units/reorganise/", upload("x.csv", content)).status_code == 404
    assert counts() == before


# -- one edit ----------------------------------------------------------------------------------
def test_edit_a_unit_renames_and_moves_it_from_a_date(admin):
    page = admin.get("/units/A-W1/edit/", {"as_of": "2025-07-01"})
    assert page.status_code == 200
    assert page.context["form"].initial["name"] == "Phường Một"
    assert page.context["form"].initial["parent_code"] == "A"
    response = admin.post(
        "/units/A-W1/edit/",
        {
            "effective_date": "2026-01-01",
            "name": "Phường Một Mới",
            "kind": "ward",
            "parent_code": "A",
            "legal_basis": "QĐ 12/2025",
            "note": "đổi tên",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/units/A-W1/?as_of=2026-01-01"
    history = selectors.unit_history(CLI, "A-W1")
    assert [(v.valid_from, v.name) for v in history.versions][-2:] == [
        (dt.date(2025, 3, 1), "Phường Một"),
        (dt.date(2026, 1, 1), "Phường Một Mới"),
    ]
    assert history.timeline[-1].legal_basis == "QĐ 12/2025"
    detail = admin.get(response["Location"])
    assert "Phường Một Mới" in detail.content.decode()
    assert (
        "Phường Một Mới"
        not in admin.get("/units/A-W1/", {"as_of": "2025-12-31"}).context["version"].name
    )


def test_edit_refused_shows_the_reason_and_changes_nothing(admin):
    before = counts()
    response = admin.post(
        "/units/A-W1/edit/",
        {"effective_date": "2026-01-01", "parent_code": "C-W1", "legal_basis": "QĐ 1"},
    )
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].non_field_errors())
    errors += " ".join(str(e) for e in response.context["form"].errors.get("parent_code", []))
    assert "không thể trực thuộc" in errors
    assert counts() == before


def test_edit_with_nothing_changed(admin):
    response = admin.post(
        "/units/A-W1/edit/",
        {"effective_date": "2026-01-01", "name": "Phường Một", "legal_basis": "QĐ 1"},
    )
    assert response.status_code == 200
    assert "không có gì thay đổi" in response.content.decode()


def test_edit_a_unit_on_a_date_it_did_not_exist(admin):
    before = counts()
    response = admin.post(
        "/units/A-W9/edit/", {"effective_date": "2024-01-01", "name": "X", "legal_basis": "QĐ 1"}
    )
    assert response.status_code == 200
    assert "không hoạt động vào ngày 01/01/2024" in response.content.decode()
    assert counts() == before


def test_edit_of_a_missing_unit_is_404(admin):
    assert admin.get("/units/KHONG-CO/edit/").status_code == 404
    response = admin.post(
        "/units/KHONG-CO/edit/", {"effective_date": "2026-01-01", "name": "X", "legal_basis": "Q"}
    )
    assert response.status_code == 404
    assert not OrgUnit.objects.filter(code="KHONG-CO").exists()


# -- reading -----------------------------------------------------------------------------------
def data_codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


def test_tree_as_of_a_date(admin):
    response = admin.get("/units/", {"as_of": "2024-06-01"})
    assert response.status_code == 200
    roots = [node.row.code for node in response.context["nodes"]]
    assert roots == ["VN"]
    assert response.context["nodes"][0].child_count == 3
    children = admin.get("/units/A/children/", {"as_of": "2024-06-01"})
    assert children.status_code == 200
    assert data_codes(children) == ["A-D"]
    assert "<html" not in children.content.decode()  # a fragment for htmx
    later = admin.get("/units/A/children/", {"as_of": "2025-07-01"})
    assert sorted(data_codes(later)) == ["A-W1", "A-W9"]


def test_tree_search(admin):
    response = admin.get("/units/", {"as_of": "2024-06-01", "q": "phường"})
    assert sorted(r.code for r in response.context["results"]) == ["A-W1", "A-W2", "B-W1"]


def test_tree_with_a_bad_date_says_so(admin):
    response = admin.get("/units/", {"as_of": "32/13/2024"})
    assert response.status_code == 200
    assert "ngày &#x27;32/13/2024&#x27; không hợp lệ" in response.content.decode()


def test_detail_of_a_unit_that_ended_shows_its_last_day_and_history(admin):
    response = admin.get("/units/B/", {"as_of": "2025-07-01"})
    assert response.status_code == 200
    # B did not exist on 1/7/2025: it is shown as on its last day, 30/6/2025.
    assert response.context["requested_as_of"] == dt.date(2025, 7, 1)
    assert response.context["as_of"] == dt.date(2025, 6, 30)
    assert response.context["version"].name == "Tỉnh B"
    assert response.context["history"].successors == (("A", "Tỉnh A"),)
    assert "Tỉnh A" in response.content.decode()  # the successor is named in the history
    earlier = admin.get("/units/B/", {"as_of": "2024-06-01"})
    assert earlier.context["as_of"] == earlier.context["requested_as_of"]
    assert [c.row.code for c in earlier.context["children"]] == ["B-D"]
    before_it_existed = admin.get("/units/A-W9/", {"as_of": "2024-06-01"})
    assert before_it_existed.context["as_of"] == dt.date(2025, 7, 1)


def test_scoped_tree_starts_at_the_top_of_what_you_see(client, make_user, hierarchy):
    client.force_login(make_user("viewer", "C"))
    response = client.get("/units/", {"as_of": "2025-07-01"})
    assert [node.row.code for node in response.context["nodes"]] == ["C"]
    assert client.get("/units/A/children/").status_code == 404
    assert client.get("/units/A-W1/").status_code == 404
