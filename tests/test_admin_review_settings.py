"""The office sets how reports are reviewed in the admin (审核流程), through its service."""

from django.urls import reverse

from audit.models import AuditEvent
from indicators.models import ReviewSettings

ADD = reverse("admin:indicators_reviewsettings_add")


def test_the_office_turns_on_signoff_and_review_by_level_and_it_is_audited(client_for, office):
    c = client_for(office)
    assert c.get(ADD).status_code == 200
    response = c.post(ADD, {"unit_signoff": "on", "review_by_level": "on", "days_per_level": "7"})
    assert response.status_code == 302
    settings = ReviewSettings.current()
    assert (settings.unit_signoff, settings.review_by_level, settings.days_per_level) == (
        True,
        True,
        7,
    )
    assert AuditEvent.objects.filter(summary__startswith="修改审核流程").count() == 1
    assert c.get(ADD).status_code == 403  # one row only: it is changed, never added again


def test_a_bad_number_of_days_is_refused_beside_its_field(client_for, office):
    response = client_for(office).post(ADD, {"days_per_level": "99"})
    assert response.status_code == 200
    assert "0 到 60 之间的整数" in response.content.decode()
    assert not ReviewSettings.objects.exists()


def test_the_list_opens_the_settings_themselves(client_for, office):
    url = reverse("admin:indicators_reviewsettings_changelist")
    c = client_for(office)
    assert c.get(url).url == ADD
    c.post(ADD, {"unit_signoff": "on", "days_per_level": "5"})
    assert c.get(url).url == reverse("admin:indicators_reviewsettings_change", args=[1])


def test_only_the_office_sees_the_review_settings(client_for, viewer, sysadmin, tengzhou_clerk):
    url = reverse("admin:indicators_reviewsettings_add")
    assert client_for(sysadmin).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(tengzhou_clerk).get(url).status_code == 403
