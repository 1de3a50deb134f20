"""The circular's paragraph: every number in it is the summary's, and the units it names as
behind 序时进度 are exactly those below it.

The checks read the text back: each clause is matched by its words ("完成年指导目标的…%"),
its number compared with the summary's cell, and every number of the text must be accounted
for, so a number the summary does not hold (the seed's "737件") cannot slip in.
"""

import re
from decimal import Decimal as D

import pytest

from districts.models import Unit
from indicators.circular import (
    behind_paragraph,
    chinese_number,
    circular_paragraphs,
    circular_text,
    figures_paragraph,
    heading_numbers,
    section_paragraphs,
    versus_benchmark,
    year_on_year,
)
from indicators.models import Indicator, Period, Target
from indicators.selectors import summarize
from tests.fixtures.reports import counted, history

NUMBER = re.compile(r"\d+(?:\.\d+)?")

DEMO_Q2 = (
    "2023年上半年，全市发明专利授权量326件，完成年指导目标的44.20%，低于序时进度5.8个百分点；"
    "有效发明专利拥有量3507件，比去年年底净增长255件，每万人口有效发明专利拥有量9.10件；"
    "有效贯标认证企业32家；PCT国际专利申请5件；专利侵权裁决案件2件；"
    # The city-wide figures the office enters for the city itself (no district breakdown).
    "新增国内注册商标3249件；有效注册商标63921件；驰名商标17件；地理标志保护产品4个；"
    "地理标志证明商标29件；马德里国际注册商标145件；专利保险投保企业13家；"
    "专利保险投保专利229件；专利保险保费115万元；专利保险保费补贴69万元；"
    "知识产权维权援助案件9件；电商领域专利侵权纠纷案件5件。"
)
DEMO_Q2_BEHIND = (
    "从各区（市）看，发明专利授权量完成年指导目标低于序时进度的有"
    "市中区（37.20%）、峄城区（26.70%）、台儿庄区（47.70%）、高新区（31.20%）。"
)

# 2022 上半年 for every unit: grants, valid inventions, PCT applications.
Q2_2022 = {
    "370481": (80, 700, 1),
    "370403": (30, 590, 0),
    "370402": (60, 520, 1),
    "370406": (25, 160, 0),
    "370404": (20, 330, 0),
    "370405": (15, 340, 2),
    "370400GX": (40, 520, 0),
}


def _signed(word: str, number: str) -> D:
    return -D(number) if word in ("低于", "下降", "减少") else D(number)


def _check_figures(text: str, summary) -> int:
    """Asserts every clause of the total's figures against the summary; returns how many
    numbers of the text it accounted for."""
    total = summary.total
    counted = 0
    assert text.startswith(f"{summary.period.title}，{total.label}")
    counted += len(NUMBER.findall(summary.period.title))
    clauses = text.removeprefix(f"{summary.period.title}，{total.label}").rstrip("。").split("；")
    for ind in summary.indicators:
        cell = total.cells[ind.code]
        clause = next((c for c in clauses if c.startswith(ind.name)), None)
        if cell.value is None:
            assert clause is None, ind.code
            continue
        assert clause is not None, (ind.code, clauses)
        m = re.match(rf"{ind.name}(?:（已报送单位合计）)?(\d+(?:\.\d+)?){ind.unit_label}", clause)
        assert m and D(m[1]) == cell.value, (ind.code, clause)
        counted += 1
        if m := re.search(r"同比(增长|下降)(\d+\.\d+)%", clause):
            assert _signed(m[1], m[2]) == cell.yoy, clause
            counted += 1
        else:
            assert cell.yoy is None or "与去年同期持平" in clause, clause
        if m := re.search(r"完成年指导目标的(\d+\.\d\d)%", clause):
            assert D(m[1]) == cell.completion, clause
            counted += 1
        if m := re.search(r"(低于|高于)序时进度(\d+\.\d)个百分点", clause):
            assert _signed(m[1], m[2]) == cell.gap, clause
            counted += 1
        if m := re.search(rf"比去年年底(净增长|减少)(\d+){ind.unit_label}", clause):
            assert _signed(m[1], m[2]) == cell.net_growth, clause
            counted += 1
        if m := re.search(rf"每万人口{ind.name}(\d+\.\d\d){ind.unit_label}", clause):
            assert D(m[1]) == cell.per_capita, clause
            counted += 1
    return counted


def _check_behind(text: str, summary) -> tuple[dict[str, list[str]], int]:
    """The units each sentence names as behind, with their completion checked; and how many
    numbers that accounted for."""
    named, counted = {}, 0
    rows = {r.label: r for r in summary.rows}
    for ind in summary.indicators:
        m = re.search(rf"{ind.name}完成年指导目标低于序时进度的有([^；。]+)", text)
        if not m:
            continue
        named[ind.code] = []
        for label, completion in re.findall(r"([^、（]+)（(\d+\.\d\d)%）", m[1]):
            assert D(completion) == rows[label].cells[ind.code].completion, label
            named[ind.code].append(label)
            counted += 1
    return named, counted


