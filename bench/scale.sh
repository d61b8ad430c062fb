#!/bin/bash
# Scale-out benchmark (issue 20): Anvil on H2 and on PostgreSQL, one and two instances, side by side with Kea on
# PostgreSQL (Debian kea-dhcp4-server, lease-database type postgresql), on one throw-away PostgreSQL server.
#
#   usage: [REPS=5] [WARMUP=5] [PIN_SRV=0 PIN_CLI=1] bench/scale.sh [dhcp] [creates]   (default: both)
#   recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 WARMUP=5 bench/scale.sh      (about 13 minutes; doc/benchmarks.md)
#   build first: mvn -q -DskipTests -Danvil.deb.skip package (the daemon comes from target/anvil, or ANVIL_DIST)
#
# dhcp: DHCPv4 4-way exchanges/s with perfdhcp as a relay agent, as bench/dhcp.sh does (RATE offered, CLIENTS
#   simulated clients, DUR seconds, a fresh lease store every round). SERVERS (default "kea-pg@1250 anvil-h2
#   anvil-pg anvil-pg2"):
#     kea-pg     Kea 2.2, single-threaded, lease-database postgresql (schema by kea-admin db-init pgsql)
#     kea-pg-mt  the same with multi-threading (2 threads)
#     anvil-h2   anvild with its default store (H2 in the state directory)
#     anvil-pg   anvild with store.kind postgresql, its own database
#     anvil-pg2  two anvild on one database, each bound to its own address (10.99.0.1, 10.99.0.3), each with
#                its own perfdhcp (giaddr 10.99.0.2 / 10.99.0.4, distinct MAC ranges) at RATE, both at once; the
#                figure is the sum. Afterwards both instances' GET /api/v1/leases are joined and the addresses
#                held by more than one MAC are counted and printed (DUPLICATES ...).
#   A server may be given as name@rate to offer it its own rate (as in bench/dhcp.sh): a database-bound server
#   answers far fewer at 20,000/s offered than at its own peak (its queue fills with requests perfdhcp has given
#   up on), so give Kea its peak to be fair to it: 1,250/s on the 2-core VM of doc/benchmarks.md (the default);
#   find it on another machine with one round per rate, e.g. REPS=1 SERVERS="kea-pg@1000 kea-pg@1500 kea-pg@2000".
#   Per round one line per server, then per server median [min..max] and the per-round ratios of each Anvil to
#   kea-pg (the first kea-* in SERVERS).
# creates: node creates/s through the admin API (POST /api/v1/nodes, pinned addresses, as bench/node-creates.sh),
#   NODES (default 2000) nodes timed after CREATE_WARMUP (default 200) untimed ones, CONC (default 8) concurrent
#   clients. CREATE_SERVERS (default "anvil-h2 anvil-pg
#   anvil-pg2"): anvil-pg2 is two instances on one database (own state directories, ports and store.instance),
#   the creates spread over both APIs in turn. Per-round figures and ratios to anvil-h2.
#
# Everything runs in the two network namespaces of bench/lib/common.sh: PostgreSQL (initdb + pg_ctl of Debian's
# postgresql package, as the postgres user, a data directory under the temp dir, 127.0.0.1:PGPORT and a unix
# socket in the temp dir) and the daemons in the server namespace, perfdhcp and the API clients in the client
# namespace (creates: in the server namespace, on its loopback). PIN_DB (default PIN_SRV) pins PostgreSQL, so the
# server side (daemon + its database) shares the server's core(s). PG_OPTS adds server settings (e.g.
# "-c synchronous_commit=off"); by default the server is durable as shipped (fsync on, a commit waits for its WAL
# flush), as Kea's and Anvil's documentation assume. The exit trap stops every daemon, PostgreSQL, and removes
# the namespaces and the temp dir.
. "$(dirname "$0")/lib/common.sh"
RATE=${RATE:-20000}
DUR=${DUR:-10}
CLIENTS=${CLIENTS:-50000}
NODES=${NODES:-2000}
CONC=${CONC:-8}
CREATE_WARMUP=${CREATE_WARMUP:-200}
SERVERS=${SERVERS:-"kea-pg@1250 anvil-h2 anvil-pg anvil-pg2"}
CREATE_SERVERS=${CREATE_SERVERS:-"anvil-h2 anvil-pg anvil-pg2"}
PIN_DB=${PIN_DB:-${PIN_SRV:-}}
PGPORT=${PGPORT:-45432}

