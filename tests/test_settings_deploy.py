"""Production is the default: with only SECRET_KEY and ALLOWED_HOSTS set, Django's deployment
checks pass at warning level; without SECRET_KEY the site refuses to start."""

import os
import secrets
import string
import subprocess
import sys

from django.conf import settings

CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def _random_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def _run(env: dict) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ["PATH"], **env}
    # On CI the suite runs on PostgreSQL; the check should see the same database settings.
    if "DATABASE_URL" in os.environ:
        clean["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return subprocess.run(
        [sys.executable, *CHECK],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_only_a_secret_key_and_allowed_hosts():
    done = _run({"SECRET_KEY": _random_key(), "ALLOWED_HOSTS": "zzip.example.cn"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_deploy_check_fails_when_https_is_switched_off():
    # The check above is real: the same command fails once the transport settings are off.
    done = _run({"SECRET_KEY": _random_key(), "ALLOWED_HOSTS": "zzip.example.cn", "HTTPS": "0"})
    assert done.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in done.stderr


def test_the_site_refuses_to_start_without_a_secret_key():
    done = _run({"ALLOWED_HOSTS": "zzip.example.cn"})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "SECRET_KEY" in done.stderr
