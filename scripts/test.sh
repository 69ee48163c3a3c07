#!/usr/bin/env bash
# The test command behind `make test` and .ci/run. Starts PostgreSQL if it is
# installed but stopped; tests that need it skip with a message where it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."

if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start 2>/dev/null || true
fi

export PREFECT_HOME="${PREFECT_HOME:-$PWD/var/prefect-test}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
export PREFECT_LOGGING_LEVEL=WARNING
mkdir -p "$PREFECT_HOME"

.venv/bin/python -m pytest -p no:cacheprovider "$@"
rc=$?
# pytest exits 5 when nothing was collected: that must fail CI, and it does (non-zero).
exit $rc
