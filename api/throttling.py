"""A rate limit per token (or per signed-in person without one), counted in the shared cache
(settings.CACHES["default"]) so that every worker counts the same requests."""

import logging

from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

log = logging.getLogger(__name__)


class PerTokenThrottle(SimpleRateThrottle):
    scope = "token"

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # the shared cache down: serve rather than fail every request
            log.warning("API rate limit not counted: cache unavailable", exc_info=True)
            return True

    def get_cache_key(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            ident = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = f"a{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
