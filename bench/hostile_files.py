"""How long each hostile spreadsheet of the security review takes to be refused, and how much
memory that costs. Run by hand: `.venv/bin/python bench/hostile_files.py`.

The goal (issue "Close the holes a security assessor would find"): every file refused within
2 s and 100 MB. Each file is made by tests/fixtures/hostile.py, at the size the review used,
and read by the entry point a person's upload reaches (the district template's upload, the
admin's import, the 年度目标下达表). Each read runs in a forked child whose peak resident
memory is reset first (/proc/self/clear_refs), so a figure is that file's cost alone.

Uses a throw-away SQLite database with the demo; no server, no network.
"""

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
folder = tempfile.mkdtemp(prefix="zzip-bench-")
os.environ.update(
    DJANGO_SETTINGS_MODULE="zzip.settings",
    SECRET_KEY="bench-only",
    DEBUG="0",
    ALLOWED_HOSTS="localhost",
    HTTPS="0",
    ALLOW_DEMO="1",
    STATIC_MANIFEST="0",
    DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
    AUDIT_ANCHOR_FILE=f"{folder}/anchor.log",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

GOAL_SECONDS, GOAL_MB = 2.0, 100


def status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024  # kB → MB
    return 0


def measure(read, data: bytes) -> tuple[float, int, str]:
    """(seconds, peak MB above the start, outcome) of read(data), in a forked child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        with contextlib.suppress(OSError):  # reset VmHWM to the current RSS
            Path("/proc/self/clear_refs").write_text("5")
        start_rss = status("VmRSS")
        started = time.perf_counter()
        try:
            read(data)
            outcome = "read (not refused)"
        except Exception as exc:  # the outcome is what we print
            outcome = f"refused: {str(exc)[:60]}"
        seconds = time.perf_counter() - started
        peak = status("VmHWM") - start_rss
        os.write(w, f"{seconds}\t{peak}\t{outcome}".encode())
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    seconds, peak, outcome = b"".join(chunks).decode().split("\t", 2)
    return float(seconds), int(peak), outcome


def main():
    call_command("migrate", verbosity=0)
    call_command("demo", stdout=io.StringIO())

    from districts.models import Unit
    from indicators.models import Period, Report
    from indicators.sheets import targets as target_book
    from indicators.sheets import template as template_book
    from spreadsheets.resources import CSV, XLSX
    from tests.fixtures import hostile

    period = Period.objects.filter(status=Period.Status.OPEN).first()
    report = Report(unit=Unit.objects.get(code="370481"), period=period)
    template = template_book.template_bytes(report)

    def read_template(data):
        template_book.template_read(data, report=report)

    cases = [
        (
            "district template, hidden sheet of 285k names",
            read_template,
            lambda: hostile.template_with_hidden_names(template),
        ),
        (
            "district template of 580k rows",
            read_template,
            lambda: hostile.template_with_rows(template),
        ),
        (
            "office import, header cell at XFD1",
            XLSX().create_dataset,
            hostile.import_with_far_header,
        ),
        (
            "target sheet, a cell at row 1048576",
            lambda d: target_book.sheet_read(d, year=period.year),
            lambda: hostile.sheet_with_last_row(target_book.sheet_bytes(year=period.year)),
        ),
        ("xlsx unpacking to 190 MB", XLSX().create_dataset, lambda: hostile.zip_bomb(190)),
        ("22 KB CSV of separators", CSV().create_dataset, hostile.csv_of_commas),
        ("22 KB CSV of blank lines", CSV().create_dataset, hostile.csv_of_blank_lines),
    ]
    print(f"goal: refused within {GOAL_SECONDS:.0f} s and {GOAL_MB} MB each\n")
    print(f"{'file':44} {'size':>9} {'time':>8} {'peak':>8}  outcome")
    failed = 0
    for name, read, make in cases:
        data = make()
        seconds, peak, outcome = measure(read, data)
        ok = seconds <= GOAL_SECONDS and peak <= GOAL_MB and outcome.startswith("refused")
        failed += not ok
        size = f"{len(data) / 1024:,.0f} KB"
        print(
            f"{name:44} {size:>9} {seconds:7.2f}s {peak:6d} MB  {outcome}"
            + ("" if ok else "  ← over the goal")
        )
    print(f"\n{len(cases) - failed} of {len(cases)} within the goal")


if __name__ == "__main__":
    main()
