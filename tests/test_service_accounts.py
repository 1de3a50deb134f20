"""districts.services: every account write has the same rules, one audit record, a password
the person must change at first sign-in, and a notice to the office staff whenever an account
gains the right to read every figure (new, raised to office or viewer, enabled again)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import Action, AuditEvent
from districts import services
from districts.models import Profile
from notices.models import Notice


def account_notices(user):
    return Notice.objects.filter(user=user, kind=Notice.Kind.ACCOUNT)


def create(actor, unit, **kwargs):
    values = {"username": "newclerk", "name": "新人", "role": "clerk", "password": "Xin#Zhang2023"}
    return services.account_create(actor=actor, unit=unit, **{**values, **kwargs})


def test_a_new_account_must_change_its_password_and_its_age_is_known(sysadmin, tengzhou):
    user, password = create(sysadmin, tengzhou)
    assert password == "Xin#Zhang2023" and user.check_password(password)
    assert user.profile.must_change_password and user.profile.password_changed_at is not None
    assert user.profile.username_key == "newclerk"
    record = AuditEvent.objects.get(action=Action.ACCOUNT_CHANGED, object_id=str(user.pk))
    assert record.actor == sysadmin and record.detail["created"] is True


def test_without_a_password_one_that_passes_the_rules_is_generated(sysadmin, tengzhou):
    user, password = create(sysadmin, tengzhou, password=None)
    validate_password(password, user)
    assert user.check_password(password) and user.profile.must_change_password


def test_a_generated_password_is_hashed_for_one_use_and_a_chosen_one_by_the_first_hasher(
    sysadmin, tengzhou, settings
):
    settings.PASSWORD_HASHERS = [
        "zzip.hashers.Argon2idPasswordHasher",
        "zzip.hashers.OneTimePasswordHasher",
    ]
    user, password = create(sysadmin, tengzhou, password=None)
    assert user.password.startswith("pbkdf2_sha256_once$10000$")
    # Its first use rehashes it with the site's hasher (and the person must change it).
    assert user.check_password(password)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    chosen, _ = create(sysadmin, tengzhou, username="chosen", password="Xin#Zhang2023")
    assert chosen.password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"username": "ＴＥＮＧＺＨＯＵ"}, "username", "已存在"),
        ({"username": "tеngzhou"}, "username", "只能由"),  # a Cyrillic е
        ({"password": "password"}, "password", ""),
        ({"role": "boss"}, "role", "请选择角色"),
        ({"email": "not-an-address"}, "email", "格式不对"),
    ],
)
def test_a_refused_account_writes_nothing(sysadmin, tengzhou, kwargs, field, fragment):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        create(sysadmin, tengzhou, **kwargs)
    assert fragment in " ".join(refused.value.message_dict[field])
    assert not get_user_model().objects.filter(first_name="新人").exists()
    assert AuditEvent.objects.count() == before


def test_a_clerk_belongs_to_a_unit_without_children(sysadmin, city):
    with pytest.raises(ValidationError) as refused:
        create(sysadmin, city)
    assert "没有下级的单位" in refused.value.message_dict["unit"][0]


def test_the_database_refuses_a_second_spelling_of_a_name(tengzhou_clerk, tengzhou):
    other = get_user_model().objects.create(username="ＴｅｎｇＺｈｏｕ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.create(user=other, unit=tengzhou, role="clerk")


def test_many_accounts_in_one_transaction_are_all_or_nothing(sysadmin, tengzhou):
    with pytest.raises(ValidationError), transaction.atomic():
        for name in ("bulk1", "bulk2", "bulk1"):
            create(sysadmin, tengzhou, username=name)
    assert not get_user_model().objects.filter(username__startswith="bulk").exists()
    with transaction.atomic():
        made = [create(sysadmin, tengzhou, username=f"bulk{i}")[0] for i in range(3)]
    assert all(u.profile.must_change_password for u in made)


def test_a_new_office_or_viewer_account_is_told_to_the_office_staff(sysadmin, office, city):
    user, _ = create(sysadmin, city, username="leader2", role="viewer")
    (notice,) = account_notices(office)
    assert "sysadmin 新建了领导/查看账号 leader2" in notice.message
    assert notice.topic == f"account:{user.pk}"
    record = AuditEvent.objects.get(action=Action.ACCOUNT_PRIVILEGED)
    assert record.object_id == str(user.pk) and record.detail["notified"] == ["office"]
    assert not account_notices(user).exists()


def test_a_new_clerk_is_not_told_to_the_office(sysadmin, office, tengzhou):
    create(sysadmin, tengzhou)
    assert not account_notices(office).exists()
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT_PRIVILEGED).exists()


def test_raising_a_role_to_office_is_told_and_lowering_it_is_not(
    sysadmin, office, xuecheng_clerk, city
):
    changes = services.account_update(actor=sysadmin, user=xuecheng_clerk, role="office", unit=city)
    assert changes["role"] == {"old": "clerk", "new": "office"}
    (notice,) = account_notices(office)
    assert "将账号 xuecheng 的角色改为市局工作人员" in notice.message
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT_PRIVILEGED, object_id=str(xuecheng_clerk.pk)
    ).exists()
    services.account_update(actor=sysadmin, user=xuecheng_clerk, role="auditor")
    assert account_notices(office).count() == 1


def test_enabling_a_viewer_again_is_told(sysadmin, office, viewer):
    services.account_update(actor=sysadmin, user=viewer, is_active=False)
    assert not account_notices(office).exists()
    services.account_update(actor=sysadmin, user=viewer, is_active=True)
    assert "重新启用了领导/查看账号 viewer" in account_notices(office).get().message


def test_a_password_an_administrator_sets_on_a_viewer_is_told_and_temporary(
    sysadmin, office, viewer
):
    services.account_password_set(actor=sysadmin, user=viewer, password="Lin#Shi2024ab")
    viewer.refresh_from_db()
    assert viewer.check_password("Lin#Shi2024ab") and viewer.profile.must_change_password
    assert "重设了领导/查看账号 viewer 的密码" in account_notices(office).get().message


def test_must_change_password_is_set_by_an_administrator_but_never_cleared(
    sysadmin, tengzhou_clerk
):
    services.account_update(actor=sysadmin, user=tengzhou_clerk, must_change_password=True)
    with pytest.raises(ValidationError) as refused:
        services.account_update(actor=sysadmin, user=tengzhou_clerk, must_change_password=False)
    assert "管理员不能取消" in refused.value.message_dict["must_change_password"][0]
    tengzhou_clerk.profile.refresh_from_db()
    assert tengzhou_clerk.profile.must_change_password


def test_nobody_changes_their_own_role(sysadmin):
    with pytest.raises(ValidationError):
        services.account_update(actor=sysadmin, user=sysadmin, role="auditor")
    sysadmin.profile.refresh_from_db()
    assert sysadmin.profile.role == "sysadmin"


def test_a_rename_keeps_the_normalised_name_in_step(sysadmin, tengzhou_clerk):
    services.account_update(actor=sysadmin, user=tengzhou_clerk, username="TengZhou2")
    assert Profile.objects.get(user=tengzhou_clerk).username_key == "tengzhou2"
    with pytest.raises(ValidationError):
        services.account_update(actor=sysadmin, user=tengzhou_clerk, username="ＸＵＥＣＨＥＮＧ")


def test_an_account_of_a_unit_switched_off_since_can_still_be_edited(sysadmin, tengzhou_clerk):
    from districts.models import Unit

    Unit.objects.filter(pk=tengzhou_clerk.profile.unit_id).update(active=False)
    services.account_update(actor=sysadmin, user=tengzhou_clerk, phone="13800001111")
    with pytest.raises(ValidationError, match="已停用"):
        services.account_update(actor=sysadmin, user=tengzhou_clerk, role="viewer")
