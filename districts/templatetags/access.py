"""Templates ask districts.access, never a role: ``{% can "report.approve" report as may %}``."""

from django import template

from districts import access

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, action: str, obj=None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return access.can(user, action, obj)
