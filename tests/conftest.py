"""Named people and the seed's data, loaded once per test session through the demo command.

People: a clerk of 滕州市 (tengzhou), a clerk of 薛城区 (xuecheng), office staff (office), a
viewer (viewer), a system administrator (sysadmin) and an audit administrator (auditor), all
from `python manage.py demo`, so tests walk the same data a new user sees.

The demo is loaded once, into the test database, when pytest-django creates it; every test
that uses the database runs in a transaction that is rolled back, so each one starts from the
same demo. A test that needs a database without the demo (a new office from nothing) asks for
`empty_db`, which deletes it inside that test's transaction. Transactional tests (the browser's
live server, backups) run last, and `seed` loads the demo again there when a flush emptied it.
"""

import io
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from districts.models import Unit
from indicators.models import Period
from tests.fixtures.blank import delete_demo, remember_migrated

FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "zzip.hashers.OneTimePasswordHasher",  # what generated one-time passwords are hashed with
]
DEMO_TOP = "370400"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create accounts and sign in thousands of times; a slow hash would dominate.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the demo loaded once for the whole session."""
    with (
        django_db_blocker.unblock(),
        tempfile.TemporaryDirectory() as folder,
        override_settings(PASSWORD_HASHERS=FAST_HASHERS, AUDIT_ANCHOR_FILE=f"{folder}/a.log"),
    ):
        remember_migrated()
        call_command("demo", stdout=io.StringIO())


def _load_demo_if_flushed():
    if not Unit.objects.filter(code=DEMO_TOP).exists():
        call_command("demo", stdout=io.StringIO())


@pytest.fixture
def seed(db):
    _load_demo_if_flushed()


@pytest.fixture
def empty_db(db):
    """A database without the demo's rows, as a new installation has it after `migrate`.

    Deleted inside the test's transaction (rolled back after it), children before parents,
    keeping what migrations put there (the standard indicators, their set, the layouts).
    """
    delete_demo()


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
