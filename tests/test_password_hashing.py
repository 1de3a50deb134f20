"""Passwords are hashed with Argon2id; an old PBKDF2 hash is upgraded at the next sign-in."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, identify_hasher
from django.test import Client
from django.urls import reverse

from zzip import settings as project

PASSWORD = "Zzip@2023demo"


def test_the_site_hashes_new_passwords_with_argon2id_at_least_64_mib(settings):
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    hasher = get_hasher()
    assert hasher.algorithm == "argon2"
    assert (hasher.memory_cost, hasher.time_cost) >= (64 * 1024, 2)
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project.PASSWORD_HASHERS


def test_an_old_pbkdf2_password_signs_in_and_is_rehashed_with_argon2(settings, office):
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    office.password = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt", iterations=1000)
    office.save(update_fields=["password"])
    response = Client().post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    office.refresh_from_db()
    assert identify_hasher(office.password).algorithm == "argon2"
    assert office.check_password(PASSWORD)
