#!/bin/bash
# TFTP read throughput of a 64 MiB file, one client and CONC concurrent clients: Anvil against tftpd-hpa
# and atftpd side by side (adapted from the lab's bench_tftp.sh). Ends with Anvil's per-round ratio to
# each reference server for every mode. Build first: mvn -q -DskipTests package.
# Recommended: PIN_SRV=0 PIN_CLI=1 REPS=5 WARMUP=3 bench/tftp.sh
#
# usage: [REPS=3] [SIZE_MB=64] [CONC=20] [LINK_MTU=1500] [MODES="..."] bench_tftp.sh [server ...]
#   servers: tftpd-hpa atftpd cmd=<shell> ext=<addr>     (default: tftpd-hpa atftpd)
# Clients (Debian packages): tftp-hpa (512-byte blocks only: no option
# negotiation), atftp (--option "blksize N", --option "windowsize N" = RFC 7440),
# curl (--tftp-blksize N). atftpd is fetched with apt-get download and unpacked
# into the temp dir, because its package conflicts with tftpd-hpa.
# TFTP is lock-step (or window-step with RFC 7440), so its speed is about
# blksize*window/RTT: the veth RTT here is tens of microseconds, a real LAN
# with a PXE client is ~0.1-0.5 ms, so absolute figures here are optimistic.
# (This kernel has no sch_netem, so no delay can be added.) The RTT seen by
# ping over the veth is printed with the summary.
# Downloads go to a tmpfs dir (/dev/shm when present) and are size-checked.
# A cmd= daemon gets BENCH_ADDR BENCH_PORT BENCH_DIR (file big.bin there).
# Summary per server and client mode: MB/s (1e6 bytes/s), aggregate for CONC.
. "$(dirname "$0")/lib/common.sh"
SIZE_MB=${SIZE_MB:-64}
CONC=${CONC:-20}
PORT=69
[ $# -eq 0 ] && set -- tftpd-hpa atftpd "cmd=$(cd "$(dirname "$0")" && pwd)/anvil-server.sh tftp"
MODES=${MODES:-"hpa-512 curl-512 curl-1468 atftp-512 atftp-1468 atftp-1468-w16 conc-curl-1468 conc-atftp-1468-w16"}

ensure_pkgs tftpd-hpa tftp-hpa atftp curl iproute2 iputils-ping
if [ ! -x "$WORK/atftpd/usr/sbin/atftpd" ]; then
  (cd "$WORK" && apt-get download -qq atftpd >/dev/null 2>&1) && dpkg-deb -x "$WORK"/atftpd_*.deb "$WORK/atftpd"
fi
setup_ns
DL=$WORK
[ -d /dev/shm ] && DL=$(mktemp -d -p /dev/shm) && trap 'rm -rf "$DL"; cleanup' EXIT
RTT=$(ip netns exec "$NSC" ping -c 20 -i 0.01 -q $SADDR 2>/dev/null | awk -F/ '/^rtt/{printf "%.0fus", $5*1000}')
ROOT=$WORK/root
mkdir -p "$ROOT" && chmod 755 "$ROOT"
head -c $((SIZE_MB * 1048576)) /dev/urandom >"$ROOT/big.bin"
chmod 644 "$ROOT/big.bin"
BYTES=$((SIZE_MB * 1048576))
# DATA_OUT=<dir>: only write the served data there (for an ext= daemon) and stop
if [ -n "${DATA_OUT:-}" ]; then mkdir -p "$DATA_OUT" && cp "$ROOT/big.bin" "$DATA_OUT"/ && echo "data written to $DATA_OUT"; exit; fi

start_server() {
  case "$1" in
    tftpd-hpa) start_srv tftpd in.tftpd -L -a "$SADDR:$PORT" -s "$ROOT" ;;
    atftpd)    start_srv atftpd "$WORK/atftpd/usr/sbin/atftpd" --daemon --no-fork \
                 --bind-address "$SADDR" --port $PORT --maxthread 100 \
                 --logfile /dev/null --user nobody --group nogroup "$ROOT" ;;
    cmd=*)     export BENCH_ADDR=$SADDR BENCH_PORT=$PORT BENCH_DIR=$ROOT
               start_cmd "${1#cmd=}" ;;
    ext=*)     return 0 ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  wait_port udp $PORT
}

