"""How django-axes names who failed: the user name ignoring case, and the real client address."""

from audit.context import client_ip as _client_ip


def username_of(request, credentials):
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return username.strip().lower()


def client_ip(request):
    return _client_ip(request)