def _below_benchmark(summary, code):
    """Computed here from completion and 序时进度, not from Summary.behind."""
    return [
        r.label
        for r in summary.rows
        if r.cells[code].completion is not None and r.cells[code].completion < summary.benchmark
    ]


def test_demo_paragraph_is_the_issues_example_with_the_tables_figures(city, q2_2023):
    s = summarize(q2_2023, city)
    assert circular_paragraphs(s) == [DEMO_Q2, DEMO_Q2_BEHIND]
    assert circular_text(s) == f"{DEMO_Q2}\n{DEMO_Q2_BEHIND}"
    # The seed's text printed the target as the grants; a generated text cannot.
    assert "737件" not in circular_text(s)


def test_every_number_of_the_demo_paragraph_is_the_summarys(city, q2_2023):
    s = summarize(q2_2023, city)
    figures, behind = circular_paragraphs(s)
    assert _check_figures(figures, s) == len(NUMBER.findall(figures)) == 22
    named, counted = _check_behind(behind, s)
    assert counted == len(NUMBER.findall(behind)) == 4
    assert named == {"invention_grants": _below_benchmark(s, "invention_grants")}


@pytest.fixture
def q2_2022_history(seed, office):
    period = Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    for code, (grants, valid, pct) in Q2_2022.items():
        history(
            office,
            Unit.objects.get(code=code),
            period,
            {
                "invention_grants": D(grants),
                "valid_inventions": D(valid),
                "pct_applications": D(pct),
            },
        )
    return period


def test_every_number_is_the_summarys_with_last_years_figures(city, q2_2023, q2_2022_history):
    s = summarize(q2_2023, city)
    figures, behind = circular_paragraphs(s)
    assert _check_figures(figures, s) == len(NUMBER.findall(figures))
    _named, counted = _check_behind(behind, s)
    assert counted == len(NUMBER.findall(behind))
    # By hand: grants 326 against 270 (+20.74%), valid 3507 against 3160 (+10.98%),
    # PCT 5 against 4 (+25.00%); certified and rulings have no 2022 figure.
    assert "发明专利授权量326件，同比增长20.74%，完成年指导目标的44.20%" in figures
    assert "有效发明专利拥有量3507件，同比增长10.98%，比去年年底净增长255件" in figures
    assert "PCT国际专利申请5件，同比增长25.00%；" in figures
    assert "有效贯标认证企业32家；" in figures


def test_a_fall_on_last_year_is_written_as_a_fall(city, q2_2023, q2_2022_history, office):
    history(office, Unit.objects.get(code="370481"), q2_2022_history, {"invention_grants": D(200)})
    s = summarize(q2_2023, city)
    figures = figures_paragraph(s)
    # 2022: 200 + 190 = 390 grants; 2023: 326 → −16.41%.
    assert "发明专利授权量326件，同比下降16.41%" in figures
    assert _check_figures(figures, s) == len(NUMBER.findall(figures))


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        # Raise 滕州's target so that it falls behind too; lower 市中's so that it is ahead.
        ({"370481": 300, "370402": 100}, ["滕州市", "峄城区", "台儿庄区", "高新区"]),
        # Everyone far ahead: nobody named.
        ({code: 10 for code in Q2_2022}, []),
    ],
)
def test_units_named_behind_are_exactly_those_below_the_benchmark(city, q2_2023, targets, expected):
    for code, value in targets.items():
        Target.objects.filter(
            unit__code=code, indicator__code="invention_grants", year=2023
        ).update(value=value)
    s = summarize(q2_2023, city)
    text = behind_paragraph(s)
    named, _ = _check_behind(text, s)
    assert named.get("invention_grants", []) == expected == _below_benchmark(s, "invention_grants")
    if not expected:
        assert "各区（市）发明专利授权量完成情况均达到序时进度" in text


def test_stocks_are_not_compared_with_the_benchmark(city, q2_2023):
    # 有效发明专利拥有量 has a target but is a year-end level: no completion in the text, as
    # the table has no completion column for it.
    Target.objects.filter(indicator__code="valid_inventions", year=2023).update(value=100000)
    s = summarize(q2_2023, city)
    assert s.behind("valid_inventions") == []  # no gap to 序时进度 for a stock …
    assert s.total.cells["valid_inventions"].gap is None
    text = circular_text(s)
    assert "有效发明专利拥有量完成" not in text  # … so the circular names nobody for it
    assert "有效发明专利拥有量3507件，比去年年底" in text


