#!/usr/bin/env bash
# Wire codec benchmark: decode/encode a 10,000-row select reply with libjansson (ours) and
# Foundation's JSONSerialization, plus Python's json on the same bytes as a peer.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000}
swift build -c release --product ovsdb-wire-bench >/dev/null
reply=$(mktemp /tmp/ovsdb-reply.XXXXXX.json)
trap 'rm -f "$reply"' EXIT
.build/release/ovsdb-wire-bench "$rows" "$reply"
python3 - "$reply" <<'PY'
import json, sys, time, statistics
data = open(sys.argv[1], 'rb').read()
def med(f, n=9):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
obj = None
def dec():
    global obj; obj = json.loads(data)
td = med(dec)
te = med(lambda: json.dumps(obj, separators=(',', ':')))
mb = len(data) / 1e6
print(f"| Python {sys.version.split()[0]} json.loads | {td*1000:.1f} | {mb/td:.1f} |")
print(f"| Python json.dumps | {te*1000:.1f} | {mb/te:.1f} |")
PY
