#!/bin/bash
# DNS's own share of a node create, in one JVM without the store or the API (ZoneChangeBench, test scope):
# the cost of one node change in zones of N nodes, per 1,000-node band, in place (LiveZones.put, 20,000
# address changes) against the former whole-zone build on every change (ReferenceZones, the old ZoneSnapshot, with its
# answer cache). usage: bench/dns-zone-changes.sh [NODES (10000)] [REBUILD_SAMPLES (20)]
# Needs the test classes: mvn -o -q test-compile (run it under the bench lock: flock /tmp/anvil-bench.lock)
set -eu
cd "$(dirname "$0")/.."
cp=$(mvn -o -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)
java -Xmx1g -cp "target/test-classes:target/classes:$cp" dev.anvil.dns.policy.ZoneChangeBench "${1:-10000}" "${2:-20}"
