"""Forms of the plan pages: they parse and type the input; the services validate the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kieumau.plans.choices import PlanKind, Population, TargetKind


class PlanForm(forms.Form):
    unit_code = forms.CharField(label=_("Province or city (unit code)"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=PlanKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=400)
    issued_on = forms.DateField(label=_("Issued on"), required=False)
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    population = forms.ChoiceField(label=_("Units counted"), choices=Population.choices)
    baseline_year = forms.IntegerField(
        label=_("Baseline survey year"), min_value=2000, max_value=2100, required=False
    )
    baseline_text = forms.CharField(
        label=_("Baseline results"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", "Năm kết thúc phải sau hoặc bằng năm bắt đầu.")
        return data


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of target"), choices=TargetKind.choices)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=7, decimal_places=2)
    base_count = forms.IntegerField(label=_("Stated denominator"), min_value=1, required=False)
    due_date = forms.DateField(label=_("By (date)"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DesignationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    units = forms.CharField(label=_("Unit codes (comma or space separated)"), max_length=2000)
