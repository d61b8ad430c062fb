#!/bin/bash
# Store durability (issue 23): the cost of a durable node create, and the SIGKILL loop for longer than the
# unit test (H2KillTest) runs it.
#   1. H2CreateBench: COUNT creates one after another on a fresh store, creates/s and p50/p99 latency,
#      with each commit flushed to the OS (the default) and with an fsync per commit.
#   2. H2KillBench: ROUNDS rounds of a child JVM writing from THREADS threads, SIGKILLed at a random
#      moment within KILL_MS ms, every acknowledged node/task/meta key checked after each restart.
# usage: [COUNT=2000] [ROUNDS=40] [THREADS=8] [PAUSE_MS=0] [KILL_MS=1500] bench/store-durability.sh
#        (build first: mvn -q -DskipTests package && mvn -q test-compile)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cp="$here/target/test-classes:$here/target/classes:$(ls "$here"/target/anvil/lib/*.jar | tr '\n' ':')"
java=(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp")
"${java[@]}" dev.anvil.store.h2.H2CreateBench "${COUNT:-2000}"
"${java[@]}" dev.anvil.store.h2.H2CreateBench "${COUNT:-2000}" fsync
"${java[@]}" dev.anvil.store.h2.H2KillBench "${ROUNDS:-40}" "${THREADS:-8}" "${PAUSE_MS:-0}" "${KILL_MS:-1500}"
