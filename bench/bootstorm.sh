#!/bin/bash
# Boot storm: N machines power on at the same instant; how long until all of them have done DHCP, fetched
# the first-stage loader over TFTP, chain-loaded iPXE (DHCP again, the iPXE script over HTTP), fetched the
# discovery kernel and initrd over HTTP and registered. Anvil against a reference stack of dnsmasq (DHCP +
# TFTP) and nginx (HTTP, with a static registration endpoint) serving the same files, rounds alternating,
# every server restarted for each round. Build first: mvn -q -DskipTests package.
# Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 bench/bootstorm.sh 1000
#
# usage: [REPS=3] [KERNEL_MB=10] [INITRD_MB=40] [LOADER_KB=70] [WINDOWSIZE=1] [BLKSIZE=1456] [RCVBUF_KB=0]
#        [DEADLINE_S=300] [PLOT=out.png] [TIMES_DIR=dir] [THREADS=1] bench/bootstorm.sh [N] [server ...]
#   servers: reference (dnsmasq + nginx), anvil (target/anvil; ANVIL_DIST moves it), anvil@DIR (the dist in DIR:
#            two builds side by side, e.g. "reference anvil@/tmp/before anvil") (default: reference anvil)
# The load client is bench/bootstorm/BootStorm.java (javac'd here), one thread per machine in the client
# namespace, DHCP through one relay socket (giaddr 10.99.0.2, pool 10.99.1.0-10.99.240.255 in
# 10.99.0.0/16), so every machine's TFTP, HTTP and registration come from 10.99.0.2: Anvil's per-client
# caps (tftp.maxTransfersPerClient, http.limits.maxConnectionsPerClient, discovery.perSourcePerMinute) are
# raised to let N machines through one address, as a relay or NAT in front of a rack would need.
# Per round and server: the time until the last machine registered, p50/p99 per machine and per phase,
# retransmissions/restarts by phase (a lost DHCP packet costs 4 s, as in PXE firmware), failed machines,
# and the server's CPU seconds during the storm and peak RSS (VmHWM summed over its processes: dnsmasq + nginx master and
# worker), the busy share of the server's and the client's core with its user and kernel seconds (system calls,
# and the network stack: on a veth both ends' TCP work runs on the sending core), TCP connections the
# server's listeners dropped, and the three slowest machines phase by phase. Ends with the per-round ratio reference time / Anvil time (> 1: Anvil is faster).
. "$(dirname "$0")/lib/common.sh"
here=$(cd "$(dirname "$0")" && pwd)
N=${1:-1000}
shift || true
[ $# -eq 0 ] && set -- reference anvil
KERNEL_MB=${KERNEL_MB:-10}
INITRD_MB=${INITRD_MB:-40}
LOADER_KB=${LOADER_KB:-70}
WINDOWSIZE=${WINDOWSIZE:-1}
BLKSIZE=${BLKSIZE:-1456}
RCVBUF_KB=${RCVBUF_KB:-0} # each machine's TCP receive buffer, fixed (256: iPXE's largest window); 0 = autotuned
DEADLINE_S=${DEADLINE_S:-300}
HTTP_PORT=8080
dist=${ANVIL_DIST:-$here/../target/anvil}
[[ "$N" =~ ^[0-9]+$ && "$N" -ge 1 && "$N" -le 50000 ]] || { echo "N must be 1..50000, not $N" >&2; exit 2; }

ensure_pkgs dnsmasq-base nginx-light iproute2 iputils-ping
# the client's relay address must reach the pool's addresses: the server ns gets the whole /16
setup_ns
ip -n "$NSS" route add 10.99.0.0/16 dev bs 2>/dev/null || true

mkdir -p "$WORK/classes"
javac -d "$WORK/classes" "$here/bootstorm/BootStorm.java" || exit 1

ROOT=$WORK/root
mkdir -p "$ROOT/sledgehammer"
head -c $((LOADER_KB * 1024)) /dev/urandom >"$ROOT/undionly.kpxe"
head -c $((KERNEL_MB * 1048576)) /dev/urandom >"$ROOT/sledgehammer/vmlinuz"
head -c $((INITRD_MB * 1048576)) /dev/urandom >"$ROOT/sledgehammer/initrd.img"
# the reference's iPXE script: what Anvil renders for an unknown machine, as one static file
cat >"$WORK/boot.ipxe" <<EOF
#!ipxe
kernel http://$SADDR:$HTTP_PORT/boot/sledgehammer/vmlinuz initrd=initrd console=tty0 anvil.api=http://$SADDR:$HTTP_PORT/api/v1 BOOTIF=01-\${mac:hexhyp}
initrd --name initrd http://$SADDR:$HTTP_PORT/boot/sledgehammer/initrd.img
boot
EOF
chmod -R a+rX "$ROOT" "$WORK/boot.ipxe"

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 65536; }
worker_rlimit_nofile 200000;
http {
$(nginx_http_common)
  server {
    listen $SADDR:$HTTP_PORT backlog=65535;
    location /boot/ { alias $ROOT/; }
    location = /boot.ipxe { alias $WORK/boot.ipxe; }
    location = /api/v1/discover { default_type application/json; return 201 '{"registered":true}\n'; }
  }
}
EOF

