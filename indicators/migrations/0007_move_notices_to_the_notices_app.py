from django.db import migrations


def fill_notices_from_indicators(apps, schema_editor):
    """Every notice so far, kept (read or not) in the notices app, which now holds them all."""
    Old = apps.get_model("indicators", "Notice")
    New = apps.get_model("notices", "Notice")
    for old in Old.objects.select_related("report__unit", "report__period", "period").order_by(
        "id"
    ):
        url = ""
        if old.report_id:
            topic = f"report:{old.report_id}"
            period, unit = old.report.period, old.report.unit
            url = f"/reports/{period.year}Q{period.quarter}/{unit.code}/"
        elif old.period_id:
            topic = f"period:{old.period.year}Q{old.period.quarter}"
        else:
            topic = ""
        new = New.objects.create(
            user_id=old.user_id, kind=old.kind, message=old.message, url=url, topic=topic
        )
        # created_at is set on creation; keep the original time.
        New.objects.filter(pk=new.pk).update(created_at=old.created_at, read_at=old.read_at)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_add_report_source"),
        ("notices", "0001_create_notices"),
    ]

    operations = [
        migrations.RunPython(fill_notices_from_indicators, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notice"),
    ]
