#!/bin/sh
# Real DHCPv6 packets between ISC dhclient and dnsmasq, in two private network namespaces joined by a veth pair
# (no other interface, no route out). Writes $OUT/all.pcap. Run as root.
set -eu
OUT=${OUT:-/tmp/dhcp6cap/run}
rm -rf "$OUT"; mkdir -p "$OUT"
S=d6srv$$; C=d6cli$$
cleanup() {
  for p in $(cat "$OUT"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  ip netns del "$C" 2>/dev/null || true; ip netns del "$S" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$S"; ip netns add "$C"
ip link add d6s netns "$S" address 02:00:00:00:06:01 type veth peer name d6c netns "$C" address 52:54:00:12:34:56
ip -n "$S" link set lo up; ip -n "$C" link set lo up
ip -n "$S" addr add fd00:6::1/64 dev d6s nodad
ip -n "$S" link set d6s up; ip -n "$C" link set d6c up
sleep 3   # link-local addresses leave DAD
ip netns exec "$S" tcpdump -i d6s -U -w "$OUT/all.pcap" 'udp port 546 or udp port 547' 2>"$OUT/tcpdump.log" &
echo $! > "$OUT/tcpdump.pid"
sleep 1
# 1. SOLICIT with nobody answering: DUID-LLT (dhclient's default), then DUID-LL.
timeout 4 ip netns exec "$C" dhclient -6 -d -v -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/llt.leases" d6c \
  >"$OUT/dhclient-llt.log" 2>&1 || true
timeout 4 ip netns exec "$C" dhclient -6 -d -v -D LL -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/ll.leases" d6c \
  >"$OUT/dhclient-ll.log" 2>&1 || true
# 2. dnsmasq answers.
ip netns exec "$S" dnsmasq -d -k --conf-file=/dev/null --port=0 --interface=d6s --bind-interfaces \
  --dhcp-leasefile="$OUT/dnsmasq.leases" --log-dhcp \
  --dhcp-range=fd00:6::100,fd00:6::1ff,64,2m \
  --dhcp-option=option6:dns-server,[fd00:6::1] --dhcp-option=option6:domain-search,cluster.test \
  --dhcp-option=option6:bootfile-url,tftp://[fd00:6::1]/snponly.efi \
  --dhcp-option=option6:bootfile-param,root=nfs,quiet >"$OUT/dnsmasq.log" 2>&1 &
echo $! > "$OUT/dnsmasq.pid"
sleep 1
# SOLICIT, ADVERTISE, REQUEST, REPLY; then RENEW at T1 (60 s for dnsmasq's shortest lease of 2 min).
ip netns exec "$C" dhclient -6 -d -v -D LL -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/ll.leases" d6c \
  >"$OUT/dhclient-lease.log" 2>&1 &
echo $! > "$OUT/dhclient.pid"
sleep 68
kill "$(cat "$OUT/dhclient.pid")"; sleep 1
# Restarted on a lease it holds: CONFIRM; then RELEASE.
ip netns exec "$C" dhclient -6 -d -v -D LL -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/ll.leases" d6c \
  >"$OUT/dhclient-confirm.log" 2>&1 &
echo $! > "$OUT/dhclient.pid"
sleep 5
kill "$(cat "$OUT/dhclient.pid")"; sleep 1
timeout 10 ip netns exec "$C" dhclient -6 -v -D LL -r -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/ll.leases" d6c \
  >"$OUT/dhclient-release.log" 2>&1 || true
# 3. Stateless: INFORMATION-REQUEST and its REPLY.
timeout 6 ip netns exec "$C" dhclient -6 -S -d -v -1 -D LL -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/s.leases" d6c \
  >"$OUT/dhclient-stateless.log" 2>&1 || true
sleep 1
