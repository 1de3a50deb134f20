"""Loads Zaozhuang's units and the figures of the 2023 上半年 circular, and demo accounts.

Idempotent: running it again creates what is missing and changes nothing that exists, so
what anyone entered or changed since (figures, targets, populations, periods) is kept.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from circulars.demo import load_demo_settings
from districts import services as unit_services
from districts.access import SYSTEM
from districts.models import Population, Profile, Role, Unit, Wording
from indicators import services
from indicators.models import Indicator, IndicatorSet, Period, Report, Target

DEMO_PASSWORD = "Zzip@2023demo"
POP_SOURCE = "2022年枣庄市国民经济和社会发展统计公报（年末常住人口）"

# code, division code, name, table name, kind, order, clerk username, population (万人)
UNITS = [
    ("370481", "370481", "滕州市", "滕州市", Unit.Kind.DISTRICT, 10, "tengzhou", "157.41"),
    ("370403", "370403", "薛城区", "薛城区", Unit.Kind.DISTRICT, 20, "xuecheng", "48.57"),
    ("370402", "370402", "市中区", "市中区", Unit.Kind.DISTRICT, 30, "shizhong", "63.27"),
    ("370406", "370406", "山亭区", "山亭区", Unit.Kind.DISTRICT, 40, "shanting", "40.66"),
    ("370404", "370404", "峄城区", "峄城区", Unit.Kind.DISTRICT, 50, "yicheng", "36.24"),
    ("370405", "370405", "台儿庄区", "台儿庄区", Unit.Kind.DISTRICT, 60, "taierzhuang", "30.51"),
    ("370400GX", "", "枣庄高新区", "高新区", Unit.Kind.ZONE, 70, "gaoxin", "10.79"),
]
CITY = ("370400", "370400", "枣庄市", "", "385.40")

# The seed's table for 2023 Q2: grants, grants target, valid, valid target, certified, PCT,
# rulings; and the end-2022 valid inventions implied by its net growth column.
SEED_Q2 = {
    "370481": (104, 196, 828, 869, 3, 0, 0, 739),
    "370403": (41, 75, 628, 646, 3, 0, 0, 596),
    "370402": (68, 183, 572, 658, 1, 3, 2, 537),
    "370406": (33, 41, 185, 190, 0, 0, 0, 163),
    "370404": (16, 60, 353, 374, 4, 0, 0, 334),
    "370405": (21, 44, 367, 375, 0, 1, 0, 346),
    "370400GX": (43, 138, 574, 628, 21, 1, 0, 537),
}


# The city-wide figures of the 2023 上半年 circular's text, which no district breaks down:
# code, name, unit, kind, decimal places, value.
CITY_FIGURES = [
    ("new_trademarks", "新增国内注册商标", "件", "flow", 0, 3249),
    ("valid_trademarks", "有效注册商标", "件", "stock", 0, 63921),
    ("well_known_marks", "驰名商标", "件", "stock", 0, 17),
    ("gi_products", "地理标志保护产品", "个", "stock", 0, 4),
    ("gi_marks", "地理标志证明商标", "件", "stock", 0, 29),
    ("madrid_marks", "马德里国际注册商标", "件", "stock", 0, 145),
    ("insured_enterprises", "专利保险投保企业", "家", "flow", 0, 13),
    ("insured_patents", "专利保险投保专利", "件", "flow", 0, 229),
    ("insurance_premium", "专利保险保费", "万元", "flow", 2, 115),
    ("insurance_subsidy", "专利保险保费补贴", "万元", "flow", 2, 69),
    ("aid_cases", "知识产权维权援助案件", "件", "flow", 0, 9),
    ("ecommerce_cases", "电商领域专利侵权纠纷案件", "件", "flow", 0, 5),
]


def _on(day: datetime.date) -> datetime.datetime:
    """The history's submission time: the morning of its deadline, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


