"""Writes of assessment cases other than state transitions: registering, self-assessing, appraising.

Every function authorises on the case's unit (NotFound out of scope, the same answer as for a
case that does not exist), checks the state and the revision the actor saw, writes in one
transaction and leaves an audit entry. The state machine itself is in `workflow.py`.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kieumau.accounts.permissions import APPRAISE_CASES, REGISTER_CASES, SELF_ASSESS
from kieumau.accounts.scope import can_act_on_unit
from kieumau.assessments.choices import (
    EDITABLE,
    STATUS_VI,
    CaseStatus,
    Decision,
    SelfStatus,
)
from kieumau.assessments.models import AssessmentCase, CaseCriterion, EvidenceFile
from kieumau.audit.services import record
from kieumau.core.actors import SystemActor
from kieumau.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kieumau.engine import Period
from kieumau.orgunits.choices import COMMUNE_LEVEL_KINDS
from kieumau.orgunits.models import OrgUnit, OrgUnitVersion

MAX_TEXT = 8000


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def locked_case(actor, case_id: int, perm: str) -> AssessmentCase:
    """The case row locked for update, if `perm` is granted on its unit; NotFound otherwise."""
    case = (
        AssessmentCase.objects.select_for_update()
        .select_related("unit", "criteria_version__criteria_set")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not can_act_on_unit(actor, perm, case.unit_id):
        raise NotFound.single("không tìm thấy hồ sơ đánh giá", "case not found")
    return case


def check_revision(case: AssessmentCase, expected_revision: int | None) -> None:
    """Refuse to act on a case that changed since the actor read it (409 with its state)."""
    if expected_revision is not None and expected_revision != case.revision:
        raise Conflict.single(
            f"hồ sơ đã thay đổi ({STATUS_VI[case.status]}) sau khi bạn mở trang; hãy tải lại",
            f"case changed (now {case.status})",
            field="status",
        )


def is_independent(actor, case: AssessmentCase) -> bool:
    """Whether the actor neither submitted the case nor self-assessed any of its criteria."""
    uid = getattr(actor, "pk", None)
    if uid is None:
        return True
    if case.submitted_by_id == uid:
        return False
    return not case.criteria.filter(self_assessed_by_id=uid).exists()


def _prefill(case: AssessmentCase) -> None:
    """Criteria rows from the version, each pre-filled with the current evaluation's status."""
    from kieumau.evaluation.services import cached_spec, evaluate_unit_code

    spec = cached_spec(case.criteria_version)
    try:
        result = evaluate_unit_code(
            SystemActor("assessments"),
            case.unit.code,
            str(case.year),
            set_code=case.criteria_version.criteria_set.code,
        )
        by_code = {c["code"]: c for c in result["criteria"]}
    except NotFound:
        by_code = {}
    rows = []
    for order, crit in enumerate(spec.criteria):
        evaluated = by_code.get(crit.code, {})
        status = evaluated.get("status", "")
        rows.append(
            CaseCriterion(
                case=case,
                code=crit.code,
                group=crit.group,
                name_vi=crit.name_vi,
                order=order,
                evidence_required=list(crit.evidence),
                evaluated_status=status,
                evaluated_explanation=evaluated.get("explanation", ""),
                self_status=(
                    SelfStatus.MET
                    if status == "met"
                    else SelfStatus.NOT_MET
                    if status in ("not_met", "missing_data")
                    else ""
                ),
            )
        )
    CaseCriterion.objects.bulk_create(rows)


