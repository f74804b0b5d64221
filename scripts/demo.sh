#!/usr/bin/env bash
# Sets up Vigie in .venv and runs the demo on the embedded store (no database
# server to install): schema, a demo site, weeks of traffic through the
# collector, then the dashboard and collector on one port. Arguments go to
# `vigie demo` (see `vigie demo --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

need_python
install_missing
make_venv .
exec .venv/bin/vigie demo "$@"
