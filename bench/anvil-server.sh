#!/bin/bash
# Starts anvild for a bench script (as its cmd= server), configured from the BENCH_* variables the
# bench exports: usage: anvil-server.sh dhcp|dns|tftp|http
# The daemon comes from target/anvil (run `mvn -q -DskipTests package` first).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dist=${ANVIL_DIST:-$here/../target/anvil}
kind=${1:?usage: anvil-server.sh dhcp|dns|tftp|http}
state=$BENCH_DIR/anvil-state
rm -rf "$state"
mkdir -p "$state"
cfg=$BENCH_DIR/anvil.yaml
case "$kind" in
  dhcp)
    cat >"$cfg" <<YAML
stateDir: $state
http: {listen: "127.0.0.1:0"}
dhcp: {listen: "0.0.0.0:$BENCH_PORT", leaseTime: 3600}
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
    cat >"$cfg" <<YAML
stateDir: $state
http: {listen: "127.0.0.1:0"}
dhcp: {enabled: false}
tftp: {listen: "$BENCH_ADDR:$BENCH_PORT", root: "$BENCH_DIR", maxWindowsize: 64}
networks:
  - {name: bench, id: 1, cidr: 10.99.0.0/24, staticRange: 10.99.0.10-10.99.0.200, domain: bench.test,
     v6prefix: none, serverAddress: $BENCH_ADDR}
YAML
    ;;
  *) echo "anvil-server.sh: $kind is not benchmarked yet" >&2; exit 2 ;;
esac
export ANVIL_JAVA_OPTS="${ANVIL_JAVA_OPTS:--XX:+UseParallelGC -XX:ParallelGCThreads=1 -Xms512m -Xmx512m -XX:TieredStopAtLevel=4}"
exec "$dist/bin/anvild" --config "$cfg"
