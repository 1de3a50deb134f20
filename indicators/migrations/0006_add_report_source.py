from django.db import migrations, models


def fill_report_source(apps, schema_editor):
    """Until now history was told apart by the absence of transitions: an approved report
    that was never submitted through the system was imported (or loaded by the demo)."""
    Report = apps.get_model("indicators", "Report")
    Transition = apps.get_model("indicators", "Transition")
    submitted = Transition.objects.filter(to_state="submitted").values("report_id")
    Report.objects.filter(state="approved").exclude(pk__in=submitted).update(source="history")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_reasons_and_notices_of_any_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="source",
            field=models.CharField(
                choices=[("entered", "填报（经审核）"), ("history", "历史数据导入")],
                default="entered",
                help_text="填报：由单位填报、经审核；历史数据：由市局作为已审核的往期数据导入。",
                max_length=10,
                verbose_name="来源",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                help_text="每次保存或审核加一，用来发现两人同时修改（或在旧页面上审核）。",
                verbose_name="版本",
            ),
        ),
        migrations.RunPython(fill_report_source, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("source", "entered"),
                    models.Q(("source", "history"), ("state", "approved")),
                    _connector="OR",
                ),
                name="report_history_is_approved",
            ),
        ),
    ]
