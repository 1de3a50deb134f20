"""Forms only collect and show; the rules live in indicators.services."""

from django import forms

from .table import format_figure


def _text(value) -> str:
    return "" if value is None else f"{value.normalize():f}"


class ReportForm(forms.Form):
    """One text input per active indicator, plus the version the clerk started from.

    Inputs are text with a numeric keyboard rather than type=number, so that whatever a clerk
    types reaches the server and gets a clear message instead of being dropped by the browser.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            ind = line.indicator
            self.fields[ind.code] = forms.CharField(
                label=f"{ind.name}（{ind.unit_label}）",
                required=False,
                help_text=ind.description,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric" if ind.decimal_places == 0 else "decimal",
                        "autocomplete": "off",
                        "class": "figure-input",
                        "data-kind": ind.kind,
                        "data-places": ind.decimal_places,
                        "data-unit": ind.unit_label,
                        "data-target": "" if line.target is None else f"{line.target:f}",
                        "data-benchmarked": "1" if ind.is_benchmarked else "",
                        # The bounds the service enforces (indicators.rules.cumulative_bounds),
                        # for the live feedback only.
                        "data-low": _text(line.bounds.low),
                        "data-low-title": line.bounds.low_title,
                        "data-high": _text(line.bounds.high),
                        "data-high-title": line.bounds.high_title,
                    }
                ),
            )
            self.fields[f"explain_{ind.code}"] = forms.CharField(
                label=f"{ind.name}情况说明",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            if not self.is_bound:
                if line.current is not None:
                    self.initial[ind.code] = format_figure(line.current, ind.decimal_places)
                self.initial[f"explain_{ind.code}"] = line.explanation

    def bound_lines(self):
        """(line, figure field, explanation field) in indicator order, for the template."""
        return [
            (line, self[line.indicator.code], self[f"explain_{line.indicator.code}"])
            for line in self.lines
        ]
