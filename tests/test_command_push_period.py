"""push_period: a city's approved figures of a period sent up to a province's installation,
both ends in one test. The province is a second tree in the same database (another
installation, as far as the API can tell), reached through the full HTTP handling of the API
(Django's test client as the transport); its city's clerk holds the token."""

import datetime
from decimal import Decimal as D
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from api import push
from api.services import token_create
from audit.models import AuditEvent
from districts import tree
from districts.models import Unit
from indicators import services
from indicators.models import Figure, Report, Transition
from indicators.selectors import changes_since_return, summarize
from notices.models import Notice
from tests.fixtures.api import staff_of

PROVINCE = "https://province.example/"
CODES = [
    "invention_grants",
    "valid_inventions",
    "certified_enterprises",
    "pct_applications",
    "infringement_rulings",
]


def client_transport(method, url, headers, body):
    """The province's API through Django's request handling (middleware, URLs, DRF)."""
    response = Client().generic(
        method,
        urlsplit(url).path,
        data=body or b"",
        content_type=headers["Content-Type"],
        HTTP_AUTHORIZATION=headers["Authorization"],
    )
    return response.status_code, response.json() if response.content else None


@pytest.fixture
def province(office, q2_2023):
    """测试省 with 枣庄市 (990400) reporting 2023Q2, open until next month; the city's clerk
    there (with a token) and the province's office staff."""
    top = Unit.objects.create(code="990000", name="测试省", kind="province")
    tree.closure_attach(top)
    city = Unit.objects.create(code="990400", name="枣庄市", kind="city", parent=top, order=1)
    tree.closure_attach(city)
    clerk = staff_of(city, "clerk", "zaozhuang_at_province")
    reviewer = staff_of(top, "office", "province_office")
    services.period_save(
        actor=office,
        period=q2_2023,
        status="open",
        deadline=datetime.date.today() + datetime.timedelta(days=30),
    )
    token = token_create(user=clerk, name="市级上报", read_only=False)[1]
    return {"city": city, "clerk": clerk, "office": reviewer, "token": token}


def send(province, q2_2023, city, **kwargs):
    return push.push_period(
        period=q2_2023,
        unit=city,
        base_url=PROVINCE,
        token=province["token"],
        remote_unit="990400",
        transport=client_transport,
        **kwargs,
    )


def at_province(province, q2):
    return Report.objects.get(unit=province["city"], period=q2)


def test_the_citys_approved_totals_become_its_submitted_report_at_the_province(
    province, q2_2023, city
):
    result = send(province, q2_2023, city)
    assert result.outcome == "submitted" and result.state == "submitted"
    report = at_province(province, q2_2023)
    assert report.state == Report.State.SUBMITTED and report.submitted_by == province["clerk"]
    total = summarize(q2_2023, city).total
    stored = dict(report.figures.values_list("indicator__code", "value"))
    assert stored == {code: total.cells[code].value for code in CODES}
    assert stored["invention_grants"] == D(326)


def test_sending_twice_changes_nothing(province, q2_2023, city):
    send(province, q2_2023, city)
    before = at_province(province, q2_2023)
    events = AuditEvent.objects.count()
    result = send(province, q2_2023, city)
    assert result.outcome == "unchanged"
    after = at_province(province, q2_2023)
    assert (after.version, after.state) == (before.version, before.state)
    assert AuditEvent.objects.count() == events


def test_a_changed_figure_arrives_as_a_correction_for_the_province_to_review_again(
    province, q2_2023, city
):
    send(province, q2_2023, city)
    report = at_province(province, q2_2023)
    services.report_approve(
        report_id=report.pk, user=province["office"], expected_version=report.version
    )
    # The city corrects a district's approved figure (here straight in the table).
    fig = Figure.objects.get(
        report__unit__code="370481", report__period=q2_2023, indicator__code="invention_grants"
    )
    Figure.objects.filter(pk=fig.pk).update(value=fig.value + 5)
    result = send(province, q2_2023, city)
    assert result.outcome == "corrected" and result.state == "submitted"
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    step = Transition.objects.filter(report=report, to_state="returned").latest("id")
    assert step.from_state == "approved" and "报送更正" in step.reason
    assert "invention_grants 326 → 331" in step.reason
    (change,) = changes_since_return(report)
    assert (change.indicator.code, change.old, change.new) == ("invention_grants", 326, 331)
    notice = Notice.objects.get(user=province["office"], kind="reopened")
    assert "更正" in notice.message
    # Sent again, the correction is not repeated.
    assert send(province, q2_2023, city).outcome == "unchanged"