@transaction.atomic
def register_cases(*, actor, unit_codes: list[str], year: int) -> list[AssessmentCase]:
    """The province registers which units build toward the standard in `year` (all or nothing).

    Protects the register from cases that cannot be assessed: each unit must be in the actor's
    scope, commune-level and in existence during the year, and have no case for that year yet
    (next year starts a new case). The criteria version is the one in force for the year.
    """
    from kieumau.evaluation.services import version_for

    if not unit_codes:
        raise ValidationFailed.single("chưa chọn đơn vị nào", "no units", field="units")
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed.single(f"năm {year} không hợp lệ", "invalid year", field="year")
    period = Period.of_year(int(year))
    version = version_for(period)
    problems = []
    units = []
    for code in dict.fromkeys(c.strip() for c in unit_codes if c.strip()):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not can_act_on_unit(actor, REGISTER_CASES, unit.pk):
            problems.append(
                Problem(f"không tìm thấy đơn vị '{code}'", "unit not found", field=code)
            )
            continue
        alive = (
            OrgUnitVersion.objects.filter(
                unit=unit, valid_from__lte=period.end, kind__in=COMMUNE_LEVEL_KINDS
            )
            .exclude(valid_to__lte=period.start)
            .exists()
        )
        if not alive:
            problems.append(
                Problem(
                    f"'{code}' không phải đơn vị cấp xã tồn tại trong năm {year}",
                    "not a commune-level unit in that year",
                    field=code,
                )
            )
            continue
        if AssessmentCase.objects.filter(unit=unit, year=year).exists():
            problems.append(Problem(f"'{code}' đã có hồ sơ năm {year}", "case exists", field=code))
            continue
        units.append(unit)
    if problems:
        raise ValidationFailed(problems)
    cases = []
    for unit in units:
        case = AssessmentCase.objects.create(
            unit=unit, year=year, criteria_version=version, registered_by=_user(actor)
        )
        _prefill(case)
        record(
            actor=actor,
            event="assessments.case_registered",
            target=case,
            unit=unit,
            target_repr=f"{unit.code} {year}",
            after={"year": year, "criteria_version": version.label},
        )
        cases.append(case)
    return cases


@transaction.atomic
def save_self_assessment(
    *,
    actor,
    case_id: int,
    code: str,
    self_status: str,
    narrative: str = "",
    no_evidence_reason: str = "",
    evidence_ids: list[int] | None = None,
    expected_revision: int | None = None,
) -> CaseCriterion:
    """The unit's own assessment of one criterion, with narrative and evidence, while editable.

    Evidence must be the unit's own files; `expected_revision` (the criterion's revision the
    officer saw) turns a concurrent edit into a Conflict instead of an overwrite.
    """
    case = locked_case(actor, case_id, SELF_ASSESS)
    if case.status not in EDITABLE:
        raise Conflict.single(
            f"hồ sơ {STATUS_VI[case.status]}, không sửa phần tự đánh giá được",
            f"case is {case.status}",
            field="status",
        )
    crit = case.criteria.filter(code=code).first()
    if crit is None:
        raise NotFound.single(f"không có tiêu chí '{code}' trong hồ sơ", "criterion not found")
    if expected_revision is not None and expected_revision != crit.revision:
        raise Conflict.single(
            f"tiêu chí {code} đã được người khác sửa sau khi bạn mở trang; hãy tải lại",
            "criterion changed",
            field=code,
        )
    problems = []
    if self_status not in SelfStatus.values:
        problems.append(
            Problem("chọn 'đạt' hoặc 'không đạt'", "choose met or not met", field="self_status")
        )
    for name, text in (("narrative", narrative), ("no_evidence_reason", no_evidence_reason)):
        if len(text) > MAX_TEXT:
            problems.append(Problem("nội dung dài quá 8.000 ký tự", "too long", field=name))
    files = []
    if evidence_ids:
        files = list(EvidenceFile.objects.filter(pk__in=evidence_ids, unit=case.unit))
        if len(files) != len(set(evidence_ids)):
            problems.append(
                Problem(
                    "minh chứng không thuộc đơn vị này",
                    "evidence of another unit",
                    field="evidence",
                )
            )
    if problems:
        raise ValidationFailed(problems)
    before = {
        "self_status": crit.self_status,
        "narrative": crit.narrative,
        "no_evidence_reason": crit.no_evidence_reason,
        "evidence": sorted(crit.evidence.values_list("sha256", flat=True)),
    }
    crit.self_status = self_status
    crit.narrative = narrative.strip()
    crit.no_evidence_reason = no_evidence_reason.strip()
    crit.self_assessed_by = _user(actor) or crit.self_assessed_by
    crit.revision += 1
    crit.save()
    crit.evidence.set(files)
    record(
        actor=actor,
        event="assessments.self_assessed",
        target=crit,
        unit=case.unit,
        target_repr=f"{case.unit.code} {case.year} {code}",
        before=before,
        after={
            "self_status": crit.self_status,
            "narrative": crit.narrative,
            "no_evidence_reason": crit.no_evidence_reason,
            "evidence": sorted(f.sha256 for f in files),
        },
    )
    return crit


