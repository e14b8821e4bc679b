"""Writes to criteria sets: import, edit drafts, publish, retire, derive. Authorised and audited.

Protects the meaning of every stored score: a published version is immutable (edits are refused,
the digest proves it), a version that does not validate never becomes published, and an
indicator's value type cannot change under data already collected for it.
"""

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from kieumau.accounts.permissions import MANAGE_CRITERIA
from kieumau.accounts.scope import grant_for
from kieumau.audit.services import record
from kieumau.core.errors import Conflict, NotFound, PermissionDenied, Problem, ValidationFailed
from kieumau.criteria.choices import VersionStatus
from kieumau.criteria.models import CriteriaSet, CriteriaVersion, Indicator
from kieumau.engine import (
    SpecError,
    VersionSpec,
    is_publishable,
    load_version_yaml,
    validate_version,
    version_from_dict,
    version_to_dict,
)


def _authorise(actor) -> None:
    if not grant_for(actor, MANAGE_CRITERIA).national:
        raise PermissionDenied.single(
            "chỉ quản trị viên cấp Bộ được thay đổi bộ tiêu chí",
            "only a ministry administrator may change criteria sets",
        )


def spec_digest(spec_dict: dict) -> str:
    """SHA-256 of the canonical JSON of a version's specification."""
    canonical = json.dumps(spec_dict, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def spec_problems(exc: SpecError) -> ValidationFailed:
    """An engine SpecError as the project's ValidationFailed (same Vietnamese messages)."""
    return ValidationFailed([Problem(p.text_vi, p.text_en, field=p.path) for p in exc.problems])


def _upsert_indicators(spec: VersionSpec) -> None:
    from kieumau.datavalues.models import DataValue

    for ind in spec.indicators:
        existing = Indicator.objects.filter(code=ind.code).first()
        if (
            existing is not None
            and existing.value_type != ind.value_type
            and DataValue.objects.filter(indicator=existing).exists()
        ):
            raise ValidationFailed.single(
                f"chỉ tiêu '{ind.code}' đã có số liệu kiểu '{existing.value_type}', không thể đổi "
                f"sang kiểu '{ind.value_type}'; hãy dùng một mã chỉ tiêu mới",
                "indicator type cannot change once data exists",
                field=f"indicators.{ind.code}",
            )
        Indicator.objects.update_or_create(
            code=ind.code,
            defaults={
                "name_vi": ind.name_vi,
                "name_en": ind.name_en,
                "value_type": ind.value_type,
                "unit_vi": ind.unit_vi,
                "unit_en": ind.unit_en,
                "period_type": ind.period_type,
                "aggregation": ind.aggregation,
                "min_value": ind.min_value,
                "max_value": ind.max_value,
                "choices": list(ind.choices),
                "description_vi": ind.description_vi,
            },
        )


@transaction.atomic
def import_version(*, actor, text: str) -> CriteriaVersion:
    """Import one whole version from YAML text.

    A version number that already exists is refused unless the stored one is a draft (then the
    draft is replaced). The file's `status: published` is honoured only when it validates.
    """
    _authorise(actor)
    try:
        spec = load_version_yaml(text)
    except SpecError as exc:
        raise spec_problems(exc) from exc
    criteria_set, _created = CriteriaSet.objects.update_or_create(
        code=spec.set_code, defaults={"name_vi": spec.set_name_vi, "name_en": spec.set_name_en}
    )
    existing = (
        CriteriaVersion.objects.select_for_update()
        .filter(criteria_set=criteria_set, number=spec.version)
        .first()
    )
    if existing is not None and existing.status != VersionStatus.DRAFT:
        raise Conflict.single(
            f"phiên bản {spec.label} đã ban hành, không thể ghi đè; hãy nhập với số phiên bản mới",
            "a published version cannot be overwritten",
            field="version",
        )
    spec_dict = version_to_dict(spec, json_safe=True)
    fields = {
        "status": spec.status,
        "valid_from": spec.valid_from,
        "valid_to": spec.valid_to,
        "provisional": spec.provisional,
        "spec": spec_dict,
        "spec_sha256": spec_digest(spec_dict),
    }
    if spec.status == VersionStatus.PUBLISHED:
        fields.update(published_at=timezone.now(), published_by=_user(actor))
    if existing is None:
        version = CriteriaVersion.objects.create(
            criteria_set=criteria_set, number=spec.version, **fields
        )
    else:
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.revision += 1
        existing.save()
        version = existing
    _upsert_indicators(spec)
    record(
        actor=actor,
        event="criteria.version_imported",
        target=version,
        after={"version": version.label, "status": version.status, "sha256": version.spec_sha256},
    )
    return version


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def get_version(actor, set_code: str, number: int | None = None, *, on=None) -> CriteriaVersion:
    """A version by number, or (without a number) the published version in force on `on`/today."""
    from kieumau.accounts.permissions import VIEW_CRITERIA

    versions = CriteriaVersion.objects.visible_to(actor, VIEW_CRITERIA).filter(
        criteria_set__code=set_code
    )
    if number is not None:
        version = versions.filter(number=number).select_related("criteria_set").first()
    else:
        version = version_in_force(versions, on or timezone.localdate())
    if version is None:
        raise NotFound.single(
            f"không tìm thấy bộ tiêu chí '{set_code}'"
            + (f" phiên bản {number}" if number is not None else " đang có hiệu lực"),
            "criteria version not found",
        )
    return version


def version_in_force(versions, day):
    """The published version in force on `day` (latest valid_from wins), or None."""
    from django.db.models import Q

    return (
        versions.filter(status=VersionStatus.PUBLISHED)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        .select_related("criteria_set")
        .order_by("-valid_from", "-number")
        .first()
    )


def spec_of(version: CriteriaVersion) -> VersionSpec:
    """The engine specification of a stored version (drafts load without strict checks)."""
    return version_from_dict(version.spec, strict=version.status != VersionStatus.DRAFT)


def _locked(version_id: int) -> CriteriaVersion:
    version = CriteriaVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None:
        raise NotFound.single("không tìm thấy phiên bản bộ tiêu chí", "version not found")
    return version


def _require_draft(version: CriteriaVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise Conflict.single(
            f"phiên bản {version.label} đang ở trạng thái '{version.get_status_display()}', "
            "không thể sửa; hãy tạo bản nháp mới từ phiên bản này",
            "only drafts can be edited",
        )


@transaction.atomic
def update_draft(*, actor, version_id: int, spec_dict: dict, revision: int) -> CriteriaVersion:
    """Replace a draft's specification; refused if someone saved it since `revision` was read."""
    _authorise(actor)
    version = _locked(version_id)
    _require_draft(version)
    if version.revision != revision:
        raise Conflict.single(
            "bản nháp đã được người khác sửa sau khi bạn mở; hãy tải lại để xem thay đổi",
            "the draft changed since you opened it",
        )
    try:
        spec = version_from_dict(spec_dict, strict=False)
    except SpecError as exc:
        raise spec_problems(exc) from exc
    if spec.set_code != version.criteria_set.code or spec.version != version.number:
        raise ValidationFailed.single(
            "không được đổi mã bộ tiêu chí hoặc số phiên bản của bản nháp", "identity is fixed"
        )
    before = version.spec_sha256
    version.spec = version_to_dict(spec, json_safe=True)
    version.spec_sha256 = spec_digest(version.spec)
    version.valid_from, version.valid_to = spec.valid_from, spec.valid_to
    version.revision += 1
    version.save()
    record(
        actor=actor,
        event="criteria.draft_updated",
        target=version,
        before={"sha256": before},
        after={"sha256": version.spec_sha256, "revision": version.revision},
    )
    return version


@transaction.atomic
def update_rule(*, actor, version_id: int, code: str, rule: str, revision: int) -> CriteriaVersion:
    """Change one criterion's rule in a draft (the rule editor's save)."""
    version = CriteriaVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise NotFound.single("không tìm thấy phiên bản bộ tiêu chí", "version not found")
    spec_dict = json.loads(json.dumps(version.spec))
    for criterion in spec_dict.get("criteria", []):
        if criterion.get("code") == code:
            criterion["rule"] = rule
            break
    else:
        raise NotFound.single(f"không có tiêu chí '{code}'", "criterion not found", field="code")
    return update_draft(actor=actor, version_id=version_id, spec_dict=spec_dict, revision=revision)


@transaction.atomic
def publish(*, actor, version_id: int) -> CriteriaVersion:
    """Publish a draft that validates; from then on it is immutable."""
    _authorise(actor)
    version = _locked(version_id)
    _require_draft(version)
    spec = version_from_dict(version.spec, strict=False)
    problems = [p for p in validate_version(spec) if p.is_error]
    if problems or not is_publishable(spec):
        raise ValidationFailed(
            [Problem("không thể ban hành: " + p.text_vi, p.text_en, field=p.path) for p in problems]
            or [Problem("không thể ban hành: bộ tiêu chí chưa hợp lệ", "not publishable")]
        )
    spec_dict = dict(version.spec)
    spec_dict["status"] = VersionStatus.PUBLISHED
    version.spec = spec_dict
    version.spec_sha256 = spec_digest(spec_dict)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _user(actor)
    version.save()
    _upsert_indicators(spec)
    record(
        actor=actor,
        event="criteria.version_published",
        target=version,
        after={"version": version.label, "sha256": version.spec_sha256},
    )
    return version


@transaction.atomic
def retire(*, actor, version_id: int) -> CriteriaVersion:
    """Retire a published version (it stays readable; results computed with it stay valid)."""
    _authorise(actor)
    version = _locked(version_id)
    if version.status != VersionStatus.PUBLISHED:
        raise Conflict.single("chỉ phiên bản đã ban hành mới có thể ngừng áp dụng", "not published")
    version.status = VersionStatus.RETIRED
    version.save(update_fields=["status", "updated_at"])
    record(actor=actor, event="criteria.version_retired", target=version)
    return version


@transaction.atomic
def derive_draft(*, actor, version_id: int) -> CriteriaVersion:
    """A new draft (next number) copied from a published or retired version."""
    _authorise(actor)
    source = _locked(version_id)
    if source.status == VersionStatus.DRAFT:
        raise Conflict.single("hãy sửa trực tiếp bản nháp này", "already a draft")
    number = (
        CriteriaVersion.objects.filter(criteria_set=source.criteria_set)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    ) + 1
    spec_dict = dict(source.spec)
    spec_dict.update({"version": number, "status": VersionStatus.DRAFT})
    draft = CriteriaVersion.objects.create(
        criteria_set=source.criteria_set,
        number=number,
        status=VersionStatus.DRAFT,
        valid_from=source.valid_from,
        valid_to=source.valid_to,
        provisional=source.provisional,
        spec=spec_dict,
        spec_sha256=spec_digest(spec_dict),
        derived_from=source,
    )
    record(
        actor=actor,
        event="criteria.draft_derived",
        target=draft,
        after={"from": source.label, "version": draft.label},
    )
    return draft
