"""The report forms as one in-memory catalogue: which form covers which values, and when due.

Loaded in a few queries per batch so that validating a province workbook does not ask the
database about forms once per cell.
"""

from dataclasses import dataclass, field

from kieumau.datavalues.models import DataSet, DataSetIndicator, DueRule
from kieumau.datavalues.schedule import DueSpec
from kieumau.orgunits.models import OrgUnitClosure


@dataclass
class Form:
    """One active report form with its indicators in order."""

    pk: int
    code: str
    name_vi: str
    name_en: str
    period_type: str
    unit_kinds: frozenset[str]
    checks: list[dict]
    due: DueSpec
    remind_days_before: int
    indicator_ids: list[int] = field(default_factory=list)
    code_of: dict[int, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)

    def applies_to(self, kind: str, period_type: str) -> bool:
        return period_type == self.period_type and (not self.unit_kinds or kind in self.unit_kinds)


@dataclass
class FormCatalog:
    forms: dict[int, Form]
    rules: dict[int, dict[int, DueSpec]]
    _province_cache: dict[tuple[int, int], int | None] = field(default_factory=dict)

    @classmethod
    def load(cls, *, active_only: bool = True) -> "FormCatalog":
        """Every (active) form with its indicators and provincial due rules: three queries."""
        sets = DataSet.objects.all()
        if active_only:
            sets = sets.filter(is_active=True)
        forms = {
            ds.pk: Form(
                pk=ds.pk,
                code=ds.code,
                name_vi=ds.name_vi,
                name_en=ds.name_en,
                period_type=ds.period_type,
                unit_kinds=frozenset(ds.unit_kinds or ()),
                checks=list(ds.checks or ()),
                due=DueSpec(ds.due_day, ds.due_months_after, ds.expiry_days),
                remind_days_before=ds.remind_days_before,
            )
            for ds in sets
        }
        for item in DataSetIndicator.objects.filter(dataset_id__in=list(forms)).select_related(
            "indicator"
        ):
            form = forms[item.dataset_id]
            form.indicator_ids.append(item.indicator_id)
            form.code_of[item.indicator_id] = item.indicator.code
            form.labels[item.indicator.code] = item.indicator.name_vi
            form.sections[item.indicator_id] = item.section_vi
        rules: dict[int, dict[int, DueSpec]] = {}
        for rule in DueRule.objects.filter(dataset_id__in=list(forms)):
            rules.setdefault(rule.dataset_id, {})[rule.province_id] = DueSpec(
                rule.due_day, rule.due_months_after, forms[rule.dataset_id].due.expiry_days
            )
        return cls(forms=forms, rules=rules)

    def forms_for(self, kind: str, period_type: str) -> list[Form]:
        """The forms a unit of `kind` reports for periods of `period_type`."""
        return [f for f in self.forms.values() if f.applies_to(kind, period_type)]

    def by_code(self, code: str) -> Form | None:
        return next((f for f in self.forms.values() if f.code == code), None)

    def prime(self, form: Form, unit_ids) -> None:
        """Find the provinces of many units in one query, so `due_spec` asks no more for them."""
        provinces = self.rules.get(form.pk)
        if not provinces:
            return
        missing = [uid for uid in unit_ids if (form.pk, uid) not in self._province_cache]
        if not missing:
            return
        found = dict(
            OrgUnitClosure.objects.filter(
                ancestor_id__in=list(provinces), descendant_id__in=missing
            ).values_list("descendant_id", "ancestor_id")
        )
        for uid in missing:
            self._province_cache[(form.pk, uid)] = found.get(uid)

    def due_spec(self, form: Form, *, unit_id: int) -> DueSpec:
        """The due rule for the unit: its province's own rule if it has one, else the form's."""
        provinces = self.rules.get(form.pk)
        if not provinces:
            return form.due
        key = (form.pk, unit_id)
        if key not in self._province_cache:
            self._province_cache[key] = (
                OrgUnitClosure.objects.filter(
                    ancestor_id__in=list(provinces), descendant_id=unit_id
                )
                .values_list("ancestor_id", flat=True)
                .first()
            )
        province = self._province_cache[key]
        return provinces.get(province, form.due) if province else form.due
