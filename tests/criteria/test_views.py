"""The /criteria/ pages: set list, a version, publish/derive/retire buttons, the rule editor.

The rule editor validates as you type: htmx posts the text to .../validate/ and swaps in the
problems (with line and column) or "Quy tắc hợp lệ.". Manage routes answer 404 to anyone
without criteria.manage.
"""

import pytest

from kieumau.core.actors import CLI
from kieumau.criteria import services
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaVersion

VALID = "Quy tắc hợp lệ."


@pytest.fixture
def draft(default_criteria):
    return services.derive_draft(actor=CLI, version_id=default_criteria.pk)


@pytest.fixture
def admin_client(client, hierarchy, make_user):
    client.force_login(make_user("ministry_admin", "VN"))
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_set_list_and_version_page(admin_client, draft):
    page = text(admin_client.get("/criteria/"))
    assert "QD5764" in page
    page = text(admin_client.get("/criteria/QD5764/v1/"))
    assert "Bộ tiêu chí Công an phường điển hình" in page
    assert draft.criteria_set.versions.get(number=1).spec_sha256 in page
    assert "5.3" in page
    assert "Ma túy, truy nã" in page
    assert "params.drug_users_decrease_min_pct" in page
    # A published version offers "new draft" and "retire", no rule editing.
    assert "/criteria/QD5764/v1/derive/" in page
    assert "/criteria/QD5764/v1/retire/" in page
    assert "/criteria/QD5764/v1/rules/" not in page
    page = text(admin_client.get("/criteria/QD5764/v2/"))
    assert "/criteria/QD5764/v2/publish/" in page
    assert "/criteria/QD5764/v2/rules/5.3/" in page
    assert admin_client.get("/criteria/QD5764/v9/").status_code == 404
    assert admin_client.get("/criteria/KHONG/v1/").status_code == 404


def test_rule_editor_page_wires_htmx_validation(admin_client, draft):
    page = text(admin_client.get("/criteria/QD5764/v2/rules/5.3/"))
    assert 'hx-post="/criteria/QD5764/v2/validate/"' in page
    assert "hx-trigger=" in page
    assert 'hx-target="#rule-problems"' in page
    assert "pct_decrease(drug_users" in page
    assert f'name="revision" value="{draft.revision}"' in page
    assert VALID in page
    assert admin_client.get("/criteria/QD5764/v2/rules/9.9/").status_code == 404


def test_validate_reports_a_syntax_error_with_line_and_column(admin_client, draft):
    response = admin_client.post(
        "/criteria/QD5764/v2/validate/",
        {"rule": "new_drug_users == 0 &&\n  drug_users >= "},
        headers={"HX-Request": "true"},
    )
    html = text(response)
    assert 'id="rule-problems"' in html
    assert "<html" not in html  # only the fragment
    assert "Dòng 2, cột" in html
    assert "Lỗi cú pháp" in html
    assert VALID not in html


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("drug_userz == 0", "chỉ tiêu &#x27;drug_userz&#x27; không tồn tại"),
        ("drug_users <= params.nope", "tham số &#x27;nope&#x27; không tồn tại"),
    ],
)
def test_validate_reports_unknown_names(admin_client, draft, rule, expected):
    html = text(admin_client.post("/criteria/QD5764/v2/validate/", {"rule": rule}))
    assert expected in html
    assert "Dòng 1, cột" in html


def test_validate_says_a_valid_rule_is_valid(admin_client, draft):
    html = text(
        admin_client.post(
            "/criteria/QD5764/v2/validate/",
            {"rule": "new_drug_users == 0 && drug_users <= params.drug_users_decrease_min_pct"},
        )
    )
    assert VALID in html
    assert 'class="errors"' not in html


def test_saving_a_rule_then_a_stale_save_is_refused(admin_client, draft):
    response = admin_client.post(
        "/criteria/QD5764/v2/rules/5.3/", {"rule": "new_drug_users == 0", "revision": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/criteria/QD5764/v2/"
    draft.refresh_from_db()
    assert draft.revision == 2
    assert next(c for c in draft.spec["criteria"] if c["code"] == "5.3")["rule"] == (
        "new_drug_users == 0"
    )
    # Someone with the old page open saves over it: refused, their text stays in the editor.
    page = text(
        admin_client.post(
            "/criteria/QD5764/v2/rules/5.3/", {"rule": "drug_users == 0", "revision": "1"}
        )
    )
    assert "người khác sửa" in page
    assert "drug_users == 0</textarea>" in page
    draft.refresh_from_db()
    assert draft.revision == 2


def test_a_broken_rule_is_saved_in_the_draft_but_publishing_is_refused(admin_client, draft):
    admin_client.post("/criteria/QD5764/v2/rules/5.3/", {"rule": "drug_users >= ", "revision": "1"})
    page = text(admin_client.get("/criteria/QD5764/v2/"))
    assert "Tiêu chí 5.3" in page  # the problems to fix before publishing
    response = admin_client.post("/criteria/QD5764/v2/publish/", follow=True)
    page = text(response)
    assert "không thể ban hành: Tiêu chí 5.3" in page
    assert CriteriaVersion.objects.get(number=2).status == VersionStatus.DRAFT


def test_publish_derive_retire_buttons(admin_client, draft):
    response = admin_client.post("/criteria/QD5764/v2/publish/")
    assert response.status_code == 302
    assert CriteriaVersion.objects.get(number=2).status == VersionStatus.PUBLISHED
    response = admin_client.post("/criteria/QD5764/v2/derive/")
    assert response["Location"] == "/criteria/QD5764/v3/"
    assert CriteriaVersion.objects.get(number=3).status == VersionStatus.DRAFT
    admin_client.post("/criteria/QD5764/v1/retire/")
    assert CriteriaVersion.objects.get(number=1).status == VersionStatus.RETIRED
    assert admin_client.post("/criteria/QD5764/v1/delete/").status_code == 404
    assert admin_client.get("/criteria/QD5764/v1/retire/").status_code == 405


MANAGE_ROUTES = [
    ("get", "/criteria/QD5764/v2/rules/5.3/"),
    ("post", "/criteria/QD5764/v2/rules/5.3/"),
    ("post", "/criteria/QD5764/v2/validate/"),
    ("post", "/criteria/QD5764/v2/publish/"),
    ("post", "/criteria/QD5764/v1/derive/"),
    ("post", "/criteria/QD5764/v1/retire/"),
]


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        ("ministry_viewer", "VN"),
        ("province_admin", "A"),
        ("province_appraiser", "A"),
        ("unit_officer", "A-W1"),
        ("agency_officer", "A"),
        ("viewer", "C"),
    ],
)
def test_manage_routes_are_404_without_criteria_manage(
    client, hierarchy, make_user, draft, role, unit
):
    client.force_login(make_user(role, unit))
    for method, url in MANAGE_ROUTES:
        response = getattr(client, method)(url, {"rule": "true", "revision": "1"})
        assert response.status_code == 404, (role, method, url)
    # They still read the criteria.
    assert client.get("/criteria/QD5764/v1/").status_code == 200
    page = text(client.get("/criteria/QD5764/v2/"))
    assert "/publish/" not in page
    assert "/rules/" not in page
    assert CriteriaVersion.objects.get(number=2).status == VersionStatus.DRAFT
    assert CriteriaVersion.objects.get(number=1).status == VersionStatus.PUBLISHED
    assert CriteriaVersion.objects.count() == 2


def test_anonymous_is_sent_to_sign_in(client, draft):
    response = client.get("/criteria/QD5764/v2/rules/5.3/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    response = client.get("/criteria/")
    assert response.status_code == 302
