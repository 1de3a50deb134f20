import base64
import io
import ipaddress

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services, signin
from .access import Do, require_right


class _NewPasswordForm(PasswordChangeForm):
    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError("新密码不能与原密码相同。", code="password_unchanged")
        return new


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "districts/password_change.html"
    form_class = _NewPasswordForm
    success_url = reverse_lazy("indicators:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


def _unlock_problem(username: str, ip: str) -> str | None:
    if "\x00" in username or "\x00" in ip:
        return "用户名或地址中有不可见的控制字符（NUL），无法解锁。请从列表中点“解锁”。"
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return f"“{ip}”不是有效的 IP 地址。"
    return None


@require_right(Do.UNLOCK)
def locked_accounts(request):
    error = None
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        ip = request.POST.get("ip", "").strip()
        error = _unlock_problem(username, ip)
        if error is None:
            if username or ip:
                signin.account_unlock(actor=request.user, username=username, ip=ip)
                messages.success(request, f"已解锁：{username or ip}")
            return redirect("locked_accounts")
    return render(
        request,
        "districts/locked_accounts.html",
        {"attempts": signin.locked_out(), "error": error},
        status=400 if error else 200,
    )


def _next(request, default="indicators:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


@login_required
def otp_setup(request):
    """Enrols an authenticator app: scan the code (or type the key), confirm with a code."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if confirmed is not None:
        # An account with a device proves it with that device; a password alone must never
        # be enough to enrol another one. Replacing a lost phone is an administrator's reset.
        if request.user.is_verified():
            messages.info(request, "已启用两步验证。如需更换手机，请联系系统管理员重置。")
            return redirect("indicators:home")
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="zzip", confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        if token.isdigit() and device.verify_token(token):
            signin.otp_device_confirmed(user=request.user, device=device)
            otp_login(request, device)
            messages.success(request, "两步验证已启用。以后登录时需要输入验证器上的 6 位数字。")
            return redirect(_next(request))
        error = "验证码不对或已过期，请输入验证器上当前显示的 6 位数字。"
    return render(
        request,
        "districts/otp_setup.html",
        {
            "qr_svg": _qr_svg(device.config_url),
            "secret": base64.b32encode(device.bin_key).decode(),
            "error": error,
        },
    )


def _lockout_page(request):
    """Ends the half-signed-in session; axes' middleware answers with the lockout page."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return redirect("login")


@login_required
def otp_verify(request):
    error = ""
    if request.method == "POST":
        if signin.account_locked(request):
            return _lockout_page(request)
        token = request.POST.get("token", "").strip()
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and token.isdigit() and device.verify_token(token):
            signin.second_factor_passed(request=request, device=device)
            return redirect(_next(request))
        if signin.second_factor_failed(request=request):
            return _lockout_page(request)
        error = "验证码不对或已过期，请输入验证器上当前显示的 6 位数字。"
    return render(request, "districts/otp_verify.html", {"error": error})


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
