#!/usr/bin/env bash
# Sets up everything the test suite needs on a fresh Debian-like machine and
# runs the whole suite: Debian's clickhouse-server (the tests start their own
# servers on free loopback ports), Debian's chromium (driven by Playwright; no
# browser download), node/npm for the tracker build, and the Python package
# with its test extras in .venv. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
source scripts/setup.sh

[ -x /usr/sbin/clickhouse-server ] || MISSING_PACKAGES+=(clickhouse-server)
[ -x /usr/bin/chromium ] || MISSING_PACKAGES+=(chromium)
command -v node >/dev/null 2>&1 || MISSING_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || MISSING_PACKAGES+=(npm)
need_python
install_missing
make_venv '.[test]'

set +e
# worksteal: a worker that runs out of tests takes some of the other's, so both
# stay busy to the end. The 30 slowest tests are printed in every run.
.venv/bin/python -m pytest -n 2 --dist worksteal --durations=30 -p no:cacheprovider "$@"
status=$?
set -e
echo "test suite finished in $(( $(date +%s) - started ))s (pytest exit code $status)"
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that counts as a failure" >&2
    exit 1
fi
exit "$status"
