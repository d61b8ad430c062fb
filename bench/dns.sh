#!/bin/bash
# Authoritative DNS (A/AAAA/PTR for cluster nodes) with dnsperf (+ resperf): Anvil against NSD side by side
# (adapted from the lab's bench_dns.sh). Every server serves the same data: AAAA addresses follow Anvil's
# rule (the fd20::/64 prefix + the low 64 bits of md5(FQDN)) instead of fd20::n, so Anvil can load the
# nodes through its API and answer exactly what NSD answers. Ends with Anvil's per-round q/s ratio.
# Build first: mvn -q -DskipTests package.  Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 WARMUP=3 bench/dns.sh
#
# usage: [REPS=3] [DUR=10] [NODES=10000] [CLIENTS=20] [THREADS=2] [OUTSTANDING=100] [THREADS_CPU=1]
#        [RESPERF=1] bench_dns.sh [server ...]
#   servers: nsd knot bind dnsmasq cmd=<shell> ext=<addr>   (default: nsd knot bind dnsmasq)
# Data: zone cluster.test with NODES nodes nodeNNNNN (A 10.20.x.y, AAAA fd20::n),
# reverse zones 20.10.in-addr.arpa and 0.0.0.0.0.0.0.0.0.0.0.0.0.2.d.f.ip6.arpa
# (PTR for every node); dnsmasq gets the same data as a hosts file.
# A cmd= daemon gets BENCH_ADDR BENCH_PORT BENCH_DIR (zone files *.zone and
# hosts file there) and must answer on BENCH_ADDR:BENCH_PORT (UDP).
# Query mix: 1/4 A, 1/4 AAAA, 1/2 PTR (v4 and v6 PTR alternating), all names exist;
# QTYPE=A, AAAA or PTR restricts the mix to one type.
# Summary per server: dnsperf queries/s, avg latency, lost queries; resperf max qps.
. "$(dirname "$0")/lib/common.sh"
DUR=${DUR:-10}
export WAIT_PORT_TRIES=${WAIT_PORT_TRIES:-1800}
NODES=${NODES:-10000}
CLIENTS=${CLIENTS:-20}
THREADS=${THREADS:-2}
OUTSTANDING=${OUTSTANDING:-100}
RESPERF=${RESPERF:-1}
PORT=53
[ $# -eq 0 ] && set -- nsd "cmd=$(cd "$(dirname "$0")" && pwd)/anvil-server.sh dns"

ensure_pkgs nsd knot bind9 bind9-dnsutils dnsmasq-base dnsperf iproute2 iputils-ping
setup_ns
Z=cluster.test
R4=20.10.in-addr.arpa
R6=0.0.0.0.0.0.0.0.0.0.0.0.0.2.d.f.ip6.arpa

# ---- data ------------------------------------------------------------------
python3 - "$NODES" "$Z" "$R4" "$R6" "$WORK" <<'PYGEN'
import hashlib, json, random, sys
n, z, r4, r6, d = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
soa = "@ 3600 IN SOA ns1.%s. hostmaster.%s. 1 3600 900 604800 300\n@ 3600 IN NS ns1.%s." % (z, z, z)
fz, f4, f6 = (open("%s/%s.zone" % (d, x), "w") for x in (z, r4, r6))
fz.write("$ORIGIN %s.\n$TTL 3600\n%s\nns1 IN A 10.99.0.1\n" % (z, soa))
f4.write("$ORIGIN %s.\n$TTL 3600\n%s\n" % (r4, soa))
f6.write("$ORIGIN %s.\n$TTL 3600\n%s\n" % (r6, soa))
hosts, nodes, iids = open(d + "/hosts", "w"), open(d + "/nodes.jsonl", "w"), {}
for i in range(1, n + 1):
    h = "node%05d" % i
    fqdn = "%s.%s" % (h, z)
    iid = hashlib.md5(fqdn.encode()).hexdigest()[16:]
    iids[i] = iid
    v6 = "fd20::%s:%s:%s:%s" % (iid[0:4], iid[4:8], iid[8:12], iid[12:16])
    v4 = "10.20.%d.%d" % (i // 256, i % 256)
    fz.write("%s IN A %s\n%s IN AAAA %s\n" % (h, v4, h, v6))
    f4.write("%d.%d IN PTR %s.\n" % (i % 256, i // 256, fqdn))
    f6.write("%s IN PTR %s.\n" % (".".join(reversed(iid)), fqdn))
    hosts.write("%s %s\n%s %s\n" % (v4, fqdn, v6, fqdn))
    nodes.write(json.dumps({"name": fqdn, "macs": ["02:00:00:%02x:%02x:%02x" % (i >> 16, (i >> 8) & 255, i & 255)],
                            "addresses": {"bench": v4}}) + "\n")
random.seed(42)
with open(d + "/queries", "w") as q:
    for k in range(30000):
        i = 1 + int(random.random() * n)
        t = k % 4
        if t == 0:
            q.write("node%05d.%s A\n" % (i, z))
        elif t == 1:
            q.write("node%05d.%s AAAA\n" % (i, z))
        elif t == 2:
            q.write("%d.%d.%s PTR\n" % (i % 256, i // 256, r4))
        else:
            q.write("%s.%s PTR\n" % (".".join(reversed(iids[i])), r6))
PYGEN
# the above gives A:AAAA:PTR = 1:1:2 (PTR split v4/v6); QTYPE=A|AAAA|PTR keeps one type
if [ -n "${QTYPE:-}" ]; then grep " $QTYPE\$" "$WORK/queries" >"$WORK/q.tmp" && mv "$WORK/q.tmp" "$WORK/queries"; fi

# resperf does not loop its input: repeat the query list (enough for -m 150000 -r 10 -c 2)
if [ "$RESPERF" = 1 ]; then for i in $(seq 45); do cat "$WORK/queries"; done >"$WORK/queries.resperf"; fi

# DATA_OUT=<dir>: only write the served data there (for an ext= daemon) and stop
if [ -n "${DATA_OUT:-}" ]; then mkdir -p "$DATA_OUT" && cp "$WORK"/*.zone "$WORK/hosts" "$WORK/queries" "$DATA_OUT"/ && echo "data written to $DATA_OUT"; exit; fi
# ---- server configs ------------------------------------------------------------
cat >"$WORK/nsd.conf" <<EOF
server:
  ip-address: $SADDR@$PORT
  server-count: 2
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  database: ""
  zonelistfile: "$WORK/nsd.zonelist"
  xfrdfile: "$WORK/nsd.xfrd"
  xfrdir: "$WORK"
  pidfile: "$WORK/nsd.pid"
  verbosity: 0
  hide-version: yes
remote-control:
  control-enable: no
zone:
  name: $Z
  zonefile: $Z.zone
zone:
  name: $R4
  zonefile: $R4.zone
zone:
  name: $R6
  zonefile: $R6.zone
EOF
mkdir -p "$WORK/knot"
cat >"$WORK/knot.conf" <<EOF
server:
  rundir: "$WORK/knot"
  listen: $SADDR@$PORT
  udp-workers: 2
  tcp-workers: 1
  background-workers: 1
database:
  storage: "$WORK/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$WORK"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $Z
    file: "$Z.zone"
  - domain: $R4
    file: "$R4.zone"
  - domain: $R6
    file: "$R6.zone"
EOF
cat >"$WORK/named.conf" <<EOF
options {
  directory "$WORK";
  pid-file "$WORK/named.pid";
  session-keyfile "$WORK/session.key";
  managed-keys-directory "$WORK";
  listen-on port $PORT { $SADDR; };
  listen-on-v6 { none; };
  recursion no;
  allow-transfer { none; };
  notify no;
};
zone "$Z" { type primary; file "$Z.zone"; };
zone "$R4" { type primary; file "$R4.zone"; };
zone "$R6" { type primary; file "$R6.zone"; };
EOF

start_server() {
  case "$1" in
    nsd)     start_srv nsd nsd -d -c "$WORK/nsd.conf" ;;
    knot)    start_srv knot knotd -c "$WORK/knot.conf" ;;
    bind)    start_srv bind named -f -c "$WORK/named.conf" -n 2 ;;
    dnsmasq) start_srv dnsmasq dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts \
               --addn-hosts="$WORK/hosts" --listen-address=$SADDR --bind-interfaces \
               --port=$PORT --user=root --auth-ttl=3600 --local-ttl=3600 --log-facility=/dev/null ;;
    cmd=*)   export BENCH_ADDR=$SADDR BENCH_PORT=$PORT BENCH_DIR=$WORK
             start_cmd "${1#cmd=}" ;;
    ext=*)   return 0 ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  wait_port udp $PORT || return 1
  local t=$SADDR; [ -n "$EXT" ] && t=$EXT
  # wait until the last node answers (zone loaded)
  local i
  for i in $(seq 100); do
    nsc dig +short +tries=1 +time=1 @"$t" -p $TPORT node$(printf %05d "$NODES").$Z AAAA 2>/dev/null | grep -q : && return 0
    sleep 0.2
  done
  return 1
}

# thread_ticks: "tid name ticks" of every server thread, sorted (THREADS_CPU=1 prints, per latency pass, the CPU
# each server thread used: what else than answering ran on the server's core)
thread_ticks() {
  local p tt
  for p in $(srv_tree "${SRV_PID:-}"); do
    for tt in /proc/"$p"/task/*; do
      [ -r "$tt/stat" ] && echo "${tt##*/} $(tr -d '\n' <"$tt/comm" | tr ' ' _) $(sed 's/.*) //' "$tt/stat" | awk '{print $12 + $13}')"
    done
  done | sort
}

# Latency pass: the same query mix at a fixed offered rate (LAT_QPS, well under every server's peak) with
# dnsperf -v, which prints each answer's latency; percentiles from those (dnsperf itself reports no histogram).
LAT_QPS=${LAT_QPS:-20000}
LAT_DUR=${LAT_DUR:-5}
declare -A R_QPS R_LAT R_LOST R_MAX R_P50 R_P99 R_P999 R_CPU R_PER
for rep in $(seq "$REPS"); do
  for s in "$@"; do
    parse_item "$s"
    start_server "$s" || { log "$s did not start"; cat "$WORK"/*.out >&2; stop_srv; continue; }
    t=$SADDR; [ -n "$EXT" ] && t=$EXT
    out=$WORK/dnsperf.out
    [ "$WARMUP" -gt 0 ] && nsc timeout 60 dnsperf -s "$t" -p $TPORT -d "$WORK/queries" -l "$WARMUP" \
      -c "$CLIENTS" -T "$THREADS" -q "$OUTSTANDING" >/dev/null 2>&1
    t0=$(srv_cpu_ticks); w0=$(date +%s%N)
    nsc timeout 60 dnsperf -s "$t" -p $TPORT -d "$WORK/queries" -l "$DUR" -c "$CLIENTS" \
      -T "$THREADS" -q "$OUTSTANDING" >"$out" 2>&1
    t1=$(srv_cpu_ticks); w1=$(date +%s%N)
    qps=$(awk '/Queries per second:/{print $4}' "$out")
    # the server's share of its core while dnsperf ran, and answers per second of server CPU (a server that is
    # not saturated is measured by its cost per answer: the rate is then dnsperf's limit)
    busy=$(awk -v t="$((t1 - t0))" -v c="$(getconf CLK_TCK)" -v w="$((w1 - w0))" 'BEGIN{printf "%.0f", 100 * t / c / (w / 1e9)}')
    per_cpu=; [ -n "$qps" ] && [ "$((t1 - t0))" -gt 0 ] && per_cpu=$(awk -v q="$qps" -v t="$((t1 - t0))" \
      -v c="$(getconf CLK_TCK)" -v w="$((w1 - w0))" 'BEGIN{printf "%.0f", q * (w / 1e9) / (t / c)}')
    lat=$(awk '/Average Latency \(s\):/{printf "%.3f", $4*1000}' "$out")
    lost=$(awk '/Queries lost:/{print $3}' "$out")
    noerr=$(awk '/NOERROR/{print $2; exit}' "$out")
    log "round $rep $s: ${qps:-?} q/s avg ${lat:-?} ms lost ${lost:-?} server-cpu=${busy}% answers-per-cpu-s=${per_cpu:-?}"
    [ -z "$qps" ] && tail -20 "$out" >&2
    R_QPS[$s]+="${qps:-x} "; R_LAT[$s]+="${lat:-x} "; R_LOST[$s]+="${lost:-x} "
    R_CPU[$s]+="${busy:-x} "; R_PER[$s]+="${per_cpu:-x} "
    if [ "$LAT_QPS" -gt 0 ]; then
      # dnsperf writes a file; awk and sort read it afterwards, so they never run on the server's core while the
      # latencies are measured (a pipe's readers are not pinned with dnsperf)
      [ -n "${THREADS_CPU:-}" ] && thread_ticks >"$WORK/ticks.0"
      nsc timeout 60 dnsperf -s "$t" -p $TPORT -d "$WORK/queries" -l "$LAT_DUR" -c "$CLIENTS" -T "$THREADS" \
        -q "$OUTSTANDING" -Q "$LAT_QPS" -v >"$WORK/lat.raw" 2>/dev/null
      [ -n "${THREADS_CPU:-}" ] && thread_ticks >"$WORK/ticks.1" && join "$WORK/ticks.0" "$WORK/ticks.1" |
        awk -v c="$(getconf CLK_TCK)" '$5 > $3 {printf "%s: %.2f s ", $2, ($5 - $3) / c}' |
        { read -r l; log "round $rep $s: server CPU by thread during the latency pass: $l"; }
      awk '/^> /{print $NF * 1000}' "$WORK/lat.raw" | sort -n >"$WORK/lat.ms"
      read -r p50 p99 p999 < <(awk '{v[NR]=$1} END {if (NR == 0) {print "x x x"; exit}
        i50=int(NR*0.50); i99=int(NR*0.99); i999=int(NR*0.999); if (i50<1) i50=1; if (i99<1) i99=1; if (i999<1) i999=1
        printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[i999]}' "$WORK/lat.ms")
      log "round $rep $s: at $LAT_QPS q/s offered: p50 ${p50} ms p99 ${p99} ms p99.9 ${p999} ms ($(wc -l <"$WORK/lat.ms") answers)"
      R_P50[$s]+="$p50 "; R_P99[$s]+="$p99 "; R_P999[$s]+="$p999 "
    fi
    if [ "$RESPERF" = 1 ] && [ "$rep" = 1 ]; then
      nsc timeout 60 resperf -s "$t" -p $TPORT -P "$WORK/resperf.plot" -d "$WORK/queries.resperf" -m 150000 -r 10 -c 2 -t 2 \
        >"$WORK/resperf.out" 2>&1
      mx=$(awk '/Maximum throughput:/{print $3}' "$WORK/resperf.out")
      R_MAX[$s]=$mx
      log "round $rep $s: resperf max ${mx:-?} q/s"
      [ -z "$mx" ] && tail -5 "$WORK/resperf.out" >&2
    fi
    stop_srv
  done
done
for s in "$@"; do
  echo "DNS $s ${QTYPE:+qtype=$QTYPE }${DUR}s c=$CLIENTS T=$THREADS q=$OUTSTANDING nodes=$NODES: q/s $(stats ${R_QPS[$s]}) | avg ms $(stats ${R_LAT[$s]}) | lost $(stats ${R_LOST[$s]}) | server CPU % $(stats ${R_CPU[$s]}) | answers per CPU-s $(stats ${R_PER[$s]}) | resperf max q/s ${R_MAX[$s]:-n/a} | at ${LAT_QPS} q/s: p50 ms $(stats ${R_P50[$s]}) p99 ms $(stats ${R_P99[$s]}) p99.9 ms $(stats ${R_P999[$s]}) | $(pkgver nsd knot bind9 dnsmasq-base dnsperf)"
done

# Per-round ratio of the last server (Anvil) to the first (NSD).
first=$1; last=${!#}
if [ "$first" != "$last" ]; then
  read -r -a A <<<"${R_QPS[$last]}"; read -r -a B <<<"${R_QPS[$first]}"
  ratios=()
  for i in "${!A[@]}"; do
    [[ "${A[$i]}" =~ ^[0-9.]+$ && "${B[$i]:-x}" =~ ^[0-9.]+$ ]] &&
      ratios+=("$(awk -v a="${A[$i]}" -v b="${B[$i]}" 'BEGIN{printf "%.3f", a/b}')")
  done
  echo "RATIO ${last%% *} / ${first%% *} q/s per round: ${ratios[*]:-n/a} | median $(stats "${ratios[@]}")"
  ratio "answers per server CPU-second" "${R_PER[$last]}" "${R_PER[$first]}"
fi
