from django.urls import reverse


def test_clerk_home_shows_the_open_quarter_deadline_and_state(client_for, tengzhou_clerk, q3_2023):
    html = client_for(tengzhou_clerk).get(reverse("indicators:home")).content.decode()
    assert "2023年前三季度" in html
    assert q3_2023.deadline.strftime("%Y年") in html
    assert "未开始" in html
    assert reverse("indicators:report_edit", args=["2023Q3", "370481"]) in html


def test_office_home_lists_periods_with_summary_links(client_for, office):
    html = client_for(office).get(reverse("indicators:home")).content.decode()
    assert reverse("indicators:summary", args=["2023Q2", "370400"]) in html


def test_login_page_is_chinese(db, client):
    html = client.get(reverse("login")).content.decode()
    assert "用户名" in html and "密码" in html


def test_wrong_password_gets_a_chinese_message(seed, client):
    response = client.post(reverse("login"), {"username": "tengzhou", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_office_home_says_what_waits_for_review(
    client_for, office, tengzhou, q3_2023, tengzhou_clerk
):
    from indicators import services
    from indicators.models import Report

    report = Report(unit=tengzhou, period=q3_2023)
    raw = {"invention_grants": "150", "valid_inventions": "860", "certified_enterprises": "4"}
    raw |= {"pct_applications": "1", "infringement_rulings": "0"}
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw=raw,
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    html = client_for(office).get(reverse("indicators:home")).content.decode()
    assert "审核 1 份已报送的表" in html
    assert reverse("indicators:completeness", args=["2023Q3", "370400"]) in html