PIDS=()
start_bg() { # NAME CMD...: a daemon in the server ns (pinned with PIN_SRV)
  local name=$1; shift
  ip netns exec "$NSS" ${PIN_SRV:+taskset -c "$PIN_SRV"} "$@" >"$WORK/$name.out" 2>&1 &
  PIDS+=($!)
}

start_stack() {
  PIDS=()
  case "$1" in
    reference)
      rm -f "$WORK/dnsmasq.leases"
      start_bg dnsmasq dnsmasq -k --conf-file=/dev/null --port=0 --interface=bs --bind-interfaces \
        --dhcp-authoritative --no-ping --dhcp-range=10.99.1.0,10.99.240.255,255.255.0.0,1h \
        --dhcp-lease-max=100000 --dhcp-leasefile="$WORK/dnsmasq.leases" --quiet-dhcp --user=root \
        --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:!ipxe,undionly.kpxe,,$SADDR \
        --dhcp-boot=tag:ipxe,http://$SADDR:$HTTP_PORT/boot.ipxe \
        --enable-tftp --tftp-root="$ROOT" --tftp-max=60000 --log-facility="$WORK/dnsmasq.log"
      start_bg nginx nginx -p "$WORK/nginx" -c "$WORK/nginx.conf" -g 'daemon off;'
      ;;
    anvil | anvil@*)
      local state=$WORK/anvil-state d=$dist
      [[ "$1" == anvil@* ]] && d=${1#anvil@}
      rm -rf "$state"
      mkdir -p "$state"
      cat >"$WORK/anvil.yaml" <<YAML
stateDir: $state
api: {listen: "127.0.0.1:0"}
http: {listen: "$SADDR:$HTTP_PORT", limits: {maxConnections: 100000, maxConnectionsPerClient: 100000}}
dhcp: {listen: "0.0.0.0:67", leaseTime: 3600}
tftp: {listen: "$SADDR:69", root: "$ROOT", maxTransfers: 100000, maxTransfersPerClient: 100000}
dns: {enabled: false}
discovery: {perSourcePerMinute: 1000000, maxPending: $((N > 1000 ? N : 1000))}
networks:
  - {name: bench, id: 1, cidr: 10.99.0.0/16, staticRange: 10.99.0.10-10.99.0.200,
     dhcpPool: 10.99.1.0-10.99.240.255, domain: bench.test, v6prefix: none, serverAddress: $SADDR}
YAML
      # the daemon's own JVM options (bin/anvild's defaults) unless ANVIL_JAVA_OPTS says otherwise
      start_bg anvild "$d/bin/anvild" --config "$WORK/anvil.yaml"
      ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  local i
  for i in $(seq 300); do
    if nss ss -uln | grep -q ":67 " && nss ss -uln | grep -Eq "$SADDR]?:69 " && nss ss -tln | grep -Eq "$SADDR]?:$HTTP_PORT "; then
      return 0
    fi
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || { log "$1 died"; cat "$WORK"/*.out >&2; return 1; }; done
    sleep 0.1
  done
  log "$1 did not open its ports"; nss ss -uln >&2; nss ss -tln >&2; tail -20 "$WORK"/*.out >&2; return 1
}

# server_usage: "CPU_SECONDS PEAK_RSS_MIB" over the stack's processes (read before stopping them)
server_usage() {
  local tck ticks=0 kb=0 p s h
  tck=$(getconf CLK_TCK)
  for p in $(srv_tree "${PIDS[@]}"); do
    [ -r /proc/"$p"/stat ] || continue
    s=$(sed 's/.*) //' /proc/"$p"/stat)
    ticks=$((ticks + $(awk '{print $12 + $13 + $14 + $15}' <<<"$s")))
    h=$(awk '/^VmHWM:/{print $2}' /proc/"$p"/status 2>/dev/null)
    kb=$((kb + ${h:-0}))
  done
  awk -v t="$ticks" -v c="$tck" -v k="$kb" 'BEGIN{printf "%.1f %.0f", t/c, k/1024}'
}

# thread_cpu (THREADS=1): the stack's CPU seconds since start by thread name (threads numbered alike summed),
# user and kernel, the 12 largest: where a daemon's time went (JIT compiler, GC, event loops, store)
thread_cpu() {
  local p t tck
  tck=$(getconf CLK_TCK)
  for p in $(srv_tree "${PIDS[@]}"); do
    for t in /proc/"$p"/task/*; do
      [ -r "$t/stat" ] && echo "$(tr -d '\n' <"$t/comm" | tr ' ' _) $(sed 's/.*) //' "$t/stat" | awk '{print $12, $13}')"
    done
  done | sed 's/[0-9]*\( [0-9]* [0-9]*\)$/#\1/' |
    awk -v c="$tck" '{u[$1]+=$2; k[$1]+=$3} END{for(t in u) printf "%8.1f s  %s (user %.1f, kernel %.1f)\n", (u[t]+k[t])/c, t, u[t]/c, k[t]/c}' |
    sort -rn | head -12
}

# udp_drops: datagrams the server namespace's sockets dropped for a full receive buffer (all sockets: the
# listeners' and every transfer's)
udp_drops() { nss awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp; }
# listen_drops: connections the server namespace's listeners refused for a full accept queue (TcpExt
# ListenOverflows; each costs the client a SYN retransmission, 1 s and doubling)
listen_drops() { tcpext "$NSS" ListenOverflows; }
# tcpext NS COUNTER: one TcpExt counter of a namespace; tcp_pressure: how often either end met the kernel's TCP
# memory limit (TCPMemoryPressures) or pruned a receive queue to fit it (PruneCalled), both namespaces summed
tcpext() {
  ip netns exec "$1" awk -v n="$2" '/^TcpExt:/ {if (!h) {for (i = 2; i <= NF; i++) if ($i == n) c = i; h = 1}
    else print $c + 0}' /proc/net/netstat
}
tcp_pressure() {
  echo $(($(tcpext "$NSS" TCPMemoryPressures) + $(tcpext "$NSC" TCPMemoryPressures) +
    $(tcpext "$NSS" PruneCalled) + $(tcpext "$NSC" PruneCalled)))
}

stop_stack() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  PIDS=()
}
cleanup_stack() { stop_stack; cleanup; }
trap cleanup_stack EXIT

TIMES_DIR=${TIMES_DIR:-$WORK/times}
mkdir -p "$TIMES_DIR"
declare -A R
for rep in $(seq "$REPS"); do
  for s in "$@"; do
    start_stack "$s" || { stop_stack; R[$s all]+="fail "; continue; }
    read -r cpu0 _ <<<"$(server_usage)"
    drops0=$(udp_drops); ldrops0=$(listen_drops); press0=$(tcp_pressure)
    c0s=$(core_jiffies "${PIN_SRV:-0}"); c0c=$(core_jiffies "${PIN_CLI:-1}")
    line=$(nsc java -XX:+UseParallelGC -Xss256k -Xmx1g -cp "$WORK/classes" BootStorm --n="$N" \
      --server=$SADDR --local=$CADDR --blksize="$BLKSIZE" --windowsize="$WINDOWSIZE" --rcvbuf-kb="$RCVBUF_KB" \
      --deadline-s="$DEADLINE_S" --times="$TIMES_DIR/${s//\//_}-$rep.txt" 2>"$WORK/client.err" | grep '^STORM')
    read -r cpu rss <<<"$(server_usage)"
    read -r sb su sk <<<"$(core_busy "$c0s" "$(core_jiffies "${PIN_SRV:-0}")")"
    read -r cb cu ck <<<"$(core_busy "$c0c" "$(core_jiffies "${PIN_CLI:-1}")")"
    cores="server_core_busy=$sb user_s=$su kernel_s=$sk client_core_busy=$cb user_s=$cu kernel_s=$ck"
    cpu=$(awk -v a="$cpu0" -v b="$cpu" 'BEGIN{printf "%.1f", b-a}') # during the storm only
    drops=$(($(udp_drops) - drops0)); ldrops=$(($(listen_drops) - ldrops0)); press=$(($(tcp_pressure) - press0))
    [ -n "${THREADS:-}" ] && thread_cpu >&2
    stop_stack
    [ -s "$WORK/client.err" ] && head -8 "$WORK/client.err" >&2
    log "round $rep $s: ${line#STORM } cpu_s=$cpu rss_MiB=$rss server_udp_rcvbuf_drops=$drops server_listen_overflows=$ldrops tcp_memory_pressure=$press $cores"
    all=$(sed -n 's/.* all_s=\([^ ]*\).*/\1/p' <<<"$line")
    R[$s all]+="${all:-fail} "
    R[$s p50]+="$(sed -n 's/.* p50_s=\([^ ]*\).*/\1/p' <<<"$line") "
    R[$s p99]+="$(sed -n 's/.* p99_s=\([^ ]*\).*/\1/p' <<<"$line") "
    R[$s failed]+="$(sed -n 's/.* failed=\([^ ]*\).*/\1/p' <<<"$line") "
    R[$s retries]+="$(grep -o '[a-z]*_retries=[0-9]*' <<<"$line" | awk -F= '{s+=$2} END{print s+0}') "
    R[$s cpu]+="$cpu "
    R[$s drops]+="$drops "
    R[$s rss]+="$rss "
    R[$s skern]+="$sk "
    R[$s cbusy]+="${cb%\%} "
  done
done

for s in "$@"; do
  echo "BOOTSTORM $s N=$N kernel=${KERNEL_MB}MiB initrd=${INITRD_MB}MiB loader=${LOADER_KB}KiB:" \
    "all registered s: $(stats ${R[$s all]:-}) | per machine p50 s: $(stats ${R[$s p50]:-}) p99 s: $(stats ${R[$s p99]:-})" \
    "| failed: ${R[$s failed]:-}| retries: ${R[$s retries]:-}| server CPU s: $(stats ${R[$s cpu]:-}) | peak RSS MiB: $(stats ${R[$s rss]:-}) | server UDP drops: ${R[$s drops]:-}" \
    "| server core kernel s: $(stats ${R[$s skern]:-}) | client core busy %: $(stats ${R[$s cbusy]:-})"
done
echo "VERSIONS $(pkgver dnsmasq-base nginx-light) java=$(java -version 2>&1 | head -1)"
if [[ " $* " == *" reference "* ]]; then
  for s in "$@"; do
    [[ "$s" == anvil || "$s" == anvil@* ]] &&
      ratio "N=$N time (> 1: Anvil faster)" "${R[reference all]:-}" "${R[$s all]:-}" "reference / $s"
  done
fi

# PLOT=file.png: completions over time, the median round of each server (gnuplot)
if [ -n "${PLOT:-}" ] && command -v gnuplot >/dev/null; then
  plots=()
  for s in "$@"; do
    med=$(stats ${R[$s all]:-} | awk '{print $1}')
    best=; bd=
    for rep in $(seq "$REPS"); do
      f=$TIMES_DIR/${s//\//_}-$rep.txt
      [ -s "$f" ] || continue
      d=$(tail -1 "$f" | awk -v m="$med" '{d=$1-m; print d<0?-d:d}')
      if [ -z "$bd" ] || awk -v a="$d" -v b="$bd" 'BEGIN{exit !(a<b)}'; then bd=$d; best=$f; fi
    done
    [ -n "$best" ] && awk '{print $1, NR}' "$best" >"$WORK/plot-${s//\//_}.dat" &&
      plots+=("'$WORK/plot-${s//\//_}.dat' using 1:2 with lines lw 2 title '$s (median round, $(tail -1 "$best" | awk '{printf "%.1f", $1}') s)'")
  done
  if [ ${#plots[@]} -gt 0 ]; then
    gnuplot <<EOF
set terminal pngcairo size 900,500 font 'sans,11'
set output '$PLOT'
set title "Boot storm: $N machines (DHCP, TFTP loader, iPXE, ${KERNEL_MB} MiB kernel + ${INITRD_MB} MiB initrd over HTTP, registration)"
set xlabel 'seconds after power-on'
set ylabel 'machines registered'
set key right bottom
set grid
plot $(IFS=,; echo "${plots[*]}")
EOF
    log "plot written to $PLOT"
  fi
fi
