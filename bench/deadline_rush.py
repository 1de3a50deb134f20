"""Benchmark: the deadline rush and the office's busy morning, against a running server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zzip_bench \\
        .venv/bin/python bench/deadline_rush.py [rush|office|both] [--clerks 500] [--rate 25]
        [--office-users 50] [--seconds 20] [--workers 5] [--redis redis://127.0.0.1:6379/14]

It starts gunicorn (``--workers`` sync workers, as deploy/gunicorn.conf.py) on 127.0.0.1
against PostgreSQL, in databases of its own (``<DATABASE_URL's name>_rush`` and the 3k tree's
``_3k``, never the test database), and stops it at the end. Sign-ins are made beforehand as
sessions in the database, so that the password hasher's cost (bench/password_hashers.py) does
not hide the pages'.

rush: ``--clerks`` clerks, two to a district, each opens their entry form and saves a draft,
arriving at ``--rate`` saves a second; the two clerks of a district arrive together, so that
one of them saves over a version the other already moved. Prints requests a second, the
saves' p50/p95/p99, errors (anything but a saved draft or the refusal of a stale version)
and the lost-update check: for every district, the accepted saves started from different
versions, the report's version counts them, and its figures are the last accepted save's.

office: ``--office-users`` office staff each load a province's summary page (3k tree) again
and again for ``--seconds``; prints requests a second and p50/p95/p99.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import urlencode

import _tree
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from districts.identity import normalize_username
from districts.models import Profile, Unit
from districts.tree import closure_rebuild
from indicators.models import Indicator, Period, Report

HOST = "127.0.0.1"
PORT = 8765
CITY = "R0000"
MAX_SECONDS = 300  # no run goes on longer, whatever it is asked
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def sessions_for(users) -> list[str]:
    keys = []
    for user in users:
        s = SessionStore()
        s[SESSION_KEY] = str(user.pk)
        s[BACKEND_SESSION_KEY] = "districts.backends.RoleBackend"
        s[HASH_SESSION_KEY] = user.get_session_auth_hash()
        s.create()
        keys.append(s.session_key)
    return keys


def users(prefix: str, units: list, role: str):
    User = get_user_model()
    names = [f"{prefix}{i:03d}" for i in range(len(units))]
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    made = User.objects.bulk_create(
        User(username=n, password="!bench") for n in names if n not in existing
    )
    by_name = existing | {u.username: u for u in made}
    Profile.objects.bulk_create(
        (
            Profile(
                user=by_name[n],
                unit=u,
                role=role,
                username_key=normalize_username(n),
                must_change_password=False,
            )
            for n, u in zip(names, units, strict=True)
        ),
        ignore_conflicts=True,
    )
    return [by_name[n] for n in names]


def prepare_rush(clerks: int):
    """A city of clerks/2 districts with an open period; every draft of an earlier run goes."""
    _tree.use_database("rush")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    districts = clerks // 2
    with transaction.atomic():
        city = Unit.objects.filter(code=CITY).first()
        if city is None:
            city = Unit.objects.create(code=CITY, name="冲刺市", kind="city")
        have = Unit.objects.filter(parent=city).count()
        Unit.objects.bulk_create(
            Unit(code=f"R{i:04d}x", name=f"冲刺区{i}", kind="district", parent=city, order=i)
            for i in range(have, districts)
        )
        closure_rebuild()
        today = date.today()
        number = (today.month - 1) // 3 + 1
        period, _ = Period.objects.update_or_create(
            frequency="Q",
            year=today.year,
            number=number,
            defaults={"status": "open", "deadline": today + timedelta(days=30)},
        )
        Report.objects.filter(period=period).delete()
    units = list(Unit.objects.filter(parent=city).order_by("order")[:districts])
    clerks_ = users("rushclerk", [u for u in units for _ in range(2)], "clerk")
    return period, units, clerks_


def start_server(database: str, workers: int, redis: str):
    env = dict(
        os.environ,
        DATABASE_URL=database,
        SECRET_KEY="bench-only",
        DEBUG="0",
        PYTHONWARNINGS="ignore::UserWarning",  # no collectstatic here: the finders serve
        HTTPS="0",
        STATIC_MANIFEST="0",
        ALLOWED_HOSTS=HOST,
        AUDIT_ANCHOR_FILE=str(_tree.BENCH_DIR / ".data" / "bench-anchor.log"),
    )
    env.pop("REDIS_URL", None)
    log = open(_tree.BENCH_DIR / ".data" / "gunicorn.log", "ab")  # noqa: SIM115 - the server's
    if redis:
        env["REDIS_URL"] = redis
    server = subprocess.Popen(
        [
            str(_tree.BENCH_DIR.parent / ".venv" / "bin" / "gunicorn"),
            "zzip.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=_tree.BENCH_DIR.parent,
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(100):
        try:
            c = http.client.HTTPConnection(HOST, PORT, timeout=2)
            c.request("GET", reverse("login"))
            c.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start: see bench/.data/gunicorn.log")


def database_url(suffix: str) -> str:
    d = connection.settings_dict
    user = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    where = f"{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}"
    return f"postgres://{user}@{where}/{_tree.BASE_NAME}_{suffix}"


class Browser:
    """One person's keep-alive connection with their session cookie."""

    def __init__(self, session_key: str):
        self.cookies = {settings.SESSION_COOKIE_NAME: session_key}
        self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{PORT}{path}"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            return 0, "", time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, time.perf_counter() - start


