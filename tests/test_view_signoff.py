"""The unit's signer in the browser's pages: the home page lists what waits, the review page
signs it off (or returns it), and the office then sees who signed."""

from districts.models import Role
from indicators import services
from indicators.models import Report
from tests.fixtures.levels import person, submit

Q3 = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


def _signoff_on(office):
    services.review_settings_save(
        actor=office, unit_signoff=True, review_by_level=False, days_per_level=5
    )


def test_the_clerks_form_names_the_signer_and_the_submission_waits_for_them(
    client_for, tengzhou, tengzhou_clerk, q3_2023, office
):
    _signoff_on(office)
    person("tz_signer", tengzhou, Role.SIGNER)
    c = client_for(tengzhou_clerk)
    page = c.get(f"/reports/{q3_2023.code}/{tengzhou.code}/")
    assert "提交单位审核人" in page.content.decode()
    response = c.post(
        f"/reports/{q3_2023.code}/{tengzhou.code}/",
        {**Q3, "version": 0, "action": "submit"},
        follow=True,
    )
    assert "已提交本单位审核" in response.content.decode()
    assert Report.objects.get(unit=tengzhou, period=q3_2023).state == Report.State.SIGNING
    # Waiting for the signer, the form says whom to ask, not the office.
    page = c.get(f"/reports/{q3_2023.code}/{tengzhou.code}/").content.decode()
    assert "本表待本单位审核，只能查看。如需修改请联系单位审核人。" in page


def test_the_signer_signs_off_from_the_home_page_and_the_office_sees_who_signed(
    client_for, tengzhou, tengzhou_clerk, q3_2023, office
):
    _signoff_on(office)
    signer = person("tz_signer", tengzhou, Role.SIGNER)
    signer.first_name = "王审核"
    signer.save()
    report = submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    c = client_for(signer)
    home = c.get("/").content.decode()
    assert "待本单位审核" in home and f"/review/{q3_2023.code}/{tengzhou.code}/" in home
    page = c.get(f"/review/{q3_2023.code}/{tengzhou.code}/").content.decode()
    assert "审核通过并报送" in page and "报送情况" not in page
    response = c.post(
        f"/review/{q3_2023.code}/{tengzhou.code}/",
        {"action": "sign", "version": report.version},
    )
    assert response.status_code == 302 and response.url == "/"
    office_page = client_for(office).get(f"/review/{q3_2023.code}/{tengzhou.code}/")
    html = office_page.content.decode()
    assert "本单位审核人" in html and "王审核" in html and 'value="approve"' in html


def test_a_signer_of_another_unit_gets_a_404_and_the_office_cannot_sign(
    client_for, tengzhou, tengzhou_clerk, xuecheng_clerk, q3_2023, office
):
    _signoff_on(office)
    person("tz_signer", tengzhou, Role.SIGNER)
    other = person("xc_signer", xuecheng_clerk.profile.unit, Role.SIGNER)
    report = submit(tengzhou, q3_2023, tengzhou_clerk, Q3)
    url = f"/review/{q3_2023.code}/{tengzhou.code}/"
    assert client_for(other).get(url).status_code == 404
    response = client_for(office).post(url, {"action": "sign", "version": report.version})
    assert response.status_code == 403  # the office holds no sign-off right
    assert Report.objects.get(pk=report.pk).state == Report.State.SIGNING
