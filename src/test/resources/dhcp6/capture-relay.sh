#!/bin/sh
# DHCPv6 through a relay: dhclient in netns C, dnsmasq as a relay in netns R, dnsmasq as the server in netns S;
# two veth pairs, no other interface, no route out. Writes $OUT/relay.pcap (seen by the server). Run as root.
set -eu
OUT=${OUT:-/tmp/dhcp6cap/relay}
rm -rf "$OUT"; mkdir -p "$OUT"
S=d6rs$$; R=d6rr$$; C=d6rc$$
cleanup() {
  for p in $(cat "$OUT"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  for n in "$C" "$R" "$S"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
for n in "$S" "$R" "$C"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add d6c netns "$C" address 52:54:00:12:34:56 type veth peer name rdown netns "$R" address 02:00:00:00:07:01
ip link add rup netns "$R" address 02:00:00:00:06:02 type veth peer name d6s netns "$S" address 02:00:00:00:06:01
ip -n "$R" addr add fd00:7::1/64 dev rdown nodad
ip -n "$R" addr add fd00:6::2/64 dev rup nodad
ip -n "$S" addr add fd00:6::1/64 dev d6s nodad
for x in "$C d6c" "$R rdown" "$R rup" "$S d6s"; do set -- $x; ip -n "$1" link set "$2" up; done
ip -n "$S" route add fd00:7::/64 via fd00:6::2 dev d6s
sleep 3
ip netns exec "$S" tcpdump -i d6s -U -w "$OUT/relay.pcap" 'udp port 547' 2>"$OUT/tcpdump.log" &
echo $! > "$OUT/tcpdump.pid"
ip netns exec "$S" dnsmasq -d -k --conf-file=/dev/null --port=0 --interface=d6s --bind-interfaces \
  --dhcp-leasefile="$OUT/dnsmasq.leases" --log-dhcp --dhcp-range=fd00:7::100,fd00:7::1ff,64,2m \
  --dhcp-option=option6:dns-server,[fd00:6::1] >"$OUT/dnsmasq.log" 2>&1 &
echo $! > "$OUT/dnsmasq.pid"
ip netns exec "$R" dnsmasq -d -k --conf-file=/dev/null --port=0 --interface=rdown --interface=rup \
  --dhcp-relay=fd00:7::1,fd00:6::1 --log-dhcp >"$OUT/relay.log" 2>&1 &
echo $! > "$OUT/relay.pid"
sleep 2
timeout 8 ip netns exec "$C" dhclient -6 -d -v -D LL -sf /bin/true -pf "$OUT/x.pidfile" -lf "$OUT/c.leases" d6c \
  >"$OUT/dhclient.log" 2>&1 || true
sleep 1
