"""django-import-export resources: round trips, all-or-nothing imports with row-numbered
reasons, the locked-period rule for figures, formula escaping, audit, the commands."""

import csv
import io
from decimal import Decimal as D

import openpyxl
import pytest
import tablib
from django.core.management import call_command

from audit.models import Action, AuditEvent
from districts.models import Population, Unit
from districts.resources import PopulationResource, UnitResource
from indicators import services
from indicators.models import Figure, FigureChange, Period, Report, Target
from indicators.resources import FigureResource, TargetResource
from indicators.rules import period_ended
from indicators.selectors import summarize
from spreadsheets import reading
from spreadsheets.resources import CSV, XLSX
from tests.fixtures.audit import last_event, new_events
from tests.fixtures.reports import approve

FORMATS = {"xlsx": XLSX, "csv": CSV}


def export_bytes(resource_class, fmt="xlsx", actor=None):
    dataset = resource_class(actor=actor).export()
    native = fmt == "xlsx"
    if native:
        # As the admin does for binary formats: numbers stay numbers.
        dataset = resource_class(actor=actor).export(force_native_type=True)
    return FORMATS[fmt]().export_data(dataset)


def import_bytes(resource_class, data, user, fmt="xlsx", dry_run=False):
    dataset = FORMATS[fmt]().create_dataset(data)
    return resource_class().import_data(
        dataset, dry_run=dry_run, user=user, file_name=f"test.{fmt}"
    )


def xlsx_of(rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_of(rows, encoding="utf-8-sig"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def reasons(result):
    """Every reason of a refused import, as "row: message" strings."""
    out = [str(e.error) for e in result.base_errors]
    for row in result.invalid_rows:
        for column, messages in row.error_dict.items():
            out += [f"{row.number + 1}:{column}:{m}" for m in messages]
    return out


def targets():
    return sorted(
        (t.unit.code, t.indicator.code, t.year, t.value)
        for t in Target.objects.select_related("unit", "indicator")
    )


def populations():
    return sorted(
        (p.unit.code, p.year, p.value, p.source) for p in Population.objects.select_related("unit")
    )


def figures():
    return sorted(
        (
            f.report.unit.code,
            f.indicator.code,
            f.report.period.year,
            f.report.period.number,
            f.value,
            f.report.state,
        )
        for f in Figure.objects.select_related("report__unit", "report__period", "indicator")
    )


def units():
    return sorted(
        (
            u.code,
            u.name,
            u.short_name,
            u.kind,
            u.parent.code if u.parent else "",
            u.order,
            u.division_code,
            u.active,
        )
        for u in Unit.objects.select_related("parent")
    )


TARGET_HEADER = ["单位编码", "指标编码", "年份", "目标值"]


# --- Round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_targets_round_trip_recreates_them_and_a_second_import_changes_nothing(office, fmt):
    before = targets()
    assert len(before) == 14
    data = export_bytes(TargetResource, fmt)
    Target.objects.all().delete()

    result = import_bytes(TargetResource, data, office, fmt)
    assert not result.has_errors() and not result.has_validation_errors(), reasons(result)
    assert result.totals["new"] == 14
    assert targets() == before

    again = import_bytes(TargetResource, data, office, fmt)
    assert (again.totals["new"], again.totals["update"], again.totals["skip"]) == (0, 0, 14)
    assert targets() == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_populations_round_trip(office, fmt):
    before = populations()
    data = export_bytes(PopulationResource, fmt)
    Population.objects.all().delete()
    result = import_bytes(PopulationResource, data, office, fmt)
    assert not result.has_validation_errors(), reasons(result)
    assert populations() == before
    again = import_bytes(PopulationResource, data, office, fmt)
    assert again.totals["skip"] == len(before) and again.totals["new"] == 0
    assert Population.objects.count() == len(before)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_units_round_trip_restores_the_tree_in_order(office, fmt):
    before = units()
    data = export_bytes(UnitResource, fmt)
    Unit.objects.filter(code="370481").update(order=99, name="改错的名字", short_name="")
    Unit.objects.filter(code="370400GX").update(active=False)

    result = import_bytes(UnitResource, data, office, fmt)
    assert not result.has_validation_errors(), reasons(result)
    assert result.totals["update"] == 2
    assert units() == before
    again = import_bytes(UnitResource, data, office, fmt)
    assert again.totals["skip"] == len(before)
    assert Unit.objects.count() == len(before)


def test_unit_export_lists_parents_before_children(office):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(UnitResource)))
    codes = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert codes[0] == "370400"
    assert codes[1:] == ["370481", "370403", "370402", "370406", "370404", "370405", "370400GX"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_figures_round_trip_recreates_deleted_history_as_approved(office, fmt):
    before = figures()
    data = export_bytes(FigureResource, fmt)
    Report.objects.filter(period__year=2022).delete()
    assert len(figures()) < len(before)

    result = import_bytes(FigureResource, data, office, fmt)
    assert not result.has_validation_errors() and not result.has_errors(), reasons(result)
    assert result.totals["new"] == 7  # the seven end-2022 stocks
    assert figures() == before
    again = import_bytes(FigureResource, data, office, fmt)
    assert again.totals["new"] == again.totals["update"] == 0
    assert figures() == before
    assert Report.objects.filter(period__year=2022, period__number=4).count() == 7


def test_xlsx_export_keeps_numbers_as_numbers(office):
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(TargetResource))).active
    header = [c.value for c in sheet[1]]
    assert header == ["单位编码", "单位名称", "指标编码", "指标名称", "年份", "目标值"]
    first = [c.value for c in sheet[2]]
    assert first == ["370481", "滕州市", "invention_grants", "发明专利授权量", 2023, 196]
    assert sheet["F2"].data_type == "n"


