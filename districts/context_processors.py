def role(request):
    """Exposes the signed-in user's profile (unit and role) to every template."""
    user = getattr(request, "user", None)
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return {"profile": profile}


def wording(request):
    """The installation's own words (districts.models.Wording), read when a page shows them."""
    from django.utils.functional import SimpleLazyObject

    from .models import Wording

    return {"wording": SimpleLazyObject(Wording.current)}
