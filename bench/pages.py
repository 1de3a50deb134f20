"""Benchmark: the office's pages on a generated national tree, run by hand.

    .venv/bin/python bench/pages.py [--sizes 3k,30k] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zzip_bench .venv/bin/python bench/pages.py

Through Django's test client (no network, one process), an office account of the nation
opens the dashboard (its trend included) and the summary table of the nation, a province and
a city, and downloads the nation's Excel file; each timed twice: computed (the cache off) and
as the second visitor sees it (the shared cache on, nothing changed since). Goals (issue 13):
the nation's dashboard ≤ 300 ms on the 3k tree and ≤ 1 s on the 30k tree, a province's
≤ 100 ms. Prints the median of the runs and each page's queries.
"""

from __future__ import annotations

import argparse
import statistics
import time

import _tree
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from districts.models import Profile

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def office_of(unit):
    user, _ = get_user_model().objects.get_or_create(username="bench_office")
    Profile.objects.update_or_create(
        user=user, defaults={"unit": unit, "role": "office", "must_change_password": False}
    )
    client = Client()
    client.force_login(user)
    return client


def measure(client, url: str, repeat: int) -> tuple[int, float]:
    assert client.get(url).status_code == 200, url  # warms the cache where there is one
    queries = []
    # Counted as they run (a request's start empties connection.queries).
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return len(queries), statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3k,30k")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"database: {connection.vendor}; median of {args.repeat}")
    print(f"{'tree':>6} {'page':26} {'queries':>7} {'computed':>10} {'cached':>10}")
    for size in args.sizes.split(","):
        t = _tree.tree(size)
        client = office_of(t.nation)
        code = t.period.code
        pages = [
            ("dashboard nation", reverse("indicators:dashboard", args=[code, t.nation.code])),
            ("dashboard province", reverse("indicators:dashboard", args=[code, t.province.code])),
            ("summary nation", reverse("indicators:summary", args=[code, t.nation.code])),
            ("summary province", reverse("indicators:summary", args=[code, t.province.code])),
            ("summary city", reverse("indicators:summary", args=[code, t.city.code])),
            ("Excel nation", reverse("indicators:summary_xlsx", args=[code, t.nation.code])),
        ]
        for label, url in pages:
            with override_settings(CACHES=NO_CACHE):
                queries, computed = measure(client, url, args.repeat)
            _q, cached = measure(client, url, args.repeat)
            print(
                f"{t.units:>6} {label:26} {queries:>7} {computed * 1000:>8.1f}ms "
                f"{cached * 1000:>8.1f}ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
