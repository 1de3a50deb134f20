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

from districts import services as unit_services
from districts.access import SYSTEM
from districts.models import Population, Profile, Role, Unit
from indicators import services
from indicators.models import Indicator, Period, Report, Target

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
        end_2022, _ = Period.objects.get_or_create(
            year=2022,
            quarter=4,
            defaults={"status": Period.Status.CLOSED, "deadline": datetime.date(2023, 1, 15)},
        )
        q2, _ = Period.objects.get_or_create(
            year=2023,
            quarter=2,
            defaults={"status": Period.Status.CLOSED, "deadline": datetime.date(2023, 7, 15)},
        )
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
                year=2022,
                quarter=4,
                values={"valid_inventions": v_2022},
                submitted_at=_on(end_2022.deadline),
                via="演示数据",
            )
            services.history_record(
                actor=office,
                unit=unit,
                year=2023,
                quarter=2,
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
        q3, _ = Period.objects.get_or_create(
            year=2023,
            quarter=3,
            defaults={
                "status": Period.Status.OPEN,
                "deadline": timezone.localdate() + datetime.timedelta(days=14),
            },
        )

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
