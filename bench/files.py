"""Benchmark: the Excel table and the Word circular of long tables, run by hand.

    .venv/bin/python bench/files.py [--rows 100,1000,3000]

From the nation's summary of the 3k tree (bench/_tree.py), tables of N rows are made by
repeating its rows (the builders read only the summary, so they cannot tell), and each file
is built in a child process of its own, which reports the seconds and its peak memory (the
process's peak RSS, and how much it grew while building). Goal (issue 13): both files linear
in rows, a 3,000-row table in under 2 s and 150 MB each. The Word file is the existing
builder's (indicators/exports/docx.py), measured as it is.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import resource
import time

import _tree

from indicators.exports.docx import circular_docx_bytes
from indicators.exports.xlsx import summary_xlsx_bytes
from indicators.selectors import summarize

BUILDERS = {"Excel": summary_xlsx_bytes, "Word": circular_docx_bytes}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(kind, summary, queue):
    before = _peak_mb()
    start = time.perf_counter()
    data = BUILDERS[kind](summary)
    queue.put((time.perf_counter() - start, _peak_mb(), _peak_mb() - before, len(data)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100,1000,3000")
    args = parser.parse_args()
    t = _tree.tree("3k")
    s = summarize(t.period, t.nation)
    print(f"{'file':6} {'rows':>6} {'seconds':>8} {'peak RSS':>9} {'grew':>8} {'bytes':>10}")
    ctx = multiprocessing.get_context("fork")
    for kind in BUILDERS:
        for n in (int(x) for x in args.rows.split(",")):
            rows = [s.rows[i % len(s.rows)] for i in range(n)]
            big = dataclasses.replace(s, rows=rows)
            queue = ctx.Queue()
            child = ctx.Process(target=_build, args=(kind, big, queue))
            child.start()
            seconds, peak, grew, size = queue.get(timeout=600)
            child.join()
            print(
                f"{kind:6} {n:>6} {seconds:>8.2f} {peak:>7.0f}MB {grew:>6.0f}MB {size:>10,}",
                flush=True,
            )


if __name__ == "__main__":
    main()
