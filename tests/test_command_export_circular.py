"""python manage.py export_circular: the Word circular to a file, audited, with clear errors."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from audit.models import Action, AuditEvent
from indicators.circular import circular_paragraphs
from indicators.models import Period
from indicators.selectors import summarize


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_circular", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_writes_the_circular_of_a_quarter(city, q2_2023, tmp_path):
    path = tmp_path / "通报.docx"
    out, err = export("2023Q2", "-o", str(path))
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "2023年上半年全市知识产权工作情况通报"
    assert circular_paragraphs(summarize(q2_2023, city))[0] in texts
    (table,) = doc.tables
    assert [c.text for c in table.rows[-1].cells][:4] == ["全市", "326", "737", "44.20"]
    assert str(path) in out
    assert err == ""


def test_every_export_is_in_the_audit_log(seed, tmp_path):
    path = tmp_path / "通报.docx"
    export("2023Q2", "--unit", "370400", "-o", str(path))
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert event.summary == "命令行导出 Word 通报：2023年上半年全市知识产权工作情况"
    assert event.unit.code == "370400"
    assert event.detail["format"] == "docx"
    assert event.detail["period"] == "2023Q2"
    assert event.detail["file"] == str(path)
    assert event.actor is None and event.actor_name.startswith("命令行:")


def test_file_is_named_for_the_circular_when_no_output_is_given(seed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export("2023Q2")
    assert (tmp_path / "2023年上半年全市知识产权工作情况通报.docx").exists()


def test_warns_when_units_have_not_reported(seed, tmp_path):
    _, err = export("2023Q3", "-o", str(tmp_path / "q3.docx"))
    assert "7 个填报单位中有 7 个尚未报送" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2023Q5"], "季度只能是 1–4"),
        (["abc"], "应写成如 2023Q2"),
        (["2019Q2"], "没有填报期 2019Q2（2019年上半年）"),
        (["2023Q2", "--unit", "999999"], "没有编码为“999999”的填报单位"),
        (["2023Q2", "--unit", "370481"], r"滕州市.*没有下级单位"),
    ],
)
def test_a_wrong_period_or_unit_is_refused_and_nothing_written(seed, tmp_path, args, message):
    path = tmp_path / "x.docx"
    with pytest.raises(CommandError, match=message):
        export(*args, "-o", str(path))
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_unwritable_output_is_a_clear_error_and_not_audited(seed, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        export("2023Q2", "-o", str(tmp_path / "no-such-dir" / "x.docx"))
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_a_period_the_office_has_not_opened_can_still_be_written(seed, tmp_path):
    # A planned quarter has no figures: the circular says so rather than inventing any.
    Period.objects.create(year=2023, number=4)
    path = tmp_path / "q4.docx"
    export("2023Q4", "-o", str(path))
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert "2023年全年，全市尚无已报送的数据。" in texts