# --- Formula escaping -------------------------------------------------------------------------

DANGEROUS = ['=HYPERLINK("http://evil.example","点我")', "+1+cmd", "-2+3", "@SUM(1)"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_escapes_formula_like_text_and_import_restores_it(office, tengzhou, fmt):
    populations_before = populations()
    for n, text in enumerate(DANGEROUS):
        Population.objects.create(unit=tengzhou, year=2010 + n, value=D("150"), source=text)
    data = export_bytes(PopulationResource, fmt)

    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        sources = {row[2].value: row[4] for row in sheet.iter_rows(min_row=2)}
        for n, text in enumerate(DANGEROUS):
            cell = sources[2010 + n]
            assert cell.value == "'" + text
            assert cell.data_type == "s"  # text, never a formula
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
        for text in DANGEROUS:
            assert "'" + text in cells

    Population.objects.filter(year__lt=2020).delete()
    result = import_bytes(PopulationResource, data, office, fmt)
    assert not result.has_validation_errors(), reasons(result)
    restored = dict(Population.objects.filter(year__lt=2020).values_list("year", "source"))
    assert restored == {2010 + n: text for n, text in enumerate(DANGEROUS)}
    assert [p for p in populations() if p[1] >= 2020] == populations_before


# --- All or nothing, with reasons -------------------------------------------------------------


def test_one_bad_row_and_nothing_is_written(office):
    before = targets()
    data = xlsx_of(
        [
            TARGET_HEADER,
            ["370481", "invention_grants", 2024, 200],
            ["370403", "invention_grants", 2024, 80],
            ["370499", "invention_grants", 2024, 10],
            ["370402", "valid_inventions", 2024, 700],
        ]
    )
    mark = last_event()
    result = import_bytes(TargetResource, data, office)
    assert result.has_validation_errors()
    assert reasons(result) == ["4:单位编码:未知单位编码“370499”。"]
    assert targets() == before
    assert not new_events(mark, action=Action.TARGET_CHANGED).exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["370481", "no_such", 2024, 5], "指标编码:未知指标编码“no_such”。"),
        (["370481", "invention_grants", 2024, "两百"], "目标值:“两百”不是数字，请只填阿拉伯数字。"),
        (["370481", "invention_grants", 2024, -3], "目标值:不能为负数。"),
        (
            ["370481", "invention_grants", 2024, 12.5],
            "目标值:发明专利授权量的目标值以件计，只能填整数。",
        ),
        (["370481", "invention_grants", "二〇二四", 5], "年份:年份“二〇二四”不对"),
        (["370481", "invention_grants", 2024, None], "目标值:请填写发明专利授权量的目标值。"),
        (["370400", "invention_grants", 2024, 700], "单位编码:枣庄市是汇总单位"),
        (["370481", "pct_applications", 2024, 3], "指标编码:“PCT国际专利申请”不设年度指导目标。"),
    ],
)
def test_bad_target_rows_are_refused_with_row_number_and_reason(office, row, expected):
    before = targets()
    data = xlsx_of([TARGET_HEADER, ["370403", "invention_grants", 2024, 80], row])
    result = import_bytes(TargetResource, data, office)
    found = reasons(result)
    assert any(r.startswith("3:" + expected) for r in found), found
    assert targets() == before


