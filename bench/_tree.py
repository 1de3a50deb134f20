"""Generated national trees for the benchmarks, built once and kept (run by hand, never tests).

A tree is a nation, 31 provinces, N cities per province and 9 districts per city; every
district has an approved report for the period (2023Q2), the end of last year (2022Q4) and
the same period last year (2022Q2), a target for each indicator that has one, and every unit a
2022 population. Sizes: ``300`` (1 city per province, 342 units), ``3k`` (10, 3,132) and
``30k`` (100, 31,032).

Where it lives: on SQLite (no ``DATABASE_URL``) in ``bench/.data/tree-<size>.sqlite3``; on
PostgreSQL in a database of its own named after ``DATABASE_URL``'s plus ``_<size>`` (e.g.
``zzip_bench_3k`` for ``postgres://postgres@127.0.0.1:5432/zzip_bench``). A tree that is
there is reused (it is built in one transaction, so it is whole or absent). Never the test database.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzip.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

PROVINCES = 31
DISTRICTS_PER_CITY = 9
SIZES = {"300": 1, "3k": 10, "30k": 100}  # size → cities per province
YEAR = 2023
NATION_CODE = "100000"
BASE_NAME = connection.settings_dict["NAME"]


def units_in(size: str) -> int:
    cities = PROVINCES * SIZES[size]
    return 1 + PROVINCES + cities + cities * DISTRICTS_PER_CITY


@dataclass
class Tree:
    size: str
    units: int
    nation: object
    province: object
    city: object
    period: object


def use_database(suffix: str) -> None:
    """Points the connection at the bench's own database ``suffix`` (created if need be)."""
    connection.close()
    if connection.vendor == "sqlite":
        (BENCH_DIR / ".data").mkdir(exist_ok=True)
        connection.settings_dict["NAME"] = str(BENCH_DIR / ".data" / f"tree-{suffix}.sqlite3")
        return
    name = f"{BASE_NAME}_{suffix}"
    if name.startswith("test_") or BASE_NAME.startswith("test_"):
        sys.exit(f"refusing to build a bench tree in a test database ({name})")
    connection.settings_dict["NAME"] = "postgres"  # to create ours
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            connection.connection.autocommit = True
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    connection.settings_dict["NAME"] = name


def _whole(size: str) -> bool:
    from districts.models import Unit
    from indicators.models import Period

    try:
        return (
            Unit.objects.count() == units_in(size)
            and Period.objects.filter(year=YEAR, number=2, frequency="Q").exists()
        )
    except Exception:
        return False


def tree(size: str, *, quiet: bool = False) -> Tree:
    """The generated tree of ``size``, built the first time (a minute for 30k on SQLite)."""
    from districts.models import Unit
    from indicators.models import Period

    use_database(size)
    if not _whole(size):
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        _build(size)
        if not quiet:
            print(f"built the {size} tree in {time.perf_counter() - t0:.0f} s", flush=True)
    call_command("createcachetable", verbosity=0)
    nation = Unit.objects.get(code=NATION_CODE)
    province = Unit.objects.filter(parent=nation).order_by("order", "code").first()
    city = Unit.objects.filter(parent=province).order_by("order", "code").first()
    period = Period.objects.get(frequency="Q", year=YEAR, number=2)
    return Tree(size, units_in(size), nation, province, city, period)


def _build(size: str) -> None:
    from districts.models import Population, Unit
    from districts.tree import closure_rebuild
    from indicators.catalog import freeze
    from indicators.models import Figure, Indicator, Period, Report, Target

    cities_per_province = SIZES[size]
    with transaction.atomic():
        indicators = list(Indicator.objects.filter(reporter="leaves", formula=""))
        periods = {
            key: Period.objects.create(frequency="Q", year=y, number=n, status="closed")
            for key, (y, n) in {"current": (YEAR, 2), "year_end": (YEAR - 1, 4)}.items()
        }
        periods["last_year"] = Period.objects.create(
            frequency="Q", year=YEAR - 1, number=2, status="closed"
        )
        for period in periods.values():
            period.frozen = freeze(period)
            period.save()
        nation = Unit.objects.create(code=NATION_CODE, name="全国", kind="nation")
        provinces = Unit.objects.bulk_create(
            Unit(code=f"P{p:02d}", name=f"省{p:02d}", kind="province", parent=nation, order=p)
            for p in range(PROVINCES)
        )
        cities = Unit.objects.bulk_create(
            Unit(
                code=f"C{p:02d}{c:03d}",
                name=f"市{p:02d}-{c:03d}",
                kind="city",
                parent=prov,
                order=c,
            )
            for p, prov in enumerate(provinces)
            for c in range(cities_per_province)
        )
        districts = Unit.objects.bulk_create(
            (
                Unit(
                    code=f"D{city.code[1:]}{d}",
                    name=f"区{city.code[1:]}-{d}",
                    kind="district",
                    parent=city,
                    order=d,
                )
                for city in cities
                for d in range(DISTRICTS_PER_CITY)
            ),
            batch_size=2000,
        )
        every = [nation, *provinces, *cities, *districts]
        closure_rebuild()
        Population.objects.bulk_create(
            (
                Population(
                    unit=u, year=YEAR - 1, value=Decimal(30 + n % 70) + Decimal(n % 97) / 100
                )
                for n, u in enumerate(every)
            ),
            batch_size=5000,
        )
        Target.objects.bulk_create(
            (
                Target(unit=d, indicator=i, year=YEAR, value=Decimal(40 + (n * 5 + k) % 37))
                for n, d in enumerate(districts)
                for k, i in enumerate(indicators)
                if i.has_target
            ),
            batch_size=5000,
        )
        # Figures that differ by unit, indicator and period, so that every ratio is exercised.
        shift = {"current": 0, "year_end": -3, "last_year": -6}
        for key, period in periods.items():
            reports = Report.objects.bulk_create(
                (Report(unit=d, period=period, state="approved") for d in districts),
                batch_size=5000,
            )
            Figure.objects.bulk_create(
                (
                    Figure(
                        report=r,
                        indicator=i,
                        value=Decimal(12 + (n * 7 + k * 3) % 23 + shift[key] + (n % 3)),
                    )
                    for n, r in enumerate(reports)
                    for k, i in enumerate(indicators)
                ),
                batch_size=5000,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a production database's statistics would be
