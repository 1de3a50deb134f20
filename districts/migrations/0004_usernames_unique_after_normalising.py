"""One user name, however it is typed (districts.identity): each profile keeps its name in
the normalised form (NFKC, casefold) in a unique column, so a second spelling of a taken name
(ＯＦＦＩＣＥ, ſyſadmin, Oﬃce) is refused by the database as well as by the forms."""

from django.db import migrations, models


def fill_profile_username_keys(apps, schema_editor):
    from districts.identity import normalize_username

    Profile = apps.get_model("districts", "Profile")
    seen = {}
    for profile in Profile.objects.select_related("user").order_by("id"):
        key = normalize_username(profile.user.username)
        if key in seen:
            raise RuntimeError(
                f"用户名 {profile.user.username!r} 与 {seen[key]!r} 规范化后相同（{key!r}）："
                "请先在管理后台给其中一个改名或删除它，再运行 migrate。"
            )
        seen[key] = profile.user.username
        profile.username_key = key
        profile.save(update_fields=["username_key"])


class Migration(migrations.Migration):
    dependencies = [("districts", "0003_usernames_unique_ignoring_case")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="username_key",
            field=models.CharField(
                editable=False, max_length=150, null=True, verbose_name="规范化用户名"
            ),
        ),
        migrations.RunPython(fill_profile_username_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="profile",
            name="username_key",
            field=models.CharField(
                editable=False, max_length=150, unique=True, verbose_name="规范化用户名"
            ),
        ),
    ]
