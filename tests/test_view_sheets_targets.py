"""The office's 年度目标下达表 pages: download, upload, preview of differences, confirm."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from districts.models import Profile, Role
from indicators.models import Target
from indicators.sheets import targets as target_book
from spreadsheets import reading
from tests.fixtures.audit import last_event, new_events
from tests.fixtures.workbooks import fill, load

PAGE = reverse("indicators:target_sheet", args=[2023])
XLSX = reverse("indicators:target_sheet_xlsx", args=[2023])
CONFIRM = reverse("indicators:target_sheet_confirm", args=[2023])
PICK = reverse("indicators:target_sheet_pick")


def upload(client, data, url=PAGE, name="目标.xlsx"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def grants(code="370481"):
    return Target.objects.get(unit__code=code, indicator__code="invention_grants", year=2023).value


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer"])
@pytest.mark.parametrize("url", [PAGE, XLSX, PICK])
def test_clerks_and_viewers_never_see_the_target_sheet(seed, client_for, request, who, url):
    c = client_for(request.getfixturevalue(who))
    assert c.get(url).status_code == 403
    assert c.post(PAGE, {"file": SimpleUploadedFile("t.xlsx", b"x")}).status_code == 403
    assert c.post(CONFIRM, {"payload": "x"}).status_code == 403


def test_anonymous_is_sent_to_login(seed, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("login") in response.url


def test_the_page_offers_both_downloads_and_the_upload(client_for, office):
    response = client_for(office).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2023年度目标下达表" in html
    assert f'href="{XLSX}"' in html and f'href="{XLSX}?empty=1"' in html
    assert "系统中已有 14 个" in html
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert "<script>" not in html and "style=" not in html


def test_the_year_picker_and_the_bare_address_lead_to_a_year(client_for, office):
    c = client_for(office)
    assert c.get(PICK).url == PAGE  # the latest year with targets
    assert c.get(PICK, {"year": "2025"}).url == reverse("indicators:target_sheet", args=[2025])
    assert c.get(reverse("indicators:target_sheet", args=[1900])).status_code == 404


def test_downloading_gives_the_sheet_and_is_audited(client_for, office):
    response = client_for(office).get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == reading.XLSX_CONTENT_TYPE
    assert "filename*=utf-8''2023" in response["Content-Disposition"]
    ws = load(response.content)["目标下达表"]
    assert ws["C5"].value == 196
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=office).exists()


def test_an_upload_previews_the_differences_and_confirming_saves_them(client_for, office):
    c = client_for(office)
    data = fill(target_book.sheet_bytes(year=2023), {"C5": 200, "D11": 630})
    response = upload(c, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认后将修改 2 个目标（其中新增 0 个）" in html
    assert "<del>196</del> → <ins>200</ins>" in html
    assert "<del>628</del> → <ins>630</ins>" in html
    assert grants() == 196  # nothing written before the confirmation

    payload = response.context["payload"]
    mark = last_event()
    response = c.post(CONFIRM, {"payload": payload})
    assert response.status_code == 302 and response.url == PAGE
    assert grants() == 200
    assert (
        Target.objects.get(unit__code="370400GX", indicator__code="valid_inventions").value == 630
    )
    assert new_events(mark, action=Action.TARGET_CHANGED).count() == 2
    page = c.get(PAGE).content.decode()
    assert "已保存 2 个2023年度目标。" in page


def test_an_upload_with_bad_cells_lists_them_and_offers_no_confirmation(client_for, office):
    data = fill(target_book.sheet_bytes(year=2023), {"C5": "两百", "D6": -3})
    response = upload(client_for(office), data)
    html = response.content.decode()
    assert "表中有 2 处问题，没有保存任何目标" in html
    assert "C5（滕州市 · 发明专利授权量）：“两百”不是数字" in html
    assert "D6（薛城区 · 有效发明专利拥有量）：不能为负数。" in html
    assert response.context["payload"] is None
    assert CONFIRM not in html


def test_an_unchanged_upload_needs_no_confirmation(client_for, office):
    response = upload(client_for(office), target_book.sheet_bytes(year=2023))
    assert "表中的目标与系统中完全一致，无需保存。" in response.content.decode()
    assert response.context["payload"] is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "文件是空的"),
        (b"name,value\n1,2\n", "这个文件不是 Excel 表格（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "这是旧版 Excel（.xls）文件"),
    ],
)
def test_bad_files_get_a_reason_and_write_nothing(client_for, office, data, expected):
    response = upload(client_for(office), data)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert grants() == 196


def test_a_huge_file_is_refused(client_for, office, settings):
    settings.SPREADSHEET_UPLOAD_MAX_BYTES = 1024
    response = upload(client_for(office), target_book.sheet_bytes(year=2023))
    assert "文件太大" in response.content.decode()


def test_the_sheet_of_another_year_is_refused(client_for, office):
    data = fill(target_book.sheet_bytes(year=2024, empty=True), {"C5": 1})
    response = upload(client_for(office), data)
    assert "这是2024年的目标下达表，本页是2023年。" in response.content.decode()


def test_a_tampered_or_foreign_payload_is_refused(client_for, office):
    other = get_user_model().objects.create_user("office2")
    # Another office account, past any first-login password change.
    extra = {"must_change_password": False} if hasattr(Profile, "must_change_password") else {}
    Profile.objects.create(user=other, unit=office.profile.unit, role=Role.OFFICE, **extra)
    data = fill(target_book.sheet_bytes(year=2023), {"C5": 200})
    payload = upload(client_for(office), data).context["payload"]

    response = client_for(other).post(CONFIRM, {"payload": payload}, follow=True)
    assert "确认信息无效" in response.content.decode()
    response = client_for(office).post(CONFIRM, {"payload": payload[:-3] + "abc"}, follow=True)
    assert "确认信息无效" in response.content.decode()
    assert grants() == 196


def test_a_change_made_after_the_preview_stops_the_confirmation(client_for, office):
    c = client_for(office)
    payload = upload(c, fill(target_book.sheet_bytes(year=2023), {"C5": 200})).context["payload"]
    Target.objects.filter(unit__code="370481", indicator__code="invention_grants").update(value=199)
    response = c.post(CONFIRM, {"payload": payload}, follow=True)
    assert "预览之后，这些目标已被他人修改：滕州市 · 发明专利授权量" in response.content.decode()
    assert grants() == 199


def test_download_then_upload_round_trip_of_an_empty_year(client_for, office):
    c = client_for(office)
    blank = c.get(reverse("indicators:target_sheet_xlsx", args=[2024]) + "?empty=1").content
    data = fill(blank, {f"C{r}": 10 * r for r in range(5, 12)})
    page = reverse("indicators:target_sheet", args=[2024])
    payload = upload(c, data, url=page).context["payload"]
    c.post(reverse("indicators:target_sheet_confirm", args=[2024]), {"payload": payload})
    stored = dict(Target.objects.filter(year=2024).values_list("unit__code", "value"))
    assert len(stored) == 7 and stored["370481"] == 50


def test_two_confirmations_at_once_give_a_message_not_an_error(client_for, office, monkeypatch):
    """The second of two confirmations finds the target the first created (a duplicate key on
    insert): it is told the targets moved, and nothing of it is written."""
    from django.db import IntegrityError

    from indicators.models import Target

    data = fill(target_book.sheet_bytes(year=2024, empty=True), {"C5": 200})
    c = client_for(office)
    payload = upload(c, data, url=reverse("indicators:target_sheet", args=[2024])).context[
        "payload"
    ]

    def racing_create(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Target.objects, "create", racing_create)
    response = c.post(
        reverse("indicators:target_sheet_confirm", args=[2024]), {"payload": payload}, follow=True
    )
    assert response.status_code == 200
    assert "预览之后，这些目标已被他人修改" in response.content.decode()
