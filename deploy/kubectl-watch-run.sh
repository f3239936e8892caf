#!/usr/bin/env bash
# Runs `ovn-egressctl run ARGS...` fed by four kubectl watches, one per kind (kubectl watches
# one resource type at a time), each on its own FIFO so that no two streams interleave. When
# any watch ends (the API server closed it, or kubectl failed), everything stops with a
# non-zero status and the container is restarted: ovn-egressctl then lists everything again.
#   kubectl-watch-run.sh [ovn-egressctl run arguments, without -f]
set -euo pipefail
dir=$(mktemp -d /tmp/egress-watch.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
streams=()
for kind in egressservices.k8s.ovn.org services endpointslices.discovery.k8s.io nodes; do
  fifo="$dir/$kind"
  mkfifo "$fifo"
  kubectl get "$kind" --all-namespaces --watch --output=json --output-watch-events >"$fifo" &
  pids+=($!)
  streams+=(--watch-stream "$fifo")
done
ovn-egressctl run "${streams[@]}" "$@" &
pids+=($!)
# The first process to end ends the rest.
wait -n "${pids[@]}"
exit 1
