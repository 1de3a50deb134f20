"""python manage.py export_summary: the attachment table to a file, with clear errors."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from districts.models import Unit


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_summary", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_writes_the_city_table_of_a_quarter(seed, tmp_path):
    path = tmp_path / "附件.xlsx"
    out, err = export("2023Q2", "-o", str(path))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "2023年上半年全市知识产权工作情况"
    assert sheet["A4"].value == "滕州市"
    assert [sheet.cell(11, c).value for c in range(1, 4)] == ["全市", 326, 737]
    assert str(path) in out
    assert err == ""


def test_unit_can_be_named_by_code(seed, tmp_path):
    path = tmp_path / "city.xlsx"
    export("2023Q2", "--unit", "370400", "-o", str(path))
    assert openpyxl.load_workbook(path).active["K11"].value == 2


def test_file_is_named_for_the_table_when_no_output_is_given(seed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    export("2023Q2")
    assert (tmp_path / "2023年上半年全市知识产权工作情况.xlsx").exists()


def test_warns_when_units_have_not_reported(seed, tmp_path):
    _, err = export("2023Q3", "-o", str(tmp_path / "q3.xlsx"))
    assert "7 个填报单位中有 7 个尚未报送" in err


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("2023Q5", "季度只能是 1–4"),
        ("abc", "应写成如 2023Q2"),
        ("", "格式不对"),
    ],
)
def test_malformed_period_is_refused(seed, tmp_path, code, message):
    with pytest.raises(CommandError, match=message):
        export(code, "-o", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_period_is_refused(seed, tmp_path):
    with pytest.raises(CommandError, match="没有填报期 2019Q2（2019年上半年）"):
        export("2019Q2", "-o", str(tmp_path / "x.xlsx"))


def test_unknown_unit_is_refused(seed, tmp_path):
    with pytest.raises(CommandError, match="没有编码为“999999”的填报单位"):
        export("2023Q2", "--unit", "999999", "-o", str(tmp_path / "x.xlsx"))


def test_unit_without_children_is_refused(seed, tmp_path):
    with pytest.raises(CommandError, match=r"滕州市.*没有下级单位"):
        export("2023Q2", "--unit", "370481", "-o", str(tmp_path / "x.xlsx"))


def test_several_top_units_require_a_choice(seed, tmp_path):
    Unit.objects.create(code="370500", name="东营市", kind=Unit.Kind.CITY)
    with pytest.raises(CommandError, match=r"有多个顶级单位.*--unit"):
        export("2023Q2", "-o", str(tmp_path / "x.xlsx"))


def test_unwritable_output_is_a_clear_error(seed, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        export("2023Q2", "-o", str(tmp_path / "no-such-dir" / "x.xlsx"))


def test_the_excel_export_is_in_the_audit_log(seed, tmp_path):
    from audit.models import Action, AuditEvent

    path = tmp_path / "表.xlsx"
    call_command(
        "export_summary", "2023Q2", "-o", str(path), stdout=io.StringIO(), stderr=io.StringIO()
    )
    event = AuditEvent.objects.filter(action=Action.EXPORT).latest("id")
    assert event.summary == "命令行导出 Excel 附件表：2023年上半年全市知识产权工作情况"
    assert event.detail["format"] == "xlsx" and event.detail["via"] == "manage.py export_summary"