SUBNET=10.99.0.0/16
POOL_START=10.99.1.0
POOL_END=10.99.240.255 # 61440 addresses
SADDR2=10.99.0.3       # the second anvild's address (anvil-pg2)
CADDR2=10.99.0.4       # the second perfdhcp's relay address
API1=18080 API2=18081  # admin API ports inside the server namespace
here=$(cd "$(dirname "$0")" && pwd)
dist=${ANVIL_DIST:-$here/../target/anvil}
anvil_server=$here/anvil-server.sh
phases=${*:-dhcp creates}
for p in $phases; do
  case "$p" in dhcp | creates) ;; *) echo "unknown phase $p (usage: bench/scale.sh [dhcp] [creates])" >&2; exit 2 ;; esac
done
for s in $SERVERS; do
  case "${s%@*}" in kea-pg | kea-pg-mt | anvil-h2 | anvil-pg | anvil-pg2) ;; *) echo "unknown DHCP server $s" >&2; exit 2 ;; esac
done
for s in $CREATE_SERVERS; do
  case "$s" in anvil-h2 | anvil-pg | anvil-pg2) ;; *) echo "unknown creates server $s" >&2; exit 2 ;; esac
done
[ -x "$dist/bin/anvild" ] || { echo "no $dist/bin/anvild: build first (mvn -q -DskipTests -Danvil.deb.skip package)" >&2; exit 2; }

ensure_pkgs kea-dhcp4-server kea-admin postgresql iproute2 iputils-ping curl python3
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "no initdb under /usr/lib/postgresql: apt-get install postgresql" >&2; exit 2; }
setup_ns
nss ip addr add $SADDR2/24 dev bs
ip -n "$NSC" addr add $CADDR2/24 dev bc
export KEA_LOCKFILE_DIR=$WORK KEA_PIDFILE_DIR=$WORK

PIDS=() # anvild instances of the current round (besides SRV_PID)
PG=$WORK/pg
pg() { nss runuser -u postgres -- "$@"; }
pg_stop() { [ -f "$PG/data/postmaster.pid" ] && pg "$PGBIN/pg_ctl" -D "$PG/data" -m immediate -w stop >/dev/null 2>&1; }
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null
  done
  PIDS=()
  stop_srv
}
trap 'stop_all; pg_stop; cleanup' EXIT

# PostgreSQL in the server namespace: superuser "anvil", trust on loopback and the socket (the namespace has no
# other interface than the veth pair, and the server listens on 127.0.0.1 only).
mkdir -p "$PG" && chown postgres: "$PG"
pg "$PGBIN/initdb" -D "$PG/data" -U anvil --auth-local=trust --auth-host=trust -E UTF8 --locale=C \
  >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
# shellcheck disable=SC2086 # PG_OPTS is a list of server options
nss ${PIN_DB:+taskset -c "$PIN_DB"} runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w -t 60 \
  -o "-p $PGPORT -k $PG -c listen_addresses=127.0.0.1 -c max_connections=100 ${PG_OPTS:-}" start >/dev/null ||
  { cat "$PG/server.log" >&2; exit 1; }
