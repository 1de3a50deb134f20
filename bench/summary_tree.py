"""Benchmark: the summary of a national-size tree (~3,200 units), run by hand.

    DEBUG=1 SECRET_KEY=bench .venv/bin/python bench/summary_tree.py [--cities 10] [--districts 9]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zzip ... bench/summary_tree.py

It builds a throw-away test database (never touches your data): one country, 31 provinces,
N cities per province and M districts per city, each district with an approved report for
the period, last year's Q4 and the same quarter last year, targets and populations. Then it
times summarize() for the country, one province and one city, and prints the queries each
needed and the best of five timings. The DOMAIN rule it checks: a summary reads a fixed
handful of sets whatever the tree's size.
"""

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzip.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PROVINCES = 31


def build(cities_per_province: int, districts_per_city: int):
    from districts.models import Population, Unit
    from districts.tree import closure_rebuild
    from indicators.catalog import freeze
    from indicators.models import Figure, Indicator, Period, Report, Target

    indicators = list(Indicator.objects.filter(reporter="leaves", formula=""))
    periods = [
        Period.objects.create(frequency="Q", year=2023, number=2, status="closed"),
        Period.objects.create(frequency="Q", year=2022, number=4, status="closed"),
        Period.objects.create(frequency="Q", year=2022, number=2, status="closed"),
    ]
    for period in periods:
        period.frozen = freeze(period)
        period.save()
    country = Unit.objects.create(code="100000", name="全国", kind="province")
    provinces = Unit.objects.bulk_create(
        Unit(code=f"P{p:02d}", name=f"省{p}", kind="province", parent=country, order=p)
        for p in range(PROVINCES)
    )
    cities = Unit.objects.bulk_create(
        Unit(code=f"C{p:02d}{c:02d}", name=f"市{p}-{c}", kind="city", parent=prov, order=c)
        for p, prov in enumerate(provinces)
        for c in range(cities_per_province)
    )
    districts = Unit.objects.bulk_create(
        Unit(
            code=f"D{city.code}{d:02d}",
            name=f"区{city.code}-{d}",
            kind="district",
            parent=city,
            order=d,
        )
        for city in cities
        for d in range(districts_per_city)
    )
    every = [country, *provinces, *cities, *districts]
    closure_rebuild()  # a tree loaded in bulk, as the unit service's own tool does
    Population.objects.bulk_create(
        Population(unit=u, year=2022, value=Decimal("50.00"), source="bench") for u in every
    )
    with_target = [i for i in indicators if i.has_target]
    Target.objects.bulk_create(
        Target(unit=d, indicator=i, year=2023, value=Decimal(100))
        for d in districts
        for i in with_target
    )
    for period in periods:
        reports = Report.objects.bulk_create(
            Report(unit=d, period=period, state="approved") for d in districts
        )
        Figure.objects.bulk_create(
            Figure(report=r, indicator=i, value=Decimal(7 + n % 11))
            for n, r in enumerate(reports)
            for i in indicators
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a production database's statistics would be
    return country, provinces[0], cities[0], periods[0], len(every)


def measure(period, unit):
    from indicators.selectors import summarize

    with CaptureQueriesContext(connection) as ctx:
        summarize(period, unit)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        summarize(period, unit)
        best = min(best, time.perf_counter() - start)
    return len(ctx.captured_queries), best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=10, help="cities per province")
    parser.add_argument("--districts", type=int, default=9, help="districts per city")
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        country, province, city, period, n_units = build(args.cities, args.districts)
        print(
            f"database: {connection.vendor}; units: {n_units}; "
            f"built in {time.perf_counter() - t0:.1f} s"
        )
        for label, unit in (("country", country), ("province", province), ("city", city)):
            queries, seconds = measure(period, unit)
            rows = unit.children.count()
            print(
                f"summarize({label:8}) rows={rows:4}  queries={queries:2}  "
                f"best={seconds * 1000:8.1f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
