"""Every password has an age, so every password expires: a profile made without a time (an
account created in the admin before this release) starts its 90 days now, and new profiles
default to the time they are made."""

import django.utils.timezone
from django.db import migrations, models


def fill_password_changed_at(apps, schema_editor):
    Profile = apps.get_model("districts", "Profile")
    Profile.objects.filter(password_changed_at__isnull=True).update(
        password_changed_at=django.utils.timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("districts", "0004_usernames_unique_after_normalising")]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="password_changed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                null=True,
                verbose_name="密码修改时间",
            ),
        ),
        migrations.RunPython(fill_password_changed_at, migrations.RunPython.noop),
    ]
