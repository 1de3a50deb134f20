"""Reading uploaded files: every bad file gets a Chinese reason, never a server error."""

import io
import zipfile

import openpyxl
import pytest

from spreadsheets import reading
from tests.fixtures.workbooks import save, with_cached_results, xlsx_of


def refused(reader, data) -> str:
    with pytest.raises(reading.SheetError) as exc:
        reader(data)
    return str(exc.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "文件是空的（0 字节）"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "这个文件不是 Excel 表格（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "这是旧版 Excel（.xls）文件"),
        (b"PK\x03\x04 this is not really a zip", "这个 Excel 文件已损坏"),
    ],
)
def test_what_is_not_an_xlsx_is_refused_with_a_reason(data, expected):
    assert refused(reading.xlsx_dataset, data).startswith(expected)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "不是 Excel 表格" in refused(reading.xlsx_dataset, out.getvalue())


def test_a_file_over_the_limit_is_refused(settings):
    settings.SPREADSHEET_UPLOAD_MAX_BYTES = 2000
    data = xlsx_of([["a"], ["x" * 5000]])
    assert len(data) > 2000
    message = refused(reading.xlsx_dataset, data)
    assert message.startswith("文件太大") and "2 KB 的上限" in message


def test_a_file_that_unpacks_to_too_much_is_refused():
    data = xlsx_of([["单位编码"], *[["0" * 100] for _ in range(200)]])
    budget = reading.Budget(rows=1000, cols=10, unpacked=10_000)
    assert "解压后" in refused(lambda d: reading.xlsx_dataset(d, budget), data)


def test_merged_cells_are_refused_with_their_addresses():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位编码", "指标编码", "年份", "目标值"])
    ws.append(["370481", "invention_grants", 2024, 10])
    ws.append(["370403", "invention_grants", 2024, 10])
    ws.merge_cells("C2:C3")
    message = refused(reading.xlsx_dataset, save(wb))
    assert "合并单元格（C2:C3）" in message


def test_a_formula_without_a_result_is_refused():
    data = xlsx_of([["单位编码", "目标值"], ["370481", "=100+96"]])
    message = refused(reading.xlsx_dataset, data)
    assert message.startswith("B2 是公式，但文件里没有保存公式的计算结果")


def test_a_formula_with_a_result_reads_the_result():
    data = with_cached_results(
        xlsx_of([["单位编码", "目标值"], ["370481", "=100+96"]]), {"B2": 196}
    )
    dataset = reading.xlsx_dataset(data)
    assert dataset.headers == ["单位编码", "目标值"]
    assert list(dataset[0]) == ["370481", 196]


def test_an_empty_sheet_is_refused():
    assert refused(reading.xlsx_dataset, xlsx_of([])).endswith(
        "第 1 行（表头）是空的。第 1 行应是列名，从第 2 行起每行一条数据。"
    )


def test_too_many_rows_are_refused():
    data = xlsx_of([["a"], [1], [2], [3], [4]])
    budget = reading.Budget(rows=4, cols=10, unpacked=reading.MB)
    assert "超过了这种表格 4 行的上限" in refused(lambda d: reading.xlsx_dataset(d, budget), data)
    csv_data = b"a\n1\n2\n3\n4\n"
    budget = reading.Budget(rows=3, cols=10, unpacked=reading.MB)
    assert "超过 3 行数据的上限" in refused(lambda d: reading.csv_dataset(d, budget), csv_data)


def test_rows_are_padded_to_the_header_and_trailing_blank_rows_dropped():
    data = xlsx_of([["a", "b", "c", None], [1], [None, None], [2, 3, 4, 5], [None], [None]])
    dataset = reading.xlsx_dataset(data)
    assert dataset.headers == ["a", "b", "c"]
    assert [list(r) for r in dataset] == [[1, None, None], [None, None, None], [2, 3, 4]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_the_encodings_excel_and_wps_write(encoding):
    data = "单位编码,年份,来源\n370481,2022,统计公报\n".encode(encoding)
    dataset = reading.csv_dataset(data)
    assert dataset.headers == ["单位编码", "年份", "来源"]
    assert list(dataset[0]) == ["370481", "2022", "统计公报"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"   \n", "文件是空的"),
        (xlsx_of([["a"]]), "这是 Excel 文件，不是 CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "这个文件不是 CSV 文本文件"),
    ],
)
def test_what_is_not_a_csv_is_refused(data, expected):
    assert refused(reading.csv_dataset, data).startswith(expected)


def test_cell_text_reads_whole_numbers_without_a_point():
    assert reading.cell_text(150.0) == "150"
    assert reading.cell_text(12.5) == "12.5"
    assert reading.cell_text(" 370481 ") == "370481"
    assert reading.cell_text(None) == ""
