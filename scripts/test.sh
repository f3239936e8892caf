#!/usr/bin/env bash
# Runs every test: unit tests, Open vSwitch's conformance vectors (from ../shared/conformance)
# and the integration tests, which start their own ovsdb-server instances in temp folders.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test
