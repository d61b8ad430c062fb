#!/bin/bash
# Starts anvild for a bench script (as its cmd= server), configured from the BENCH_* variables the
# bench exports: usage: anvil-server.sh dhcp|dns|tftp|http
# The daemon comes from target/anvil (run `mvn -q -DskipTests package` first).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dist=${ANVIL_DIST:-$here/../target/anvil}
. "$here/lib/anvil-load.sh" # free_port, anvil_load_nodes
kind=${1:?usage: anvil-server.sh dhcp|dns|tftp|http|api [busypoll]}
# "tftp busypoll": the TFTP server with tftp.busyPollMicros = 1000 (off by default)
# ANVIL_BENCH_HTTP_PORT=N (dhcp): the admin API on 127.0.0.1:N inside the server namespace, to read the
# counters during a run: ip netns exec bsrv<pid> curl -s -H "Authorization: Bearer $(cat <state>/admin-token)" \
#   127.0.0.1:N/api/v1/status
# For several instances and the PostgreSQL store (bench/scale.sh): ANVIL_BENCH_STATE=DIR (default
# $BENCH_DIR/anvil-state; the config is written beside it as DIR.yaml), ANVIL_BENCH_STORE='{kind: postgresql, ...}'
# (the store: section, a YAML flow mapping; default none: H2), ANVIL_BENCH_DHCP_LISTEN=ADDR:PORT (dhcp; default
# 0.0.0.0:$BENCH_PORT). "api": the admin API only (ANVIL_BENCH_HTTP_PORT), DHCP, TFTP and DNS off, the network
# 10.20.0.0/16 of bench/node-creates.sh, for node creates.
[ "${2:-}" = busypoll ] && BUSY_POLL=1000
state=${ANVIL_BENCH_STATE:-$BENCH_DIR/anvil-state}
rm -rf "$state"
# (dns loads its nodes in a first phase below)
mkdir -p "$state"
cfg=$BENCH_DIR/anvil.yaml
[ -n "${ANVIL_BENCH_STATE:-}" ] && cfg=$state.yaml
store=${ANVIL_BENCH_STORE:+"store: $ANVIL_BENCH_STORE"}
case "$kind" in
  dhcp)
    cat >"$cfg" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:${ANVIL_BENCH_HTTP_PORT:-0}"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {listen: "${ANVIL_BENCH_DHCP_LISTEN:-0.0.0.0:$BENCH_PORT}", leaseTime: 3600}
tftp: {enabled: false}
dns: {enabled: false}
$store
networks:
  - name: bench
    id: 1
    cidr: $BENCH_SUBNET
    staticRange: 10.99.0.10-10.99.0.200
    dhcpPool: $BENCH_POOL_START-$BENCH_POOL_END
    domain: bench.test
    v6prefix: none
    serverAddress: $BENCH_ADDR
YAML
    ;;
  tftp)
    # Every bench client shares one address: the per-client cap (default 8) would throttle the concurrent modes.
    cat >"$cfg" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {enabled: false}
dns: {enabled: false}
tftp: {listen: "$BENCH_ADDR:$BENCH_PORT", root: "$BENCH_DIR", maxWindowsize: 64, busyPollMicros: ${BUSY_POLL:-0},
       maxTransfersPerClient: 10000}
networks:
  - {name: bench, id: 1, cidr: 10.99.0.0/24, staticRange: 10.99.0.10-10.99.0.200, domain: bench.test,
     v6prefix: none, serverAddress: $BENCH_ADDR}
YAML
    ;;
  dns)
    # Phase 1: load the bench's nodes through the REST API with DNS off, so the DNS port only opens once
    # every node is in (the bench waits for the port, then for the last node).
    net='{name: bench, id: 2, cidr: 10.20.0.0/16, staticRange: 10.20.0.1-10.20.255.254, domain: cluster.test, v6prefix: "fd20::", serverAddress: 10.99.0.1}'
    anvil_load_nodes "$dist" "$state" "$net" "$BENCH_DIR/nodes.jsonl" "$BENCH_DIR/anvil-load"
    cat >"$cfg" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {enabled: false}
tftp: {enabled: false}
dns: {listen: "$BENCH_ADDR:$BENCH_PORT", ttl: 3600}
networks: [$net]
YAML
    ;;
  http)
    # BENCH_DIR is the install root (the bench's tree is BENCH_DIR/bench, served at /install/bench/).
    state=$(mktemp -d /tmp/anvil-bench-http.XXXXXX)
    cfg=$state/anvil.yaml
    cat >"$cfg" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "$BENCH_ADDR:$BENCH_PORT", installRoot: "$BENCH_DIR"}
dhcp: {enabled: false}
tftp: {enabled: false}
dns: {enabled: false}
networks:
  - {name: bench, id: 1, cidr: 10.99.0.0/24, staticRange: 10.99.0.10-10.99.0.200, domain: bench.test,
     v6prefix: none, serverAddress: $BENCH_ADDR}
YAML
    ;;
  api)
    cat >"$cfg" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:${ANVIL_BENCH_HTTP_PORT:-0}"}
http: {listen: "127.0.0.1:$(free_port)"}
dhcp: {enabled: false}
tftp: {enabled: false}
dns: {enabled: false}
lifecycle: {aliveIntervalSeconds: 0}
$store
networks:
  - {name: bench, id: 2, cidr: 10.20.0.0/16, staticRange: 10.20.0.1-10.20.255.254, domain: cluster.test,
     v6prefix: "fd20::", serverAddress: 10.20.0.1}
YAML
    ;;
  *) echo "anvil-server.sh: $kind is not benchmarked yet" >&2; exit 2 ;;
esac
export ANVIL_JAVA_OPTS="${ANVIL_JAVA_OPTS:--XX:+UseParallelGC -XX:ParallelGCThreads=1 -Xms512m -Xmx512m -XX:TieredStopAtLevel=4}"
exec "$dist/bin/anvild" --config "$cfg"