def test_duplicate_key_names_the_first_row(office):
    data = xlsx_of(
        [
            TARGET_HEADER,
            ["370481", "invention_grants", 2024, 200],
            ["370403", "invention_grants", 2024, 80],
            ["370481", "invention_grants", 2024, 210],
        ]
    )
    result = import_bytes(TargetResource, data, office)
    assert reasons(result) == ["4:__all__:与第 2 行重复（同一单位、指标、年份只能出现一次）。"]
    assert not Target.objects.filter(year=2024).exists()


def test_every_bad_row_is_listed_not_only_the_first(office):
    data = csv_of(
        [
            ["单位编码", "年份", "常住人口（万人）", "来源"],
            ["370481", "2023", "158.1", "公报"],
            ["370481", "2023", "abc", "公报"],
            ["370403", "2023", "48.123", "公报"],
            ["370402", "2023", "-1", ""],
        ]
    )
    result = import_bytes(PopulationResource, data, office, "csv")
    assert [r.number + 1 for r in result.invalid_rows] == [3, 4, 5]
    found = reasons(result)
    assert "4:常住人口（万人）:常住人口以万人计，最多保留两位小数。" in found
    assert "5:常住人口（万人）:不能为负数。" in found
    assert any(r.startswith("5:来源:请填写来源") for r in found)
    assert not Population.objects.filter(year=2023).exists()


def test_missing_or_renamed_columns_are_refused_before_any_row(office):
    data = xlsx_of([["单位", "指标编码", "年度", "目标"], ["370481", "invention_grants", 2024, 5]])
    result = import_bytes(TargetResource, data, office)
    (message,) = reasons(result)
    assert message.startswith("表头缺少列：单位编码、年份、目标值。")
    assert "文件中的表头是：单位、指标编码、年度、目标" in message
    assert not Target.objects.filter(year=2024).exists()


def test_a_file_with_only_headers_is_refused(office):
    with pytest.raises(reading.SheetError) as exc:
        import_bytes(TargetResource, xlsx_of([TARGET_HEADER]), office)
    assert str(exc.value) == "工作表“Sheet”只有表头，没有数据行。"
    # A dataset from elsewhere (the library's own formats, on the command line) likewise.
    result = TargetResource().import_data(tablib.Dataset(headers=TARGET_HEADER), user=office)
    assert reasons(result) == ["文件中只有表头，没有数据行。"]


def test_blank_rows_keep_the_row_numbers_of_the_sheet(office):
    data = xlsx_of(
        [
            TARGET_HEADER,
            ["370481", "invention_grants", 2024, 200],
            [None, None, None, None],
            ["370403", "invention_grants", 2024, "x"],
        ]
    )
    result = import_bytes(TargetResource, data, office)
    assert reasons(result) == ["4:目标值:“x”不是数字，请只填阿拉伯数字。"]


def test_only_office_staff_import(tengzhou_clerk, viewer):
    data = xlsx_of([TARGET_HEADER, ["370481", "invention_grants", 2024, 200]])
    for user in (tengzhou_clerk, viewer):
        result = import_bytes(TargetResource, data, user)
        assert reasons(result) == [
            f"{user.username} 没有导入数据的权限（主管部门工作人员才能导入）。"
        ]
    assert not Target.objects.filter(year=2024).exists()


# --- Units ------------------------------------------------------------------------------------

UNIT_HEADER = ["编码", "名称", "表中名称", "类型", "上级编码", "排列顺序"]


def test_a_new_unit_and_its_child_import_in_one_file(office):
    data = xlsx_of(
        [
            UNIT_HEADER,
            ["370400SZ", "市直单位", "市直", "其他/市直", "370400", 80],
            ["370400SZ1", "市直一", "", "其他/市直", "370400SZ", 1],
        ]
    )
    result = import_bytes(UnitResource, data, office)
    assert not result.has_validation_errors(), reasons(result)
    child = Unit.objects.get(code="370400SZ1")
    assert child.parent.code == "370400SZ" and child.kind == Unit.Kind.OTHER
    assert AuditEvent.objects.filter(action=Action.UNIT_CHANGED, object_id=str(child.pk)).exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["370481", "滕州市", "", "区(市)", "370481", 10], "上级编码:上级单位不能是本单位"),
        (
            ["370400", "枣庄市", "", "市", "370481", 0],
            "上级编码:上级单位不能是本单位或本单位的下级",
        ),
        (["370499", "新区", "", "区(市)", "379999", 10], "上级编码:上级编码“379999”不存在"),
        (["370499", "新区", "", "区(市)", "", 10], "上级编码:上级单位为空表示最上级单位"),
        (["370499", "新区", "", "乡镇", "370400", 10], "类型:类型“乡镇”不对"),
        (["370499", "新区", "", "区(市)", "370400", "第一"], "排列顺序:排列顺序“第一”不对"),
    ],
)
def test_bad_unit_rows_are_refused(office, row, expected):
    before = units()
    result = import_bytes(UnitResource, xlsx_of([UNIT_HEADER, row]), office)
    found = reasons(result)
    assert any(r.startswith("2:" + expected) for r in found), found
    assert units() == before


