"""Phone numbers are masked wherever a list or a log shows them."""

import json

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from districts.models import Profile
from districts.privacy import mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("8613812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("0632-3311234", "063*****1234"),
        ("12345", "***45"),
        ("12", "**"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_shows_enough_to_recognise_a_number_not_to_call_it(phone, masked):
    assert mask_phone(phone) == masked


@pytest.fixture
def clerk_with_phone(tengzhou_clerk):
    Profile.objects.filter(user=tengzhou_clerk).update(phone="13812345678")
    return tengzhou_clerk


def test_the_user_list_shows_phones_masked(client_for, sysadmin, clerk_with_phone):
    response = client_for(sysadmin).get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page


def test_a_phone_changed_in_the_admin_is_recorded_masked(client_for, sysadmin, clerk_with_phone):
    user = clerk_with_phone
    profile = user.profile
    url = reverse("admin:auth_user_change", args=[user.pk])
    response = client_for(sysadmin).post(
        url,
        {
            "username": user.username,
            "first_name": user.first_name,
            "email": user.email,
            "is_active": "on",
            "unit": str(profile.unit_id),
            "role": profile.role,
            "phone": "13900001111",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Profile.objects.get(pk=profile.pk).phone == "13900001111"
    record = AuditEvent.objects.filter(
        action=Action.ACCOUNT_CHANGED, object_type="auth.user", object_id=str(user.pk)
    ).get()
    assert record.detail["changed"]["phone"] == {"old": "138****5678", "new": "139****1111"}
    logged = json.dumps(list(AuditEvent.objects.values("summary", "detail")), ensure_ascii=False)
    assert "13812345678" not in logged and "13900001111" not in logged