class Command(BaseCommand):
    help = (
        "加载演示数据：枣庄市各区(市)、人口、2022年底存量、2023年目标与上半年数据，以及演示账号。"
    )

    def handle(self, *args, **options):
        if not settings.ALLOW_DEMO:
            raise CommandError(
                "演示数据带有公开的演示密码，生产环境不能加载。"
                "开发环境请设 DEBUG=1（make run 已设置）。"
            )
        with transaction.atomic():
            self._load()

    def _load(self):
        User = get_user_model()
        # Zaozhuang's own words: every page's and file's name, 市局 in messages.
        if not Wording.objects.exists():
            unit_services.wording_save(
                actor=SYSTEM,
                system_name="枣庄市知识产权指标填报与统计系统",
                office_name="枣庄市知识产权战略实施工作领导小组办公室",
                office_short="市局",
                levels=[],
            )
        city = self._unit(
            code=CITY[0],
            division_code=CITY[1],
            name=CITY[2],
            short_name=CITY[3],
            kind=Unit.Kind.CITY,
            parent=None,
            population=CITY[4],
        )
        units = {}
        for code, division, name, short, kind, order, _user, pop in UNITS:
            units[code] = self._unit(
                code=code,
                division_code=division,
                name=name,
                short_name=short,
                kind=kind,
                order=order,
                parent=city,
                population=pop,
            )

        office = self._account(User, "office", "市局工作人员", city, Role.OFFICE)
        self._account(User, "viewer", "领导（查看）", city, Role.VIEWER)
        self._account(User, "sysadmin", "系统管理员", city, Role.SYSADMIN)
        self._account(User, "auditor", "审计管理员", city, Role.AUDITOR)
        for code, _div, name, _short, _kind, _order, username, _pop in UNITS:
            self._account(User, username, f"{name}填报员", units[code], Role.CLERK)

        grants = Indicator.objects.get(code="invention_grants")
        valid = Indicator.objects.get(code="valid_inventions")
        added = self._city_indicators(city)
        end_2022 = self._period(2022, 4, Period.Status.CLOSED, datetime.date(2023, 1, 15), added)
        q2 = self._period(2023, 2, Period.Status.CLOSED, datetime.date(2023, 7, 15), added)
        for code, (g, g_target, v, v_target, cert, pct, rulings, v_2022) in SEED_Q2.items():
            unit = units[code]
            for indicator, target in ((grants, g_target), (valid, v_target)):
                if not Target.objects.filter(unit=unit, indicator=indicator, year=2023).exists():
                    services.target_set(
                        actor=SYSTEM,
                        unit=unit,
                        indicator=indicator,
                        year=2023,
                        value=target,
                        via="演示数据",
                    )
            if Report.objects.filter(unit=unit, period__in=[end_2022, q2]).exists():
                continue  # loaded before: what the office did with it since is kept
            services.history_record(
                actor=office,
                unit=unit,
                period="2022Q4",
                values={"valid_inventions": v_2022},
                submitted_at=_on(end_2022.deadline),
                via="演示数据",
            )
            services.history_record(
                actor=office,
                unit=unit,
                period="2023Q2",
                values={
                    "invention_grants": g,
                    "valid_inventions": v,
                    "certified_enterprises": cert,
                    "pct_applications": pct,
                    "infringement_rulings": rulings,
                },
                submitted_at=_on(q2.deadline),
                via="演示数据",
            )
        if not Report.objects.filter(unit=city, period=q2).exists():
            services.history_record(
                actor=office,
                unit=city,
                period="2023Q2",
                values={code: value for code, *_rest, value in CITY_FIGURES},
                submitted_at=_on(q2.deadline),
                via="演示数据",
            )
        q3 = self._period(
            2023, 3, Period.Status.OPEN, timezone.localdate() + datetime.timedelta(days=14), []
        )
        load_demo_settings()  # the circular's 版头, number, addressees and sections

        self.stdout.write(
            self.style.SUCCESS(
                "演示数据已就绪：枣庄市 7 个区(市)、2023年上半年数据（已审核）、"
                f"2023年前三季度开放填报（演示用截止日期 {q3.deadline:%Y-%m-%d}）。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write("  office       市局工作人员（汇总表、导出、管理后台 /admin/）")
        self.stdout.write("  viewer       领导（查看汇总表）")
        self.stdout.write("  sysadmin     系统管理员（账号管理，不看业务数据）")
        self.stdout.write("  auditor      审计管理员（只看审计日志）")
        for _code, _div, name, _short, _kind, _order, username, _pop in UNITS:
            self.stdout.write(f"  {username:<12} {name}填报员")

    def _city_indicators(self, city) -> list[str]:
        """The city-wide figures of the circular's text, entered by the office for the city
        itself (no district breakdown); the codes created now."""
        quarterly = IndicatorSet.objects.order_by("order", "pk").first()
        created = []
        for order, (code, name, label, kind, places, _value) in enumerate(CITY_FIGURES, start=100):
            if Indicator.objects.filter(code=code).exists():
                continue
            services.indicator_save(
                actor=SYSTEM,
                code=code,
                name=name,
                indicator_set=quarterly,
                unit_label=label,
                kind=kind,
                decimal_places=places,
                order=order,
                in_table=False,
                reporter=Indicator.Reporter.UNIT,
                reporting_unit=city,
                first_period="2023Q1",
                yoy_threshold=None,
            )
            created.append(code)
        return created

    def _period(self, year, number, status, deadline, added) -> Period:
        """The quarter, created through the period service (a closed one keeps its indicators);
        one closed before the demo's indicators existed is closed again with them."""
        period = Period.objects.filter(frequency="Q", year=year, number=number).first()
        if period is None:
            return services.period_save(
                actor=SYSTEM,
                frequency="Q",
                year=year,
                number=number,
                status=status,
                deadline=deadline,
            )
        frozen = {row["code"] for row in (period.frozen or {}).get("indicators", [])}
        if period.status == Period.Status.CLOSED and set(added) - frozen:
            services.period_save(actor=SYSTEM, period=period, status=Period.Status.OPEN)
            services.period_save(actor=SYSTEM, period=period, status=Period.Status.CLOSED)
        return period

    def _unit(self, *, population, **fields) -> Unit:
        """The unit of ``code`` as it is, or created through the unit service (its tree)."""
        unit = Unit.objects.filter(code=fields["code"]).first()
        if unit is None:
            unit = unit_services.unit_save(actor=SYSTEM, via="演示数据", **fields).obj
        if not Population.objects.filter(unit=unit, year=2022).exists():
            unit_services.population_save(
                actor=SYSTEM,
                unit=unit,
                year=2022,
                value=population,
                source=POP_SOURCE,
                via="演示数据",
            )
        return unit

    def _account(self, User, username, full_name, unit, role):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # Demo accounts skip the first-login password change so that a new user can walk
        # every path at once; real accounts (admin, create_account) must change theirs.
        Profile.objects.get_or_create(
            user=user,
            defaults={
                "unit": unit,
                "role": role,
                "must_change_password": False,
                "password_changed_at": timezone.now(),
            },
        )
        return user
