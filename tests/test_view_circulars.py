"""The circular's pages: the office edits, sees, issues and corrects; a leader downloads what
was issued and sees no draft."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from audit.models import Action, AuditEvent
from circulars import services
from circulars.models import Circular, IssuedFile
from districts.models import Unit
from indicators import services as indicator_services

PAGE = reverse("circulars:circular", args=["2023Q2", "370400"])


def _form_data(blocks, *, extra=(), addressees="各区（市）人民政府", date="2023-09-15"):
    """The page's form as a browser posts it: the saved rows, then new ones."""
    rows = [*blocks, *extra]
    data = {
        "addressees": addressees,
        "signature": "枣庄市政府知识产权战略实施工作领导小组办公室",
        "date": date,
        "version": "",
        "blocks-TOTAL_FORMS": str(len(rows)),
        "blocks-INITIAL_FORMS": str(len(blocks)),
        "blocks-MIN_NUM_FORMS": "0",
        "blocks-MAX_NUM_FORMS": "200",
    }
    for i, row in enumerate(rows):
        kind = f"data:{row['section']}" if row["kind"] == "data" else row["kind"]
        data[f"blocks-{i}-kind"] = kind
        data[f"blocks-{i}-text"] = row.get("text", "")
        data[f"blocks-{i}-ORDER"] = str(row.get("order", i + 1))
        if row.get("delete"):
            data[f"blocks-{i}-DELETE"] = "on"
    return data


def _issue(office, city, q2_2023):
    draft = services.new_draft(q2_2023, city)
    services.circular_save(
        actor=office,
        period=q2_2023,
        unit=city,
        addressees=draft.addressees,
        signature=draft.signature,
        date=None,
        blocks=draft.blocks,
    )
    return services.circular_issue(actor=office, period=q2_2023, unit=city)


def test_the_office_sees_the_draft_written_from_the_data_and_nothing_is_created(client_for, office):
    response = client_for(office).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "现将2023年上半年全市知识产权工作情况通报如下：" in html
    assert "<h3>一、知识产权创造</h3>" in html
    assert "完成年指导目标的44.20%" in html
    assert 'name="blocks-TOTAL_FORMS"' in html
    assert "本系统设置为不生成 PDF" in html  # said before issuing (CIRCULAR_PDF=0 in tests)
    # The number it would take, written out, never the pattern's {year} and {n:02d}.
    assert f"现在印发将是 枣知战办〔{timezone.localdate().year}〕01号" in html
    assert "{year}" not in html
    assert not Circular.objects.exists()


def test_the_office_adds_a_heading_and_a_paragraph_and_moves_them_first(
    client_for, office, city, q2_2023
):
    blocks = services.new_draft(q2_2023, city).blocks
    data = _form_data(
        blocks,
        extra=[
            {"kind": "h1", "text": "知识产权制度建设不断加强", "order": 0},
            {"kind": "p", "text": "制定了《枣庄市知识产权工作要点》。", "order": 0},
        ],
    )
    response = client_for(office).post(PAGE, data)
    assert response.status_code == 302
    saved = Circular.objects.get()
    assert [b["text"] for b in saved.blocks[:2]] == [
        "知识产权制度建设不断加强",
        "制定了《枣庄市知识产权工作要点》。",
    ]
    html = client_for(office).get(PAGE).content.decode()
    assert "<h3>一、知识产权制度建设不断加强</h3>" in html
    assert "<h3>二、知识产权创造</h3>" in html


def test_a_paragraph_marked_for_deletion_is_removed(client_for, office, city, q2_2023):
    blocks = services.new_draft(q2_2023, city).blocks
    blocks[0] = {**blocks[0], "delete": True}
    client_for(office).post(PAGE, _form_data(blocks))
    assert "现将" not in str(Circular.objects.get().blocks)


def test_a_form_of_too_many_paragraphs_is_refused_and_nothing_saved(client_for, office):
    rows = [{"kind": "p", "text": "段"}] * 260
    response = client_for(office).post(PAGE, _form_data([], extra=rows))
    assert response.status_code == 200
    assert not Circular.objects.exists()


def test_issuing_from_the_page_shows_the_number_and_the_files(client_for, office):
    c = client_for(office)
    response = c.post(reverse("circulars:issue", args=["2023Q2", "370400"]))
    assert response.status_code == 302
    circular = Circular.objects.get()
    year = timezone.localdate().year  # dated the day it is issued
    assert circular.number == f"枣知战办〔{year}〕01号"
    html = c.get(PAGE).content.decode()
    assert circular.number in html
    for f in circular.files.all():
        assert reverse("circulars:file", args=[f.pk]) in html
    assert "本系统设置为不生成 PDF" in html  # why there is no PDF
    assert "印发后数据没有变动" in html
    assert 'name="blocks-TOTAL_FORMS"' not in html  # issued: no more editing


