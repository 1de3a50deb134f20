"""Password rules of 等保 2.0 (身份鉴别): length, character classes, not the user name."""

import re

from django.contrib.auth.password_validation import (
    MinimumLengthValidator as BaseMinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = [
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^A-Za-z0-9]"), "符号"),
]


class ComplexityValidator:
    """At least ``min_classes`` of upper case, lower case, digit and symbol; not the user name."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for pattern, _label in CLASSES if pattern.search(password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )
        username = (getattr(user, "username", "") or "").lower()
        if username and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self):
        return _(
            "密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类，且不能包含用户名。"
        ) % {"n": self.min_classes}


class MinimumLengthValidator(BaseMinimumLengthValidator):
    """Django's, with the message in Chinese (its zh-hans catalogue lacks the 5.x wording)."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
