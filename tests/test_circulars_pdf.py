"""LibreOffice run by the issue: a conversion that hangs is ended with every process it
started (soffice starts soffice.bin), and the issue is told why there is no PDF."""

import time
from pathlib import Path

import pytest

from circulars import pdf


def test_a_hanging_conversion_is_ended_with_the_processes_it_started(
    tmp_path, monkeypatch, settings
):
    settings.CIRCULAR_PDF = True
    marker = tmp_path / "child.pid"
    program = tmp_path / "soffice"
    # Like soffice: it starts another process and waits for it.
    program.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {marker}\nwait\n")
    program.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice", lambda: str(program))
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    with pytest.raises(pdf.ConversionError):
        pdf.docx_to_pdf(b"not really a docx")
    child = int(marker.read_text())
    for _ in range(50):
        if not _running(child):
            break
        time.sleep(0.02)
    else:
        pytest.fail("the conversion's child process is still running")


def _running(pid: int) -> bool:
    """Alive and not a zombie (a killed orphan waits for init to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")
