"""Transport and headers: the HTTPS switch, HSTS and secure cookies, the Content-Security-Policy,
and no inline script or style in our templates (the policy would block them)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse

BASE_DIR = Path(django_settings.BASE_DIR)

EXPECTED_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
TRANSPORT = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
]
YEAR = 365 * 24 * 60 * 60


def _parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def _settings_under(env: dict) -> subprocess.CompletedProcess:
    """Imports zzip.settings in a fresh interpreter with only ``env`` set."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {TRANSPORT!r}}}))"
    )
    clean = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "zzip.settings",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "zzip.example.cn",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True
    )


def _transport(env: dict) -> dict:
    done = _settings_under(env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


HTTPS_ON = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": YEAR,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
}
HTTPS_OFF = {
    **HTTPS_ON,
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
    "SECURE_HSTS_PRELOAD": False,
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, HTTPS_ON),
        ({"HTTPS": "1"}, HTTPS_ON),
        ({"HTTPS": "0"}, HTTPS_OFF),
        ({"DEBUG": "1"}, HTTPS_OFF),
        ({"DEBUG": "1", "HTTPS": "1"}, HTTPS_ON),
    ],
    ids=["production-default", "https-on", "https-off", "debug", "debug-with-https"],
)
def test_one_https_switch_sets_redirect_secure_cookies_and_hsts(env, expected):
    assert _transport(env) == expected


def test_a_misspelt_https_value_stops_the_start():
    done = _settings_under({"HTTPS": "ja"})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "HTTPS" in done.stderr


def test_with_https_on_plain_http_is_redirected_and_https_gets_hsts_and_secure_cookies(
    settings, client, tengzhou_clerk
):
    # The values the settings module derives from HTTPS=1, applied to this process.
    for name, value in _transport({"HTTPS": "1"}).items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    login = reverse("login")

    response = client.get(login)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{login}"

    # Behind nginx the request arrives over http with X-Forwarded-Proto: https.
    proxied = {"X-Forwarded-Proto": "https"}
    response = client.get(login, headers=proxied)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == f"max-age={YEAR}; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"]

    response = client.post(
        login, {"username": "tengzhou", "password": "Zzip@2023demo"}, headers=proxied
    )
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"]


def test_with_https_off_there_is_no_redirect_and_no_hsts(client, db):
    # pyproject.toml sets HTTPS=0 for the tests, as for any plain-http set-up.
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


def test_login_page_carries_the_content_security_policy_and_the_other_headers(client, db):
    response = client.get(reverse("login"))
    assert _parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_behind_the_login_and_the_admin_carry_the_policy_too(client_for, office):
    c = client_for(office)
    for url in [
        reverse("indicators:summary", args=["2023Q2", "370400"]),
        reverse("admin:index"),
    ]:
        response = c.get(url)
        assert response.status_code == 200, url
        assert _parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, url


# --- Our templates hold nothing inline that the policy would block ------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_PROBLEMS = [
    # A data block (json_script, type="application/json") is not run, so the policy allows it.
    (
        re.compile(r"^<script\b(?![^>]*\bsrc\s*=)(?![^>]*type=\"application/json\")", re.I),
        "inline <script> without src",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on…= event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"^<style\b", re.I), "inline <style> element"),
    (re.compile(r"=\s*[\"']?\s*javascript:", re.I), "javascript: URL"),
]


def inline_problems(text: str) -> list[tuple[int, str]]:
    found = []
    for tag in _TAG.finditer(text):
        for pattern, what in _PROBLEMS:
            if pattern.search(tag.group()):
                found.append((text.count("\n", 0, tag.start()) + 1, what))
    return found


def our_template_dirs() -> list[Path]:
    """templates/ and the template folders of our own apps; never site-packages."""
    dirs = [Path(d) for t in django_settings.TEMPLATES for d in t.get("DIRS", [])]
    for config in apps.get_app_configs():
        path = Path(config.path)
        if path.is_relative_to(BASE_DIR) and ".venv" not in path.parts:
            dirs.append(path / "templates")
    return [d for d in dirs if d.is_dir()]


def test_the_scanner_finds_each_kind_of_inline_code():
    bad = """<p>ok</p>
<script>alert(1)</script>
<button onclick="go()">x</button>
<div
  class="a" style="color:red">y</div>
<style>p { color: red }</style>
<a href="javascript:void(0)">z</a>"""
    assert inline_problems(bad) == [
        (2, "inline <script> without src"),
        (3, "on…= event handler attribute"),
        (4, "style= attribute"),
        (6, "inline <style> element"),
        (7, "javascript: URL"),
    ]
    good = """<script src="{% static 'js/entry.js' %}" defer></script>
<script id="data" type="application/json">{}</script>
<input name="onboarding" data-style="x" class="button">"""
    assert inline_problems(good) == []


def test_our_templates_have_no_inline_script_event_handler_or_style():
    dirs = our_template_dirs()
    assert BASE_DIR / "templates" in dirs
    templates = [p for d in dirs for p in sorted(d.rglob("*.html"))]
    assert len(templates) > 5
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{line}: {what}"
        for path in templates
        for line, what in inline_problems(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