def test_units_not_reported_are_named_and_totals_marked_partial(city, q3_2023, tengzhou, office):
    counted(tengzhou, q3_2023, {"invention_grants": D(150), "valid_inventions": D(860)})
    s = summarize(q3_2023, city)
    figures, behind = circular_paragraphs(s)
    assert figures == (
        "2023年前三季度，全市发明专利授权量（已报送单位合计）150件；"
        "有效发明专利拥有量（已报送单位合计）860件。"
    )
    assert "完成" not in figures  # no ratio from a partial sum
    assert _check_figures(figures, s) == len(NUMBER.findall(figures))
    assert behind.endswith(
        "截至目前，薛城区、市中区、山亭区、峄城区、台儿庄区、高新区尚未报送"
        "2023年前三季度数据，未计入上述数字。"
    )


def test_a_quarter_nobody_reported_says_so(city, q3_2023):
    s = summarize(q3_2023, city)
    assert circular_paragraphs(s) == [
        "2023年前三季度，全市尚无已报送的数据。",
        "截至目前，各区（市）均尚未报送2023年前三季度数据。",
    ]


def test_an_indicator_kept_out_of_the_table_is_still_in_the_text(city, q2_2023):
    s = summarize(q2_2023, city)
    assert "new_trademarks" not in {i.code for i in s.table_indicators}
    assert s.total.cells["new_trademarks"].value == D(3249)
    figures = figures_paragraph(s)
    assert "专利侵权裁决案件2件；新增国内注册商标3249件；" in figures
    assert _check_figures(figures, s) == len(NUMBER.findall(figures))


@pytest.mark.parametrize(
    ("gap", "words"),
    [
        (D("-5.8"), "低于序时进度5.8个百分点"),
        (D("3.1"), "高于序时进度3.1个百分点"),
        (D("0.0"), "与序时进度持平"),
    ],
)
def test_gap_to_the_benchmark_in_the_offices_words(gap, words):
    assert versus_benchmark(gap) == words


@pytest.mark.parametrize(
    ("yoy", "words"),
    [(D("15.90"), "同比增长15.90%"), (D("-3.05"), "同比下降3.05%"), (D("0.00"), "与去年同期持平")],
)
def test_year_on_year_in_the_offices_words(yoy, words):
    assert year_on_year(yoy) == words


SECTION_CODES = {
    "creation": ["invention_grants", "new_trademarks", "madrid_marks"],
    "protection": ["aid_cases", "ecommerce_cases"],
}


def test_each_section_states_its_own_indicators_and_the_opening_the_rest(city, q2_2023):
    s = summarize(q2_2023, city)
    creation = section_paragraphs(s, "creation", SECTION_CODES)
    assert creation == [
        "2023年上半年，全市发明专利授权量326件，完成年指导目标的44.20%，低于序时进度5.8个百分点；"
        "新增国内注册商标3249件；马德里国际注册商标145件。",
        DEMO_Q2_BEHIND,
    ]
    assert section_paragraphs(s, "protection", SECTION_CODES) == [
        "2023年上半年，全市知识产权维权援助案件9件；电商领域专利侵权纠纷案件5件。"
    ]
    assert section_paragraphs(s, "service", SECTION_CODES) == []  # nothing to say
    opening = section_paragraphs(s, "opening", SECTION_CODES)
    assert "发明专利授权量" not in opening[0] and "有效发明专利拥有量3507件" in opening[0]
    # Without any section, the opening says everything, as the dashboard's paragraph does.
    assert section_paragraphs(s, "opening", {}) == circular_paragraphs(s)


def test_headings_number_themselves_second_level_afresh_under_each_first():
    kinds = ["p", "h1", "h2", "h2", "p", "h1", "h2", "h1"]
    assert heading_numbers(kinds) == ["", "一、", "（一）", "（二）", "", "二、", "（一）", "三、"]
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]


def test_a_city_figure_says_how_it_moved_on_last_year_where_last_year_exists(city, q2_2023, office):
    # The office tracked these two in 2022 already.
    Indicator.objects.filter(code__in=["new_trademarks", "aid_cases"]).update(first_period="2022Q1")
    period = Period.objects.create(year=2022, number=2, status=Period.Status.CLOSED)
    history(office, city, period, {"new_trademarks": D(2900), "aid_cases": D(9)})
    s = summarize(q2_2023, city)
    creation = section_paragraphs(s, "creation", {"creation": ["new_trademarks"]})
    # 3249 against 2900: +12.03%; as the table prints a ratio, two places.
    assert creation == ["2023年上半年，全市新增国内注册商标3249件，同比增长12.03%。"]
    protection = section_paragraphs(s, "protection", {"protection": ["aid_cases"]})
    assert protection == ["2023年上半年，全市知识产权维权援助案件9件，与去年同期持平。"]
