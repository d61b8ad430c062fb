#!/bin/bash
# The SIGKILL harness (issue 23): KillIT REPS times. Each run starts the real daemon 21 times on one state
# directory under node creates through the API and DHCP exchanges, kills it with SIGKILL at a random moment
# 20 times, and fails on any acknowledged node or lease lost and any address held twice. About a minute a run.
# (One run is part of the CI test run; this repeats it.)
# usage: [REPS=3] bench/kill.sh      (uses Maven; builds the distribution)
set -u
cd "$(dirname "$0")/.."
REPS=${REPS:-3}
pass=0
for r in $(seq 1 "$REPS"); do
  if mvn -q -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KillIT \
      >"/tmp/anvil-kill-$r.log" 2>&1; then
    pass=$((pass + 1)); echo "run $r: passed ($(grep -ho 'kill harness:.*' target/failsafe-reports/*KillIT*-output.txt 2>/dev/null))"
  else
    echo "run $r: FAILED: $(grep -ho 'after kill [0-9]*:.*' target/failsafe-reports/*KillIT.txt 2>/dev/null | head -1)"
  fi
done
echo "KILL-HARNESS $pass of $REPS runs lost nothing"
[ "$pass" = "$REPS" ]