psql_() { nss env PGOPTIONS=--client-min-messages=warning "$PGBIN/psql" -X -q -h "$PG" -p "$PGPORT" -U anvil -v ON_ERROR_STOP=1 "$@"; }
fresh_db() { psql_ -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }
PG_URL="jdbc:postgresql://127.0.0.1:$PGPORT"
log "PostgreSQL $("$PGBIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$PGPORT in $NSS${PIN_DB:+, cpus $PIN_DB}${PG_OPTS:+, $PG_OPTS}"

kea_start() { # $1 = true|false multi-threading
  fresh_db kea
  nss kea-admin db-init pgsql -h 127.0.0.1 -P "$PGPORT" -u anvil -p unused -n kea >"$WORK/kea-admin.log" 2>&1 ||
    { cat "$WORK/kea-admin.log" >&2; return 1; }
  kea_dhcp4_conf "bs/$SADDR" "{ \"type\": \"postgresql\", \"name\": \"kea\", \"user\": \"anvil\",
    \"password\": \"unused\", \"host\": \"127.0.0.1\", \"port\": $PGPORT }" "$1" >"$WORK/kea.json"
  start_srv kea kea-dhcp4 -c "$WORK/kea.json"
  wait_port udp 67
}

# anvil_start TAG KIND STORE [DHCP_LISTEN] [API_PORT]: one anvild (bench/anvil-server.sh KIND) in the server
# namespace with its own state directory, waits for "ready" (every listener bound). STORE: h2 or a database name.
anvil_start() {
  local tag=$1 kind=$2 store=$3 listen=${4:-0.0.0.0:67} api=${5:-$API1}
  local st=
  [ "$store" != h2 ] && st="{kind: postgresql, url: \"$PG_URL/$store\", user: anvil, instance: $tag, poolSize: 8}"
  BENCH_ADDR=$SADDR BENCH_PORT=67 BENCH_SUBNET=$SUBNET BENCH_POOL_START=$POOL_START BENCH_POOL_END=$POOL_END \
    BENCH_GIADDR=$CADDR BENCH_DIR=$WORK ANVIL_BENCH_STATE=$WORK/state-$tag ANVIL_BENCH_STORE=$st \
    ANVIL_BENCH_DHCP_LISTEN=$listen ANVIL_BENCH_HTTP_PORT=$api ANVIL_DIST=$dist \
    ip netns exec "$NSS" ${PIN_SRV:+taskset -c "$PIN_SRV"} bash "$anvil_server" "$kind" >"$WORK/$tag.out" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 600); do
    grep -q "ready: API at" "$WORK/$tag.out" && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  log "anvild $tag did not start:"; tail -20 "$WORK/$tag.out" >&2
  return 1
}
token() { cat "$WORK/state-$1/admin-token"; }

# perf OUT LOCAL TARGET MAC RATE SECONDS CLIENTS: one perfdhcp run (relay LOCAL, base MAC) into OUT
perf() {
  nsc timeout 60 perfdhcp -4 -l "$2" -r "$5" -R "$7" -b "mac=$4" -p "$6" -W 200000 "$3" >"$1" 2>&1
}
# acks OUT: REQUEST-ACK replies received; field OUT EXCHANGE LABEL N: the Nth word of that statistics line
field() { awk -v x="$2" -v l="$3" -v n="$4" '$0 ~ "^\\*\\*\\*Statistics for: " x {f=1} f && index($0, l) {print $n; exit}' "$1"; }

# dups: addresses that more than one MAC holds (offered or active) in the two instances' lease lists
dups() {
  local t a; t=$(token pg2a)
  for a in $API1 $API2; do
    nss curl -sf -H "Authorization: Bearer $t" "http://127.0.0.1:$a/api/v1/leases" >"$WORK/leases.$a" ||
      { log "GET /api/v1/leases on port $a failed"; echo "? ?"; return; }
  done
  python3 - "$WORK/leases.$API1" "$WORK/leases.$API2" <<'PY'
import json, sys
held = {}
for path in sys.argv[1:]:
    for l in json.load(open(path)):
        if l["state"] in ("offered", "active"):
            held.setdefault(l["ip"], set()).add(l["mac"])
print(len(held), sum(1 for m in held.values() if len(m) > 1))
PY
}