def _case_under_appraisal(actor, case_id: int) -> AssessmentCase:
    """The case, locked, if it is under the province's appraisal and the actor is independent."""
    case = locked_case(actor, case_id, APPRAISE_CASES)
    if case.status != CaseStatus.PROVINCE_REVIEW:
        raise Conflict.single(
            f"hồ sơ {STATUS_VI[case.status]}, chưa hoặc không còn ở bước thẩm định",
            f"case is {case.status}",
            field="status",
        )
    if not is_independent(actor, case):
        raise ValidationFailed.single(
            "người tự đánh giá hoặc nộp hồ sơ không được thẩm định hồ sơ đó",
            "conflict of interest",
        )
    return case


@transaction.atomic
def agree_remaining(*, actor, case_id: int) -> list[str]:
    """ "Agree" on every criterion the council has not decided yet; returns their codes.

    Saves an appraiser 22 clicks on a sound case without deciding anything behind anyone's
    back: only undecided criteria are touched (a colleague's decision, even one made after the
    page was opened, stays), under the same state and independence rules as one decision, with
    one audit entry naming every criterion agreed.
    """
    case = _case_under_appraisal(actor, case_id)
    undecided = case.criteria.filter(decision="")
    codes = list(undecided.order_by("order").values_list("code", flat=True))
    if not codes:
        raise ValidationFailed.single(
            "mọi tiêu chí đã có kết luận thẩm định", "every criterion is decided already"
        )
    undecided.update(
        decision=Decision.AGREE,
        decision_reason="",
        decided_by=_user(actor),
        decided_at=timezone.now(),
        revision=F("revision") + 1,
    )
    record(
        actor=actor,
        event="assessments.criteria_agreed",
        target=case,
        unit=case.unit,
        target_repr=f"{case.unit.code} {case.year}",
        after={"agreed": codes},
    )
    return codes


@transaction.atomic
def decide_criterion(
    *,
    actor,
    case_id: int,
    code: str,
    decision: str,
    reason: str = "",
    expected_revision: int | None = None,
) -> CaseCriterion:
    """The appraisal council's decision on one criterion: agree, or disagree with a reason.

    Only while the case is under the province's appraisal, and only by someone independent of
    it (neither its submitter nor one of its self-assessors).
    """
    case = _case_under_appraisal(actor, case_id)
    crit = case.criteria.filter(code=code).first()
    if crit is None:
        raise NotFound.single(f"không có tiêu chí '{code}' trong hồ sơ", "criterion not found")
    if expected_revision is not None and expected_revision != crit.revision:
        raise Conflict.single(
            f"tiêu chí {code} đã được thành viên khác kết luận sau khi bạn mở trang",
            "criterion changed",
            field=code,
        )
    reason = reason.strip()
    if decision not in Decision.values:
        raise ValidationFailed.single(
            "chọn 'đồng ý' hoặc 'không đồng ý'", "bad decision", field="decision"
        )
    if decision == Decision.DISAGREE and not reason:
        raise ValidationFailed.single(
            f"tiêu chí {code}: không đồng ý thì phải ghi rõ lý do",
            "reason required",
            field="reason",
        )
    if len(reason) > MAX_TEXT:
        raise ValidationFailed.single("lý do dài quá 8.000 ký tự", "too long", field="reason")
    before = {"decision": crit.decision, "reason": crit.decision_reason}
    crit.decision, crit.decision_reason = decision, reason
    crit.decided_by, crit.decided_at = _user(actor), timezone.now()
    crit.revision += 1
    crit.save()
    record(
        actor=actor,
        event="assessments.criterion_decided",
        target=crit,
        unit=case.unit,
        target_repr=f"{case.unit.code} {case.year} {code}",
        before=before,
        after={"decision": decision, "reason": reason},
    )
    return crit
