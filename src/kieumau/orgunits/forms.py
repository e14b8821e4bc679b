"""Forms of the unit pages: one edit, or a whole reorganisation file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kieumau.orgunits.choices import Kind

MAX_REORGANISATION_FILE = 5 * 1024 * 1024


class UnitEditForm(forms.Form):
    effective_date = forms.DateField(label=_("Effective date"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices], required=False)
    parent_code = forms.CharField(label=_("Parent unit code"), max_length=40, required=False)
    legal_basis = forms.CharField(label=_("Legal basis (document number)"), max_length=200)
    legal_basis_date = forms.DateField(label=_("Document date"), required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReorganisationForm(forms.Form):
    file = forms.FileField(label=_("Reorganisation file (CSV or YAML)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_REORGANISATION_FILE:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".csv", ".yaml", ".yml")):
            raise forms.ValidationError(_("Use a .csv, .yaml or .yml file."))
        return upload
