"""circulars.services: the document settings, drafts, issuing (number, files, snapshot) and
更正, each checked, locked and audited; the issued Word file read back."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from audit.models import AuditEvent
from circulars import services
from circulars.models import Circular, DocumentSettings, FileChangeError, IssuedFile
from circulars.pdf import ConversionError
from districts.models import Unit, Wording
from districts.services import wording_save
from indicators import services as indicator_services
from indicators.exports.docx import (
    BODY_PLACEHOLDER,
    HEADING1_PLACEHOLDER,
    RECIPIENTS_PLACEHOLDER,
    SIGNATURE_PLACEHOLDER,
)
from indicators.models import Indicator, Period

SEPT_15 = datetime.date(2023, 9, 15)
PLACEHOLDERS = [
    RECIPIENTS_PLACEHOLDER,
    HEADING1_PLACEHOLDER,
    BODY_PLACEHOLDER,
    SIGNATURE_PLACEHOLDER,
]


@pytest.fixture(autouse=True)
def pdf_by_a_stand_in(monkeypatch):
    """LibreOffice is exercised once, in test_export_docx_pdf; here a PDF is a few bytes."""
    monkeypatch.setattr(services, "docx_to_pdf", lambda data: b"%PDF-1.4 stand-in")


def _save(office, period, unit, *, date=SEPT_15, blocks=None):
    settings = DocumentSettings.current()
    return services.circular_save(
        actor=office,
        period=period,
        unit=unit,
        addressees=settings.addressees,
        signature=settings.signature,
        date=date,
        blocks=blocks if blocks is not None else services.new_draft(period, unit).blocks,
    )


def _issue(office, period, unit, **kwargs):
    _save(office, period, unit, **kwargs)
    return services.circular_issue(actor=office, period=period, unit=unit)


def _texts(circular, fmt=IssuedFile.Format.DOCX):
    data = bytes(circular.files.get(format=fmt).content)
    return [p.text for p in Document(io.BytesIO(data)).paragraphs], Document(io.BytesIO(data))


def _change_tengzhou_grants(office, value=110):
    indicator_services.history_record(
        actor=office,
        unit=Unit.objects.get(code="370481"),
        period="2023Q2",
        values={"invention_grants": value},
        via="测试更正",
    )


# --- Settings ---------------------------------------------------------------------------------


def test_an_installation_has_empty_settings_until_the_office_fills_them(empty_db):
    settings = DocumentSettings.current()
    assert settings._state.adding
    assert (settings.issuer_mark, settings.number_pattern, settings.signature) == ("", "", "")
    assert settings.section_codes() == {}


def test_the_demo_fills_zaozhuangs_settings(seed):
    settings = DocumentSettings.current()
    assert settings.number_pattern == "枣知战办〔{year}〕{n:02d}号"
    assert settings.signature == "枣庄市政府知识产权战略实施工作领导小组办公室"
    assert "invention_grants" in settings.section_codes()["creation"]
    assert "aid_cases" in settings.section_codes()["protection"]


@pytest.mark.parametrize(
    "pattern",
    ["{x}号", "{n.__class__}", "〔{year}〕号", "{n!r}", "{n:>30}", "{n", "{0}", "{year:%Y}{n}"],
)
def test_a_number_pattern_may_name_only_the_year_and_the_serial(office, pattern):
    with pytest.raises(ValidationError) as e:
        services.settings_save(actor=office, number_pattern=pattern)
    assert "number_pattern" in e.value.message_dict


@pytest.mark.parametrize("pattern", ["枣知战办〔{year}〕{n:02d}号", "第{n}号", "{year}-{n:3d}"])
def test_good_number_patterns_are_kept(office, pattern):
    assert services.settings_save(actor=office, number_pattern=pattern).number_pattern == pattern


def test_saving_the_settings_is_audited_with_before_and_after(office):
    services.settings_save(actor=office, number_pattern="第{n}号", signature="某办")
    event = AuditEvent.objects.latest("id")
    assert event.summary.startswith("修改公文设置")
    assert event.detail["before"]["number_pattern"] == "枣知战办〔{year}〕{n:02d}号"
    assert event.detail["after"]["number_pattern"] == "第{n}号"
    assert event.detail["after"]["sections"]["creation"] == []


def test_an_indicator_in_two_sections_is_refused(office):
    grants = Indicator.objects.get(code="invention_grants")
    with pytest.raises(ValidationError, match="只能归入一个部分"):
        services.settings_save(
            actor=office, sections={"creation": [grants], "protection": [grants]}
        )


def test_only_the_office_saves_the_settings(viewer, tengzhou_clerk):
    for person in (viewer, tengzhou_clerk):
        with pytest.raises(PermissionDenied):
            services.settings_save(actor=person, number_pattern="第{n}号")


# --- Drafts -------------------------------------------------------------------------------------


def test_a_new_draft_has_the_settings_words_and_a_section_for_each_part_with_data(city, q2_2023):
    draft = services.new_draft(q2_2023, city)
    assert draft.pk is None  # looking creates nothing
    assert draft.addressees.startswith("各区（市）人民政府")
    assert [(b["kind"], b["section"] or b["text"]) for b in draft.blocks] == [
        ("p", "现将2023年上半年全市知识产权工作情况通报如下："),
        ("data", "opening"),
        ("h1", "知识产权创造"),
        ("data", "creation"),
        ("h1", "知识产权保护"),
        ("data", "protection"),
        ("h1", "知识产权运用"),
        ("data", "use"),
    ]


@pytest.mark.parametrize(
    ("blocks", "message"),
    [
        ([{"kind": "p", "text": "字" * 2001}], "最多 2000 个字"),
        ([{"kind": "p", "text": "a\x07b"}], "控制字符"),
        ([{"kind": "p", "text": "  "}], "没有文字"),
        ([{"kind": "script", "text": "x"}], "类别不对"),
        ([{"kind": "data", "text": "", "section": "nowhere"}], "没有这个数据部分"),
        ([{"kind": "p", "text": "x"}] * 201, "最多 200 段"),
    ],
)
def test_a_draft_with_bad_paragraphs_is_refused_and_nothing_saved(
    office, city, q2_2023, blocks, message
):
    with pytest.raises(ValidationError, match=message):
        _save(office, q2_2023, city, blocks=blocks)
    assert not Circular.objects.exists()


def test_saving_a_draft_keeps_the_offices_paragraphs_and_is_audited(office, city, q2_2023):
    blocks = [
        {"kind": "h1", "text": "一、知识产权制度建设不断加强", "section": ""},
        {
            "kind": "p",
            "text": "制定了《枣庄市知识产权工作要点》。\n明确了总体思路。",
            "section": "",
        },
        {"kind": "data", "text": "", "section": "creation"},
    ]
    saved = _save(office, q2_2023, city, blocks=blocks)
    assert saved.state == Circular.State.DRAFT
    assert saved.blocks[1]["text"] == "制定了《枣庄市知识产权工作要点》。 明确了总体思路。"
    assert AuditEvent.objects.latest("id").summary == f"保存通报草稿：{saved.title}"


# --- Issuing ------------------------------------------------------------------------------------


def test_issuing_takes_the_next_number_of_the_year_and_a_new_year_starts_again(
    office, city, q2_2023, q3_2023
):
    first = _issue(office, q2_2023, city)
    second = _issue(office, q3_2023, city, date=datetime.date(2023, 11, 1))
    assert (first.number, second.number) == ("枣知战办〔2023〕01号", "枣知战办〔2023〕02号")
    q4 = Period.objects.create(year=2023, number=4, status=Period.Status.OPEN)
    third = _issue(office, q4, city, date=datetime.date(2024, 1, 20))
    assert third.number == "枣知战办〔2024〕01号"


def test_issuing_without_a_number_pattern_is_refused(office, city, q2_2023):
    services.settings_save(actor=office, signature="某办")  # the pattern emptied
    with pytest.raises(ValidationError, match="发文字号格式"):
        services.circular_issue(actor=office, period=q2_2023, unit=city)
    assert not Circular.objects.filter(state=Circular.State.ISSUED).exists()


def test_the_issued_word_file_has_the_letterhead_number_sections_and_the_citys_figures(
    office, city, q2_2023
):
    circular = _issue(office, q2_2023, city)
    texts, doc = _texts(circular)
    # 版头: the red mark, the number under it (the red line is the number's bottom border).
    assert texts[0] == "枣庄市政府知识产权战略实施工作领导小组办公室"
    assert doc.paragraphs[0].style.name == "发文机关标志"
    number = doc.paragraphs[3]
    assert number.text == "枣知战办〔2023〕01号"
    assert 'w:color="FF0000"' in number._p.xml
    assert "2023年上半年全市知识产权工作情况通报" in texts
    assert texts[texts.index("2023年上半年全市知识产权工作情况通报") + 2] == (
        "各区（市）人民政府、枣庄高新区管委会，市政府知识产权战略实施工作领导小组成员单位，"
        "有关企业："
    )
    headings = [p.text for p in doc.paragraphs if p.style.name == "公文一级标题"]
    assert headings == ["一、知识产权创造", "二、知识产权保护", "三、知识产权运用"]
    body = "\n".join(texts)
    # The city's own figures (no district breakdown), in their sections, as the table prints.
    creation = texts[texts.index("一、知识产权创造") + 1]
    assert creation.startswith("2023年上半年，全市发明专利授权量326件，完成年指导目标的44.20%")
    assert "新增国内注册商标3249件；有效注册商标63921件；驰名商标17件" in creation
    assert "地理标志保护产品4个；地理标志证明商标29件；马德里国际注册商标145件" in creation
    protection = texts[texts.index("二、知识产权保护") + 1]
    assert "知识产权维权援助案件9件；电商领域专利侵权纠纷案件5件" in protection
    use = texts[texts.index("三、知识产权运用") + 1]
    assert "专利保险投保企业13家；专利保险投保专利229件；专利保险保费115万元" in use
    assert "737件" not in body  # the seed text's mistake
    assert "高新区（31.20%）" in body  # names as the table prints them
    # Signature, date and 版记; no place left for the office to fill.
    assert "2023年9月15日" in texts
    assert "枣庄市政府知识产权战略实施工作领导小组办公室\t2023年9月15日印发" in texts
    for placeholder in PLACEHOLDERS:
        assert placeholder not in body
    assert doc.core_properties.author == "枣庄市知识产权战略实施工作领导小组办公室"


def test_issuing_stores_word_excel_and_pdf_and_audits_their_hashes(office, city, q2_2023):
    circular = _issue(office, q2_2023, city)
    files = {f.format: f for f in circular.files.all()}
    assert set(files) == {"docx", "xlsx", "pdf"}
    assert bytes(files["pdf"].content) == b"%PDF-1.4 stand-in"
    assert (
        files["docx"].filename
        == "2023年上半年全市知识产权工作情况通报（枣知战办〔2023〕01号）.docx"
    )
    event = AuditEvent.objects.filter(summary__startswith="印发通报").get()
    assert event.detail["files"] == {fmt: f.sha256 for fmt, f in files.items()}
    assert event.unit == city


def test_without_libreoffice_the_circular_is_issued_without_a_pdf_and_says_so(
    office, city, q2_2023, monkeypatch
):
    def missing(data):
        raise ConversionError("服务器未安装 LibreOffice（soffice），本次印发未生成 PDF。")

    monkeypatch.setattr(services, "docx_to_pdf", missing)
    circular = _issue(office, q2_2023, city)
    assert {f.format for f in circular.files.all()} == {"docx", "xlsx"}
    assert "未安装 LibreOffice" in circular.pdf_note


def test_issued_files_stay_byte_identical_after_figures_names_and_indicators_change(
    office, city, q2_2023
):
    circular = _issue(office, q2_2023, city)
    before = {f.format: bytes(f.content) for f in circular.files.all()}
    _change_tengzhou_grants(office)
    wording_save(
        actor=office,
        system_name="另一个系统",
        office_name="另一个办公室",
        office_short="局",
        levels=[],
    )
    grants = Indicator.objects.get(code="invention_grants")
    indicator_services.indicator_save(actor=office, indicator=grants, name="发明专利授权数")
    after = {f.format: bytes(f.content) for f in Circular.objects.get(pk=circular.pk).files.all()}
    assert after == before
    stored = circular.files.first()
    with pytest.raises(FileChangeError):
        stored.save()
    with pytest.raises(FileChangeError):
        stored.delete()
    assert Wording.current().office_name == "另一个办公室"


def test_an_issued_circular_is_out_of_date_once_a_figure_of_its_period_changes(
    office, city, q2_2023
):
    from indicators.selectors import summarize

    circular = _issue(office, q2_2023, city)
    assert services.out_of_date(circular, summarize(q2_2023, city)) == []
    _change_tengzhou_grants(office)
    found = services.out_of_date(circular, summarize(q2_2023, city))
    seen = {(c.unit, c.column, c.old, c.new) for c in found}
    assert ("滕州市", "件数", "104", "110") in seen
    assert ("滕州市", "目标完成情况（%）", "53.10", "56.10") in seen
    assert ("全市", "件数", "326", "332") in seen


def test_an_issued_circular_cannot_be_edited_or_issued_again(office, city, q2_2023):
    _issue(office, q2_2023, city)
    with pytest.raises(ValidationError, match="已印发"):
        _save(office, q2_2023, city)
    with pytest.raises(ValidationError, match="已于"):
        services.circular_issue(actor=office, period=q2_2023, unit=city)


def test_only_the_office_issues(viewer, tengzhou_clerk, city, q2_2023):
    for person in (viewer, tengzhou_clerk):
        with pytest.raises(PermissionDenied):
            services.circular_issue(actor=person, period=q2_2023, unit=city)


# --- 更正 ----------------------------------------------------------------------------------------


def test_a_correction_lists_each_changed_figure_and_carries_the_corrected_table(
    office, city, q2_2023
):
    circular = _issue(office, q2_2023, city)
    _change_tengzhou_grants(office)
    correction = services.correction_issue(
        actor=office, circular=circular, date=datetime.date(2023, 10, 8)
    )
    assert correction.kind == Circular.Kind.CORRECTION and correction.corrects == circular
    assert correction.number == "枣知战办〔2023〕02号"  # numbered in the same sequence
    texts, doc = _texts(correction)
    assert "关于《2023年上半年全市知识产权工作情况通报》的更正" in texts
    assert texts[3] == "枣知战办〔2023〕02号"
    assert (
        "2023年9月15日印发的《2023年上半年全市知识产权工作情况通报》（枣知战办〔2023〕01号）中，"
        "下列数据有变动，现予更正："
    ) in texts
    assert "1．滕州市发明专利授权量（件数）：104更正为110。" in texts
    assert any(t.endswith("全市发明专利授权量（件数）：326更正为332。") for t in texts)
    assert "附件：2023年上半年全市知识产权工作情况（更正后）" in texts
    (table,) = doc.tables
    assert [c.text for c in table.rows[2].cells][:4] == ["滕州市", "110", "196", "56.10"]
    assert {f.format for f in correction.files.all()} == {"docx", "xlsx", "pdf"}
    assert AuditEvent.objects.filter(summary__startswith="印发更正").count() == 1
    # Corrected: in force now, nothing out of date until a figure moves again.
    from indicators.selectors import summarize

    assert services.out_of_date(circular, summarize(q2_2023, city)) == []
    _change_tengzhou_grants(office, 111)
    (again,) = [
        c for c in services.out_of_date(circular, summarize(q2_2023, city)) if c.column == "件数"
    ][:1]
    assert (again.old, again.new) == ("110", "111")


def test_a_correction_without_a_change_is_refused(office, city, q2_2023):
    circular = _issue(office, q2_2023, city)
    with pytest.raises(ValidationError, match="没有变动"):
        services.correction_issue(actor=office, circular=circular)
    assert not Circular.objects.filter(kind=Circular.Kind.CORRECTION).exists()


def test_a_draft_cannot_be_corrected(office, city, q2_2023):
    draft = _save(office, q2_2023, city)
    with pytest.raises(ValidationError, match="只有已印发的通报"):
        services.correction_issue(actor=office, circular=draft)