def rush(args):
    period, units, clerks = prepare_rush(args.clerks)
    codes = [i.code for i in Indicator.objects.filter(formula="", reporter="leaves")]
    keys = sessions_for(clerks)
    server = start_server(database_url("rush"), args.workers, args.redis)
    results = []  # (unit code, clerk, read version, status, seconds, values)
    lock = threading.Lock()
    deadline = time.monotonic() + MAX_SECONDS

    def clerk(i: int):
        unit = units[i // 2]
        path = reverse("indicators:report_edit", args=[period.code, unit.code])
        b = Browser(keys[i])
        status, page, _s = b.request("GET", path)
        token, version = CSRF.search(page), VERSION.search(page)
        if status != 200 or not token or not version:
            with lock:
                results.append((unit.code, i, None, status or -1, 0.0, {}))
            return
        values = {c: str(100 + i + n) for n, c in enumerate(codes)}
        body = {"csrfmiddlewaretoken": token.group(1), "version": version.group(1), **values}
        status, page, seconds = b.request("POST", path, body | {"action": "save"})
        if status == 200 and "为避免互相覆盖" in page:
            status = 409  # a stale version refused, the current figures shown
        with lock:
            results.append((unit.code, i, int(version.group(1)), status, seconds, values))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(200, args.clerks)) as pool:
        for i in range(args.clerks):
            # Two clerks of a district arrive together; districts at ``rate`` saves a second.
            due = start + (i // 2) * 2 / args.rate
            while time.perf_counter() < due and time.monotonic() < deadline:
                time.sleep(min(0.005, max(0.0, due - time.perf_counter())))
            pool.submit(clerk, i)
    elapsed = time.perf_counter() - start
    server.terminate()
    server.wait(timeout=30)

    saved = [r for r in results if r[3] == 302]
    refused = [r for r in results if r[3] == 409]
    errors = [r for r in results if r[3] not in (302, 409)]
    times = [r[4] for r in results if r[3] in (302, 409)]
    print(f"rush: {args.clerks} clerks on {len(units)} districts, {args.workers} workers")
    print(
        f"  {2 * len(results) / elapsed:.1f} req/s ({len(results) / elapsed:.1f} saves/s) "
        f"over {elapsed:.1f} s; saves p50 {percentile(times, 50) * 1000:.0f} ms, "
        f"p95 {percentile(times, 95) * 1000:.0f} ms, p99 {percentile(times, 99) * 1000:.0f} ms"
    )
    print(f"  saved {len(saved)}, stale version refused {len(refused)}, errors {len(errors)}")
    lost = lost_updates(period, saved)
    print(f"  lost updates: {len(lost)}")
    for line in lost[:10]:
        print("   ", line)
    return not errors and not lost


def lost_updates(period, saved) -> list[str]:
    by_unit = defaultdict(list)
    for code, _i, version, _st, _s, values in saved:
        by_unit[code].append((version, values))
    wrong = []
    reports = {r.unit.code: r for r in Report.objects.filter(period=period).select_related("unit")}
    for code, accepted in by_unit.items():
        versions = [v for v, _ in accepted]
        if len(set(versions)) != len(versions):
            wrong.append(f"{code}: two saves accepted from version {versions}")
        report = reports.get(code)
        if report is None or report.version != len(accepted):
            wrong.append(f"{code}: version {report and report.version}, {len(accepted)} saves")
            continue
        last = max(accepted, key=lambda a: a[0])[1]
        stored = {f.indicator.code: f.value for f in report.figures.select_related("indicator")}
        if any(stored.get(c) is None or int(stored[c]) != int(v) for c, v in last.items()):
            wrong.append(f"{code}: stored figures are not the last accepted save's")
    return wrong


def office(args):
    t = _tree.tree("3k")
    staff = users("benchoffice", [t.nation] * args.office_users, "office")
    keys = sessions_for(staff)
    server = start_server(database_url("3k"), args.workers, args.redis)
    path = reverse("indicators:summary", args=[t.period.code, t.province.code])
    times, errors = [], []
    lock = threading.Lock()
    stop = time.perf_counter() + min(args.seconds, MAX_SECONDS)

    def person(i: int):
        b = Browser(keys[i])
        while time.perf_counter() < stop:
            status, _page, seconds = b.request("GET", path)
            with lock:
                (times if status == 200 else errors).append(seconds)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.office_users) as pool:
        list(pool.map(person, range(args.office_users)))
    elapsed = time.perf_counter() - start
    server.terminate()
    server.wait(timeout=30)
    print(f"office: {args.office_users} users on {path} ({t.units} units), {args.workers} workers")
    print(
        f"  {len(times) / elapsed:.1f} req/s over {elapsed:.1f} s; "
        f"p50 {percentile(times, 50) * 1000:.0f} ms, p95 {percentile(times, 95) * 1000:.0f} ms, "
        f"p99 {percentile(times, 99) * 1000:.0f} ms, mean "
        f"{statistics.mean(times) * 1000:.0f} ms; errors {len(errors)}"
    )
    return not errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="both", choices=["rush", "office", "both"])
    parser.add_argument("--clerks", type=int, default=500)
    parser.add_argument("--rate", type=float, default=25.0, help="saves a second")
    parser.add_argument("--office-users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--redis", default="", help="REDIS_URL for the server (else DB cache)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("the rush runs against PostgreSQL: set DATABASE_URL (a database of your own)")
    if not 2 <= args.clerks <= 2000 or not 1 <= args.office_users <= 200:
        sys.exit("--clerks 2…2000, --office-users 1…200")
    ok = True
    if args.what in ("rush", "both"):
        ok &= rush(args)
    if args.what in ("office", "both"):
        ok &= office(args)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
