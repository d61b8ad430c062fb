#!/bin/sh
# A QEMU VM (TCG) network-booting over IPv6 on a tap in a private network namespace with nothing else in it,
# answered by dnsmasq's DHCPv6 (with router advertisements, M flag) on the tap; tcpdump keeps DHCPv6.
# FIRMWARE=ovmf: OVMF's own IPv6 PXE (IPv4 PXE off, virtio-net without option ROM).
# FIRMWARE=ipxe: SeaBIOS with the iPXE option ROM of ipxe-qemu on an e1000.
set -eu
FIRMWARE=${FIRMWARE:-ovmf}
OUT=${OUT:-/tmp/dhcp6cap/vm-$FIRMWARE}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-90}
rm -rf "$OUT"; mkdir -p "$OUT"
N=d6vm$$
cleanup() {
  for p in $(cat "$OUT"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  ip netns del "$N" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$N"; ip -n "$N" link set lo up
ip -n "$N" tuntap add dev tap6 mode tap
ip -n "$N" link set tap6 address 02:00:00:00:06:01
ip -n "$N" addr add fd00:6::1/64 dev tap6 nodad
ip -n "$N" link set tap6 up
ip netns exec "$N" tcpdump -i tap6 -U -w "$OUT/vm.pcap" 'udp port 547 or udp port 546' 2>"$OUT/tcpdump.log" &
echo $! > "$OUT/tcpdump.pid"
ip netns exec "$N" dnsmasq -d -k --conf-file=/dev/null --port=0 --interface=tap6 --bind-interfaces \
  --dhcp-leasefile="$OUT/dnsmasq.leases" --log-dhcp --enable-ra --dhcp-range=fd00:6::100,fd00:6::1ff,64,2m \
  --dhcp-option=option6:dns-server,[fd00:6::1] --dhcp-option=option6:domain-search,cluster.test \
  --dhcp-option=option6:bootfile-url,tftp://[fd00:6::1]/snponly.efi >"$OUT/dnsmasq.log" 2>&1 &
echo $! > "$OUT/dnsmasq.pid"
sleep 1
if [ "$FIRMWARE" = ovmf ]; then
  cp /usr/share/OVMF/OVMF_VARS_4M.fd "$OUT/vars.fd"
  set -- -machine q35 -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    -drive if=pflash,format=raw,file="$OUT/vars.fd" -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n \
    -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:57,romfile=
else
  set -- -device e1000,netdev=n0,mac=52:54:00:12:34:58
fi
timeout "$SECONDS_TO_RUN" ip netns exec "$N" qemu-system-x86_64 -m 256 -accel tcg -display none \
  -serial "file:$OUT/serial.log" -monitor none -netdev tap,id=n0,ifname=tap6,script=no,downscript=no \
  "$@" -boot n >"$OUT/qemu.log" 2>&1 || true
sleep 1
