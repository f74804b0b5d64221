#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian-like machine and
# runs the whole suite: Debian's clickhouse-server (the tests start their own
# servers on free ports), Debian's chromium (driven by Playwright; no browser
# download), node/npm for the tracker build, and the Python package with its
# test extras in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

need=()
[ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing system packages: ${need[*]} (run as root, or install them with apt-get)" >&2
        exit 1
    fi
    echo "installing system packages: ${need[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
        rm -rf .venv
        [ "$(id -u)" -eq 0 ] || { echo "python3 -m venv failed: install python3-venv" >&2; exit 1; }
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
        python3 -m venv .venv
    fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

set +e
.venv/bin/python -m pytest -n 2 -p no:cacheprovider "$@"
status=$?
set -e
echo "test suite finished in $(( $(date +%s) - started ))s (pytest exit code $status)"
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    exit 1
fi
exit "$status"
