#!/bin/sh
# Runs a manage.py command with the production settings, as cron and an administrator need:
#   sudo -u zzip /srv/zzip/deploy/manage.sh verify_audit
# ZZIP_ENV and ZZIP_HOME point elsewhere when the defaults below do not fit.
set -eu
env_file=${ZZIP_ENV:-/etc/zzip/zzip.env}
home=${ZZIP_HOME:-$(cd "$(dirname "$0")/.." && pwd)}
set -a
. "$env_file"
set +a
cd "$home"
exec "$home/.venv/bin/python" manage.py "$@"
