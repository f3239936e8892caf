#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer, each in its own build
# folder (.build-asan, .build-tsan), one after the other. Slow on 2 cores (a full build of
# swift-nio and BoringSSL per sanitizer), so CI does not run it; see README for timings.
#   scripts/sanitizers.sh [address|thread]...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
for kind in "${kinds[@]}"; do
  case $kind in address) folder=.build-asan ;; thread) folder=.build-tsan ;; *) echo "address or thread" >&2; exit 2 ;; esac
  echo "== swift test --sanitize=$kind (build folder $folder)"
  start=$(date +%s)
  swift build --build-tests --sanitize="$kind" --scratch-path "$folder"
  built=$(date +%s)
  # The CLI tests run the built binary from .build-*/debug, found through this variable.
  # Leak checking is off inside the test run: the toolchain's XCTest and Foundation
  # (String(contentsOfFile:)) leak at exit, and LeakSanitizer then ends child processes with
  # _exit, mid-output. The tool's own leaks are checked separately below.
  ASAN_OPTIONS=detect_leaks=0 OVN_EGRESS_BUILD_DIR="$folder" \
    swift test --skip-build --sanitize="$kind" --scratch-path "$folder"
  if [ "$kind" = address ]; then
    echo "== LeakSanitizer on ovn-egressctl itself: apply, diff, list, explain, node-plan on every example"
    srv=$(mktemp -d /tmp/asan-leaks.XXXXXX)
    ovsdb-tool create "$srv/nb.db" schemas/ovn-nb.ovsschema
    ovsdb-server --detach --no-chdir --pidfile="$srv/pid" --unixctl="$srv/ctl" --log-file="$srv/log" \
      --remote="punix:$srv/nb.sock" "$srv/nb.db"
    ovn-nbctl --db="unix:$srv/nb.sock" lr-add ovn_cluster_router
    bin="$folder/debug/ovn-egressctl"
    for ex in examples/worked-example examples/dual-stack examples/many-services; do
      for args in "apply -f $ex" "diff -f $ex" "list -f $ex" "list --policies" "explain 10.124.0.3 -f $ex" "node-plan work002 -f $ex --output json"; do
        set +e
        ASAN_OPTIONS=detect_leaks=1:exitcode=86 "$bin" --db="unix:$srv/nb.sock" $args >/dev/null 2>"$srv/err"
        rc=$?
        set -e
        if [ $rc -eq 86 ]; then echo "LEAK in ovn-egressctl $args:"; cat "$srv/err"; kill "$(cat "$srv/pid")"; exit 1; fi
      done
    done
    kill "$(cat "$srv/pid")"; rm -rf "$srv"
    echo "no leaks"
  fi
  echo "== $kind: build $((built - start)) s, tests $(( $(date +%s) - built )) s"
done
