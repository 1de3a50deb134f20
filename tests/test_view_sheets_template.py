"""A clerk's Excel template pages: download, upload, preview, confirm as a draft."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from indicators import services
from indicators.models import Figure, FigureChange, Period, Report
from indicators.sheets import targets as target_book
from spreadsheets import reading
from tests.fixtures.workbooks import fill, load

PAGE = reverse("indicators:template_upload", args=["2023Q3", "370481"])
XLSX = reverse("indicators:template_xlsx", args=["2023Q3", "370481"])
CONFIRM = reverse("indicators:template_confirm", args=["2023Q3", "370481"])
FORM = reverse("indicators:report_edit", args=["2023Q3", "370481"])
FILLED = {"E7": 150, "E8": 860, "E9": 4, "E10": 1, "E11": 0}


def upload(client, data, url=PAGE):
    return client.post(url, {"file": SimpleUploadedFile("模板.xlsx", data)})


def stored():
    return dict(
        Figure.objects.filter(
            report__unit__code="370481", report__period__year=2023, report__period__number=3
        ).values_list("indicator__code", "value")
    )


@pytest.mark.parametrize("url", [PAGE, XLSX])
def test_another_districts_clerk_gets_404(client_for, xuecheng_clerk, url):
    assert client_for(xuecheng_clerk).get(url).status_code == 404
    assert client_for(xuecheng_clerk).post(CONFIRM, {"payload": "x"}).status_code == 404


@pytest.mark.parametrize("who", ["office", "viewer"])
@pytest.mark.parametrize("url", [PAGE, XLSX])
def test_office_and_viewer_cannot_use_a_clerks_template(seed, client_for, request, who, url):
    # The office fills in its own unit's template only: a district's is out of its reach.
    expected = 404 if who == "office" else 403
    assert client_for(request.getfixturevalue(who)).get(url).status_code == expected


def test_confirm_only_takes_a_post(client_for, tengzhou_clerk):
    assert client_for(tengzhou_clerk).get(CONFIRM).status_code == 405


def test_a_parent_unit_has_no_template(client_for, tengzhou_clerk):
    url = reverse("indicators:template_xlsx", args=["2023Q3", "370400"])
    assert client_for(tengzhou_clerk).get(url).status_code == 404


def test_the_clerk_downloads_their_template(client_for, tengzhou_clerk):
    response = client_for(tengzhou_clerk).get(XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == reading.XLSX_CONTENT_TYPE
    assert "filename*=utf-8''2023" in response["Content-Disposition"]
    assert load(response.content)["填报表"]["A2"].value == "填报单位：滕州市（370481）"
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == tengzhou_clerk and event.summary == "下载填报模板：2023年前三季度滕州市"


def test_upload_previews_then_confirm_saves_a_draft_through_the_entry_forms_service(
    client_for, tengzhou_clerk
):
    c = client_for(tengzhou_clerk)
    data = fill(c.get(XLSX).content, {**FILLED, "J7": "新增较多"})
    response = upload(c, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认，保存为草稿" in html
    assert "E7" in html and "发明专利授权量（件）" in html
    assert stored() == {}  # the preview writes nothing

    response = c.post(CONFIRM, {"payload": response.context["payload"]})
    assert response.status_code == 302 and response.url == FORM
    assert stored() == {
        "invention_grants": D(150),
        "valid_inventions": D(860),
        "certified_enterprises": D(4),
        "pct_applications": D(1),
        "infringement_rulings": D(0),
    }
    report = Report.objects.get(unit__code="370481", period__year=2023, period__number=3)
    assert report.state == Report.State.DRAFT and report.version == 1
    assert report.figures.get(indicator__code="invention_grants").explanation == "新增较多"
    assert FigureChange.objects.filter(report=report, changed_by=tengzhou_clerk).count() == 5
    assert AuditEvent.objects.filter(action=Action.IMPORT, actor=tengzhou_clerk).exists()
    assert AuditEvent.objects.filter(action=Action.REPORT_SAVED).exists()
    assert "已按上传的表格保存草稿" in c.get(FORM).content.decode()


def test_values_the_web_form_would_refuse_are_refused_and_nothing_is_saved(
    client_for, tengzhou_clerk
):
    c = client_for(tengzhou_clerk)
    data = fill(c.get(XLSX).content, {**FILLED, "E7": 100, "E9": 1.5})
    response = upload(c, data)
    html = response.content.decode()
    assert "没有保存。请在表格中改正下列单元格后重新上传" in html
    assert (
        "E7（发明专利授权量）：发明专利授权量是自1月1日起的累计数，"
        "不能小于上季度（2023年上半年）的 104件。" in html
    )
    assert "E9（有效贯标认证企业）：有效贯标认证企业以家计，只能填整数。" in html
    assert response.context["payload"] is None and CONFIRM not in html
    assert stored() == {}


def test_a_template_of_another_unit_is_refused_with_a_clear_message(
    client_for, tengzhou_clerk, xuecheng_clerk
):
    theirs = (
        client_for(xuecheng_clerk)
        .get(reverse("indicators:template_xlsx", args=["2023Q3", "370403"]))
        .content
    )
    response = upload(client_for(tengzhou_clerk), fill(theirs, FILLED))
    assert response.status_code == 200
    assert "这是薛城区（370403）的填报表，不能上传到滕州市。" in response.content.decode()
    assert stored() == {}


def test_bad_files_get_a_reason(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    for data, expected in [
        (b"", "文件是空的"),
        (b"not a spreadsheet at all", "这个文件不是 Excel 表格"),
        (target_book.sheet_bytes(year=2023), "找不到名为“填报表”的工作表"),
    ]:
        response = upload(c, data)
        assert response.status_code == 200
        assert expected in response.content.decode()
    assert c.post(PAGE, {}).status_code == 200
    assert "请选择要上传的文件。" in c.post(PAGE, {}).content.decode()
    assert stored() == {}


def test_a_save_made_after_the_preview_is_not_overwritten(client_for, tengzhou_clerk, tengzhou):
    c = client_for(tengzhou_clerk)
    payload = upload(c, fill(c.get(XLSX).content, FILLED)).context["payload"]
    report = Report(unit=tengzhou, period=Period.objects.get(year=2023, number=3))
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={"invention_grants": "140"},
        expected_version=0,
        submit=False,
        user=tengzhou_clerk,
    )
    response = c.post(CONFIRM, {"payload": payload}, follow=True)
    assert "预览之后，本表又被" in response.content.decode()
    assert stored() == {"invention_grants": D(140)}


def test_an_edit_after_the_download_is_pointed_out_in_the_preview(
    client_for, tengzhou_clerk, tengzhou
):
    c = client_for(tengzhou_clerk)
    template = c.get(XLSX).content
    report = Report(unit=tengzhou, period=Period.objects.get(year=2023, number=3))
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={"invention_grants": "140"},
        expected_version=0,
        submit=False,
        user=tengzhou_clerk,
    )
    response = upload(c, fill(template, FILLED))
    assert "下载模板之后，本表在系统中又被修改过" in response.content.decode()
    assert response.context["payload"] is not None


def test_a_submitted_report_takes_no_upload(client_for, tengzhou_clerk, tengzhou):
    c = client_for(tengzhou_clerk)
    template = fill(c.get(XLSX).content, FILLED)
    report = Report(unit=tengzhou, period=Period.objects.get(year=2023, number=3))
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={
            k: str(v)
            for k, v in zip(
                [
                    "invention_grants",
                    "valid_inventions",
                    "certified_enterprises",
                    "pct_applications",
                    "infringement_rulings",
                ],
                [150, 860, 4, 1, 0],
                strict=True,
            )
        },
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    response = upload(c, template)
    html = response.content.decode()
    assert "本表已报送，只能查看" in html
    assert response.context["upload"] is None


def test_the_entry_form_and_home_page_point_to_the_template(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    assert PAGE in c.get(FORM).content.decode()
    assert PAGE in c.get(reverse("indicators:home")).content.decode()


def test_looking_at_the_template_page_or_downloading_creates_nothing(client_for, tengzhou_clerk):
    c = client_for(tengzhou_clerk)
    assert c.get(PAGE).status_code == 200
    assert c.get(XLSX).status_code == 200
    assert not Report.objects.filter(
        unit__code="370481", period__year=2023, period__number=3
    ).exists()
