#!/bin/bash
# Restart to first DHCP answer: how long after its process starts a DHCP server answers its first
# DISCOVER. Anvil (with NODES nodes in its store and DNS on) against Kea 2.2 (memfile, the same number of
# host reservations), side by side, in alternating rounds; prints each round and the per-round ratio.
# A prober in the client namespace sends a relayed DISCOVER (giaddr 10.99.0.2) every 2 ms from before the
# server is started; the figure is (time of the first OFFER) - (time just before the server's exec).
# Anvil runs once unrecorded first and every Anvil is ended with SIGKILL: each round is a restart after a
# crash, with the start-up snapshot (dhcp.snapshot) the previous run left.
# Build first: mvn -q -DskipTests package.   Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 bench/first-answer.sh
# usage: [REPS=5] [NODES=10000] [ANVIL_JAVA_OPTS=...] bench/first-answer.sh
. "$(dirname "$0")/lib/common.sh"
NODES=${NODES:-10000}
REPS=${REPS:-5}
dist=${ANVIL_DIST:-$(cd "$(dirname "$0")/.." && pwd)/target/anvil}
ensure_pkgs kea-dhcp4-server iproute2 python3
setup_ns
export KEA_LOCKFILE_DIR=$WORK KEA_PIDFILE_DIR=$WORK

# The nodes: MAC 52:54:03:xx:xx:xx -> 10.99.64.0 + i (outside the pool 10.99.1.0-10.99.40.255).
python3 - "$NODES" "$WORK" <<'PY'
import ipaddress, json, sys
n, work = int(sys.argv[1]), sys.argv[2]
base = int(ipaddress.IPv4Address("10.99.64.0"))
with open(work + "/nodes.jsonl", "w") as f, open(work + "/reservations.json", "w") as r:
    res = []
    for i in range(n):
        mac = "52:54:03:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        ip = str(ipaddress.IPv4Address(base + i))
        f.write(json.dumps({"name": "n%d.bench.test" % i, "macs": [mac], "addresses": {"bench": ip}}) + "\n")
        res.append({"hw-address": mac, "ip-address": ip})
    json.dump(res, r)
PY

cat >"$WORK/kea.json" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "bs" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$WORK/kea-leases4.csv", "lfc-interval": 0 },
  "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "10.99.0.0/16", "pools": [ { "pool": "10.99.1.0 - 10.99.40.255" } ],
                 "reservations": $(cat "$WORK/reservations.json") } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stderr" } ] } ] } }
EOF

net='{name: bench, id: 1, cidr: 10.99.0.0/16, staticRange: 10.99.41.0-10.99.255.250, dhcpPool: 10.99.1.0-10.99.40.255, domain: bench.test, v6prefix: none, serverAddress: 10.99.0.1}'
state=$WORK/anvil-state
log "loading $NODES nodes into Anvil's store (DNS off while loading)"
. "$(dirname "$0")/lib/anvil-load.sh"
anvil_load_nodes "$dist" "$state" "$net" "$WORK/nodes.jsonl" "$WORK/anvil-load"
cat >"$WORK/anvil.yaml" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {listen: "0.0.0.0:67", leaseTime: 3600}
tftp: {enabled: false}
dns: {listen: "10.99.0.1:5353"}
lifecycle: {aliveIntervalSeconds: 0}
networks: [$net]
YAML

# The prober: in the client namespace, as the relay agent 10.99.0.2:67.
cat >"$WORK/probe.py" <<'PY'
import os, socket, struct, sys, time
out, limit = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.99.0.2", 67))
s.setblocking(False)
mac = bytes([0x02, 0x99, 0, 0, 0, os.getpid() & 255])
def discover(xid):
    p = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1, xid, 0, 0, bytes(4), bytes(4), bytes(4),
                    socket.inet_aton("10.99.0.2"), mac + bytes(10), bytes(64), bytes(128))
    return p + bytes([99, 130, 83, 99, 53, 1, 1, 255])
open(out + ".ready", "w").close()
end, xid = time.time() + limit, 1
while time.time() < end:
    s.sendto(discover(xid), ("10.99.0.1", 67))
    xid += 1
    t = time.time() + 0.002
    while time.time() < t:
        try:
            data = s.recv(2048)
        except BlockingIOError:
            time.sleep(0.0002)
            continue
        if len(data) > 240 and data[0] == 2:
            with open(out, "w") as f:
                f.write("%.6f\n" % time.time())
            sys.exit(0)
sys.exit(1)
PY

# The state a crash leaves: Anvil ran on this configuration (so its start-up snapshot, dhcp.snapshot, is there)
# and was killed. Not recorded; after it each round's Anvil is stopped with SIGKILL too.
log "anvil: one unrecorded run on the bench configuration, then SIGKILL"
rm -f "$state/dhcp.snapshot" # the loader's (another configuration)
start_srv anvil env ANVIL_JAVA_OPTS="${ANVIL_JAVA_OPTS:-}" "$dist/bin/anvild" --config "$WORK/anvil.yaml"
for _ in $(seq 600); do [ -s "$state/dhcp.snapshot" ] && break; sleep 0.1; done
[ -s "$state/dhcp.snapshot" ] || log "anvil: no start-up snapshot written (the rounds start without it)"
kill -9 "$SRV_PID"; wait "$SRV_PID" 2>/dev/null; SRV_PID=

declare -A MS
servers=(kea anvil)
for r in $(seq 1 "$REPS"); do
  for s in "${servers[@]}"; do
    rm -f "$WORK/first" "$WORK/first.ready"
    nsc python3 "$WORK/probe.py" "$WORK/first" 30 &
    probe=$!
    for _ in $(seq 200); do [ -e "$WORK/first.ready" ] && break; sleep 0.01; done
    t0=$(date +%s.%N)
    case $s in
      kea) start_srv kea kea-dhcp4 -c "$WORK/kea.json" ;;
      anvil) start_srv anvil env ANVIL_JAVA_OPTS="${ANVIL_JAVA_OPTS:-}" "$dist/bin/anvild" --config "$WORK/anvil.yaml" ;;
    esac
    wait "$probe" || { log "$s: no answer within 30 s"; stop_srv; continue; }
    ms=$(awk -v a="$t0" -v b="$(cat "$WORK/first")" 'BEGIN{printf "%.0f", (b-a)*1000}')
    log "round $r $s: first answer after $ms ms"
    MS[$s]="${MS[$s]:-} $ms"
    if [ "$s" = anvil ]; then
      # A crash, not a clean stop: wait until its snapshot is back (a start rewrites it once its node index is
      # loaded), then SIGKILL.
      for _ in $(seq 100); do [ -s "$state/dhcp.snapshot" ] && break; sleep 0.1; done
      kill -9 "$SRV_PID" 2>/dev/null
    fi
    stop_srv
    sleep 0.5
  done
done
for s in "${servers[@]}"; do
  echo "FIRST-ANSWER $s ($NODES reservations/nodes) ms: $(stats ${MS[$s]})"
done
ratio "first answer ms (lower is better)" "${MS[anvil]}" "${MS[kea]}" "anvil / kea"
echo "$(pkgver kea-dhcp4-server) java=$(java -version 2>&1 | head -1)"
