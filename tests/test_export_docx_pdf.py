"""The circular through LibreOffice, as an office prints it: the seed's table with three more
indicators (16 figure columns) is one landscape page, with no figure broken across lines.

One conversion for the suite: the PDF that issuing the circular stores. Without LibreOffice
(``soffice``) the test is skipped, unless ZZIP_REQUIRE_BROWSER=1 (CI), where it must run.
"""

import datetime
import os
import re
import shutil
import subprocess

import pytest

from circulars import services
from circulars.models import IssuedFile
from circulars.pdf import soffice
from tests.fixtures.wider import wider_q2


@pytest.fixture
def tools():
    missing = [t for t in ("pdfinfo", "pdftotext") if shutil.which(t) is None]
    if soffice() is None:
        missing.append("soffice")
    if missing:
        packages = "libreoffice-writer-nogui poppler-utils"
        message = f"{', '.join(missing)} not installed (apt-get install {packages})"
        if os.environ.get("ZZIP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ZZIP_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)


def _pages(pdf_path) -> list[tuple[float, float]]:
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)
    ]


def test_the_issued_pdf_prints_sixteen_columns_on_one_landscape_page(
    tools, city, office, tmp_path, settings
):
    settings.CIRCULAR_PDF = True  # off for the rest of the suite (pyproject.toml)
    period = wider_q2(office)
    services.circular_save(
        actor=office,
        period=period,
        unit=city,
        addressees="各区（市）人民政府",
        signature="枣庄市政府知识产权战略实施工作领导小组办公室",
        date=datetime.date(2023, 9, 15),
        blocks=services.new_draft(period, city).blocks,
    )
    circular = services.circular_issue(actor=office, period=period, unit=city)
    assert circular.pdf_note == ""
    pdf = circular.files.get(format=IssuedFile.Format.PDF)
    path = tmp_path / "circular.pdf"
    path.write_bytes(bytes(pdf.content))

    pages = _pages(path)
    landscape = [i for i, (w, h) in enumerate(pages, start=1) if w > h]
    assert len(landscape) == 1, pages  # the attachment, 版记 included, on one page
    assert landscape[0] == len(pages)  # after the portrait body
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", str(landscape[0]), "-l", str(landscape[0]), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Every row of the table, each figure whole on its row (a wrapped 109.80 would be split).
    assert re.search(r"滕州市\s+104\s+196\s+53\.10\s.*\s549\s+500\s+109\.80\s", text), text
    assert re.search(r"全\s*市\s+326\s+737\s+44\.20\s.*\s16918\.62", text), text
    assert "枣庄市政府知识产权战略实施工作领导小组办公室" in text  # 版记 on the same page