def test_a_leader_downloads_the_issued_file_byte_for_byte_and_it_is_audited(
    client_for, viewer, office, city, q2_2023
):
    circular = _issue(office, city, q2_2023)
    stored = circular.files.get(format=IssuedFile.Format.DOCX)
    response = client_for(viewer).get(reverse("circulars:file", args=[stored.pk]))
    assert response.status_code == 200
    assert response.content == bytes(stored.content)
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert event.summary == f"下载印发文件：{stored.filename}"
    assert event.detail["sha256"] == stored.sha256


def test_a_leader_sees_no_draft_and_cannot_post(client_for, viewer, office, city, q2_2023):
    services.circular_save(
        actor=office, period=q2_2023, unit=city, addressees="", signature="", date=None, blocks=[]
    )
    c = client_for(viewer)
    html = c.get(PAGE).content.decode()
    assert "本期通报尚未印发" in html
    assert 'name="blocks-TOTAL_FORMS"' not in html
    assert c.post(PAGE, _form_data([])).status_code == 403


def test_after_a_figure_changes_the_page_lists_it_and_the_office_issues_a_correction(
    client_for, office, city, q2_2023
):
    _issue(office, city, q2_2023)
    indicator_services.history_record(
        actor=office,
        unit=Unit.objects.get(code="370481"),
        period="2023Q2",
        values={"invention_grants": 110},
        via="测试",
    )
    c = client_for(office)
    html = c.get(PAGE).content.decode()
    assert "印发后数据有变动" in html
    assert "<td>滕州市</td><td>发明专利授权量（件数）</td><td>104</td><td>110</td>" in html
    response = c.post(reverse("circulars:correct", args=["2023Q2", "370400"]), {"date": ""})
    assert response.status_code == 302
    correction = Circular.objects.get(kind=Circular.Kind.CORRECTION)
    html = c.get(PAGE).content.decode()
    assert correction.number in html and "1．滕州市发明专利授权量（件数）：104更正为110。" in html
    assert "印发后数据没有变动" in html


def test_a_correction_with_nothing_changed_is_refused_with_a_message(
    client_for, office, city, q2_2023
):
    _issue(office, city, q2_2023)
    c = client_for(office)
    response = c.post(reverse("circulars:correct", args=["2023Q2", "370400"]), follow=True)
    assert "印发后数据没有变动，不需要更正。" in response.content.decode()
    assert not Circular.objects.filter(kind=Circular.Kind.CORRECTION).exists()


def test_the_draft_word_file_has_no_number_yet_and_is_audited(client_for, office):
    response = client_for(office).get(reverse("circulars:draft_docx", args=["2023Q2", "370400"]))
    assert response.status_code == 200
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "〔印发时编号〕" in texts
    assert AuditEvent.objects.latest("id").summary.startswith("下载通报草稿")


@pytest.mark.parametrize("url_args", [["2023Q2", "370481"], ["2019Q2", "370400"], ["x", "370400"]])
def test_a_unit_without_units_below_or_an_unknown_period_is_a_404(client_for, office, url_args):
    assert client_for(office).get(reverse("circulars:circular", args=url_args)).status_code == 404


def test_the_list_shows_each_period_and_its_circular(client_for, office, city, q2_2023):
    circular = _issue(office, city, q2_2023)
    html = client_for(office).get(reverse("circulars:index")).content.decode()
    assert "2023年上半年" in html and circular.number in html and "2023年前三季度" in html


def test_the_office_edits_the_document_settings_in_the_admin_through_the_service(
    client_for, office
):
    from circulars.models import DocumentSettings
    from indicators.models import Indicator

    c = client_for(office)
    url = reverse("admin:circulars_documentsettings_change", args=[1])
    assert c.get(url).status_code == 200
    grants = Indicator.objects.get(code="invention_grants").pk
    data = {
        "issuer_mark": "某市知识产权局",
        "number_pattern": "某知〔{year}〕{n}号",
        "addressees": "各县（市、区）",
        "signature": "某市知识产权局",
        "printer": "某市知识产权局办公室",
        "colophon": "on",
        "creation": [grants],
        "protection": [],
        "use": [],
        "service": [],
    }
    assert c.post(url, data).status_code == 302
    settings = DocumentSettings.current()
    assert settings.number_pattern == "某知〔{year}〕{n}号"
    assert settings.section_codes()["creation"] == ["invention_grants"]
    assert AuditEvent.objects.latest("id").summary.startswith("修改公文设置")
    # A pattern that could read the program's attributes is refused beside its field.
    response = c.post(url, {**data, "number_pattern": "{n.__class__}"})
    assert response.status_code == 200
    assert "只能使用 {year}" in response.content.decode()
    assert DocumentSettings.current().number_pattern == "某知〔{year}〕{n}号"
    assert c.get(reverse("admin:circulars_documentsettings_add")).status_code == 403
