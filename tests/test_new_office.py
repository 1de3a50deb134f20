"""README 「Setting up another office」, step by step, from an empty database to a published
table: a province's first administrator and office, its words, units, populations, periods,
targets, history, clerks in bulk, their figures and the province's own table."""

import io
from decimal import Decimal as D

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from districts.models import Unit, Wording
from indicators import services
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.models import IndicatorSet, Period, Report
from indicators.selectors import summarize
from tests.fixtures.workbooks import xlsx_of

PASSWORD = "Sheng#Ban2024x"


def command(monkeypatch, *args, password=PASSWORD):
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def imported(monkeypatch, tmp_path, resource, rows, actor="office1"):
    path = tmp_path / f"{resource.rsplit('.', 1)[-1]}.xlsx"
    path.write_bytes(xlsx_of(rows))
    monkeypatch.setenv("ZZIP_ACTOR", actor)
    call_command("import", resource, str(path), interactive=False, stdout=io.StringIO())


def signed_in(username, password=PASSWORD):
    """A client signed in as the person, who has changed the first password as asked."""
    c = Client()
    assert c.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    new = password + "!n"
    response = c.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return c


def test_a_province_from_an_empty_database_to_its_published_table(empty_db, monkeypatch, tmp_path):
    assert not Unit.objects.exists()
    # 2. The first administrator with the top unit, then the office's first account.
    command(
        monkeypatch,
        "create_account",
        "admin1",
        "--role=sysadmin",
        "--unit=370000",
        "--create-unit=某某省",
        "--unit-kind=province",
        "--password-stdin",
    )
    command(
        monkeypatch,
        "create_account",
        "office1",
        "--role=office",
        "--unit=370000",
        "--name=省局",
        "--password-stdin",
    )
    from django.contrib.auth import get_user_model

    User = get_user_model()
    office = User.objects.get(username="office1")

    # 3. The office's words, in the admin.
    c = signed_in("office1")
    response = c.post(
        reverse("admin:districts_wording_add"),
        {
            "system_name": "某某省知识产权指标系统",
            "office_name": "某某省知识产权局",
            "office_short": "省局",
            "levels-TOTAL_FORMS": "0",
            "levels-INITIAL_FORMS": "0",
            "levels-MIN_NUM_FORMS": "0",
            "levels-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Wording.current().office_short == "省局"

    # 4. Units and populations, imported on the command line.
    imported(
        monkeypatch,
        tmp_path,
        "districts.resources.UnitResource",
        [
            ["编码", "名称", "类型", "上级编码", "排列顺序"],
            ["370100", "甲市", "市", "370000", 1],
            ["370200", "乙市", "市", "370000", 2],
            ["370900", "省直", "其他/市直", "370000", 9],
        ],
    )
    imported(
        monkeypatch,
        tmp_path,
        "districts.resources.PopulationResource",
        [
            ["单位编码", "年份", "常住人口（万人）", "来源"],
            ["370000", 2023, "300", "统计公报"],
            ["370100", 2023, "100", "统计公报"],
            ["370200", 2023, "200", "统计公报"],
        ],
    )

    # 5. The period (the migrations bring the standard patent indicators).
    quarterly = IndicatorSet.objects.get()
    assert quarterly.indicators.filter(code="valid_inventions").exists()
    q4_2023 = services.period_save(
        actor=office, frequency="Q", year=2023, number=4, status="closed"
    )
    q2_2024 = services.period_save(actor=office, frequency="Q", year=2024, number=2, status="open")

    # 6. Targets and last year's history.
    imported(
        monkeypatch,
        tmp_path,
        "indicators.resources.TargetResource",
        [
            ["单位编码", "指标编码", "年份", "目标值"],
            ["370100", "invention_grants", 2024, 100],
            ["370200", "invention_grants", 2024, 300],
        ],
    )
    imported(
        monkeypatch,
        tmp_path,
        "indicators.resources.FigureResource",
        [
            ["单位编码", "指标编码", "期别", "数值"],
            ["370100", "valid_inventions", q4_2023.code, 900],
            ["370200", "valid_inventions", q4_2023.code, 1500],
            ["370900", "valid_inventions", q4_2023.code, 50],
        ],
    )

    # 8. Clerks in bulk: the administrator uploads, confirms and gets their passwords.
    admin_client = signed_in("admin1")
    sheet = xlsx_of(
        [
            ["用户名", "姓名", "单位编码", "角色", "电话", "电子邮箱"],
            ["jia", "甲市填报员", "370100", "填报员", "", ""],
            ["yi", "乙市填报员", "370200", "填报员", "", ""],
            ["shengzhi", "省直填报员", "370900", "填报员", "", ""],
        ]
    )
    preview = admin_client.post(
        reverse("admin:auth_user_import"),
        {"import_file": SimpleUploadedFile("账号.xlsx", sheet), "format": "0"},
    )
    form = preview.context["confirm_form"]
    book = admin_client.post(
        reverse("admin:auth_user_process_import"),
        {name: form.initial[name] for name in form.fields},
    )
    passwords = {
        row[1]: row[5]
        for row in openpyxl.load_workbook(io.BytesIO(book.content))["账号清单"].iter_rows(
            min_row=4, values_only=True
        )
    }
    # A clerk signs in with the slip's password and is sent to change it first.
    clerk = Client()
    response = clerk.post(reverse("login"), {"username": "jia", "password": passwords["jia"]})
    assert response.status_code == 302
    assert clerk.get(reverse("indicators:home")).url.startswith(reverse("password_change"))

    # 9. Figures entered and approved; the province's own table.
    figures = {
        "370100": {"invention_grants": "60", "valid_inventions": "1000"},
        "370200": {"invention_grants": "120", "valid_inventions": "1600"},
        "370900": {"invention_grants": "5", "valid_inventions": "55"},
    }
    for code, raw in figures.items():
        unit = Unit.objects.get(code=code)
        user = User.objects.get(profile__unit=unit)
        full = {
            "certified_enterprises": "1",
            "pct_applications": "1",
            "infringement_rulings": "0",
            **raw,
        }
        report = services.report_save(
            unit=unit, period=q2_2024, raw=full, expected_version=0, submit=True, user=user
        )
        services.report_approve(report_id=report.pk, user=office, expected_version=report.version)
    assert Report.objects.filter(period=q2_2024, state="approved").count() == 3

    top = Unit.objects.get(code="370000")
    summary = summarize(Period.objects.get(pk=q2_2024.pk), top)
    assert summary.unit_heading == "市" and summary.total.label == "全省"
    assert summary.title == "2024年上半年全省知识产权工作情况"
    total = summary.total.cells["valid_inventions"]
    assert total.value == D(2655) and total.net_growth == D(205)
    rows = {r.label: r.cells["invention_grants"] for r in summary.rows}
    assert rows["甲市"].completion == D("60.00") and rows["乙市"].completion == D("40.00")

    page = c.get(reverse("indicators:summary", args=[q2_2024.code, top.code]))
    html = page.content.decode()
    assert page.status_code == 200 and "某某省知识产权指标系统" in html and "全省" in html
    assert "枣庄" not in html
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(summary))).active
    cells = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "全省" in cells and "枣庄" not in cells
