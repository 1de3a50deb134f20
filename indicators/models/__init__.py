"""What, when and how much: indicators, periods, targets, reports and their figures."""

from ..calendar import QUARTER_TITLES, Frequency
from .definitions import Indicator, IndicatorSet, Period, TableColumn, TableLayout
from .reports import Extension, Figure, FigureChange, Report, Target, Transition
from .workflow import ReviewSettings

__all__ = [
    "QUARTER_TITLES",
    "Extension",
    "Figure",
    "FigureChange",
    "Frequency",
    "Indicator",
    "IndicatorSet",
    "Period",
    "Report",
    "ReviewSettings",
    "TableColumn",
    "TableLayout",
    "Target",
    "Transition",
]
