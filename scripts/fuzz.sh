#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer,address) in .build-fuzz and runs each
# for SECONDS (default 20) from its seed corpus in Fuzz/Corpus. The targets compile the wire
# layer and the manifest reader straight from Sources, without NIO.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: framer json wire manifest
# Exits non-zero when a target crashes, leaks, or runs over its per-input time or memory
# limit; the input that did it is left in .build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(framer json wire manifest)
out=.build-fuzz
mkdir -p "$out/artifacts"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -use-ld=lld)

swiftc "${flags[@]}" -module-name OVSDBClient -emit-module -emit-module-path "$out/OVSDBClient.swiftmodule" \
  -emit-library -static -o "$out/libOVSDBClient.a" -I Sources/CJansson Sources/OVSDBClient/Wire/*.swift

build() { # name, extra sources and flags...
  local name=$1; shift
  swiftc "${flags[@]}" -I "$out" -I Sources/CJansson "$@" -L "$out" -lOVSDBClient -ljansson -o "$out/fuzz-$name"
}
for t in "${targets[@]}"; do
  case $t in
    framer) build framer Fuzz/Targets/FramerFuzz.swift ;;
    json) build json Fuzz/Targets/JSONFuzz.swift ;;
    wire) build wire Fuzz/Targets/WireFuzz.swift ;;
    manifest)
      build manifest -module-name EgressPolicy -I Sources/CYAML -lyaml \
        Sources/EgressPolicy/Manifests/*.swift Sources/EgressPolicy/Cluster/*.swift \
        Sources/EgressPolicy/Engine/{HostSelection,DesiredState,DesiredState+Zone,Zone,CatchAllRoute,AddressSetNames,EngineSettings}.swift \
        Sources/EgressPolicy/Node/NodePlan.swift Fuzz/Targets/ManifestFuzz.swift ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done

status=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus-$t"
  echo "== fuzz $t for ${seconds}s"
  if ! "$out/fuzz-$t" -max_total_time="$seconds" -max_len=16384 -timeout=5 -rss_limit_mb=2048 \
       -artifact_prefix="$out/artifacts/$t-" -print_final_stats=1 "$out/corpus-$t" "Fuzz/Corpus/$t" \
       >"$out/$t.log" 2>&1; then
    status=1
    echo "fuzz $t FAILED; see $out/$t.log and $out/artifacts/" >&2
    tail -30 "$out/$t.log" >&2
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$out/$t.log" || true
done
exit $status