# --- Figures: history and the locked-period rule ----------------------------------------------

FIGURE_HEADER = ["单位编码", "指标编码", "年份", "季度", "数值"]
Q2_2022 = {  # same quarter last year for the seed's 2023 上半年
    "370481": (90, 800),
    "370403": (40, 600),
    "370402": (60, 540),
    "370406": (30, 170),
    "370404": (20, 340),
    "370405": (20, 350),
    "370400GX": (40, 540),
}


def test_history_import_creates_approved_reports_and_feeds_year_on_year(office):
    rows = [FIGURE_HEADER]
    for code, (grants, valid) in Q2_2022.items():
        rows += [
            [code, "invention_grants", 2022, 2, grants],
            [code, "valid_inventions", 2022, 2, valid],
        ]
    result = import_bytes(FigureResource, xlsx_of(rows), office)
    assert not result.has_validation_errors(), reasons(result)
    assert result.totals["new"] == 14

    period = Period.objects.get(year=2022, number=2)
    assert period.status == Period.Status.CLOSED  # created, since the quarter has ended
    reports = Report.objects.filter(period=period)
    assert reports.count() == 7
    assert {r.state for r in reports} == {Report.State.APPROVED}
    assert {r.submitted_by for r in reports} == {office}
    assert set(
        FigureChange.objects.filter(report__period=period).values_list("changed_by", flat=True)
    ) == {office.pk}
    assert AuditEvent.objects.filter(action=Action.IMPORT, unit__code="370481").exists()

    s = summarize(Period.objects.get(year=2023, number=2), Unit.objects.get(code="370400"))
    tengzhou = next(r for r in s.rows if r.unit.code == "370481")
    cell = tengzhou.cells["invention_grants"]
    assert cell.same_last_year == D(90)
    assert cell.yoy == D("15.56")  # (104 − 90) ÷ 90 × 100, to two places
    assert s.total.cells["invention_grants"].same_last_year == D(300)
    assert tengzhou.cells["valid_inventions"].net_growth == D(89)  # end-2022 history still used


def test_history_rows_for_an_open_period_are_refused(office):
    data = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2023, 3, 150]])
    result = import_bytes(FigureResource, data, office)
    (reason,) = reasons(result)
    assert reason.startswith("2:__all__:2023年前三季度正在填报中")
    assert not Report.objects.filter(period__year=2023, period__number=3).exists()


def test_history_rows_for_a_quarter_not_yet_ended_are_refused(office):
    data = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2099, 1, 1]])
    assert reasons(import_bytes(FigureResource, data, office)) == [
        "2:__all__:2099年一季度还没有结束，不能导入历史数据。"
    ]
    assert not Period.objects.filter(year=2099).exists()


def test_a_report_approved_through_review_is_locked_but_identical_rows_pass(
    office, tengzhou, tengzhou_clerk, q3_2023
):
    report = Report(unit=tengzhou, period=q3_2023)
    good = {
        "invention_grants": "150",
        "valid_inventions": "860",
        "certified_enterprises": "4",
        "pct_applications": "1",
        "infringement_rulings": "0",
    }
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw=good,
        expected_version=0,
        submit=True,
        user=tengzhou_clerk,
    )
    approve(report, office)
    q3_2023.status = Period.Status.CLOSED
    q3_2023.save()

    same = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2023, 3, 150]])
    assert not import_bytes(FigureResource, same, office).has_validation_errors()

    changed = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2023, 3, 151]])
    (reason,) = reasons(import_bytes(FigureResource, changed, office))
    assert "经市局审核通过，已锁定" in reason
    assert Figure.objects.get(report=report, indicator__code="invention_grants").value == D(150)


