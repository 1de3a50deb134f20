"""What a token may do beyond its user's role: a read-only token reads and nothing else.
The role and units are districts.access's, asked by each view."""

from rest_framework import permissions

from .models import ApiToken


class TokenScope(permissions.BasePermission):
    message = "只读令牌不能修改数据。"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in permissions.SAFE_METHODS
        return True
