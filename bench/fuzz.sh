#!/bin/bash
# The long fuzz run (doc/fuzzing.md): every Jazzer target (the *FuzzTest classes) fuzzed for DURATION each,
# one JVM per target, two at a time, then the jqwik properties with TRIES tries each. A finding fails the run
# and is written as crash-<sha1> into the target's src/test/resources/.../<Class>Inputs/<method>/ directory:
# fix the bug, keep the file (renamed to say what it is) as a regression input. What the fuzzer learned stays
# in .cifuzz-corpus/ (git-ignored) and seeds the next run.
#
# usage: [DURATION=5m] [TRIES=100000] [TARGETS='*FuzzTest'] bench/fuzz.sh
#   e.g. DURATION=30s TARGETS=DnsFuzzTest bench/fuzz.sh
# mvn verify runs the same targets for 5 s each (-Danvil.fuzz.duration).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5m}
TRIES=${TRIES:-100000}
TARGETS=${TARGETS:-'*FuzzTest'}
MVN=(mvn -B)
[ -e /tmp/anvil-mvn.lock ] && MVN=(flock /tmp/anvil-mvn.lock mvn -B)
start=$(date +%s)
"${MVN[@]}" test-compile surefire:test@fuzz -Danvil.fuzz.duration="$DURATION" -Dtest="$TARGETS" \
  -Dsurefire.failIfNoSpecifiedTests=false
"${MVN[@]}" surefire:test -Djqwik.tries.default="$TRIES" -Dtest='*PropertyTest' -Dsurefire.failIfNoSpecifiedTests=false
echo "fuzz: targets $TARGETS for $DURATION each, properties with $TRIES tries: $(( $(date +%s) - start )) s"
