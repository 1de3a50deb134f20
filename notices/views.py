from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services


@require_POST
@login_required
def read(request, notice_id):
    services.notice_read(user=request.user, notice_id=notice_id)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(target)