declare -A R
dhcp_round() { # SERVER[@RATE] ROUND
  local s=${1%@*} r=$RATE rep=$2 out=$WORK/perf.${1%@*}.$2 out2="" line rate acks acks2=0 lat drops d1 d2 n d
  [ "$s" != "$1" ] && r=${1##*@}
  case "$s" in
    kea-pg) kea_start false ;;
    kea-pg-mt) kea_start true ;;
    anvil-h2) anvil_start h2 dhcp h2 ;;
    anvil-pg) fresh_db anvil && anvil_start pg dhcp anvil ;;
    anvil-pg2) fresh_db anvil && anvil_start pg2a dhcp anvil "$SADDR:67" $API1 &&
      anvil_start pg2b dhcp anvil "$SADDR2:67" $API2 ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac || { log "$1 did not start"; stop_all; R[$1]+="x "; return; }
  if [ "$s" = anvil-pg2 ]; then
    out2=$out.b
    if [ "$WARMUP" -gt 0 ]; then
      perf /dev/null $CADDR $SADDR 00:0d:01:02:03:04 "$r" "$WARMUP" 5000 &
      perf /dev/null $CADDR2 $SADDR2 00:0f:01:02:03:04 "$r" "$WARMUP" 5000
      wait $!
    fi
    perf "$out" $CADDR $SADDR 00:0c:01:02:03:04 "$r" "$DUR" "$CLIENTS" &
    perf "$out2" $CADDR2 $SADDR2 00:0e:01:02:03:04 "$r" "$DUR" "$CLIENTS"
    wait $!
    acks2=$(field "$out2" REQUEST-ACK "received packets:" 3)
  else
    [ "$WARMUP" -gt 0 ] && perf /dev/null $CADDR $SADDR 00:0d:01:02:03:04 "$r" "$WARMUP" 5000
    perf "$out" $CADDR $SADDR 00:0c:01:02:03:04 "$r" "$DUR" "$CLIENTS"
  fi
  acks=$(field "$out" REQUEST-ACK "received packets:" 3)
  rate=; [[ "$acks" =~ ^[0-9]+$ && "$acks2" =~ ^[0-9]+$ ]] && rate=$(( (acks + acks2) / DUR ))
  lat=$(field "$out" REQUEST-ACK "avg delay:" 3)
  d1=$(field "$out" DISCOVER-OFFER "drops:" 2); d2=$(field "$out" REQUEST-ACK "drops:" 2)
  drops=$(( ${d1:-0} + ${d2:-0} ))
  line="round $rep dhcp $1: ${rate:-?} exchanges/s, drops=$drops ack-avg-delay=${lat}ms"
  [ -n "$out2" ] && line+=" (instance a $((acks / DUR))/s, b $((acks2 / DUR))/s)"
  log "$line"
  [ -z "$rate" ] && tail -20 "$out" >&2
  if [ "$s" = anvil-pg2 ]; then
    read -r n d <<<"$(dups)"
    log "round $rep DUPLICATES anvil-pg2: $d addresses held by two MACs (of $n offered/active addresses in both instances)"
    R[dup]+="$d "
  fi
  R[$1]+="${rate:-x} "
  stop_all
}

