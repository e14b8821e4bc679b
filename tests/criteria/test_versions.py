"""Criteria versions through the services: import/export, immutability, locking, publication.

Data: the default 22 criteria (QD5764 v1, published, in force since 13/7/2021), imported through
`import_version` by the `default_criteria` fixture (tests/criteria/conftest.py).
"""

import copy
import datetime as dt

import pytest

from kieumau.audit.models import AuditEntry
from kieumau.core.actors import CLI
from kieumau.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kieumau.criteria import services
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaSet, CriteriaVersion, Indicator
from kieumau.engine import dump_version_yaml, load_version_yaml, parse_period, version_to_dict
from kieumau.evaluation.services import version_for
from tests.criteria.conftest import default_text

SET = "QD5764"


def snapshot(version: CriteriaVersion) -> dict:
    """Everything about a stored version that must not move when a change is refused."""
    version = CriteriaVersion.objects.get(pk=version.pk)
    return {
        "status": version.status,
        "spec": copy.deepcopy(version.spec),
        "sha": version.spec_sha256,
        "revision": version.revision,
        "valid_from": version.valid_from,
        "published_at": version.published_at,
    }


def rule_of(version: CriteriaVersion, code: str) -> str:
    version = CriteriaVersion.objects.get(pk=version.pk)
    return next(c["rule"] for c in version.spec["criteria"] if c["code"] == code)


def as_draft(text: str) -> str:
    """The default file with `status: draft` instead of published."""
    assert "\nstatus: published\n" in text
    return text.replace("\nstatus: published\n", "\nstatus: draft\n", 1)


def derive(version) -> CriteriaVersion:
    return services.derive_draft(actor=CLI, version_id=version.pk)


def test_the_default_set_imports_published_with_its_digest(default_criteria):
    v = default_criteria
    assert (v.criteria_set.code, v.number, v.status) == (SET, 1, VersionStatus.PUBLISHED)
    assert v.valid_from == dt.date(2021, 7, 13)
    assert v.provisional is True
    assert len(v.spec["criteria"]) == 22
    assert len(v.spec["groups"]) == 7
    assert v.spec_sha256 == services.spec_digest(v.spec)
    assert v.published_at is not None
    # The indicator catalogue is filled from the version.
    assert Indicator.objects.count() == len(v.spec["indicators"])
    drug_users = Indicator.objects.get(code="drug_users")
    assert (drug_users.value_type, drug_users.period_type, drug_users.aggregation) == (
        "integer",
        "year",
        "last",
    )
    assert Indicator.objects.get(code="crime_social_order").period_type == "month"
    entry = AuditEntry.objects.get(event="criteria.version_imported")
    assert entry.after == {"version": "QD5764 v1", "status": "published", "sha256": v.spec_sha256}


def test_export_then_import_gives_the_same_spec_and_digest(default_criteria):
    original = snapshot(default_criteria)
    exported = dump_version_yaml(services.spec_of(default_criteria))
    # The exported text reads back to exactly the stored spec.
    assert version_to_dict(load_version_yaml(exported), json_safe=True) == original["spec"]

    # Into an empty database: the same digest and spec.
    CriteriaVersion.objects.all().delete()
    CriteriaSet.objects.all().delete()
    again = services.import_version(actor=CLI, text=exported)
    assert again.spec == original["spec"]
    assert again.spec_sha256 == original["sha"]
    assert again.status == VersionStatus.PUBLISHED
    # …and the export of the re-import is byte for byte the first export.
    assert dump_version_yaml(services.spec_of(again)) == exported


def test_a_draft_round_trips_and_reimport_replaces_it(db):
    draft = services.import_version(actor=CLI, text=as_draft(default_text()))
    assert draft.status == VersionStatus.DRAFT
    assert draft.published_at is None
    exported = dump_version_yaml(services.spec_of(draft))
    assert "\nstatus: draft\n" in exported
    again = services.import_version(actor=CLI, text=exported)
    assert again.pk == draft.pk
    assert again.spec_sha256 == draft.spec_sha256
    assert again.spec == draft.spec
    assert again.revision == draft.revision + 1
    assert CriteriaVersion.objects.count() == 1