# one transfer: get_one MODE TARGET OUTFILE ; returns non-zero on failure
get_one() {
  local m=$1 t=$2 o=$3
  case "$m" in
    hpa-512)    timeout 60 tftp -m binary "$t" "$TPORT" -c get big.bin "$o" ;;
    curl-*)     timeout 60 curl -sS -o "$o" --tftp-blksize "${m#curl-}" "tftp://$t:$TPORT/big.bin" ;;
    atftp-*-w*) local b=${m#atftp-}; b=${b%-w*}
                timeout 60 atftp --get -r big.bin -l "$o" --option "blksize $b" \
                  --option "windowsize ${m##*-w}" "$t" "$TPORT" >/dev/null 2>&1 ;;
    atftp-*)    timeout 60 atftp --get -r big.bin -l "$o" --option "blksize ${m#atftp-}" "$t" "$TPORT" >/dev/null 2>&1 ;;
  esac
}
export -f get_one

declare -A R
for rep in $(seq "$REPS"); do
  for s in "$@"; do
    parse_item "$s"
    start_server "$s" || { log "$s did not start"; cat "$WORK"/*.out >&2; stop_srv; continue; }
    t=$SADDR; [ -n "$EXT" ] && t=$EXT
    # WARMUP=N: N unrecorded passes over every single-client mode first, for every server alike (the lab's
    # method: each round restarts the daemon, and a JVM's JIT needs ~100,000 packets to reach its steady state)
    for w in $(seq "$WARMUP"); do
      for m in $MODES; do
        [ "${m#conc-}" = "$m" ] && nsc timeout 60 bash -c "get_one $m $t $DL/dl.w" 2>/dev/null
      done
    done
    for m in $MODES; do
      rm -f "$DL"/dl.*
      if [ "${m#conc-}" != "$m" ]; then
        mm=${m#conc-}; n=$CONC
      else
        mm=$m; n=1
      fi
      c0s=$(core_jiffies "${PIN_SRV:-0}"); c0c=$(core_jiffies "${PIN_CLI:-1}")
      t0=$(date +%s.%N)
      nsc bash -c 'for i in $(seq '"$n"'); do get_one '"$mm $t"' '"$DL"'/dl.$i & done; wait' 2>/dev/null
      t1=$(date +%s.%N)
      read -r sb _ <<<"$(core_busy "$c0s" "$(core_jiffies "${PIN_SRV:-0}")")"
      read -r cb _ <<<"$(core_busy "$c0c" "$(core_jiffies "${PIN_CLI:-1}")")"
      cores="server core busy $sb, client core busy $cb"
      ok=0
      for i in $(seq "$n"); do [ "$(stat -c %s "$DL/dl.$i" 2>/dev/null)" = "$BYTES" ] && ok=$((ok + 1)); done
      if [ "$ok" = "$n" ]; then
        mbs=$(awk -v b="$BYTES" -v n="$n" -v a="$t0" -v z="$t1" 'BEGIN{printf "%.1f", b*n/1e6/(z-a)}')
      else
        mbs=fail
      fi
      log "round $rep $s $m: $mbs MB/s ($ok/$n complete, $(awk -v a="$t0" -v z="$t1" 'BEGIN{printf "%.2f", z-a}') s, $cores)"
      R[$s $m]+="$mbs "
    done
    rm -f "$DL"/dl.*
    stop_srv
  done
done
for s in "$@"; do
  line="TFTP $s ${SIZE_MB}MiB mtu=$LINK_MTU rtt=$RTT MB/s:"
  for m in $MODES; do line+=" $m=$(stats ${R[$s $m]}) ;"; done
  echo "$line | $(pkgver tftpd-hpa tftp-hpa atftp curl)atftpd=$(dpkg-deb -f "$WORK"/atftpd_*.deb Version 2>/dev/null)"
done

# Per-round ratios of every Anvil variant (cmd=...anvil-server.sh...) to every other server, per mode.
for a in "$@"; do
  [[ "$a" == *anvil-server* ]] || continue
  for ref in "$@"; do
    [[ "$ref" == *anvil-server* ]] && continue
    for m in $MODES; do
      read -r -a A <<<"${R[$a $m]}"; read -r -a B <<<"${R[$ref $m]}"
      ratios=()
      for i in "${!A[@]}"; do
        [[ "${A[$i]}" =~ ^[0-9.]+$ && "${B[$i]:-x}" =~ ^[0-9.]+$ ]] &&
          ratios+=("$(awk -v x="${A[$i]}" -v y="${B[$i]}" 'BEGIN{printf "%.3f", x/y}')")
      done
      echo "RATIO ${a##*/} / ${ref%% *} $m: ${ratios[*]:-n/a} | median $(stats "${ratios[@]}")"
    done
  done
done
