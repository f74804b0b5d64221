#!/usr/bin/env bash
# Sets up Vigie in .venv and runs the demo on the embedded store (no server to
# install): schema, a demo site, weeks of traffic through the collector, then
# the dashboard and collector on one port. Extra arguments go to `vigie demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
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
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/vigie demo "$@"
