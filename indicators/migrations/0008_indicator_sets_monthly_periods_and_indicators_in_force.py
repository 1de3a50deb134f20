import django.db.models.deletion
from django.db import migrations, models

QUARTER_SET = "季度通报指标"

# The indicator fields a closed period keeps (indicators.catalog.FROZEN_FIELDS, as of this
# migration).
FROZEN_FIELDS = (
    "id",
    "code",
    "name",
    "unit_label",
    "kind",
    "has_target",
    "has_per_capita",
    "has_net_growth",
    "decimal_places",
    "order",
    "in_table",
    "yoy_threshold",
    "column_title",
    "value_heading",
    "description",
    "reporter",
    "reporting_unit_id",
    "formula",
)


def fill_indicator_sets(apps, schema_editor):
    """Every indicator so far was quarterly: they form the quarterly set. One switched off
    ("启用" unticked) is retired after the last closed quarter."""
    IndicatorSet = apps.get_model("indicators", "IndicatorSet")
    Indicator = apps.get_model("indicators", "Indicator")
    Period = apps.get_model("indicators", "Period")
    quarterly, _ = IndicatorSet.objects.get_or_create(name=QUARTER_SET, defaults={"frequency": "Q"})
    Indicator.objects.update(indicator_set=quarterly)
    last_closed = Period.objects.filter(status="closed").order_by("-year", "-quarter").first()
    last = f"{last_closed.year}Q{last_closed.quarter}" if last_closed else "2000Q1"
    Indicator.objects.filter(active=False).update(last_period=last)


def fill_frozen_periods(apps, schema_editor):
    """A closed period keeps the indicators it was closed with."""
    Indicator = apps.get_model("indicators", "Indicator")
    Period = apps.get_model("indicators", "Period")
    for period in Period.objects.filter(status="closed"):
        frozen = []
        for ind in Indicator.objects.order_by("order", "code"):
            if ind.last_period and _key(ind.last_period) < (period.year, period.number):
                continue
            row = {}
            for name in FROZEN_FIELDS:
                value = getattr(ind, name)
                row[name] = format(value, "f") if hasattr(value, "as_tuple") else value
            frozen.append(row)
        period.frozen = {"indicators": frozen}
        period.save(update_fields=["frozen"])


def _key(code):
    year, number = int(code[:4]), int(code[5:] or 1)
    return (year, number)


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0006_add_unit_closure"),
        ("indicators", "0007_move_notices_to_the_notices_app"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndicatorSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="名称")),
                (
                    "frequency",
                    models.CharField(
                        choices=[("M", "月度"), ("Q", "季度"), ("Y", "年度")],
                        default="Q",
                        max_length=1,
                        verbose_name="填报频率",
                    ),
                ),
                ("order", models.PositiveIntegerField(default=0, verbose_name="排列顺序")),
            ],
            options={
                "verbose_name": "指标组",
                "verbose_name_plural": "指标组",
                "ordering": ["order", "name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("frequency__in", ["M", "Q", "Y"])),
                        name="indicatorset_frequency_valid",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="indicator",
            name="indicator_set",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="indicators.indicatorset",
                verbose_name="指标组",
                help_text="决定填报频率（月度、季度、年度）。",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="first_period",
            field=models.CharField(
                blank=True,
                help_text="从哪一期起填报，如 2023Q1、2025M01；留空表示一直在用。",
                max_length=10,
                verbose_name="首个填报期",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="last_period",
            field=models.CharField(
                blank=True,
                help_text="停用时填最后一期，如 2024Q4；之后的填报期不再有这个指标，之前的不受影响。",
                max_length=10,
                verbose_name="最后填报期",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="reporter",
            field=models.CharField(
                choices=[
                    ("leaves", "各基层填报单位（上级为下级之和）"),
                    ("unit", "指定单位自行填报"),
                ],
                default="leaves",
                max_length=10,
                verbose_name="由谁填报",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="reporting_unit",
            field=models.ForeignKey(
                blank=True,
                help_text="“指定单位自行填报”时：哪个单位填报（如全市的商标数由市局填报）。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="own_indicators",
                to="districts.unit",
                verbose_name="填报单位",
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="formula",
            field=models.CharField(
                blank=True,
                help_text="由其他指标计算、不填报时填写，如 invention + utility + design，或 high_value / 常住人口；可用 + - * / 和括号。留空表示由单位填报。",
                max_length=300,
                verbose_name="计算公式",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="code",
            field=models.SlugField(
                help_text="字母、数字和下划线，如 invention_grants；公式中用它指代这个指标。",
                max_length=40,
                unique=True,
                verbose_name="编码",
            ),
        ),
        migrations.RunPython(fill_indicator_sets, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="indicator",
            name="indicator_set",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="indicators",
                to="indicators.indicatorset",
                verbose_name="指标组",
                help_text="决定填报频率（月度、季度、年度）。",
            ),
        ),
        migrations.RemoveField(model_name="indicator", name="active"),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reporter", "leaves"), ("reporting_unit__isnull", True)),
                    models.Q(("reporter", "unit"), ("reporting_unit__isnull", False)),
                    _connector="OR",
                ),
                name="indicator_reporting_unit_with_unit_reporter",
            ),
        ),
        migrations.RemoveConstraint(model_name="period", name="period_unique_year_quarter"),
        migrations.RemoveConstraint(model_name="period", name="period_quarter_1_to_4"),
        migrations.AddField(
            model_name="period",
            name="frequency",
            field=models.CharField(
                choices=[("M", "月度"), ("Q", "季度"), ("Y", "年度")],
                default="Q",
                max_length=1,
                verbose_name="频率",
            ),
        ),
        migrations.RenameField(model_name="period", old_name="quarter", new_name="number"),
        migrations.AlterField(
            model_name="period",
            name="number",
            field=models.PositiveSmallIntegerField(
                help_text="季度 1–4（2 即上半年）；月度 1–12；年度 1。", verbose_name="第几期"
            ),
        ),
        migrations.AddField(
            model_name="period",
            name="frozen",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="截止时的指标"
            ),
        ),
        migrations.AlterModelOptions(
            name="period",
            options={
                "ordering": ["-year", "-number", "frequency"],
                "verbose_name": "填报期",
                "verbose_name_plural": "填报期",
            },
        ),
        migrations.AlterModelOptions(
            name="report",
            options={
                "ordering": ["-period__year", "-period__number", "unit__order"],
                "verbose_name": "填报表",
                "verbose_name_plural": "填报表",
            },
        ),
        migrations.AddConstraint(
            model_name="period",
            constraint=models.UniqueConstraint(
                fields=("frequency", "year", "number"), name="period_unique_frequency_year_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="period",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("frequency", "Q"), ("number__gte", 1), ("number__lte", 4)),
                    models.Q(("frequency", "M"), ("number__gte", 1), ("number__lte", 12)),
                    models.Q(("frequency", "Y"), ("number", 1)),
                    _connector="OR",
                ),
                name="period_number_fits_frequency",
            ),
        ),
        migrations.RunPython(fill_frozen_periods, migrations.RunPython.noop),
    ]