def test_a_report_in_the_workflow_of_a_closed_period_is_not_overwritten(
    office, tengzhou, tengzhou_clerk, q3_2023
):
    report = Report(unit=tengzhou, period=q3_2023)
    report = services.report_save(
        unit=report.unit,
        period=report.period,
        raw={"invention_grants": "150"},
        expected_version=0,
        submit=False,
        user=tengzhou_clerk,
    )
    Period.objects.filter(pk=q3_2023.pk).update(status=Period.Status.CLOSED)
    data = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2023, 3, 160]])
    (reason,) = reasons(import_bytes(FigureResource, data, office))
    assert "滕州市2023年前三季度的填报表草稿，正在审核流程中" in reason


def test_imported_history_can_be_corrected_by_importing_again(office):
    data = xlsx_of([FIGURE_HEADER, ["370481", "valid_inventions", 2022, 4, 740]])
    result = import_bytes(FigureResource, data, office)
    assert result.totals["update"] == 1, reasons(result)
    fig = Figure.objects.get(report__unit__code="370481", report__period__year=2022)
    assert fig.value == D(740)
    change = FigureChange.objects.filter(report=fig.report).first()
    assert (change.old_value, change.new_value, change.changed_by) == (D(739), D(740), office)


def test_cumulative_figures_cannot_fall_within_a_year(office):
    data = xlsx_of(
        [
            FIGURE_HEADER,
            ["370481", "invention_grants", 2022, 1, 30],
            ["370481", "invention_grants", 2022, 2, 25],
        ]
    )
    (reason,) = reasons(import_bytes(FigureResource, data, office))
    assert reason == (
        "3:数值:发明专利授权量是自1月1日起的累计数，不能小于上季度（2022年一季度）的 30件。"
    )


def test_a_planned_period_is_refused(office):
    Period.objects.create(year=2021, number=1, status=Period.Status.PLANNED)
    data = xlsx_of([FIGURE_HEADER, ["370481", "invention_grants", 2021, 1, 3]])
    (reason,) = reasons(import_bytes(FigureResource, data, office))
    assert "尚未开放" in reason


@pytest.mark.parametrize(
    ("year", "quarter", "today", "ended"),
    [
        (2023, 1, "2023-03-31", False),
        (2023, 1, "2023-04-01", True),
        (2023, 3, "2023-09-30", False),
        (2022, 4, "2022-12-31", False),
        (2022, 4, "2023-01-01", True),
    ],
)
def test_a_quarter_ends_on_its_last_day(year, quarter, today, ended):
    import datetime

    period = Period(frequency="Q", year=year, number=quarter)
    assert period_ended(period, datetime.date.fromisoformat(today)) is ended


def test_a_dry_run_writes_nothing(office):
    rows = [FIGURE_HEADER, ["370481", "invention_grants", 2022, 2, 90]]
    mark = last_event()
    result = import_bytes(FigureResource, xlsx_of(rows), office, dry_run=True)
    assert result.totals["new"] == 1
    assert not Period.objects.filter(year=2022, number=2).exists()
    assert not new_events(mark).exists()


# --- Audit ------------------------------------------------------------------------------------


def test_import_and_export_are_audited_with_old_and_new_values(office):
    data = xlsx_of([TARGET_HEADER, ["370481", "invention_grants", 2023, 200]])
    mark = last_event()
    import_bytes(TargetResource, data, office)
    change = new_events(mark, action=Action.TARGET_CHANGED).get()
    assert change.actor == office and change.unit.code == "370481"
    assert change.detail["old"] == "196" and change.detail["new"] == "200"
    summary = new_events(mark, action=Action.IMPORT).get()
    assert summary.detail["update"] == 1 and summary.detail["via"] == "管理后台"

    TargetResource(actor=office).export()
    export = new_events(mark, action=Action.EXPORT).get()
    assert export.actor == office and export.detail["rows"] == 14


# --- The commands -----------------------------------------------------------------------------


