"""Benchmark: the cost of a sign-in's password check, PBKDF2 (Django's default) against Argon2.

    .venv/bin/python bench/password_hashers.py [--runs 5] [--together 20]

For Django's PBKDF2 and Argon2 with their own parameters, and the hasher the settings name
first (zzip/hashers.py): the CPU time of one check (median of N), the
memory it needs (an attacker's GPU or ASIC pays that memory for every guess, which is what
makes Argon2 the stronger of the two at a given time), and the wall time of ``--together``
checks made at once by as many threads, as a crowd of clerks signing in at the deadline
does (gunicorn's workers are processes; threads here share the two cores the same way,
since both hashers release the GIL while they hash). No database is touched.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzip.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    get_hasher,
)

PASSWORD = "Zzip@2023demo"


def describe(hasher) -> str:
    if isinstance(hasher, PBKDF2PasswordHasher):
        return f"PBKDF2-SHA256, {hasher.iterations:,} iterations, no memory cost"
    if isinstance(hasher, Argon2PasswordHasher):
        return (
            f"Argon2id, time_cost={hasher.time_cost}, "
            f"memory_cost={hasher.memory_cost // 1024} MiB, parallelism={hasher.parallelism}"
        )
    return hasher.algorithm


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--together", type=int, default=20)
    args = parser.parse_args()
    print(f"settings.PASSWORD_HASHERS[0]: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]}")
    print(f"{'hasher':9} {'wall':>9} {'cpu':>9} {f'{args.together} at once':>14}  parameters")
    hashers = [("pbkdf2", PBKDF2PasswordHasher()), ("argon2", Argon2PasswordHasher())]
    hashers.append(("ours", get_hasher()))  # the first of settings.PASSWORD_HASHERS
    for name, hasher in hashers:
        encoded = hasher.encode(PASSWORD, hasher.salt())
        walls, cpus = [], []
        for _ in range(args.runs):
            w, c = time.perf_counter(), cpu_seconds()
            assert hasher.verify(PASSWORD, encoded)
            walls.append(time.perf_counter() - w)
            cpus.append(cpu_seconds() - c)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.together) as pool:
            checks = [pool.submit(hasher.verify, PASSWORD, encoded) for _ in range(args.together)]
            assert all(c.result() for c in checks)
        crowd = time.perf_counter() - start
        print(
            f"{name:9} {statistics.median(walls) * 1000:>7.0f}ms "
            f"{statistics.median(cpus) * 1000:>7.0f}ms {crowd:>13.2f}s  {describe(hasher)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
