"""The person's own API tokens (create, list, revoke) and the API's documentation page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from . import services
from .models import ApiToken


@never_cache
@login_required
def token_list(request):
    created, error = None, None
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request, request.POST["revoke"])
    if request.method == "POST":
        try:
            token, secret = services.token_create(
                user=request.user,
                name=request.POST.get("name", "")[:200],
                read_only=request.POST.get("read_only") == "on",
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            # Shown on this response only: the secret is never stored, and no redirect
            # carries it into a URL or a session.
            created = (token, secret)
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "api/tokens.html",
        {"tokens": tokens, "created": created, "error": error},
        status=400 if error else 200,
    )


def _revoke(request, token_id: str):
    """One of the person's own tokens; anyone else's, or no such token, is a 404."""
    wellformed = token_id.isascii() and token_id.isdigit() and len(token_id) < 19
    token = get_object_or_404(ApiToken, pk=int(token_id) if wellformed else 0, user=request.user)
    services.token_revoke(user=request.user, token_id=token.pk)
    messages.success(request, f"已吊销令牌“{token.name}”。")
    return redirect("tokens:tokens")


@login_required
def docs(request):
    return render(request, "api/docs.html")
