#!/usr/bin/env bash
# Runs every test: a bounded libFuzzer run of every fuzz target (20 s each), then unit tests,
# Open vSwitch's conformance vectors (from ../shared/conformance) and the integration tests,
# which start their own ovsdb-server instances in temp folders; the DocC catalogs are built too
# (a broken symbol link fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
swift build --build-tests
scripts/docs.sh
swift test
