#!/bin/bash
# DHCPv4 DORA throughput with perfdhcp (Debian package kea-admin): Anvil against Kea, side by side.
# Adapted from the lab's bench_dhcp.sh; by default it runs Kea (memfile) and Anvil (cmd=anvil-server.sh dhcp)
# in alternating rounds and ends with the per-round Anvil/Kea ratio. Build first: mvn -q -DskipTests package.
# Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 WARMUP=5 bench/dhcp.sh
#
# usage: [REPS=3] [RATE=20000] [DUR=10] [CLIENTS=50000] [CPU_QUOTA=percent] bench_dhcp.sh [server ...]
# Per round it also prints the server's CPU use while perfdhcp ran (server-cpu=%, DORA and replies sent per
# CPU-second: a server that is not saturated is measured by its cost per answer, not by the rate); with
# CPU_QUOTA every server gets that share of one core (a CPU cgroup), for when a whole core outruns perfdhcp.
#   servers: kea (Kea 2.2 defaults: single-threaded, memfile)  kea-mt (Kea, 2 threads)
#            dnsmasq  dnsmasq-ro (no lease file writes)  cmd=<shell>   ext=<addr>[:port]
#            (default: kea kea-mt dnsmasq)
# perfdhcp runs as a relay agent (giaddr = 10.99.0.2, its own address) and
# unicasts to the server at 10.99.0.1:67; replies come back to giaddr:67.
# A cmd= daemon gets BENCH_ADDR BENCH_PORT BENCH_SUBNET BENCH_POOL_START
# BENCH_POOL_END BENCH_GIADDR BENCH_DIR and must serve the relayed subnet.
# A server may be given as name@rate to offer it its own rate (exchanges/s).
# ext=<addr>[:port]: perfdhcp runs in the root namespace with giaddr/source
# 127.0.0.2 (EXT_LOCAL), so the daemon must bind its own address, not 0.0.0.0.
# One-line summary per server: completed 4-way exchanges/s (ACKs received /
# DUR), drops (DISCOVER + REQUEST without answer), REQUEST-ACK avg latency.
. "$(dirname "$0")/lib/common.sh"
RATE=${RATE:-20000}
DUR=${DUR:-10}
CLIENTS=${CLIENTS:-50000}
PORT=67
SUBNET=10.99.0.0/16
POOL_START=10.99.1.0
POOL_END=10.99.240.255   # 61440 addresses
[ $# -eq 0 ] && set -- kea "cmd=$(cd "$(dirname "$0")" && pwd)/anvil-server.sh dhcp"

ensure_pkgs kea-dhcp4-server kea-admin dnsmasq-base iproute2 iputils-ping
setup_ns
export KEA_LOCKFILE_DIR=$WORK KEA_PIDFILE_DIR=$WORK

kea_conf() { # $1 = true|false multi-threading
  kea_dhcp4_conf bs "{ \"type\": \"memfile\", \"persist\": true,
                      \"name\": \"$WORK/kea-leases4.csv\", \"lfc-interval\": 0 }" "$1" >"$WORK/kea.json"
}

start_server() {
  rm -f "$WORK"/kea-leases4.csv* "$WORK/dnsmasq.leases"
  case "$1" in
    kea)     kea_conf false; start_srv kea kea-dhcp4 -c "$WORK/kea.json" ;;
    kea-mt)  kea_conf true;  start_srv kea kea-dhcp4 -c "$WORK/kea.json" ;;
    dnsmasq) start_srv dnsmasq dnsmasq -k --conf-file=/dev/null --port=0 \
               --interface=bs --bind-interfaces --dhcp-authoritative --no-ping \
               --dhcp-range=$POOL_START,$POOL_END,255.255.0.0,1h \
               --dhcp-lease-max=100000 --dhcp-leasefile="$WORK/dnsmasq.leases" \
               --log-facility="$WORK/dnsmasq.log" --quiet-dhcp --user=root ;;
    dnsmasq-ro) # same, but never rewrites the lease file (--leasefile-ro)
             start_srv dnsmasq dnsmasq -k --conf-file=/dev/null --port=0 \
               --interface=bs --bind-interfaces --dhcp-authoritative --no-ping \
               --dhcp-range=$POOL_START,$POOL_END,255.255.0.0,1h \
               --dhcp-lease-max=100000 --leasefile-ro \
               --log-facility="$WORK/dnsmasq.log" --quiet-dhcp --user=root ;;
    cmd=*)   export BENCH_ADDR=$SADDR BENCH_PORT=67 BENCH_SUBNET=$SUBNET \
               BENCH_POOL_START=$POOL_START BENCH_POOL_END=$POOL_END \
               BENCH_GIADDR=$CADDR BENCH_DIR=$WORK
             start_cmd "${1#cmd=}" ;;
    ext=*)   return 0 ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  wait_port udp 67 && quota_srv
}

