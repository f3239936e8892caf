#!/usr/bin/env bash
# Builds the DocC documentation of OVSDBClient and EgressPolicy into .build/docs/*.doccarchive
# from the package's symbol graphs (swift package dump-symbol-graph) and the catalogs in
# Sources/*/*.docc; a broken link or a missing symbol is an error.
#   scripts/docs.sh            then: docc preview, or serve the archives' static files
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-symbol-graph >/dev/null
graphs=$(swift build --show-bin-path)/../symbolgraph
out=.build/docs
mkdir -p "$out"
for module in OVSDBClient EgressPolicy; do
  dir=$(mktemp -d)
  cp "$graphs/$module".symbols.json "$graphs/$module"@*.symbols.json "$dir/" 2>/dev/null || cp "$graphs/$module".symbols.json "$dir/"
  docc convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$dir" \
    --fallback-display-name "$module" --fallback-bundle-identifier "org.ovn-egress.$module" \
    --output-path "$out/$module.doccarchive" --warnings-as-errors >/dev/null
  rm -rf "$dir"
  echo "docs: $out/$module.doccarchive"
done
