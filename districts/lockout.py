"""How django-axes names who failed: the normalised user name (districts.identity), and the
real client address."""

from axes.handlers.database import AxesDatabaseHandler

from audit.context import client_ip as _client_ip

from .identity import awaiting_second_factor, normalize_username


def username_of(request, credentials):
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    # NUL cannot be stored in PostgreSQL text; such a name is nobody's anyway.
    return normalize_username(username).replace("\x00", "0x00")


def client_ip(request):
    return _client_ip(request)


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, except that the password alone does not clear the
    failures of an account with a second factor: otherwise each right password would buy
    five more guesses at the code. districts.signin.second_factor_passed clears them."""

    def user_logged_in(self, sender, request, user, **kwargs):
        if awaiting_second_factor(user):
            return
        super().user_logged_in(sender, request, user, **kwargs)
