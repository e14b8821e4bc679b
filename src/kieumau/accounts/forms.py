"""Forms of sign-in, users, roles and tokens."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from kieumau.accounts.permissions import Role
from kieumau.accounts.throttle import client_ip, is_locked


class ThrottledLoginForm(AuthenticationForm):
    """Sign-in that says plainly when an account is temporarily locked after failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-ins. Sign-in for this account is locked for 15 minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None and is_locked(username, client_ip(self.request)):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        return super().clean()


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit_code = forms.CharField(label=_("Unit code"), max_length=40)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit_code = forms.CharField(label=_("Unit code"), max_length=40)


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
