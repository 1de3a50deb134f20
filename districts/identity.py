"""One user name, however it is typed.

A name is compared in one form everywhere: Unicode NFKC (full-width letters, ligatures and
the long s become plain letters), then casefold. Account creation refuses a name whose form
is taken, sign-in finds the account by it, and django-axes counts failures under it, so no
spelling of a name gets its own five tries or unlocks another's. The database's own case
rules are never asked: PostgreSQL's UPPER() folds the dotless ı into I, SQLite's does not.
"""

from __future__ import annotations

import re
import unicodedata

# What a new name may be made of, after normalising: ASCII letters and digits, . _ - @, and
# Chinese characters. Other scripts hold letters that look like ours (Cyrillic а, dotless ı)
# and would let one person pass for another in lists and in the audit log.
_ALLOWED = re.compile(r"[a-z0-9._@\-\u3400-\u4dbf\u4e00-\u9fff]+")
MAX_LENGTH = 150


def normalize_username(name: str) -> str:
    """The form every comparison of user names uses: stripped, NFKC, casefolded."""
    return unicodedata.normalize("NFKC", str(name or "").strip()).casefold()


def username_problem(name: str) -> str | None:
    """Why ``name`` cannot be a new user name, in Chinese, or None."""
    key = normalize_username(name)
    if not key:
        return "请填写用户名。"
    if len(key) > MAX_LENGTH:
        return f"用户名太长，最多 {MAX_LENGTH} 个字符。"
    if not _ALLOWED.fullmatch(key):
        return "用户名只能由英文字母、数字、汉字和 . _ - @ 组成。"
    return None


def awaiting_second_factor(user) -> bool:
    """Signed in with the password, not yet with the code: the person has a confirmed device
    (whatever their role) and this session has not proved it. The user of a login signal
    has proved nothing yet; request.user carries the session's device (django-otp)."""
    from django_otp import user_has_device

    if getattr(user, "otp_device", None) is not None:
        return False
    return user_has_device(user, confirmed=True)
