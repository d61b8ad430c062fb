#!/bin/bash
# Node creates through the real daemon's admin API: starts anvild (from target/anvil, or ANVIL_DIST) on a
# fresh state directory with one /16 network, creates NODES nodes (default 5000) with 8 concurrent clients
# (POST /api/v1/nodes), and prints creates/s per 1,000-node band. Runs it with DNS on and with DNS off
# (DHCP and TFTP off in both), RUNS times each (default 3), so DNS's share of a create is the difference
# between the two; the store's own cost (one CHECKPOINT per write transaction) is in both.
# With DNS on, the last node is then looked up with dig (it must answer at once).
#
#   usage: bench/node-creates.sh [NODES] [RUNS]     e.g. ANVIL_DIST=/tmp/anvil-before bench/node-creates.sh
#   run it under the bench lock: flock /tmp/anvil-bench.lock bench/node-creates.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dist=${ANVIL_DIST:-$here/../target/anvil}
nodes=${1:-5000}
runs=${2:-3}
modes=${MODES:-"on off"}
work=$(mktemp -d /tmp/anvil-bench-creates.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$here/lib/anvil-load.sh" # free_port

run_one() { # mode run
  local mode=$1 run=$2 state=$work/state-$1-$2 pid api dnsport
  mkdir -p "$state"
  dnsport=$(free_port)
  if [ "$mode" = on ]; then dns="{listen: \"127.0.0.1:$dnsport\"}"; else dns="{enabled: false}"; fi
  cat >"$state.yaml" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {enabled: false}
tftp: {enabled: false}
dns: $dns
lifecycle: {aliveIntervalSeconds: 0}
networks:
  - {name: bench, id: 2, cidr: 10.20.0.0/16, staticRange: 10.20.0.1-10.20.255.254, domain: cluster.test,
     v6prefix: "fd20::", serverAddress: 10.20.0.1}
YAML
  "$dist/bin/anvild" --config "$state.yaml" >"$state.out" 2>"$state.err" &
  pid=$!
  for _ in $(seq 600); do grep -q "ready: API at" "$state.out" 2>/dev/null && break; sleep 0.1; done
  api=$(sed -n 's|.*ready: API at \(http://[^ ]*\)/api/v1/status.*|\1|p' "$state.out")
  [ -n "$api" ] || { echo "anvild did not start:"; cat "$state.err"; kill "$pid"; return 1; }
  python3 - "$api" "$(cat "$state/admin-token")" "$nodes" "$mode" "$run" <<'PY'
import concurrent.futures, sys, time, urllib.request, threading
api, token, n, mode, run = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
done, lock, marks = [0], threading.Lock(), {0: time.monotonic()}
def post(i):
    a = i + 256  # pinned addresses from 10.20.1.0 up: "auto" scans the taken ones, which grows with N
    body = ('{"name":"b%05d.cluster.test","macs":["52:54:01:%02x:%02x:%02x"],"addresses":{"bench":"10.20.%d.%d"}}'
            % (i, i >> 16 & 255, i >> 8 & 255, i & 255, a >> 8, a & 255))
    req = urllib.request.Request(api + "/api/v1/nodes", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=120) as r:
        assert r.status == 201, r.status
    with lock:
        done[0] += 1
        if done[0] % 1000 == 0:
            marks[done[0]] = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    list(ex.map(post, range(1, n + 1)))
bands = []
for k in sorted(marks)[1:]:
    bands.append("%d-%d: %.0f/s" % (k - 1000, k, 1000 / (marks[k] - marks[k - 1000])))
print("dns %-3s run %s  " % (mode, run) + "  ".join(bands), flush=True)
PY
  if [ "$mode" = on ]; then
    local last; last=$(printf 'b%05d.cluster.test' "$nodes")
    dig +short +tries=1 +time=2 -p "$dnsport" @127.0.0.1 "$last" A | grep -q '^10\.20\.' \
      || echo "  (dig: $last has no A record yet)"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$state"
}

echo "# $(date -u +%FT%TZ) $(git -C "$here" rev-parse --short HEAD 2>/dev/null) dist=$dist nodes=$nodes"
for r in $(seq "$runs"); do
  for m in $modes; do run_one "$m" "$r"; done
done
