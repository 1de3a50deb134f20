"""The admin's import (upload, preview, confirm) and export for the four resources."""

import io

import openpyxl
import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from audit.models import Action, AuditEvent
from districts.models import Population, Unit
from indicators.models import Report, Target
from tests.fixtures.audit import last_event, new_events
from tests.fixtures.workbooks import xlsx_of

XLSX_FORMAT = "0"  # indicators.resources.FORMATS: xlsx, then csv
CSV_FORMAT = "1"
IMPORT = reverse("admin:indicators_target_import")
PROCESS = reverse("admin:indicators_target_process_import")
EXPORT = reverse("admin:indicators_target_export")
HEADER = ["单位编码", "指标编码", "年份", "目标值"]


def post_file(client, data, url=IMPORT, fmt=XLSX_FORMAT, name="目标.xlsx"):
    return client.post(url, {"import_file": SimpleUploadedFile(name, data), "format": fmt})


@pytest.mark.parametrize(
    "name",
    [
        "indicators_target",
        "indicators_report",
        "districts_unit",
        "districts_population",
    ],
)
def test_office_sees_import_and_export_on_each_list(client_for, office, name):
    c = client_for(office)
    html = c.get(reverse(f"admin:{name}_changelist")).content.decode()
    assert reverse(f"admin:{name}_import") in html
    assert reverse(f"admin:{name}_export") in html
    page = c.get(reverse(f"admin:{name}_import"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "全部行都正确才会写入" in text
    app = name.split("_")[0]
    assert f"ZZIP_ACTOR=office python manage.py import {app}.resources." in text


def test_the_figures_import_page_states_the_locked_period_rule(client_for, office):
    html = client_for(office).get(reverse("admin:indicators_report_import")).content.decode()
    assert "数值作为已审核的历史数据导入" in html
    assert "正在填报、未开放、在审核流程中或经审核通过的填报表不能用导入修改" in html


def test_the_target_list_links_to_the_wide_sheet(client_for, office):
    html = client_for(office).get(reverse("admin:indicators_target_changelist")).content.decode()
    assert reverse("indicators:target_sheet_pick") in html


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer"])
def test_clerks_and_viewers_never_see_the_import_pages(seed, client_for, request, who):
    c = client_for(request.getfixturevalue(who))
    for url in (IMPORT, EXPORT, reverse("admin:indicators_report_import")):
        response = c.get(url)
        assert response.status_code in (302, 403)
        assert "import_file" not in response.content.decode()
    response = post_file(c, xlsx_of([HEADER, ["370481", "invention_grants", 2024, 1]]))
    assert response.status_code in (302, 403)
    assert not Target.objects.filter(year=2024).exists()


@pytest.mark.parametrize("who", ["tengzhou_clerk", "viewer", "office"])
def test_only_office_staff_hold_the_import_and_export_permission(seed, request, who):
    user = request.getfixturevalue(who)
    http = RequestFactory().get("/")
    http.user = user
    for model_admin in (site._registry[Target], site._registry[Unit], site._registry[Report]):
        assert model_admin.has_import_permission(http) is (who == "office")
        assert model_admin.has_export_permission(http) is (who == "office")


def test_upload_preview_confirm_writes_and_audits(client_for, office):
    c = client_for(office)
    mark = last_event()
    data = xlsx_of(
        [
            HEADER,
            ["370481", "invention_grants", 2024, 210],
            ["370403", "invention_grants", 2024, 80],
        ]
    )
    response = post_file(c, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认后将新增 2 条，修改 0 条；0 条与系统中相同，不变。" in html
    assert not Target.objects.filter(year=2024).exists()

    confirm = response.context["confirm_form"]
    response = c.post(PROCESS, {name: confirm.initial[name] for name in confirm.fields})
    assert response.status_code == 302
    assert Target.objects.filter(year=2024).count() == 2
    page = c.get(response.url).content.decode()
    assert "导入完成：新增 2，修改 0，未变 0。" in page
    event = new_events(mark, action=Action.IMPORT).get()
    assert event.actor == office and event.detail["file"] == "目标.xlsx"
    assert new_events(mark, action=Action.TARGET_CHANGED).count() == 2


def test_bad_rows_are_listed_with_the_sheets_row_numbers_and_cannot_be_confirmed(
    client_for, office
):
    data = xlsx_of(
        [
            HEADER,
            ["370481", "invention_grants", 2024, 210],
            ["370481", "invention_grants", 2024, "abc"],
            ["370499", "valid_inventions", 2024, 5],
        ]
    )
    response = post_file(client_for(office), data)
    html = response.content.decode()
    assert "没有导入任何数据：有 2 行有问题" in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert "“abc”不是数字，请只填阿拉伯数字。" in html
    assert "未知单位编码“370499”。" in html
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert "Traceback" not in html
    assert not Target.objects.filter(year=2024).exists()


@pytest.mark.parametrize(
    ("data", "fmt", "expected"),
    [
        (b"just some text", XLSX_FORMAT, "这个文件不是 Excel 表格（.xlsx）"),
        (b"", XLSX_FORMAT, "文件是空的（0 字节）"),
        (
            xlsx_of([["单位", "目标"], ["370481", 1]]),
            XLSX_FORMAT,
            "表头缺少列：单位编码、指标编码、年份、目标值",
        ),
        (
            "单位编码,指标编码,年份,目标值\n".encode("gb18030"),
            CSV_FORMAT,
            "文件只有表头，没有数据行。",
        ),
    ],
)
def test_bad_files_get_a_chinese_reason_and_no_server_error(
    client_for, office, data, fmt, expected
):
    response = post_file(client_for(office), data, fmt=fmt)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert "Traceback" not in html


def test_a_huge_file_is_refused_before_it_is_read(client_for, office, settings):
    settings.SPREADSHEET_UPLOAD_MAX_BYTES = 1000
    data = xlsx_of([HEADER, *[["370481", "invention_grants", 2024, n] for n in range(300)]])
    response = post_file(client_for(office), data)
    assert "文件太大" in response.content.decode()


def test_a_confirmation_that_fails_after_all_writes_nothing_and_says_so(client_for, office):
    c = client_for(office)
    data = xlsx_of([HEADER, ["370481", "invention_grants", 2024, 210]])
    confirm = post_file(c, data).context["confirm_form"]
    # Between preview and confirmation the unit becomes a parent: the row is now refused.
    Unit.objects.create(
        code="370481A", name="滕州某园区", kind="zone", parent=Unit.objects.get(code="370481")
    )
    response = c.post(
        PROCESS, {name: confirm.initial[name] for name in confirm.fields}, follow=True
    )
    html = response.content.decode()
    assert "导入没有完成，没有写入任何数据" in html
    assert "滕州市是汇总单位" in html
    assert not Target.objects.filter(year=2024).exists()


def test_export_offers_only_xlsx_and_csv_and_is_audited(client_for, office):
    c = client_for(office)
    page = c.get(EXPORT)
    choices = [label for value, label in page.context["form"].fields["format"].choices if value]
    assert choices == ["xlsx", "csv"]
    html = page.content.decode()
    assert "style=" not in html and "onchange=" not in html  # nothing the CSP would block
    response = c.post(
        EXPORT,
        {
            "format": XLSX_FORMAT,
            "resource": "0",
            **{
                f"targetresource_{name}": "on"
                for name in (
                    "unit_code",
                    "unit_name",
                    "indicator_code",
                    "indicator_name",
                    "year",
                    "value",
                )
            },
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "单位编码" and sheet.max_row == 15
    assert sheet["F2"].value == 196  # a number, not text
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == office and event.detail["format"] == "xlsx"


def test_figures_export_from_the_report_list_follows_its_filter(client_for, office):
    c = client_for(office)
    url = (
        reverse("admin:indicators_report_export")
        + "?period__id__exact="
        + str(Report.objects.filter(period__year=2022).first().period_id)
    )
    response = c.post(
        url,
        {
            "format": CSV_FORMAT,
            "resource": "0",
            **{
                f"figureresource_{name}": "on"
                for name in (
                    "unit_code",
                    "unit_name",
                    "indicator_code",
                    "indicator_name",
                    "year",
                    "quarter",
                    "value",
                    "state",
                )
            },
        },
    )
    assert response.status_code == 200
    rows = response.content.decode("utf-8-sig").strip().splitlines()
    assert rows[0].startswith("单位编码,单位名称,指标编码")
    assert len(rows) == 8 and all(",2022,4," in row for row in rows[1:])


def test_population_import_through_the_admin(client_for, office):
    c = client_for(office)
    data = xlsx_of(
        [
            ["单位编码", "年份", "常住人口（万人）", "来源"],
            ["370481", 2023, 158.02, "2023年统计公报"],
        ]
    )
    url = reverse("admin:districts_population_import")
    confirm = post_file(c, data, url=url).context["confirm_form"]
    c.post(
        reverse("admin:districts_population_process_import"),
        {name: confirm.initial[name] for name in confirm.fields},
    )
    assert str(Population.objects.get(unit__code="370481", year=2023).value) == "158.02"


@pytest.mark.parametrize(
    "query", ["?zzz=1", "?format=%00", "?unit__code=%00&kind=nothing", "?period__id__exact=x"]
)
def test_an_export_with_a_parameter_it_does_not_know_is_a_400_not_a_server_error(
    client_for, office, query
):
    c = client_for(office)
    for url in (reverse("admin:districts_unit_export"), reverse("admin:indicators_report_export")):
        response = c.get(url + query)
        assert response.status_code == 400
        assert "请求有误" in response.content.decode()
        response = c.post(url + query, {"format": CSV_FORMAT, "resource": "0"})
        assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.fixture
def uploads(settings, tmp_path):
    """The folder where uploads wait for their confirmation, one per test."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def _previewed(c):
    data = xlsx_of([HEADER, ["370481", "invention_grants", 2024, 210]])
    confirm = post_file(c, data).context["confirm_form"]
    return {name: confirm.initial[name] for name in confirm.fields}


def test_an_upload_waits_under_a_name_of_ours_and_is_gone_after_its_confirmation(
    client_for, office, uploads
):
    c = client_for(office)
    form = _previewed(c)
    (waiting,) = list(uploads.iterdir())
    assert waiting.name == form["import_file_name"] and waiting.name.startswith("zzip-import-")
    assert c.post(PROCESS, form).status_code == 302
    assert list(uploads.iterdir()) == []
    # The same confirmation sent again writes nothing more and says why, with no error page.
    response = c.post(PROCESS, form, follow=True)
    assert response.status_code == 200
    assert "这次导入已经确认过" in response.content.decode()
    assert Target.objects.filter(year=2024).count() == 1


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/hostname", "zzip-import-x", "a\x00b"])
def test_a_confirmation_naming_a_file_we_did_not_make_reads_and_removes_nothing(
    client_for, office, uploads, tmp_path, name
):
    c = client_for(office)
    form = _previewed(c)
    bait = tmp_path / "bait.txt"
    bait.write_text("单位编码,指标编码,年份,目标值\n370481,invention_grants,2024,1\n")
    response = c.post(PROCESS, {**form, "import_file_name": name}, follow=True)
    assert response.status_code in (200, 400)
    assert bait.exists() and not Target.objects.filter(year=2024).exists()
    assert len(list(uploads.iterdir())) == 1  # ours still waits for its own confirmation


def test_uploads_never_confirmed_are_swept_after_an_hour(client_for, office, uploads):
    import os
    import time

    from spreadsheets.admin import sweep_uploads

    c = client_for(office)
    _previewed(c)
    (waiting,) = list(uploads.iterdir())
    assert sweep_uploads() == 0
    old = time.time() - 3601
    os.utime(waiting, (old, old))
    assert sweep_uploads() == 1 and list(uploads.iterdir()) == []