declare -A R_RATE R_DROP R_LAT R_CPU R_PER R_REP
# UdpRcvbufErrors of a namespace (0 for ext= targets outside them)
rcvbuf_errors() { ip netns exec "$1" nstat -az UdpRcvbufErrors 2>/dev/null | awk '/UdpRcvbufErrors/{v=$2} END{print v+0}'; }
# datagrams the server namespace sent (OFFERs, ACKs, NAKs): the server's work, including answers perfdhcp's full
# socket then dropped
udp_out() { ip netns exec "$NSS" nstat -az UdpOutDatagrams 2>/dev/null | awk '/UdpOutDatagrams/{v=$2} END{print v+0}'; }
for rep in $(seq "$REPS"); do
  for s in "$@"; do
    srv=${s%@*}; rate_s=$RATE; [ "$srv" != "$s" ] && rate_s=${s##*@}
    parse_item "$srv"
    start_server "$srv" || { log "$s did not start"; cat "$WORK"/*.out >&2; stop_srv; continue; }
    target=$SADDR; [ -n "$EXT" ] && target=$EXT
    out=$WORK/perf.out
    # warm-up uses other MAC addresses (-b) so the measured run starts from an
    # empty lease set for its own clients
    [ "$WARMUP" -gt 0 ] && nsc timeout 60 perfdhcp -4 -l "${EXT:+${EXT_LOCAL:-127.0.0.2}}${EXT:-$CADDR}" -r "$rate_s" \
      -R 5000 -b mac=00:0d:01:02:03:04 -p "$WARMUP" -W 200000 -N "$TPORT" "$target" >/dev/null 2>&1
    # Which socket overflows during the measured run (kernel UDP receive-buffer errors in each namespace,
    # read just before and just after it, so the reading costs the measurement nothing): the server's, or
    # the load generator's own (it falls behind on its core).
    sb=$(rcvbuf_errors "$NSS"); cb=$(rcvbuf_errors "$NSC"); o0=$(udp_out); t0=$(srv_cpu_ticks); w0=$(date +%s%N)
    nsc timeout 60 perfdhcp -4 -l "${EXT:+${EXT_LOCAL:-127.0.0.2}}${EXT:-$CADDR}" -r "$rate_s" -R "$CLIENTS" \
      -p "$DUR" -W 200000 -N "$TPORT" "$target" >"$out" 2>&1
    t1=$(srv_cpu_ticks); w1=$(date +%s%N); o1=$(udp_out)
    sov=$(( $(rcvbuf_errors "$NSS") - sb )); cov=$(( $(rcvbuf_errors "$NSC") - cb ))
    # Rate line: "Rate: 6969.54 4-way exchanges/second, expected rate: 20000"
    acks=$(awk '/^\*\*\*Statistics for: REQUEST-ACK/{f=1} f&&/received packets:/{print $3; exit}' "$out")
    rate=; [ -n "$acks" ] && rate=$(awk -v a="$acks" -v d="$DUR" 'BEGIN{printf "%.0f", a/d}')
    sent=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/{f=1} f&&/sent packets:/{print $3; exit}' "$out")
    drops=$(awk '/^\*\*\*Statistics for: REQUEST-ACK/{f=1} f&&/drops:/{print $2; exit}' "$out")
    odrops=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/{f=1} f&&/drops:/{print $2; exit}' "$out")
    lat=$(awk '/^\*\*\*Statistics for: REQUEST-ACK/{f=1} f&&/avg delay:/{print $3; exit}' "$out")
    # the server's share of its core while perfdhcp ran, and replies sent per second of server CPU: when the
    # server is not saturated (perfdhcp's own socket overflowing), DORA/s is the generator's limit, not the
    # server's, and the server also answers DISCOVERs whose OFFERs perfdhcp then drops
    busy=$(awk -v t="$((t1 - t0))" -v c="$(getconf CLK_TCK)" -v w="$((w1 - w0))" 'BEGIN{printf "%.0f", 100 * t / c / (w / 1e9)}')
    per_cpu=; [ -n "$acks" ] && [ "$((t1 - t0))" -gt 0 ] &&
      per_cpu=$(awk -v a="$acks" -v t="$((t1 - t0))" -v c="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", a / (t / c)}')
    replies_cpu=; [ "$((t1 - t0))" -gt 0 ] &&
      replies_cpu=$(awk -v a="$((o1 - o0))" -v t="$((t1 - t0))" -v c="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", a / (t / c)}')
    log "round $rep $s: ${rate:-?} DORA/s, DISCOVER sent=$sent offer-drops=$odrops ack-drops=$drops ack-avg-delay=${lat}ms rcvbuf-overflows server=$sov client=$cov server-cpu=${busy}% DORA-per-cpu-s=${per_cpu:-?} replies=$((o1 - o0)) replies-per-cpu-s=${replies_cpu:-?}"
    [ -z "$rate" ] && tail -20 "$out" >&2
    R_RATE[$s]+="${rate:-x} "; R_DROP[$s]+="$(( ${odrops:-0} + ${drops:-0} )) "; R_LAT[$s]+="${lat:-x} "
    R_CPU[$s]+="${busy:-x} "; R_PER[$s]+="${per_cpu:-x} "; R_REP[$s]+="${replies_cpu:-x} "
    tag=${s//[^A-Za-z0-9_.-]/_}; cp "$out" "$WORK/perf.$tag.$rep.out"; [ -n "${KEEP:-}" ] && cp "$out" "$KEEP.$tag.$rep"
    stop_srv
    quota_cleanup
  done
done
for s in "$@"; do
  rate_s=$RATE; [ "${s%@*}" != "$s" ] && rate_s=${s##*@}
  echo "DHCP ${s%@*} offered=${rate_s}/s ${DUR}s clients=$CLIENTS: DORA/s $(stats ${R_RATE[$s]}) | drops $(stats ${R_DROP[$s]}) | REQUEST-ACK avg ms $(stats ${R_LAT[$s]}) | server CPU % $(stats ${R_CPU[$s]}) | DORA per CPU-s $(stats ${R_PER[$s]}) | replies per CPU-s $(stats ${R_REP[$s]}) | $(pkgver kea-dhcp4-server kea-admin dnsmasq-base)"
done

# Ratio of the last server to the first, per round (rounds alternate, so each pair saw the same machine).
first=$1; last=${!#}
if [ "$first" != "$last" ]; then
  read -r -a A <<<"${R_RATE[$last]}"; read -r -a B <<<"${R_RATE[$first]}"
  ratios=()
  for i in "${!A[@]}"; do
    [[ "${A[$i]}" =~ ^[0-9]+$ && "${B[$i]:-x}" =~ ^[0-9]+$ && "${B[$i]}" -gt 0 ]] &&
      ratios+=("$(awk -v a="${A[$i]}" -v b="${B[$i]}" 'BEGIN{printf "%.3f", a/b}')")
  done
  echo "RATIO ${last%% *} / ${first%% *} DORA/s per round: ${ratios[*]:-n/a} | median $(stats "${ratios[@]}")"
  ratio "DORA per server CPU-second" "${R_PER[$last]}" "${R_PER[$first]}" "${last%% *} / ${first%% *}"
  ratio "replies per server CPU-second" "${R_REP[$last]}" "${R_REP[$first]}" "${last%% *} / ${first%% *}"
fi