def test_importing_over_a_published_version_is_refused_and_changes_nothing(default_criteria):
    before = snapshot(default_criteria)
    audit_before = AuditEntry.objects.count()
    changed = default_text().replace("value: 15\n", "value: 10\n", 1)
    assert changed != default_text()
    with pytest.raises(Conflict) as exc:
        services.import_version(actor=CLI, text=changed)
    assert "QD5764 v1 đã ban hành, không thể ghi đè" in exc.value.summary()
    assert snapshot(default_criteria) == before
    assert AuditEntry.objects.count() == audit_before
    # Even the identical text is refused: a published version is never rewritten.
    with pytest.raises(Conflict):
        services.import_version(actor=CLI, text=default_text())
    assert snapshot(default_criteria) == before


def test_a_broken_file_is_refused_with_a_vietnamese_message(db):
    broken = default_text().replace(
        "rule: organised_per_ministry_model && police_headcount >= police_headcount_quota",
        "rule: organised_per_ministry_model && police_headcount >=",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.import_version(actor=CLI, text=broken)
    assert "Tiêu chí 2.3" in exc.value.summary()
    assert "cú pháp" in exc.value.summary()
    assert not CriteriaVersion.objects.exists()
    assert not Indicator.objects.exists()

    with pytest.raises(ValidationFailed) as exc:
        services.import_version(actor=CLI, text="format: [kieumau")
    assert "YAML" in exc.value.summary()


def test_published_versions_cannot_be_edited(default_criteria):
    before = snapshot(default_criteria)
    spec = copy.deepcopy(default_criteria.spec)
    spec["criteria"][0]["rule"] = "true"
    with pytest.raises(Conflict) as exc:
        services.update_draft(
            actor=CLI, version_id=default_criteria.pk, spec_dict=spec, revision=before["revision"]
        )
    assert "không thể sửa" in exc.value.summary()
    with pytest.raises(Conflict):
        services.update_rule(
            actor=CLI,
            version_id=default_criteria.pk,
            code="5.3",
            rule="new_drug_users == 0",
            revision=before["revision"],
        )
    with pytest.raises(Conflict):
        services.publish(actor=CLI, version_id=default_criteria.pk)
    assert snapshot(default_criteria) == before


def test_derive_copies_a_published_version_into_the_next_draft(default_criteria):
    draft = derive(default_criteria)
    assert (draft.number, draft.status, draft.revision) == (2, VersionStatus.DRAFT, 1)
    assert draft.derived_from == default_criteria
    assert draft.spec["version"] == 2
    assert draft.spec["status"] == "draft"
    assert draft.spec["criteria"] == default_criteria.spec["criteria"]
    assert draft.spec_sha256 == services.spec_digest(draft.spec)
    assert draft.spec_sha256 != default_criteria.spec_sha256
    # A draft is edited, not derived from.
    with pytest.raises(Conflict):
        derive(draft)
    assert AuditEntry.objects.filter(event="criteria.draft_derived").count() == 1


def test_a_stale_revision_is_a_conflict_and_keeps_the_other_edit(default_criteria):
    draft = derive(default_criteria)
    opened = draft.revision
    first = services.update_rule(
        actor=CLI, version_id=draft.pk, code="5.3", rule="new_drug_users == 0", revision=opened
    )
    assert first.revision == opened + 1
    with pytest.raises(Conflict) as exc:
        services.update_rule(
            actor=CLI, version_id=draft.pk, code="5.3", rule="drug_users == 0", revision=opened
        )
    assert "người khác sửa" in exc.value.summary()
    assert rule_of(draft, "5.3") == "new_drug_users == 0"
    assert CriteriaVersion.objects.get(pk=draft.pk).revision == opened + 1

    spec = copy.deepcopy(CriteriaVersion.objects.get(pk=draft.pk).spec)
    spec["notes_vi"] = "sửa"
    with pytest.raises(Conflict):
        services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=opened)
    assert CriteriaVersion.objects.get(pk=draft.pk).spec.get("notes_vi") != "sửa"


