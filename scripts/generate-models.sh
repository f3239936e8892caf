#!/usr/bin/env bash
# Regenerates Sources/OVNSchema/Generated from schemas/ovn-nb.ovsschema.
# The generated code is committed; a test fails when it is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product ovsdb-modelgen
rm -f Sources/OVNSchema/Generated/*.swift
.build/debug/ovsdb-modelgen schemas/ovn-nb.ovsschema Sources/OVNSchema/Generated
