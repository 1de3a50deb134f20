"""The five indicators of the circular's attachment table (DOMAIN.md). The office adds more
in the admin; this only makes a fresh database ready for the table."""

from django.db import migrations

INDICATORS = [
    {
        "code": "invention_grants",
        "name": "发明专利授权量",
        "unit_label": "件",
        "kind": "flow",
        "has_target": True,
        "order": 10,
        "column_title": "发明专利授权量",
        "value_heading": "件数",
        "description": "自1月1日起至本季度末累计获得授权的发明专利件数（以国家知识产权局公布数据为准）。",
    },
    {
        "code": "valid_inventions",
        "name": "有效发明专利拥有量",
        "unit_label": "件",
        "kind": "stock",
        "has_target": True,
        "has_per_capita": True,
        "has_net_growth": True,
        "order": 20,
        "column_title": "有效发明专利拥有量",
        "value_heading": "件 数",
        "description": "本季度末仍然有效的发明专利件数（存量，不是本季度新增）。",
    },
    {
        "code": "certified_enterprises",
        "name": "有效贯标认证企业",
        "unit_label": "家",
        "kind": "stock",
        "order": 30,
        "column_title": "有效贯标\n认证企业",
        "value_heading": "数量\n（家）",
        "description": "本季度末持有有效 GB/T 29490 企业知识产权（合规）管理体系认证证书的企业家数。",
    },
    {
        "code": "pct_applications",
        "name": "PCT国际专利申请",
        "unit_label": "件",
        "kind": "flow",
        "order": 40,
        "column_title": "PCT国际\n专利申请",
        "value_heading": "申请量\n（件）",
        "description": "自1月1日起至本季度末累计提交的PCT国际专利申请件数。",
    },
    {
        "code": "infringement_rulings",
        "name": "专利侵权裁决案件",
        "unit_label": "件",
        "kind": "flow",
        "order": 50,
        "column_title": "专利侵权裁决\n案件（件）",
        "value_heading": "",
        "description": "自1月1日起至本季度末作出行政裁决的专利侵权纠纷案件件数。",
    },
]


def fill(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for data in INDICATORS:
        Indicator.objects.update_or_create(code=data["code"], defaults=data)


def unfill(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(
        code__in=[d["code"] for d in INDICATORS], figures__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_create_indicators_periods_reports")]
    operations = [migrations.RunPython(fill, unfill)]
