"""User names are unique whatever their case (等保: 身份标识唯一): 'TengZhou' and 'tengzhou'
cannot both exist. auth.User is Django's, so the index is added here with SQL that both
PostgreSQL and SQLite understand."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0002_add_admin_roles_and_password_state"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX auth_user_username_ci_uniq ON auth_user (LOWER(username));",
            "DROP INDEX auth_user_username_ci_uniq;",
        )
    ]
