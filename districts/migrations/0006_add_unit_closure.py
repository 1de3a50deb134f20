import django.db.models.deletion
from django.db import migrations, models


def fill_unit_closure(apps, schema_editor):
    Unit = apps.get_model("districts", "Unit")
    UnitClosure = apps.get_model("districts", "UnitClosure")
    parent_of = dict(Unit.objects.values_list("id", "parent_id"))
    rows = []
    for unit_id in parent_of:
        depth, node, seen = 0, unit_id, set()
        while node is not None and node not in seen:
            seen.add(node)
            rows.append(UnitClosure(ancestor_id=node, descendant_id=unit_id, depth=depth))
            node, depth = parent_of.get(node), depth + 1
    UnitClosure.objects.bulk_create(rows, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0005_password_age_known_for_every_account"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("depth", models.PositiveSmallIntegerField()),
                (
                    "ancestor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closure_down",
                        to="districts.unit",
                    ),
                ),
                (
                    "descendant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closure_up",
                        to="districts.unit",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["descendant", "depth"], name="unitclosure_up_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("ancestor", "descendant"), name="unitclosure_unique_pair"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_unit_closure, migrations.RunPython.noop),
    ]