creates_round() { # SERVER ROUND
  local s=$1 rep=$2 apis t res
  case "$s" in
    anvil-h2) anvil_start ch2 api h2 "" $API1 && apis=$API1 && t=$(token ch2) ;;
    anvil-pg) fresh_db anvil && anvil_start cpg api anvil "" $API1 && apis=$API1 && t=$(token cpg) ;;
    anvil-pg2) fresh_db anvil && anvil_start pg2a api anvil "" $API1 && anvil_start pg2b api anvil "" $API2 &&
      apis="$API1,$API2" && t=$(token pg2a) ;;
    *) echo "unknown server $s" >&2; exit 2 ;;
  esac || { log "$s did not start"; stop_all; R[c-$s]+="x "; return; }
  res=$(ip netns exec "$NSS" ${PIN_CLI:+taskset -c "$PIN_CLI"} python3 - "$apis" "$t" "$NODES" "$CONC" "$CREATE_WARMUP" <<'PY'
import concurrent.futures, sys, time, urllib.request
apis, token, n, conc, warm = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def post(i):
    a = i + 256  # pinned addresses from 10.20.1.0 up, as bench/node-creates.sh
    body = ('{"name":"b%05d.cluster.test","macs":["52:54:01:%02x:%02x:%02x"],"addresses":{"bench":"10.20.%d.%d"}}'
            % (i, i >> 16 & 255, i >> 8 & 255, i & 255, a >> 8, a & 255))
    req = urllib.request.Request("http://127.0.0.1:%s/api/v1/nodes" % apis[i % len(apis)], data=body.encode(),
                                 method="POST", headers={"Content-Type": "application/json",
                                                         "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status == 201
    except Exception as e:
        print("create %d: %s" % (i, e), file=sys.stderr)
        return False
with concurrent.futures.ThreadPoolExecutor(conc) as ex:
    list(ex.map(post, range(n + 1, n + warm + 1)))  # untimed: JIT and connection warm-up
    t0 = time.monotonic()
    ok = sum(ex.map(post, range(1, n + 1)))
print("%.0f %d" % (ok / (time.monotonic() - t0), n - ok))
PY
  )
  read -r rate failed <<<"$res"
  log "round $rep creates $s: ${rate:-?} creates/s ($NODES nodes, $CONC clients, ${failed:-?} failed)"
  R[c-$s]+="${rate:-x} "
  stop_all
}

echo "# $(date -u +%FT%TZ) $(git -C "$BENCH_HERE" rev-parse --short HEAD 2>/dev/null) dist=$dist REPS=$REPS WARMUP=$WARMUP" \
  "PIN_SRV=${PIN_SRV:-} PIN_CLI=${PIN_CLI:-} PIN_DB=${PIN_DB:-} | $(pkgver kea-dhcp4-server postgresql)"
for rep in $(seq "$REPS"); do
  for p in $phases; do
    case "$p" in
      dhcp) for s in $SERVERS; do dhcp_round "$s" "$rep"; done ;;
      creates) for s in $CREATE_SERVERS; do creates_round "$s" "$rep"; done ;;
    esac
  done
done

for p in $phases; do
  if [ "$p" = dhcp ]; then
    echo "DHCP offered=${RATE}/s per perfdhcp ${DUR}s clients=$CLIENTS:"
    for s in $SERVERS; do echo "  $s exchanges/s $(stats ${R[$s]})  (per round: ${R[$s]})"; done
    kea=$(printf '%s\n' $SERVERS | grep -m1 '^kea') || kea=
    for s in $SERVERS; do
      [ -n "$kea" ] && [[ "$s" == anvil-* ]] && ratio dhcp "${R[$s]}" "${R[$kea]}" "$s / $kea"
    done
    [[ " $SERVERS " == *" anvil-pg2 "* ]] &&
      echo "DUPLICATES anvil-pg2 (addresses held by two MACs across the two instances) per round: ${R[dup]}"
  else
    echo "Node creates/s ($NODES nodes, $CONC clients):"
    for s in $CREATE_SERVERS; do echo "  $s creates/s $(stats ${R[c-$s]})  (per round: ${R[c-$s]})"; done
    for s in $CREATE_SERVERS; do
      [ "$s" != anvil-h2 ] && [[ " $CREATE_SERVERS " == *" anvil-h2 "* ]] &&
        ratio creates "${R[c-$s]}" "${R[c-anvil-h2]}" "$s / anvil-h2"
    done
  fi
done
true
