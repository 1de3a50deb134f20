"""Named people and the seed's data, created once per test through the demo command.

People: a clerk of 滕州市 (tengzhou), a clerk of 薛城区 (xuecheng), office staff (office), a
viewer (viewer), a system administrator (sysadmin) and an audit administrator (auditor), all
from `python manage.py demo`, so tests walk the same data a new user sees.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from districts.models import Unit
from indicators.models import Period


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo creates nine accounts per test; a slow hash would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed(db):
    call_command("demo", stdout=io.StringIO())


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def tengzhou_clerk(seed):
    return _user("tengzhou")


@pytest.fixture
def xuecheng_clerk(seed):
    return _user("xuecheng")


@pytest.fixture
def office(seed):
    return _user("office")


@pytest.fixture
def viewer(seed):
    return _user("viewer")


@pytest.fixture
def sysadmin(seed):
    return _user("sysadmin")


@pytest.fixture
def auditor(seed):
    return _user("auditor")


@pytest.fixture
def city(seed):
    return Unit.objects.get(code="370400")


@pytest.fixture
def tengzhou(seed):
    return Unit.objects.get(code="370481")


@pytest.fixture
def q2_2023(seed):
    return Period.objects.get(year=2023, number=2)


@pytest.fixture
def q3_2023(seed):
    return Period.objects.get(year=2023, number=3)


@pytest.fixture
def client_for():
    """client_for(user) → a test client signed in as that user."""

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def audit_anchor_file(settings, tmp_path_factory):
    """Each test's audit records anchor in a file of its own, never the project's var/ (and
    not in tmp_path, which tests list)."""
    path = tmp_path_factory.mktemp("anchor") / "audit-anchor.log"
    settings.AUDIT_ANCHOR_FILE = str(path)
    return path
