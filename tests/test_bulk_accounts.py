"""Accounts in bulk: a spreadsheet of people, previewed with the account service's own rules
and row numbers, created all or nothing, each with a one-time password handed out once."""

import io

import openpyxl
import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from audit.models import Action
from districts import services
from districts.models import Profile, Role, Unit
from districts.slips import SLIPS_PER_PAGE, Created, password_book
from tests.fixtures.audit import last_event, new_events
from tests.fixtures.workbooks import xlsx_of

IMPORT = reverse("admin:auth_user_import")
PROCESS = reverse("admin:auth_user_process_import")
HEADER = ["用户名", "姓名", "单位编码", "角色", "电话", "电子邮箱"]
XLSX_FORMAT = "0"
User = get_user_model()


def upload(client, rows, name="账号.xlsx"):
    data = xlsx_of([HEADER, *rows])
    return client.post(
        IMPORT, {"import_file": SimpleUploadedFile(name, data), "format": XLSX_FORMAT}
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS, {name: form.initial[name] for name in form.fields})


def test_the_administrator_previews_then_creates_accounts_and_downloads_their_passwords(
    client_for, sysadmin
):
    c = client_for(sysadmin)
    listing = c.get(reverse("admin:auth_user_changelist")).content.decode()
    assert IMPORT in listing and "export" not in listing
    page = c.get(IMPORT).content.decode()
    assert "初始密码" in page and "manage.py import" not in page
    mark = last_event()
    rows = [
        ["tz-clerk-2", "张三", "370481", "填报员", "13800001111", "zs@example.cn"],
        ["xc-clerk-2", "李四", "370403", "clerk", "", ""],
        ["office-2", "王五", "370400", "市局工作人员", "", ""],
    ]
    preview = upload(c, rows)
    assert preview.status_code == 200
    assert "确认后将新增 3 条" in preview.content.decode()
    assert not User.objects.filter(username="tz-clerk-2").exists()  # the preview wrote nothing

    response = confirm(c, preview)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    listed = {
        row[1]: row for row in book["账号清单"].iter_rows(min_row=4, values_only=True) if row[1]
    }
    assert set(listed) == {"tz-clerk-2", "xc-clerk-2", "office-2"}
    for username, row in listed.items():
        user = User.objects.get(username=username)
        assert user.check_password(row[5])  # the password in the file is the account's
        assert user.profile.must_change_password
    assert listed["office-2"][4] == "市局工作人员"
    assert Profile.objects.get(user__username="tz-clerk-2").unit.code == "370481"
    assert Profile.objects.get(user__username="xc-clerk-2").role == Role.CLERK

    # Each account is audited by the service; the import once; the password file once,
    # without any password in the log.
    assert new_events(mark, action=Action.ACCOUNT_CHANGED).count() == 2
    assert new_events(mark, action=Action.ACCOUNT_PRIVILEGED).count() == 1  # the office's
    assert new_events(mark, action=Action.IMPORT).count() == 1
    download = new_events(mark, action=Action.EXPORT).get()
    assert download.detail["count"] == 3
    assert all(row[5] not in str(download.detail) for row in listed.values())

    # Confirming the same preview again creates nothing more.
    again = confirm(c, preview)
    assert again.status_code == 302
    assert User.objects.filter(username__in=listed).count() == 3


