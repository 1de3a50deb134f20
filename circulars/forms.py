"""The office's parts of a circular, as typed: these forms only turn fields into the
service's arguments; circulars.services decides what is allowed."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from indicators.circular import SECTION_NAMES

from .services import MAX_BLOCKS

KIND_CHOICES = [
    ("", _("（选择类别）")),
    ("p", _("正文段落")),
    ("h1", _("一级标题")),
    ("h2", _("二级标题")),
    *(
        (f"data:{key}", format_lazy("{}{}", _("数据段落："), name))
        for key, name in SECTION_NAMES.items()
    ),
]


class CircularForm(forms.Form):
    addressees = forms.CharField(label=_("主送机关"), max_length=300, required=False)
    signature = forms.CharField(label=_("署名"), max_length=80, required=False)
    date = forms.DateField(
        label=_("成文日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("空着则为印发当日。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BlockForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=KIND_CHOICES,
        required=False,
        widget=forms.Select(attrs={"aria-label": _("类别")}),
    )
    text = forms.CharField(
        label=_("文字"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-label": _("文字")}),
        help_text=_("数据段落由系统按数据生成，不用填写。"),
    )

    def block(self) -> dict:
        kind = self.cleaned_data["kind"]
        if kind.startswith("data:"):
            return {"kind": "data", "text": "", "section": kind.removeprefix("data:")}
        return {"kind": kind, "text": self.cleaned_data.get("text", ""), "section": ""}


BlockFormSet = forms.formset_factory(
    BlockForm,
    extra=2,
    can_delete=True,
    can_order=True,
    max_num=MAX_BLOCKS,
    absolute_max=MAX_BLOCKS + 10,
    validate_max=True,
)


def initial_blocks(blocks: list[dict]) -> list[dict]:
    return [
        {
            "kind": f"data:{b['section']}" if b["kind"] == "data" else b["kind"],
            "text": b.get("text", ""),
            "ORDER": i,
        }
        for i, b in enumerate(blocks, start=1)
    ]


def blocks_from(formset) -> list[dict]:
    """The kept blocks in the order the office numbered them: rows marked 删除 and rows
    without a kind (the empty ones for new paragraphs) are left out."""
    return [f.block() for f in formset.ordered_forms if f.cleaned_data.get("kind")]


class CorrectionForm(forms.Form):
    date = forms.DateField(
        label=_("成文日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("空着则为今天。"),
    )