def test_update_draft_checks_structure_and_identity(default_criteria):
    draft = derive(default_criteria)
    before = snapshot(draft)
    spec = copy.deepcopy(draft.spec)
    spec["version"] = 7
    with pytest.raises(ValidationFailed, match="không được đổi mã bộ tiêu chí"):
        services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    spec = copy.deepcopy(draft.spec)
    spec["criteria"][0]["group"] = 5  # not text
    spec["unknown_key"] = True
    with pytest.raises(ValidationFailed):
        services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    with pytest.raises(NotFound):
        services.update_rule(actor=CLI, version_id=draft.pk, code="9.9", rule="true", revision=1)
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("drug_users >= ", "Lỗi cú pháp"),
        ("drug_userz == 0", "chỉ tiêu 'drug_userz' không tồn tại (có phải 'drug_users'?)"),
        ("drug_users <= params.nope", "tham số 'nope' không tồn tại"),
        ('new_drug_users == 0 && prev_year("khong_co") > 1', "chỉ tiêu 'khong_co' không tồn tại"),
        ("drug_users + 1.5 > 2", "CEL không tự đổi kiểu"),
    ],
    ids=["syntax", "unknown-indicator", "unknown-param", "unknown-indicator-in-helper", "type"],
)
def test_a_draft_with_a_broken_rule_cannot_be_published(default_criteria, rule, expected):
    draft = derive(default_criteria)
    draft = services.update_rule(
        actor=CLI, version_id=draft.pk, code="5.3", rule=rule, revision=draft.revision
    )
    before = snapshot(draft)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.publish(actor=CLI, version_id=draft.pk)
    messages = exc.value.messages()
    assert messages, exc.value
    assert all(m.startswith("không thể ban hành: ") for m in messages)
    hit = [m for m in messages if expected in m]
    assert hit, messages
    assert "Tiêu chí 5.3, quy tắc (dòng 1, cột " in hit[0]
    assert snapshot(draft) == before
    assert AuditEntry.objects.count() == audit_before
    # The version in force is still v1.
    assert services.get_version(CLI, SET).number == 1


def test_derive_edit_publish_switches_the_version_in_force_on_valid_from(default_criteria):
    draft = derive(default_criteria)
    spec = copy.deepcopy(draft.spec)
    spec["valid_from"] = "2026-01-01"
    draft = services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    assert draft.valid_from == dt.date(2026, 1, 1)
    stricter = rule_of(draft, "5.3").replace(
        "params.drug_users_decrease_min_pct", "params.drug_users_decrease_min_pct + 5"
    )
    draft = services.update_rule(
        actor=CLI, version_id=draft.pk, code="5.3", rule=stricter, revision=draft.revision
    )
    published = services.publish(actor=CLI, version_id=draft.pk)
    assert published.status == VersionStatus.PUBLISHED
    assert published.spec["status"] == "published"
    assert published.spec_sha256 == services.spec_digest(published.spec)
    assert published.published_at is not None
    assert rule_of(published, "5.3") == stricter
    # v1 is untouched.
    assert rule_of(default_criteria, "5.3") != stricter

    assert services.get_version(CLI, SET, on=dt.date(2025, 12, 31)).number == 1
    assert services.get_version(CLI, SET, on=dt.date(2026, 1, 1)).number == 2
    assert services.get_version(CLI, SET, 1).number == 1
    assert version_for(parse_period("2025")).number == 1
    assert version_for(parse_period("2026")).number == 2
    # Half-years and months follow their own last day.
    assert version_for(parse_period("2025-12")).number == 1
    assert version_for(parse_period("2026H1")).number == 2

    # Published v2 is now immutable too.
    with pytest.raises(Conflict):
        services.update_rule(
            actor=CLI, version_id=published.pk, code="5.3", rule="true", revision=99
        )


def test_retire(default_criteria):
    draft = derive(default_criteria)
    with pytest.raises(Conflict, match="chỉ phiên bản đã ban hành"):
        services.retire(actor=CLI, version_id=draft.pk)
    retired = services.retire(actor=CLI, version_id=default_criteria.pk)
    assert retired.status == VersionStatus.RETIRED
    assert retired.spec_sha256 == default_criteria.spec_sha256  # the text is kept as it was
    with pytest.raises(Conflict):
        services.retire(actor=CLI, version_id=default_criteria.pk)
    with pytest.raises(Conflict):
        services.update_rule(
            actor=CLI, version_id=default_criteria.pk, code="5.3", rule="true", revision=1
        )
    # No longer "in force" for the criteria pages and CLI...
    with pytest.raises(NotFound, match="đang có hiệu lực"):
        services.get_version(CLI, SET)
    # ...but still readable by number, and a new draft can still be derived from it.
    assert services.get_version(CLI, SET, 1).status == VersionStatus.RETIRED
    assert derive(default_criteria).number == 3
    assert AuditEntry.objects.filter(event="criteria.version_retired").count() == 1


