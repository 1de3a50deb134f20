"""How the OpenAPI schema names our token (drf-spectacular extension, loaded by ApiConfig)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "个人 API 令牌（在“API 令牌”页面创建）：Authorization: Bearer zzip_…",
        }
