#!/usr/bin/env bash
# `make run`: a Celery worker with its embedded scheduler (beat) in the background, and the portal
# at http://127.0.0.1:$PORT (5000 by default). Both stop together with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance
port="${PORT:-5000}"
# links in e-mails (written by the worker too) point at the port really served, unless set on purpose
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${port}}"
.venv/bin/celery -A portal.worker worker -B --pool=solo --loglevel=INFO \
  --logfile=instance/worker.log --schedule=instance/celerybeat-schedule &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM
.venv/bin/flask demo accounts
echo "Mesa TIC: http://127.0.0.1:${port}/  (registro del trabajador: instance/worker.log)"
.venv/bin/flask run --host 127.0.0.1 --port "${port}"
