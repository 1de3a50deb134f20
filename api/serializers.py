"""What the API reads and writes, described once for the responses and the OpenAPI schema.

Figures travel as strings ("195", "0.5"): decimals, never binary floats. Reads are built by
the functions in api.payloads from the selectors the pages use; these serializers give them
their shape and validate what a client sends.
"""

from rest_framework import serializers

# Bounds on what a client may send in one request (besides the body's size).
FIGURES_MAX = 200
CODE_MAX = 50
VALUE_MAX = 40
TEXT_MAX = 2000


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="原因（中文）")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="逐项的原因：键为指标编码或字段名，'' 为整张表",
    )
    version = serializers.IntegerField(required=False, help_text="冲突时：表的当前版本")


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField(help_text="表中名称")
    kind = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="上级单位编码；顶层为 null")
    order = serializers.IntegerField()
    leaf = serializers.BooleanField(help_text="是否没有下级（填报单位）")


class PeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    frequency = serializers.CharField()
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit_label = serializers.CharField()
    kind = serializers.CharField(help_text="flow 累计流量 / stock 存量")
    decimal_places = serializers.IntegerField()
    derived = serializers.BooleanField(help_text="由公式计算，不填报")
    formula = serializers.CharField(allow_blank=True)
    reporting_unit = serializers.CharField(
        allow_null=True, help_text="由指定单位自行填报时的单位编码；null 为最下级单位填报"
    )
    in_table = serializers.BooleanField()


class FigureSerializer(serializers.Serializer):
    unit = serializers.CharField()
    indicator = serializers.CharField()
    value = serializers.CharField(help_text="十进制数字的字符串")
    state = serializers.CharField(help_text="所在填报表的状态")


class CellSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    completion = serializers.CharField(allow_null=True, help_text="完成率（%）")
    gap = serializers.CharField(allow_null=True, help_text="与序时进度之差（百分点）")
    last_year_end = serializers.CharField(allow_null=True)
    net_growth = serializers.CharField(allow_null=True)
    per_capita = serializers.CharField(allow_null=True, help_text="万人比")
    same_last_year = serializers.CharField(allow_null=True)
    yoy = serializers.CharField(allow_null=True, help_text="同比（%）")
    rank = serializers.IntegerField(allow_null=True)
    partial = serializers.BooleanField(help_text="部分单位未报，合计不完整")
    target_partial = serializers.BooleanField()
    expected = serializers.IntegerField()
    reported = serializers.IntegerField()


class RowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    label = serializers.CharField()
    is_total = serializers.BooleanField()
    depth = serializers.IntegerField()
    status = serializers.CharField()
    population = serializers.CharField(allow_null=True, help_text="常住人口（万人）")
    cells = serializers.DictField(child=CellSerializer(), help_text="键为指标编码")


class SummarySerializer(serializers.Serializer):
    period = serializers.CharField()
    unit = serializers.CharField()
    title = serializers.CharField()
    complete = serializers.BooleanField()
    benchmark = serializers.CharField(help_text="序时进度（%）")
    population_year = serializers.IntegerField()
    indicators = IndicatorSerializer(many=True)
    rows = RowSerializer(many=True)
    total = RowSerializer()


class CompletenessRowSerializer(serializers.Serializer):
    unit = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField(help_text="missing 为未开始")
    state_label = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(allow_null=True)
    extension_until = serializers.DateField(allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    period = serializers.CharField()
    unit = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = CompletenessRowSerializer(many=True)


class ReportLineSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    name = serializers.CharField()
    unit_label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    explanation = serializers.CharField(allow_blank=True)
    flag = serializers.CharField(allow_null=True, help_text="需要情况说明的原因")


class ReportSerializer(serializers.Serializer):
    period = serializers.CharField()
    unit = serializers.CharField()
    state = serializers.CharField(
        help_text="missing（尚未保存）、draft、submitted、returned、approved"
    )
    version = serializers.IntegerField(help_text="保存时原样带回，用来发现冲突")
    source = serializers.CharField()
    editable = serializers.BooleanField(help_text="本人现在能否修改")
    blocked = serializers.CharField(allow_blank=True, help_text="不能修改的原因")
    return_reason = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    lines = ReportLineSerializer(many=True)


def _bounded_dict(child, what):
    return serializers.DictField(
        child=child,
        required=False,
        default=dict,
        help_text=f"{what}，键为指标编码，最多 {FIGURES_MAX} 项",
    )


class _FiguresIn(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    figures = _bounded_dict(
        serializers.CharField(max_length=VALUE_MAX, allow_blank=True, allow_null=True), "数值"
    )
    explanations = _bounded_dict(
        serializers.CharField(max_length=TEXT_MAX, allow_blank=True), "情况说明"
    )

    def _check(self, value, what):
        if len(value) > FIGURES_MAX:
            raise serializers.ValidationError(f"{what}最多 {FIGURES_MAX} 项。")
        for key in value:
            if len(key) > CODE_MAX:
                raise serializers.ValidationError(f"指标编码最多 {CODE_MAX} 个字符。")
        return value

    def validate_figures(self, value):
        return self._check(value, "数值")

    def validate_explanations(self, value):
        return self._check(value, "情况说明")

    def raw(self) -> dict:
        """The figures as the entry form's service reads them (``explain_<code>``)."""
        data = self.validated_data
        raw = {code: ("" if v is None else v) for code, v in data["figures"].items()}
        raw.update({f"explain_{code}": text for code, text in data["explanations"].items()})
        return raw


class ReportWriteSerializer(_FiguresIn):
    submit = serializers.BooleanField(
        default=False, help_text="false 保存草稿（可不全填）；true 报送（须全部填写）"
    )


class CorrectionSerializer(_FiguresIn):
    reason = serializers.CharField(max_length=TEXT_MAX, help_text="更正说明")


def paginated(child: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The page envelope of a list (api.limits.Pages) around ``child``."""
    name = child.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": child(many=True),
        },
    )
