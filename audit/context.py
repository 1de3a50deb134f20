"""The client address of the request being served, for audit records written by services."""

import getpass
from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request) -> str | None:
    # Behind nginx the real address comes in X-Real-IP (deploy/nginx sets it, overwriting
    # whatever the client sent); REMOTE_ADDR is the proxy's. Without that proxy the header is
    # the client's own words, so only REMOTE_ADDR counts.
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def command_line_actor() -> str:
    """Who acts in a record written from the command line, where there is no account: the
    operating-system user (audit_record takes it from detail["username"])."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        name = "?"
    return f"命令行:{name}"
