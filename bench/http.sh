#!/bin/bash
# HTTP install-tree serving with wrk and curl: Anvil against nginx side by side (adapted from the lab's
# bench_http.sh). Both serve the same tree at the same URLs (/install/bench/...): nginx with its root one
# level up, Anvil with that directory as http.installRoot. Ends with Anvil's per-round ratios.
# Build first: mvn -q -DskipTests package.  Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 WARMUP=3 bench/http.sh
#
# usage: [REPS=3] [DUR=10] [NSMALL=2000] [SMALL_KB=4] [SIZE_MB=64] [CONNS=64] [THREADS=2] [LOADS="small big curl"]
#        http.sh [server ...]
#   servers: nginx cmd=<shell> ext=<addr>        (default: nginx, then Anvil)
# Loads: wrk small files (random paths via a Lua script, keep-alive, CONNS connections) -> req/s and
# latency p50/p99; wrk big.bin with 4 connections -> GB/s; one curl download of big.bin -> GB/s.
# GB = 1e9 bytes. A cmd= daemon gets BENCH_ADDR BENCH_PORT BENCH_DIR (the install root).
. "$(dirname "$0")/lib/common.sh"
DUR=${DUR:-10}
NSMALL=${NSMALL:-2000}
SMALL_KB=${SMALL_KB:-4}
SIZE_MB=${SIZE_MB:-64}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
LOADS=${LOADS:-small big curl}   # a subset measures one load alone (e.g. LOADS=big with more rounds)
has() { [[ " $LOADS " == *" $1 "* ]]; }
PORT=80
[ $# -eq 0 ] && set -- nginx "cmd=$(cd "$(dirname "$0")" && pwd)/anvil-server.sh http"

ensure_pkgs nginx-light wrk curl iproute2 iputils-ping
setup_ns
WWW=$WORK/www
DOC=$WWW/install/bench
mkdir -p "$DOC/s"
head -c $((SIZE_MB * 1048576)) /dev/urandom >"$DOC/big.bin"
head -c $((SMALL_KB * 1024)) /dev/urandom >"$WORK/small.tmpl"
for i in $(seq -f %05g 1 "$NSMALL"); do cp "$WORK/small.tmpl" "$DOC/s/$i"; done
chmod -R a+rX "$WWW"
cat >"$WORK/rand.lua" <<EOF
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/install/bench/s/%05d", math.random(1, $NSMALL)))
end
EOF
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_http_common)
  server { listen $SADDR:$PORT; root $WWW; }
}
EOF

start_server() {
  case "$1" in
    nginx) start_srv nginx nginx -p "$WORK/nginx" -c "$WORK/nginx.conf" -g 'daemon off;' ;;
    cmd=*) export BENCH_ADDR=$SADDR BENCH_PORT=$PORT BENCH_DIR=$WWW/install
           start_cmd "${1#cmd=}" ;;
    ext=*) return 0 ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  wait_port tcp $PORT
}

# wrk "Transfer/sec: 1.23GB" (binary units) -> decimal GB/s
gbps() { awk '/Transfer\/sec:/{v=$2; m=1
  if (v ~ /GB$/) m=1024^3; else if (v ~ /MB$/) m=1024^2; else if (v ~ /KB$/) m=1024
  sub(/[KMG]?B$/, "", v); printf "%.2f", v*m/1e9}' "$1"; }
# wrk latency percentile in ms
pct() { awk -v p="$2" '$1==p {v=$2; m=1; if (v ~ /us$/) m=0.001; else if (v ~ /ms$/) m=1; else if (v ~ /s$/) m=1000
  sub(/[um]?s$/, "", v); printf "%.3f", v*m}' "$1"; }

declare -A RS RP50 RP99 RB RC
for rep in $(seq "$REPS"); do
  for s in "$@"; do
    parse_item "$s"
    start_server "$s" || { log "$s did not start"; cat "$WORK"/*.out >&2; stop_srv; continue; }
    t=$SADDR; [ -n "$EXT" ] && t=$EXT
    u="http://$t:$TPORT"
    if [ "$WARMUP" -gt 0 ]; then
      has small && nsc timeout 60 wrk -t "$THREADS" -c "$CONNS" -d "${WARMUP}s" -s "$WORK/rand.lua" "$u/" >/dev/null 2>&1
      nsc timeout 60 wrk -t "$THREADS" -c 4 -d "${WARMUP}s" "$u/install/bench/big.bin" >/dev/null 2>&1
    fi
    : >"$WORK/w1"; : >"$WORK/w2"; rps='' p50='' p99='' non2xx='' big='' cgb=''
    if has small; then
      nsc timeout 60 wrk -t "$THREADS" -c "$CONNS" -d "${DUR}s" --latency -s "$WORK/rand.lua" "$u/" >"$WORK/w1" 2>&1
      rps=$(awk '/Requests\/sec:/{printf "%.0f", $2}' "$WORK/w1")
      p50=$(pct "$WORK/w1" 50%); p99=$(pct "$WORK/w1" 99%)
      non2xx=$(awk '/Non-2xx/{print $NF}' "$WORK/w1")
      [ -z "$rps" ] && cat "$WORK/w1" >&2
    fi
    if has big; then
      nsc timeout 60 wrk -t "$THREADS" -c 4 -d "${DUR}s" "$u/install/bench/big.bin" >"$WORK/w2" 2>&1
      big=$(gbps "$WORK/w2")
    fi
    if has curl; then
      cs=$(nsc timeout 60 curl -sS -o /dev/null -w '%{speed_download}' "$u/install/bench/big.bin")
      cgb=$(awk -v b="$cs" 'BEGIN{printf "%.2f", b/1e9}')
    fi
    line="round $rep ${s%% *}:"
    has small && line+=" small ${rps:-?} req/s p50 ${p50}ms p99 ${p99}ms ${non2xx:+non2xx=$non2xx} |"
    has big && line+=" big wrk ${big:-?} GB/s |"
    has curl && line+=" curl ${cgb} GB/s"
    log "$line"
    RS[$s]+="${rps:-x} "; RP50[$s]+="${p50:-x} "; RP99[$s]+="${p99:-x} "; RB[$s]+="${big:-x} "; RC[$s]+="$cgb "
    stop_srv
  done
done
for s in "$@"; do
  echo "HTTP ${s%% *} small(${SMALL_KB}KiB x$NSMALL, c=$CONNS t=$THREADS ${DUR}s): req/s $(stats ${RS[$s]}) p50 ms $(stats ${RP50[$s]}) p99 ms $(stats ${RP99[$s]}) | big ${SIZE_MB}MiB wrk c=4 GB/s $(stats ${RB[$s]}) | curl 1 stream GB/s $(stats ${RC[$s]}) | $(pkgver nginx-light wrk curl)"
done

# Per-round ratios of the last server (Anvil) to the first (nginx).
first=$1; last=${!#}
if [ "$first" != "$last" ]; then
  ratio "small req/s" "${RS[$last]}" "${RS[$first]}"
  ratio "big wrk GB/s" "${RB[$last]}" "${RB[$first]}"
  ratio "curl GB/s" "${RC[$last]}" "${RC[$first]}"
fi
