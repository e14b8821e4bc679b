"""Forms of the task pages: they parse and type the input; the services validate the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

STATUS_EDIT = (
    ("open", _("Not started")),
    ("in_progress", _("In progress")),
    ("done", _("Done")),
    ("cancelled", _("Cancelled")),
)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    unit = forms.CharField(label=_("Unit concerned (code)"), max_length=40)
    assignee_agency = forms.TypedChoiceField(
        label=_("Assigned agency"), coerce=int, required=False, empty_value=None
    )
    assignee_unit = forms.CharField(
        label=_("Or assigned unit (code)"), max_length=40, required=False
    )
    due_date = forms.DateField(label=_("Due date"))
    criterion_code = forms.CharField(label=_("Criterion"), max_length=20, required=False)
    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_EDIT, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, agencies=(), plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_agency"].choices = [("", "—")] + [
            (a.pk, f"{a.name} ({a.province.code})") for a in agencies
        ]
        self.fields["plan"].choices = [("", "—")] + [
            (p.pk, f"{p.number} ({p.unit.code})") for p in plans
        ]


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    done = forms.BooleanField(label=_("Finished"), required=False)
    evidence_text = forms.CharField(
        label=_("Evidence (document number, description)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    evidence_link = forms.URLField(label=_("Evidence link"), required=False, assume_scheme="https")
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
