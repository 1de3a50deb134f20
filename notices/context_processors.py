from django.utils.functional import SimpleLazyObject

from . import services


def unread(request):
    """The signed-in person's unread notices, read only by a template that shows them."""
    user = getattr(request, "user", None)
    return {"unread_notices": SimpleLazyObject(lambda: services.unread(user))}
