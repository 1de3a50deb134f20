import datetime
import io
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.core.management import call_command

from audit.models import Action, AuditEvent
from indicators import services
from notices.models import Notice


def local(*args):
    """A wall-clock time in Zaozhuang (deadlines are local dates)."""
    return datetime.datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


def run(**kwargs):
    out = io.StringIO()
    call_command("remind_deadlines", stdout=out, **kwargs)
    return out.getvalue()


def _due(q3_2023, day):
    q3_2023.deadline = day
    q3_2023.save()


def test_reminds_only_units_that_have_not_submitted(
    q3_2023, tengzhou, tengzhou_clerk, xuecheng_clerk
):
    _due(q3_2023, datetime.date(2026, 11, 27))
    # Submitted and reminded two days before the deadline, whatever today's date is.
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
        services.report_save(
            unit=tengzhou,
            period=q3_2023,
            raw={
                "invention_grants": "150",
                "valid_inventions": "860",
                "certified_enterprises": "4",
                "pct_applications": "1",
                "infringement_rulings": "0",
            },
            expected_version=0,
            submit=True,
            user=tengzhou_clerk,
        )
        output = run(days=3)
    assert "6 个单位" in output
    assert not Notice.objects.filter(user=tengzhou_clerk, kind=Notice.Kind.REMINDER).exists()
    notice = Notice.objects.get(user=xuecheng_clerk, kind=Notice.Kind.REMINDER)
    assert "还有 2 天截止" in notice.message and "薛城区" in notice.message
    assert AuditEvent.objects.filter(action=Action.REMINDER_SENT).count() == 6


def test_not_yet_due_reminds_nobody_and_reminds_once_a_day(q3_2023, xuecheng_clerk):
    _due(q3_2023, datetime.date(2026, 12, 31))
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
        assert "没有需要提醒" in run(days=3)
    _due(q3_2023, datetime.date(2026, 11, 20))  # overdue
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
        run(days=3)
        run(days=3)
    assert Notice.objects.filter(user=xuecheng_clerk, kind=Notice.Kind.REMINDER).count() == 1
    assert "已逾期 5 天" in Notice.objects.get(user=xuecheng_clerk).message


def test_emails_go_out_when_email_is_configured(q3_2023, xuecheng_clerk, settings):
    settings.NOTIFY_BY_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    xuecheng_clerk.email = "xc@example.org"
    xuecheng_clerk.save()
    _due(q3_2023, datetime.date(2026, 11, 26))
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
        output = run(days=3)
    assert "邮件 1 封" in output
    assert mail.outbox[0].to == ["xc@example.org"]
    assert "2023年前三季度" in mail.outbox[0].subject


def test_no_email_without_configuration(q3_2023, xuecheng_clerk, settings):
    settings.NOTIFY_BY_EMAIL = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    xuecheng_clerk.email = "xc@example.org"
    xuecheng_clerk.save()
    _due(q3_2023, datetime.date(2026, 11, 26))
    with time_machine.travel(local(2026, 11, 25, 9, 0), tick=False):
        run(days=3)
    assert mail.outbox == []