def _with_drug_users_type(text: str, version: int, value_type: str) -> str:
    """The default file as another version number with `drug_users` of another type."""
    marker = "  drug_users:\n    name_vi: Số người nghiện ma túy\n    name_en: Registered drug users\n    type: integer\n"
    assert marker in text
    text = text.replace(marker, marker.replace("type: integer", f"type: {value_type}"), 1)
    return text.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)


def test_an_indicator_type_cannot_change_once_data_exists(hierarchy, default_criteria):
    from kieumau.datavalues.services import set_values

    # Without data the catalogue follows the newer version.
    services.import_version(
        actor=CLI, text=as_draft(_with_drug_users_type(default_text(), 2, "decimal"))
    )
    assert Indicator.objects.get(code="drug_users").value_type == "decimal"
    services.import_version(
        actor=CLI, text=as_draft(_with_drug_users_type(default_text(), 2, "integer"))
    )
    assert Indicator.objects.get(code="drug_users").value_type == "integer"

    set_values(actor=CLI, unit_code="A-W1", period_code="2024", values={"drug_users": "12"})
    versions_before = list(CriteriaVersion.objects.values_list("number", "spec_sha256"))
    with pytest.raises(ValidationFailed) as exc:
        services.import_version(
            actor=CLI, text=as_draft(_with_drug_users_type(default_text(), 3, "decimal"))
        )
    assert "chỉ tiêu 'drug_users' đã có số liệu kiểu 'integer'" in exc.value.summary()
    assert "hãy dùng một mã chỉ tiêu mới" in exc.value.summary()
    assert Indicator.objects.get(code="drug_users").value_type == "integer"
    assert list(CriteriaVersion.objects.values_list("number", "spec_sha256")) == versions_before


def test_an_indicator_type_change_is_also_refused_at_publication(hierarchy, default_criteria):
    from kieumau.datavalues.services import set_values

    set_values(actor=CLI, unit_code="A-W1", period_code="2024", values={"drug_users": "12"})
    draft = derive(default_criteria)
    spec = copy.deepcopy(draft.spec)
    spec["indicators"]["drug_users"]["type"] = "decimal"
    draft = services.update_draft(actor=CLI, version_id=draft.pk, spec_dict=spec, revision=1)
    with pytest.raises(ValidationFailed, match="không thể đổi sang kiểu 'decimal'"):
        services.publish(actor=CLI, version_id=draft.pk)
    assert CriteriaVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT
    assert Indicator.objects.get(code="drug_users").value_type == "integer"


def test_only_a_ministry_administrator_changes_criteria(hierarchy, make_user, default_criteria):
    province_admin = make_user("province_admin", "A")
    before = snapshot(default_criteria)
    with pytest.raises(PermissionDenied, match="chỉ quản trị viên cấp Bộ"):
        services.import_version(actor=province_admin, text=as_draft(default_text()))
    with pytest.raises(PermissionDenied):
        services.derive_draft(actor=province_admin, version_id=default_criteria.pk)
    with pytest.raises(PermissionDenied):
        services.retire(actor=province_admin, version_id=default_criteria.pk)
    assert snapshot(default_criteria) == before
    assert CriteriaVersion.objects.count() == 1

    ministry = make_user("ministry_admin", "VN")
    draft = services.derive_draft(actor=ministry, version_id=default_criteria.pk)
    with pytest.raises(PermissionDenied):
        services.update_rule(
            actor=province_admin, version_id=draft.pk, code="5.3", rule="true", revision=1
        )
    with pytest.raises(PermissionDenied):
        services.publish(actor=province_admin, version_id=draft.pk)
    published = services.publish(actor=ministry, version_id=draft.pk)
    assert published.published_by == ministry
    entry = AuditEntry.objects.filter(event="criteria.version_published").get()
    assert entry.actor == ministry
