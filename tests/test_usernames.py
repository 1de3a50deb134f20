"""One user name, however it is typed: NFKC then casefold, at creation, at sign-in and as the
lockout key. Run on PostgreSQL too: its UPPER() folds the dotless ı into I, SQLite's does not."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent

PASSWORD = "Zzip@2023demo"


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def lock(username):
    c = Client()
    for _ in range(5):
        login(c, username, "wrong")
    assert login(c, username).status_code == 429


@pytest.mark.parametrize("variant", ["vıewer", "VIEWER", "ｖｉｅｗｅｒ", " Viewer "])
def test_a_locked_account_stays_locked_whatever_the_spelling(seed, variant):
    lock("viewer")
    response = login(Client(), variant)
    assert response.status_code != 302
    assert not AuditEvent.objects.filter(action=Action.LOGIN, actor_name="viewer").exists()


def test_the_long_s_spelling_of_a_name_shares_its_lock(seed):
    lock("sysadmin")
    assert login(Client(), "ſyſadmin").status_code == 429


def test_a_look_alike_spelling_gets_no_tries_of_its_own(seed):
    c = Client()
    for variant in ["ｘｕｅｃｈｅｎｇ", "XueCheng", "xuecheng", "ＸＵＥＣＨＥＮＧ", "XUECHENG"]:
        login(c, variant, "wrong")
    assert login(Client(), "xuecheng").status_code == 429


def test_the_dotless_i_spelling_signs_nobody_in(seed):
    # PostgreSQL's UPPER('vıewer') is 'VIEWER'; the normalised name 'vıewer' is nobody's.
    assert login(Client(), "vıewer").status_code == 200


def test_a_fullwidth_or_differently_cased_spelling_signs_the_person_in(seed):
    c = Client()
    assert login(c, "ＶＩＥＷＥＲ").status_code == 302
    assert c.get(reverse("indicators:home")).status_code == 200


@pytest.mark.parametrize("name", ["ſyſadmin", "ＯＦＦＩＣＥ", "Office", "of\ufb00ice"])
def test_create_account_refuses_a_name_that_normalises_to_an_existing_one(seed, monkeypatch, name):
    if name == "of\ufb00ice":  # the ﬀ ligature: NFKC makes it "ff"
        name = "o\ufb00ice"
    monkeypatch.setattr("sys.stdin", io.StringIO("Xin#Zhang2023\n"))
    with pytest.raises(CommandError, match="已存在"):
        call_command(
            "create_account",
            name,
            "--role",
            "clerk",
            "--unit",
            "370481",
            "--password-stdin",
            stdout=io.StringIO(),
        )


def test_unlocking_any_spelling_of_a_name_unlocks_the_account(seed, client_for, office):
    lock("xuecheng")
    client_for(office).post(reverse("locked_accounts"), {"username": "XueCheng"})
    assert login(Client(), "xuecheng").status_code == 302


def test_an_account_without_a_role_cannot_sign_in(db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("norole", password="Gen#Mu2024xyz")
    assert login(Client(), "norole", "Gen#Mu2024xyz").status_code == 200
