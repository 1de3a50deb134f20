"""The hostile spreadsheets of the security review, each made at full size and refused with a
Chinese reason before it is parsed (bench/hostile_files.py prints each one's time and memory)."""

import pytest

from indicators.models import Report
from indicators.sheets import targets as target_book
from indicators.sheets import template as template_book
from spreadsheets import reading
from spreadsheets.resources import CSV, XLSX
from tests.fixtures import hostile


@pytest.fixture
def template(tengzhou, q3_2023):
    return template_book.template_bytes(Report(unit=tengzhou, period=q3_2023))


def refused(read, data) -> str:
    with pytest.raises(reading.SheetError) as caught:
        read(data)
    return str(caught.value)


def test_a_template_whose_hidden_sheet_lists_285k_names_is_refused(template, tengzhou, q3_2023):
    data = hostile.template_with_hidden_names(template)
    assert len(data) < reading.upload_limit()  # small enough to be read, not refused for size
    message = refused(
        lambda d: template_book.template_read(d, report=Report(unit=tengzhou, period=q3_2023)),
        data,
    )
    assert "超过" in message and "上限" in message


def test_a_template_of_580k_rows_is_refused(template, tengzhou, q3_2023):
    data = hostile.template_with_rows(template)
    message = refused(
        lambda d: template_book.template_read(d, report=Report(unit=tengzhou, period=q3_2023)),
        data,
    )
    assert "上限" in message


def test_an_import_whose_header_reaches_column_xfd_is_refused():
    message = refused(XLSX().create_dataset, hostile.import_with_far_header())
    assert "XFD1" in message and "列的上限" in message


def test_a_target_sheet_with_a_cell_at_row_1048576_is_refused(seed):
    data = hostile.sheet_with_last_row(target_book.sheet_bytes(year=2023))
    message = refused(lambda d: target_book.sheet_read(d, year=2023), data)
    assert "第 1048576 行" in message


def test_an_xlsx_that_unpacks_to_190_mb_is_refused():
    data = hostile.zip_bomb(190)
    assert len(data) < 2 * reading.MB
    assert "解压后" in refused(XLSX().create_dataset, data)


@pytest.mark.parametrize("make", [hostile.csv_of_commas, hostile.csv_of_blank_lines])
def test_a_small_csv_never_becomes_millions_of_cells(make):
    data = make()
    assert len(data) <= 22 * 1024
    try:
        dataset = CSV().create_dataset(data)
    except reading.SheetError as exc:
        assert "上限" in str(exc) or "没有数据行" in str(exc)
    else:  # read: then it holds no more cells than its header is wide, times its rows
        assert dataset.width == 4
