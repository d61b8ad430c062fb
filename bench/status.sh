#!/bin/bash
# Latency of GET /api/v1/status on an idle daemon (the endpoint monitoring polls; it should answer in
# well under 10 ms). Starts anvild on its embedded default with a temporary state dir and an ephemeral
# API port, warms it up, then times N requests with curl over one keep-alive connection.
# usage: [N=500] bench/status.sh     (build first: mvn -q -DskipTests package)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
N=${N:-500}
work=$(mktemp -d)
. "$here/lib/anvil-load.sh" # free_port
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$here/../target/anvil/bin/anvild" --state-dir "$work/state" --http-listen "127.0.0.1:$(free_port)" --api-listen 127.0.0.1:0 \
    >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 300); do grep -q "ready: API at" "$work/out" && break; sleep 0.1; done
url=$(sed -n 's|.*ready: API at \(http://[^ ]*/api/v1/status\).*|\1|p' "$work/out")
auth=(-H "Authorization: Bearer $(cat "$work/state/admin-token")")
for _ in $(seq 200); do curl -s "${auth[@]}" -o /dev/null "$url"; done   # warm-up (JIT)
args=("${auth[@]}")
for _ in $(seq "$N"); do args+=(-o /dev/null -w '%{time_total}\n' "$url"); done
curl -s "${args[@]}" | sort -g | awk '{a[NR]=$1*1000} END{printf "status: n=%d median %.2f ms, p99 %.2f ms, max %.2f ms\n", NR, a[int(NR/2)+1], a[int(NR*0.99)], a[NR]}'
