# anvil_load_nodes DIST STATE NETWORK NODES_JSONL OUT_PREFIX: starts anvild on STATE (the one network
# NETWORK, a YAML flow mapping; DHCP, TFTP and DNS off) and creates every node of NODES_JSONL (one
# POST /api/v1/nodes body a line) through the admin API, 8 at a time, then stops it. Source it.
# A free TCP port on loopback: anvild refuses port 0 for the boot listener (its port is in every URL it renders).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

anvil_load_nodes() {
  local dist=$1 state=$2 net=$3 nodes=$4 out=$5 pid api
  cat >"$out.yaml" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {enabled: false}
tftp: {enabled: false}
dns: {enabled: false}
lifecycle: {aliveIntervalSeconds: 0}
networks: [$net]
YAML
  "$dist/bin/anvild" --config "$out.yaml" >"$out.out" 2>"$out.err" &
  pid=$!
  for _ in $(seq 300); do grep -q "ready: API at" "$out.out" 2>/dev/null && break; sleep 0.1; done
  api=$(sed -n 's|.*ready: API at \(http://[^ ]*\)/api/v1/status.*|\1|p' "$out.out")
  python3 - "$api" "$nodes" "$(cat "$state/admin-token")" <<'PY'
import concurrent.futures, sys, urllib.request
api, path, token = sys.argv[1:4]
def post(line):
    req = urllib.request.Request(api + "/api/v1/nodes", data=line.encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 201, r.status
with open(path) as f, concurrent.futures.ThreadPoolExecutor(8) as ex:
    list(ex.map(post, [l.strip() for l in f if l.strip()]))
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