def test_every_bad_row_is_listed_with_its_row_number_and_nothing_is_created(client_for, sysadmin):
    c = client_for(sysadmin)
    rows = [
        ["good-1", "甲", "370481", "填报员", "", ""],  # row 2: fine
        ["tengzhou", "乙", "370481", "填报员", "", ""],  # 3: the name exists
        ["GOOD-1", "丙", "370403", "填报员", "", ""],  # 4: the same name as row 2
        ["good-3", "丁", "999999", "填报员", "", ""],  # 5: no such unit
        ["good-4", "戊", "370481", "管理员", "", ""],  # 6: no such role
        ["good-5", "己", "370400", "填报员", "", ""],  # 7: a clerk of a parent
        ["good-6", "庚", "370481", "填报员", "", "not-an-email"],  # 8
        ["bad name!", "辛", "370481", "填报员", "", ""],  # 9
        ["good-8", "", "370481", "填报员", "", ""],  # 10: no name
    ]
    response = upload(c, rows)
    html = response.content.decode()
    assert "没有导入任何数据：有 8 行有问题" in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    reasons = {
        row.number + 1: " ".join(m for ms in row.error_dict.values() for m in ms)
        for row in response.context["result"].invalid_rows
    }
    assert "已存在" in reasons[3]
    assert "与第 2 行重复" in reasons[4]
    assert "999999" in reasons[5]
    assert "管理员" in reasons[6] and "填报员" in reasons[6]
    assert "没有下级的单位" in reasons[7]
    assert "电子邮箱格式不对" in reasons[8]
    assert "用户名只能由" in reasons[9]
    assert "请填写姓名" in reasons[10]
    assert 2 not in reasons
    assert not User.objects.filter(username__startswith="good-").exists()


@pytest.mark.parametrize("who", ["office", "tengzhou_clerk", "viewer", "auditor"])
def test_only_those_who_manage_accounts_import_them(seed, client_for, request, who):
    user = request.getfixturevalue(who)
    http = RequestFactory().get("/")
    http.user = user
    assert site._registry[User].has_import_permission(http) is False
    response = upload(client_for(user), [["sneaky", "某", "370481", "填报员", "", ""]])
    assert response.status_code in (302, 403)
    assert not User.objects.filter(username="sneaky").exists()


def test_accounts_are_never_imported_on_the_command_line(sysadmin, monkeypatch):
    from districts.resources import AccountResource
    from spreadsheets.resources import XLSX

    monkeypatch.setenv("ZZIP_ACTOR", "sysadmin")
    data = xlsx_of([HEADER, ["cli-1", "某", "370481", "填报员", "", ""]])
    result = AccountResource().import_data(XLSX().create_dataset(data), dry_run=False)
    assert "只能在管理后台导入" in str(result.base_errors[0].error)
    assert not User.objects.filter(username="cli-1").exists()


def test_nobody_exports_the_list_of_people(sysadmin):
    http = RequestFactory().get("/")
    http.user = sysadmin
    assert site._registry[User].has_export_permission(http) is False


def test_the_account_service_itself_refuses_those_without_the_right(office, sysadmin):
    tengzhou = Unit.objects.get(code="370481")
    with pytest.raises(PermissionDenied):
        services.account_create(
            actor=office, username="x1", name="某", unit=tengzhou, role=Role.CLERK
        )
    with pytest.raises(PermissionDenied):
        services.account_update(actor=office, user=sysadmin, name="改名")
    with pytest.raises(PermissionDenied):
        services.account_password_set(actor=office, user=sysadmin, password="An0ther#Secret9")
    assert not User.objects.filter(username="x1").exists()


def test_an_administrator_of_one_district_creates_accounts_there_only(sysadmin):
    tengzhou = Unit.objects.get(code="370481")
    xuecheng = Unit.objects.get(code="370403")
    local, _ = services.account_create(
        actor=sysadmin, username="tz-admin", name="滕州管理员", unit=tengzhou, role=Role.SYSADMIN
    )
    user, _ = services.account_create(
        actor=local, username="tz-clerk-9", name="某", unit=tengzhou, role=Role.CLERK
    )
    assert user.profile.unit == tengzhou
    with pytest.raises(PermissionDenied):
        services.account_create(
            actor=local, username="xc-clerk-9", name="某", unit=xuecheng, role=Role.CLERK
        )


def test_the_slips_hold_one_account_each_and_break_pages_between_sets():
    created = [
        Created(
            username=f"user{n}", name=f"人{n}", unit="某区", role="填报员", password=f"Pw#{n}xY9"
        )
        for n in range(SLIPS_PER_PAGE + 2)
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(password_book(created, system_name="测试系统", login_url="http://x/login/"))
    )
    slips = book["密码条"]
    texts = [c for row in slips.iter_rows(values_only=True) for c in row if c]
    for account in created:
        assert account.username in texts and account.password in texts
    assert texts.count("测试系统") == len(created)
    assert len(slips.row_breaks.brk) == 1
