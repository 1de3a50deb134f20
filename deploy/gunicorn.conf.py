"""gunicorn for zzip behind nginx (deploy/nginx/zzip.conf), started by deploy/systemd/zzip.service.

Every value can be overridden from the environment file (/etc/zzip/zzip.env) without editing
this file, which the next `git pull` would otherwise overwrite.
"""

import multiprocessing
import os

wsgi_app = "zzip.wsgi:application"

# A Unix socket that only nginx (group zzip) can reach: the proxy headers Django trusts
# (X-Forwarded-Proto, X-Real-IP) then come from nginx alone.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/zzip/gunicorn.sock")
umask = 0o007
# gunicornc's control socket; by default it would go under $HOME, which the service may not write.
control_socket = "/run/zzip/gunicorn.ctl"

# Synchronous workers: pages are short, database-bound requests. Two per core and one more.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Building the Excel or Word circular of a large tree takes a few seconds, not a minute.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200

# Logs to stdout/stderr, which systemd puts in the journal (journalctl -u zzip).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client's address as nginx saw it, not the socket's.
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "zzip"
