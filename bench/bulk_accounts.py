"""Benchmark: 500 accounts imported from one spreadsheet, run by hand.

    DEBUG=1 SECRET_KEY=bench .venv/bin/python bench/bulk_accounts.py [--accounts 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zzip ... bench/bulk_accounts.py

On a throw-away test database with the demo's units, it writes a workbook of N clerks spread
over the demo's districts and runs what the administrator's upload does: the preview (every
row checked by the account service, nothing hashed) and the confirmation (every account
created by ``account_create`` in one transaction, each with its own one-time password,
hashed by zzip.hashers.OneTimePasswordHasher: random and changed at first sign-in), then
writes the password workbook. The goal
(issue 12): 500 accounts in under a minute on this machine, preview and confirmation
together.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzip.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

GOAL_SECONDS = 60


def workbook(n: int, codes: list[str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["用户名", "姓名", "单位编码", "角色", "电话", "电子邮箱"])
    for i in range(n):
        wb.active.append([f"bench{i:04d}", f"填报员{i}", codes[i % len(codes)], "填报员", "", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth import get_user_model

        from districts.models import Unit
        from districts.resources import AccountResource
        from districts.slips import password_book
        from districts.tree import is_leaf
        from spreadsheets.resources import XLSX

        call_command("demo", stdout=io.StringIO())
        admin = get_user_model().objects.get(username="sysadmin")
        codes = [u.code for u in Unit.objects.filter(active=True) if is_leaf(u)]
        data = workbook(args.accounts, codes)
        from districts.services.accounts import ONE_TIME_HASHER

        hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
        print(
            f"database: {connection.vendor}; site's hasher: {hasher}; one-time passwords: "
            f"{ONE_TIME_HASHER}; accounts: {args.accounts}"
        )

        t0 = time.perf_counter()
        dataset = XLSX().create_dataset(data)
        preview = AccountResource().import_data(dataset, dry_run=True, user=admin)
        t1 = time.perf_counter()
        assert not preview.has_errors() and not preview.has_validation_errors()
        dataset = XLSX().create_dataset(data)
        result = AccountResource().import_data(dataset, dry_run=False, user=admin)
        t2 = time.perf_counter()
        assert not result.has_errors() and not result.has_validation_errors()
        book = password_book(result.zz_created, system_name="bench", login_url="http://x/")
        t3 = time.perf_counter()
        made = get_user_model().objects.filter(username__startswith="bench").count()
        assert made == args.accounts, made
        total = t3 - t0
        print(f"preview        {t1 - t0:7.1f} s")
        print(f"confirmation   {t2 - t1:7.1f} s  ({(t2 - t1) / args.accounts * 1000:.0f} ms each)")
        print(f"password file  {t3 - t2:7.1f} s  ({len(book) // 1024} KiB)")
        verdict = "met" if total <= GOAL_SECONDS else "NOT met"
        print(f"total          {total:7.1f} s  goal ≤ {GOAL_SECONDS} s: {verdict}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
