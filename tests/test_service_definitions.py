"""Indicators and periods through their services: in force by period, frozen when a period is
closed, reported by the bottom units or by one unit, or computed by a formula."""

import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from districts.access import SYSTEM
from indicators import catalog, services
from indicators.exports.docx import circular_docx_bytes
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.models import Indicator, IndicatorSet, Period, Report
from indicators.selectors import summarize
from notices.models import Notice
from tests.fixtures.reports import submit

GOOD = {
    "invention_grants": "150",
    "valid_inventions": "860",
    "certified_enterprises": "4",
    "pct_applications": "1",
    "infringement_rulings": "0",
}


@pytest.fixture
def quarterly():
    return IndicatorSet.objects.get(frequency="Q")


def new_indicator(actor, quarterly, **fields):
    return services.indicator_save(
        actor=actor,
        **{
            "code": "utility_grants",
            "name": "实用新型专利授权量",
            "indicator_set": quarterly,
            "unit_label": "件",
            "kind": "flow",
            "order": 15,
            **fields,
        },
    )


def xlsx_cells(summary) -> list[list]:
    ws = openpyxl.load_workbook(io.BytesIO(summary_xlsx_bytes(summary))).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def docx_text(summary) -> list[str]:
    doc = Document(io.BytesIO(circular_docx_bytes(summary)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def test_a_closed_periods_files_do_not_change_when_indicators_do(office, city, q2_2023, quarterly):
    """Added, retired and renamed after 上半年 was closed: its Excel and Word stay as they were."""
    before = summarize(q2_2023, city)
    xlsx, word = xlsx_cells(before), docx_text(before)
    new_indicator(office, quarterly)  # added
    pct = Indicator.objects.get(code="pct_applications")
    services.indicator_save(actor=office, indicator=pct, last_period="2023Q2")  # retired
    grants = Indicator.objects.get(code="invention_grants")
    services.indicator_save(actor=office, indicator=grants, name="发明专利授权数")  # renamed
    after = summarize(q2_2023, city)
    assert xlsx_cells(after) == xlsx
    assert docx_text(after) == word
    # The open period follows the indicators as they are now.
    q3 = Period.objects.get(frequency="Q", year=2023, number=3)
    codes = [i.code for i in catalog.indicators_for(q3)]
    assert "utility_grants" in codes and "pct_applications" not in codes
    assert next(i for i in catalog.indicators_for(q3) if i.code == "invention_grants").name == (
        "发明专利授权数"
    )


def test_an_indicator_added_to_an_open_period_asks_the_units_that_submitted(
    office, city, tengzhou, tengzhou_clerk, q3_2023, quarterly
):
    report = submit(tengzhou, q3_2023, tengzhou_clerk, GOOD)
    new_indicator(office, quarterly)
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED
    assert "新增指标“实用新型专利授权量”" in report.return_reason
    notice = Notice.objects.filter(user=tengzhou_clerk, kind=Notice.Kind.RETURNED).get()
    assert "请补报" in notice.message
    cell = summarize(q3_2023, city).total.cells["utility_grants"]
    assert cell.value is None and (cell.reported, cell.expected) == (0, 7)  # nobody has it yet
    # The table says why its total is partial: who is not counted, and that 滕州市 was asked.
    from indicators.table import table_notes

    notes = "".join(table_notes(summarize(q3_2023, city)))
    assert "尚未计入合计的单位：滕州市（已退回）" in notes


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "has-dash"}, "code", "只能用字母、数字和下划线"),
        ({"first_period": "2023M01"}, "first_period", "季度指标组"),
        ({"first_period": "2024Q1", "last_period": "2023Q4"}, "last_period", "不能早于"),
        ({"has_per_capita": True}, "kind", "只用于存量指标"),
        ({"reporter": "unit"}, "reporting_unit", "请选择由哪个单位填报"),
        ({"formula": "invention_grants + nothing"}, "formula", "不存在：nothing"),
        ({"formula": "invention_grants ** 2"}, "formula", "只能有指标编码"),
        ({"formula": "(invention_grants"}, "formula", "写法不对"),
    ],
)
def test_a_wrong_indicator_is_refused_beside_its_field(office, quarterly, fields, field, message):
    with pytest.raises(ValidationError) as exc:
        new_indicator(office, quarterly, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Indicator.objects.filter(name="实用新型专利授权量").exists()


def test_a_formula_that_would_loop_is_refused(office, quarterly):
    new_indicator(office, quarterly, code="total", name="合计", formula="invention_grants + 1")
    share = new_indicator(office, quarterly, code="share", name="占比", formula="total / 2")
    total = Indicator.objects.get(code="total")
    with pytest.raises(ValidationError, match="循环引用"):
        services.indicator_save(actor=office, indicator=total, formula="share + 1")
    assert share.formula == "total / 2"


def test_only_the_office_defines_indicators_and_periods(tengzhou_clerk, viewer, quarterly):
    for user in (tengzhou_clerk, viewer):
        with pytest.raises(PermissionDenied):
            new_indicator(user, quarterly)
        with pytest.raises(PermissionDenied):
            services.period_save(actor=user, frequency="M", year=2025, number=7)


def test_a_derived_indicator_is_computed_for_every_row_from_its_own_inputs(
    office, city, q2_2023, quarterly
):
    """Grants per 万 residents of each unit and of the city, from their own sums and their own
    population: never an average of the districts' ratios."""
    services.period_save(actor=office, period=q2_2023, status=Period.Status.OPEN)
    new_indicator(
        office,
        quarterly,
        code="grants_per_capita",
        name="每万人口发明专利授权量",
        formula="invention_grants / 常住人口",
        decimal_places=2,
    )
    new_indicator(
        office,
        quarterly,
        code="grants_and_pct",
        name="授权与PCT合计",
        formula="invention_grants + pct_applications",
    )
    s = summarize(q2_2023, city)
    cells = {r.label: r.cells for r in s.all_rows}
    assert cells["滕州市"]["grants_per_capita"].value == D(104) / D("157.41")
    assert cells["全市"]["grants_per_capita"].value == D(326) / D("385.40")
    assert cells["市中区"]["grants_and_pct"].value == D(71)
    assert cells["全市"]["grants_and_pct"].value == D(331)
    # A missing input gives no value, not zero.
    from districts.models import Population

    Population.objects.filter(unit__code="370481").delete()
    s = summarize(q2_2023, city)
    assert {r.label: r for r in s.rows}["滕州市"].cells["grants_per_capita"].value is None


def test_a_period_closed_keeps_its_indicators_and_reopened_follows_them(office, q3_2023, quarterly):
    services.period_save(actor=office, period=q3_2023, status=Period.Status.CLOSED)
    q3_2023.refresh_from_db()
    frozen = [row["code"] for row in q3_2023.frozen["indicators"]]
    assert "invention_grants" in frozen and "new_trademarks" in frozen
    new_indicator(office, quarterly)
    assert "utility_grants" not in [i.code for i in catalog.indicators_for(q3_2023)]
    services.period_save(actor=office, period=q3_2023, status=Period.Status.OPEN)
    q3_2023.refresh_from_db()
    assert q3_2023.frozen is None
    assert "utility_grants" in [i.code for i in catalog.indicators_for(q3_2023)]


def test_a_period_must_fit_its_frequency(office):
    with pytest.raises(ValidationError) as exc:
        services.period_save(actor=office, frequency="M", year=2025, number=13)
    assert "1–12" in exc.value.message_dict["number"][0]
    with pytest.raises(ValidationError, match="已有填报期 2023Q2"):
        services.period_save(actor=SYSTEM, frequency="Q", year=2023, number=2)
