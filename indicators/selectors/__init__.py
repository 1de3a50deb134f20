"""Reads that feed pages and files. ``summary`` is the one summary every page, file, chart
and text reads; ``reports`` serves the entry form, review, history and completeness."""

from .reports import (
    Change,
    Completeness,
    CompletenessRow,
    EntryLine,
    HistoryEntry,
    changes_since_return,
    completeness,
    entry_lines,
    report_history,
    was_reopened,
)
from .summary import (
    Cell,
    Row,
    Summary,
    SummaryData,
    Trend,
    summarize,
    trend,
)
from .summary_cache import cached_summary, cached_trend, data_version

__all__ = [
    "Cell",
    "Change",
    "Completeness",
    "CompletenessRow",
    "EntryLine",
    "HistoryEntry",
    "Row",
    "Summary",
    "SummaryData",
    "Trend",
    "cached_summary",
    "cached_trend",
    "changes_since_return",
    "completeness",
    "data_version",
    "entry_lines",
    "report_history",
    "summarize",
    "trend",
    "was_reopened",
]
