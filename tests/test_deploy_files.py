"""deploy/ stays true to the settings: nginx's limits and headers, cron's commands, the
environment file's names. A setting changed on one side only fails here, not in production."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

DEPLOY = Path(settings.BASE_DIR) / "deploy"
NGINX = (DEPLOY / "nginx" / "zzip.conf").read_text()


def test_nginx_lets_the_site_answer_an_upload_at_its_limit_and_stops_larger_ones():
    (size,) = re.findall(r"client_max_body_size\s+(\d+)m;", NGINX)
    nginx_limit = int(size) * 1024 * 1024
    site_limit = max(
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        getattr(settings, "SPREADSHEET_UPLOAD_MAX_BYTES", 0),
    )
    # Above the site's limit (its message, not nginx's page, answers a file just over it),
    # by no more than a megabyte.
    assert site_limit < nginx_limit <= site_limit + 1024 * 1024


def test_nginx_sets_the_headers_django_trusts_and_never_passes_the_clients_own():
    header, value = settings.SECURE_PROXY_SSL_HEADER
    assert header == "HTTP_X_FORWARDED_PROTO" and value == "https"
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX
    # audit.context.client_ip reads X-Real-IP.
    assert "proxy_set_header X-Real-IP $remote_addr;" in NGINX


def test_nginx_serves_static_files_from_static_root_and_redirects_http():
    static_root = Path(settings.STATIC_ROOT).relative_to(settings.BASE_DIR)
    aliases = re.findall(r"alias\s+/srv/zzip/([^;$]+?)/", NGINX)
    assert aliases and set(aliases) == {str(static_root)}
    assert "return 301 https://$host$request_uri;" in NGINX


def test_cron_runs_only_commands_that_exist():
    cron = (DEPLOY / "cron" / "zzip").read_text()
    commands = re.findall(r"manage\.sh\s+([a-z_]+)", cron)
    assert set(commands) == {
        "backup",
        "disable_inactive_accounts",
        "purge_audit",
        "verify_audit",
        "remind_deadlines",
    }
    assert set(commands) <= set(get_commands())


def test_the_environment_template_names_only_settings_that_exist_and_holds_no_secret():
    names_read = set(
        re.findall(
            r"(?:env_bool|env_int|env_list|os\.environ\.get)\(\s*\"([A-Z_]+)\"",
            (Path(settings.BASE_DIR) / "zzip" / "settings.py").read_text(),
        )
    )
    gunicorn_reads = set(
        re.findall(r"\"(GUNICORN_[A-Z_]+)\"", (DEPLOY / "gunicorn.conf.py").read_text())
    )
    template = (DEPLOY / "zzip.env.example").read_text()
    assignments = dict(re.findall(r"^#?([A-Z_]+)=(.*)$", template, re.M))
    known = names_read | gunicorn_reads | {"DATABASE_URL"}  # read by dj_database_url.config()
    assert set(assignments) <= known, set(assignments) - known
    assert assignments["SECRET_KEY"] == "replace-with-the-generated-key"
    assert not assignments.get("EMAIL_HOST_PASSWORD")
    assert "@/" in assignments["DATABASE_URL"]  # peer authentication: no password in the URL


def test_the_service_starts_gunicorn_with_our_configuration():
    unit = (DEPLOY / "systemd" / "zzip.service").read_text()
    assert "--config /srv/zzip/deploy/gunicorn.conf.py" in unit
    assert "EnvironmentFile=/etc/zzip/zzip.env" in unit
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    assert 'wsgi_app = "zzip.wsgi:application"' in gunicorn
    assert "unix:/run/zzip/gunicorn.sock" in gunicorn and "unix:/run/zzip/gunicorn.sock" in NGINX


def test_the_service_may_write_the_audit_anchor_where_the_environment_puts_it():
    template = (DEPLOY / "zzip.env.example").read_text()
    (anchor,) = re.findall(r"^AUDIT_ANCHOR_FILE=(.+)$", template, re.M)
    unit = (DEPLOY / "systemd" / "zzip.service").read_text()
    (state,) = re.findall(r"^StateDirectory=(\S+)$", unit, re.M)
    # ProtectSystem=strict leaves only the state directory writable.
    assert Path(anchor).parent == Path("/var/lib") / state
