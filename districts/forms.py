"""The admin's account forms. They only validate, with the services' own rules so that the
messages appear beside the fields; districts.services makes the change."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin, UserChangeForm, UsernameField
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.db.models import Q

from . import services
from .models import Role, Unit


def _password_field(label, help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=help_text,
    )


class _ProfileFields(forms.ModelForm):
    """The profile's fields on the user's form: one form, one service call."""

    unit = forms.ModelChoiceField(Unit.objects.filter(active=True), label="所属单位")
    role = forms.ChoiceField(choices=Role.choices, label="角色")
    phone = forms.CharField(label="电话", max_length=20, required=False)

    def clean_username(self):
        username = self.cleaned_data.get("username", "")
        exclude = self.instance if self.instance.pk else None
        if exclude is None or username != exclude.username:
            errors = services.username_errors(username, exclude=exclude)
            if errors:
                raise ValidationError(errors)
        return username

    def _check_role_and_unit(self):
        if {"role", "unit"} & set(self.changed_data) or not self.instance.pk:
            rules = services.account_rule_errors(
                role=self.cleaned_data.get("role"), unit=self.cleaned_data.get("unit")
            )
            for field, messages in rules.items():
                if field not in self.errors:
                    self.add_error(field, messages)


class AccountAddForm(_ProfileFields):
    """A new account: name, unit, role and a first password, which the person must change at
    first sign-in (not offered as a choice)."""

    password1 = _password_field("密码", password_validators_help_text_html())
    password2 = _password_field("再输一次密码", "首次登录后必须修改。")

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "email"]
        field_classes = {"username": UsernameField}

    def clean(self):
        data = super().clean()
        self._check_role_and_unit()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1 and "username" not in self.errors:
            user = get_user_model()(
                username=data.get("username", ""), first_name=data.get("first_name", "")
            )
            try:
                validate_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class AccountChangeForm(_ProfileFields, UserChangeForm):
    """An existing account. Nobody edits their own role or unit; "must change the password"
    can be set here, never cleared (the person's own new password clears it)."""

    own_account = False  # set by the admin for the signed-in administrator's own account
    must_change_password = forms.BooleanField(
        label="下次登录须改密码",
        required=False,
        help_text="勾选后，此人下次登录须先修改密码；只有本人修改密码后才会解除。",
    )

    class Meta(UserChangeForm.Meta):
        fields = ["username", "first_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = getattr(self.instance, "profile", None)
        if profile is not None:
            self.initial.update(
                unit=profile.unit_id,
                role=profile.role,
                phone=profile.phone,
                must_change_password=profile.must_change_password,
            )
            # A unit switched off since keeps its place in the list of this account.
            self.fields["unit"].queryset = Unit.objects.filter(
                Q(active=True) | Q(pk=profile.unit_id)
            )
        if profile is None or profile.must_change_password:
            # An account given its role here starts with a password to change, like a new one.
            self.initial["must_change_password"] = True
            self.fields["must_change_password"].disabled = True
        if self.own_account:
            self.fields["unit"].disabled = True
            self.fields["role"].disabled = True

    def clean(self):
        data = super().clean()
        self._check_role_and_unit()
        return data


class AccountPasswordForm(SetPasswordMixin, forms.Form):
    """An administrator sets a password: the rules apply, and it is temporary. Disabling
    password sign-in is what 启用 (is_active) is for, so it is not offered here."""

    password1 = _password_field("新密码", password_validators_help_text_html())
    password2 = _password_field("再输一次新密码", "此人下次登录时必须修改。")

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return super().clean()