def test_nothing_is_sent_before_every_report_below_is_approved(province, q2_2023, city):
    Report.objects.filter(unit__code="370481", period=q2_2023).update(
        source="entered", state="submitted"
    )
    with pytest.raises(push.PushError, match="1 个单位的数据未经审核（滕州市）"):
        send(province, q2_2023, city)
    assert not Report.objects.filter(unit=province["city"]).exists()


def test_a_refusal_at_the_province_is_reported_with_its_reason(province, q2_2023, city):
    province["token"] = "zzip_not-a-token"
    with pytest.raises(push.PushError, match=r"HTTP 401.*令牌无效或已吊销"):
        send(province, q2_2023, city)


def test_a_read_only_token_cannot_push(province, q2_2023, city):
    province["token"] = token_create(user=province["clerk"], name="只读", read_only=True)[1]
    with pytest.raises(push.PushError, match=r"HTTP 403.*只读令牌"):
        send(province, q2_2023, city)


def test_the_command_reads_its_token_file_and_is_audited(province, q2_2023, tmp_path, monkeypatch):
    monkeypatch.setattr(push, "urllib_transport", client_transport)
    token_file = tmp_path / "token"
    token_file.write_text(province["token"] + "\n")
    out = StringIO()
    args = ["2023Q2", "--to", PROVINCE, "--token-file", str(token_file), "--as", "990400"]
    call_command("push_period", *args, "--unit", "370400", stdout=out)
    assert "已报送" in out.getvalue()
    assert AuditEvent.objects.filter(summary__startswith="命令行上报").exists()
    out = StringIO()
    call_command("push_period", *args, "--unit", "370400", stdout=out)
    assert "未做任何修改" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "无法读取令牌文件"), ("a b", "只有一行令牌"), ("x" * 5000, "只有一行令牌")],
)
def test_a_missing_or_bad_token_file_is_refused(seed, tmp_path, content, message):
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command(
            "push_period", "2023Q2", "--to", PROVINCE, "--token-file", str(path), stdout=StringIO()
        )


def test_a_bad_address_or_an_unreachable_province_is_a_clear_error(province, q2_2023, city):
    with pytest.raises(push.PushError, match="地址"):
        push.push_period(period=q2_2023, unit=city, base_url="ftp://x", token="zzip_x")
    with pytest.raises(push.PushError, match="无法连接上级系统"):
        push.push_period(period=q2_2023, unit=city, base_url="http://127.0.0.1:9/", token="zzip_x")


def test_a_token_never_crosses_the_network_in_clear_text(seed, q2_2023, city):
    with pytest.raises(push.PushError, match="https://"):
        push.push_period(
            period=q2_2023, unit=city, base_url="http://province.example/", token="zzip_x"
        )


def test_a_redirect_is_refused_so_the_token_never_follows_it():
    """A province (or whatever answers) that redirects elsewhere gets no token: urllib would
    otherwise carry the Authorization header to the new address."""
    import http.server
    import threading

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/steal")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/units/"
    with pytest.raises(push.PushError, match="没有跟随"):
        push.urllib_transport("GET", url, {"Authorization": "Bearer zzip_x"}, None)
    thread.join(5)
    server.server_close()


def test_the_audit_log_keeps_where_a_push_went_never_a_password_in_the_address():
    from api.management.commands.push_period import _where

    assert _where("https://city:s3cret@province.example:8443/zzip/") == (
        "https://province.example:8443/zzip/"
    )