def test_import_command_needs_an_office_actor(office, tmp_path, monkeypatch):
    path = tmp_path / "targets.xlsx"
    path.write_bytes(xlsx_of([TARGET_HEADER, ["370481", "invention_grants", 2024, 200]]))
    err = io.StringIO()
    mark = last_event()
    monkeypatch.delenv("ZZIP_ACTOR", raising=False)
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "indicators.resources.TargetResource",
            str(path),
            interactive=False,
            stderr=err,
        )
    assert "ZZIP_ACTOR" in err.getvalue()
    assert not Target.objects.filter(year=2024).exists()

    monkeypatch.setenv("ZZIP_ACTOR", "tengzhou")
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "indicators.resources.TargetResource",
            str(path),
            interactive=False,
            stderr=err,
        )
    assert "tengzhou 没有导入数据的权限" in err.getvalue()

    monkeypatch.setenv("ZZIP_ACTOR", "office")
    call_command(
        "import", "indicators.resources.TargetResource", str(path), interactive=False, stderr=err
    )
    assert Target.objects.get(year=2024).value == D(200)
    assert new_events(mark, action=Action.IMPORT).get().detail["via"] == "命令行"


def test_import_command_prints_row_numbered_reasons_and_writes_nothing(
    office, tmp_path, monkeypatch
):
    monkeypatch.setenv("ZZIP_ACTOR", "office")
    path = tmp_path / "targets.csv"
    path.write_bytes(
        csv_of(
            [
                TARGET_HEADER,
                ["370481", "invention_grants", "2024", "200"],
                ["370403", "x", "2024", "-1"],
            ],
            encoding="gb18030",
        )
    )
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import",
            "indicators.resources.TargetResource",
            str(path),
            "--format",
            "spreadsheets.resources.CSV",
            interactive=False,
            stderr=err,
        )
    assert "第 3 行 指标编码：未知指标编码“x”。" in err.getvalue()
    assert not Target.objects.filter(year=2024).exists()


def test_import_command_reads_excels_utf8_csv_with_its_bom(office, tmp_path, monkeypatch):
    monkeypatch.setenv("ZZIP_ACTOR", "office")
    path = tmp_path / "人口.csv"
    path.write_bytes(
        csv_of(
            [["单位编码", "年份", "常住人口（万人）", "来源"], ["370481", "2023", "158.2", "公报"]]
        )
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    call_command("import", "districts.resources.PopulationResource", str(path), interactive=False)
    assert Population.objects.get(unit__code="370481", year=2023).value == D("158.2")


def test_export_command_writes_the_resource(office, monkeypatch):
    monkeypatch.setenv("ZZIP_ACTOR", "office")
    out = io.TextIOWrapper(io.BytesIO())
    call_command("export", "XLSX", "districts.resources.PopulationResource", stdout=out)
    out.flush()
    sheet = openpyxl.load_workbook(io.BytesIO(out.buffer.getvalue())).active
    assert [c.value for c in sheet[1]] == [
        "单位编码",
        "单位名称",
        "年份",
        "常住人口（万人）",
        "来源",
    ]
    assert sheet.max_row == 9
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.actor == office and event.detail["via"] == "命令行"


def test_a_target_of_an_indicator_out_of_use_is_refused_as_everywhere_else(office):
    from indicators.models import Indicator

    Indicator.objects.filter(code="valid_inventions").update(last_period="2023Q4")
    data = xlsx_of([TARGET_HEADER, ["370481", "valid_inventions", 2024, 900]])
    (reason,) = reasons(import_bytes(TargetResource, data, office))
    assert reason == "2:指标编码:“有效发明专利拥有量”在2024年不填报，不能下达目标。"
    assert not Target.objects.filter(year=2024).exists()


def test_history_of_a_month_is_imported_by_its_period_code(office):
    from tests.fixtures.monthly import monthly_set

    monthly_set(office)
    data = xlsx_of(
        [
            ["单位编码", "指标编码", "期别", "数值"],
            ["370481", "monthly_valid", "2024M11", 95],
            ["370481", "monthly_valid", "2024m11", 96],  # the same period, written otherwise
        ]
    )
    (reason,) = reasons(import_bytes(FigureResource, data, office))
    assert reason.startswith("3:__all__:与第 2 行重复")
    data = xlsx_of(
        [["单位编码", "指标编码", "期别", "数值"], ["370481", "monthly_valid", "2024M11", 95]]
    )
    result = import_bytes(FigureResource, data, office)
    assert not result.has_validation_errors(), reasons(result)
    period = Period.objects.get(frequency="M", year=2024, number=11)
    assert period.status == Period.Status.CLOSED and period.frozen is not None
    assert Figure.objects.get(report__period=period).value == 95
    # A quarterly indicator has no monthly figures.
    data = xlsx_of(
        [["单位编码", "指标编码", "期别", "数值"], ["370481", "invention_grants", "2024M10", 5]]
    )
    (reason,) = reasons(import_bytes(FigureResource, data, office))
    assert "该期没有这个指标" in reason
