"""PDF copies of issued circulars, by LibreOffice where the server has it.

One conversion is ``soffice --headless --convert-to pdf`` in a directory of its own, with a
profile of its own (two conversions at once would otherwise share, and lock, one profile),
bounded in time. Where LibreOffice is not installed the circular is issued without a PDF and
the page says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

# A circular converts in a few seconds; a hung converter must not hold the issuing request.
TIMEOUT_SECONDS = 120
NOT_INSTALLED = "服务器未安装 LibreOffice（soffice），本次印发未生成 PDF。"
FAILED = "LibreOffice 转换 PDF 失败，本次印发未生成 PDF。"
TURNED_OFF = "本系统设置为不生成 PDF（CIRCULAR_PDF=0），本次印发未生成 PDF。"


class ConversionError(Exception):
    pass


def soffice() -> str | None:
    """The LibreOffice program, or None where it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def why_no_pdf() -> str | None:
    """Why issuing will store no PDF (for the page to say beforehand), or None."""
    if not settings.CIRCULAR_PDF:
        return TURNED_OFF
    return None if soffice() else NOT_INSTALLED


def docx_to_pdf(data: bytes) -> bytes:
    """The PDF of a Word file's bytes. Raises ConversionError (with a reason to show)."""
    if reason := why_no_pdf():
        raise ConversionError(reason)
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="zzip-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            # Its own process group: soffice starts soffice.bin, which a timeout must end too,
            # or every stuck conversion would leave a LibreOffice running.
            process = subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "HOME": str(work)},
                start_new_session=True,
            )
        except OSError as e:
            raise ConversionError(FAILED) from e
        try:
            code = process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise ConversionError(FAILED) from None
        if code != 0:
            raise ConversionError(FAILED)
        target = work / "document.pdf"
        if not target.exists():
            raise ConversionError(FAILED)
        return target.read_bytes()
