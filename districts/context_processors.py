def role(request):
    """Exposes the signed-in user's profile (unit and role) to every template."""
    user = getattr(request, "user", None)
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return {"profile": profile}
