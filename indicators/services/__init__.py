"""Writes that change state. Each runs in one transaction, locks what it changes, asks
districts.access (whose conditions live in indicators.rules), validates, and records who
changed what. Views, the admin, imports, sheets and commands call these; nothing else writes
reports, figures or targets.
"""

from .deadlines import ReminderResult, extension_grant, reminders_send
from .definitions import (
    indicator_errors,
    indicator_save,
    period_create_closed,
    period_errors,
    period_save,
)
from .history import HistorySaved, history_record
from .layouts import (
    ColumnSpec,
    column_errors,
    columns_errors,
    layout_delete,
    layout_errors,
    layout_save,
)
from .reports import (
    ConflictError,
    FigureErrors,
    figures_validate,
    report_save,
    write_figures,
)
from .review import (
    report_approve,
    report_correct,
    report_reopen,
    report_return,
    report_sign,
)
from .targets import TargetChange, TargetsChanged, target_errors, target_set, targets_set
from .workflow import review_settings_errors, review_settings_save

__all__ = [
    "ColumnSpec",
    "ConflictError",
    "FigureErrors",
    "HistorySaved",
    "ReminderResult",
    "TargetChange",
    "TargetsChanged",
    "column_errors",
    "columns_errors",
    "extension_grant",
    "figures_validate",
    "history_record",
    "indicator_errors",
    "indicator_save",
    "layout_delete",
    "layout_errors",
    "layout_save",
    "period_create_closed",
    "period_errors",
    "period_save",
    "reminders_send",
    "report_approve",
    "report_correct",
    "report_reopen",
    "report_return",
    "report_save",
    "report_sign",
    "review_settings_errors",
    "review_settings_save",
    "target_errors",
    "target_set",
    "targets_set",
    "write_figures",
]
