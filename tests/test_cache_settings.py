"""The cache is shared by every app server: Redis where REDIS_URL is set, else the database;
deploy/ shows several app hosts behind one nginx."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def _backend(**env) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'zzip.settings'; "
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    environ = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environ |= {"SECRET_KEY": "x", "DEBUG": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_redis_the_cache_is_the_databases_table():
    assert _backend().stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


def test_with_redis_url_the_cache_is_redis():
    done = _backend(REDIS_URL="redis://127.0.0.1:6379/0")
    assert done.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_a_redis_url_that_is_not_one_stops_the_start():
    done = _backend(REDIS_URL="http://127.0.0.1:6379")
    assert done.returncode != 0
    assert "REDIS_URL must start with redis://" in done.stderr


def test_several_app_hosts_share_one_upstream_and_redis():
    conf = (DEPLOY / "nginx" / "zzip-several-hosts.conf").read_text()
    servers = [line for line in conf.splitlines() if line.strip().startswith("server ")]
    assert len(servers) >= 2
    assert "REDIS_URL=" in conf and "GUNICORN_BIND=" in conf
    assert "#REDIS_URL=redis://" in (DEPLOY / "zzip.env.example").read_text()


def test_make_setup_creates_the_cache_table():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "manage.py createcachetable" in makefile
