#!/bin/bash
# e2e.sh - Anvil's end-to-end test (issue 8): a real QEMU VM (software emulation, no KVM) network-boots
# from anvild alone (its own DHCP, TFTP, HTTP and DNS) on a private bridge inside a network namespace.
#
# Usage: src/test/e2e/e2e.sh [bios|uefi|ab|httpboot|secureboot|all|v6|ipmi|ipmi-uefi|arm64|arm64-http|debian|debian-secboot]
#        (default: all = bios, uefi, httpboot, secureboot; v6: scenario E alone; ipmi, ipmi-uefi: scenario G alone (BIOS, UEFI); arm64: scenario H alone; arm64-http: scenario J alone; debian, debian-secboot: scenario I)
#   bios  scenario A: SeaBIOS + QEMU's iPXE e1000 ROM; unknown VM -> Sledgehammer discovery -> registered
#         (node, MAC, inventory memory/CPUs checked) -> install assigned -> stand-in installer (answer file,
#         token, install-complete callback) -> local boot ("booting from the local disk" + the boot sector
#         the installer wrote); state history and DNS A/AAAA checked.
#   uefi  scenario B: OVMF, virtio-net without ROM (OVMF's own PXE) -> snponly.efi -> iPXE -> Sledgehammer
#         -> registered; DHCP client architecture 7 checked in a tcpdump capture of the DHCP traffic.
#   httpboot  scenario F: OVMF with its PXE off (fw_cfg IPv4PXESupport=n, IPv6PXESupport=n), so its "UEFI HTTPv4"
#         boot option runs: DHCP with vendor class HTTPClient, arch 16 -> Anvil's http:// boot file (option 60
#         HTTPClient echoed) -> the loader over HTTP -> iPXE -> boot.ipxe -> Sledgehammer -> registered; the capture
#         must show the HTTPClient exchange and no TFTP at all.
#   secureboot  scenarios C and D (doc/secure-boot.md), Secure Boot enforced: OVMF_CODE_4M.secboot.fd with
#         OVMF_VARS_4M.ms.fd (Microsoft keys enrolled), q35 smm=on, secure pflash. C: anvild with
#         dhcp.secureBoot -> shimx64.efi -> Debian's signed GRUB -> grub/grub.cfg (rendered for the client by its lease) ->
#         the signed Sledgehammer kernel -> registered; the TFTP names asked for are checked in a capture.
#         D: anvild restarted without dhcp.secureBoot hands the same VM snponly.efi (unsigned): the firmware
#         refuses it ("Access Denied" on the serial console) and nothing registers (the node's timeline).
#   arm64 scenario H (a long run, not in `all`: CI's time budget): qemu-system-aarch64 -M virt -cpu cortex-a57 with AAVMF
#         (qemu-efi-aarch64), virtio-net without ROM, TCG: DHCP arch 11 -> Debian's signed grubnetaa64.efi over TFTP
#         (dhcp.bootFiles.efi-arm64) -> grub/grub.cfg (rendered for the client) -> the arm64 discovery image
#         (sledgehammer-arm64, built by pxe/sledgehammer/build.sh -a arm64 from apt-get download'ed arm64 .debs)
#         -> registered; the arch-11 DISCOVER and the TFTP names are checked in a capture.
#   debian  scenario I (a long run, not in `all`; doc/e2e.md "Scenario I"): Debian 12's own installer. The install tree
#         is made by pxe/debian-mirror.sh (debian-installer-12-netboot-amd64's kernel and initrd, the installer's
#         components and a package subset, unsigned Release) and imported as OS debian-12: a BIOS VM (SeaBIOS, iPXE ROM,
#         -m 1024, 4 GiB disk) registers through Sledgehammer, gets `install debian-12` (the shipped boot environment
#         debian-12-install), boots debian-installer over HTTP, which loads Anvil's per-node preseed, runs its
#         early_command (the node goes installing), takes the mirror split from the tree URL and retrieves its
#         components from Anvil. It passes when the installer completes: install-complete from the post-install script,
#         the reboot to local boot and the node ready (ping and SSH with the pinned host key). E2E_DEBIAN_PARTIAL=1 builds
#         a tree without the components the download mirror refuses (see doc/e2e.md) and reports how far the installer got.
#   debian-secboot  scenario I under Secure Boot enforced (OVMF secboot, Microsoft keys, dhcp.secureBoot): shim ->
#         Debian's signed GRUB -> the node's GRUB config -> debian-installer's signed kernel and initrd over TFTP.
#   arm64-http  scenario J (a long run, not in `all`): the arm64 VM of H with AAVMF's PXE off (fw_cfg IPv4PXESupport=n,
#         IPv6PXESupport=n): its "UEFI HTTPv4" option sends DHCP with vendor class HTTPClient, arch 19 -> Anvil's
#         http:// URL of grubhttpaa64.efi (dhcp.bootFiles.http-arm64, made by install-loaders.sh with grub-mkimage) ->
#         GRUB's own DHCP -> grub/grub.cfg over HTTP (rendered for the client) -> sledgehammer-arm64 over HTTP ->
#         registered with architecture aarch64 and firmware uefi in its inventory; the capture must show the
#         HTTPClient exchange, the HTTP requests in order and no TFTP at all.
#   ab    scenarios A and B only (for timing runs).
#   v6    scenario E (doc/e2e.md): OVMF with IPv4 PXE off and IPv6 PXE on, on a v6-only segment (the bridge has no
#         IPv4 address; a long run outside `all` since 2026-12-06 (CI's time budget): the address is removed and anvild restarted on [::]): OVMF DHCPv6 -> boot-file URL
#         tftp://[v6]/snponly.efi -> iPXE -> boot.ipxe over http://[v6] -> Sledgehammer with anvil.ip6 -> registered
#         over IPv6 -> the node's derived address taken (ping -6, plan polls from it) -> a second boot's DHCPv6
#         gives exactly that address.
#   ipmi  scenario G (doc/e2e.md, doc/power.md): a BIOS VM whose BMC is OpenIPMI's ipmi_sim (QEMU ipmi-bmc-extern +
#         isa-ipmi-kcs, ipmi_sim's VM codec, its startcmd runs the VM): power on through the BMC -> Sledgehammer
#         reports the BMC's LAN address (ipmitool lan print over KCS) -> adopted with one PUT -> install restarts it
#         through the BMC (a netboot task) -> installer -> local boot -> power-off ends the VM -> redeploy powers it
#         on into discovery again; no SSH reboot. Not in `all` (it takes longer than 45 s).
#   ipmi-uefi  scenario G with an OVMF VM (q35, virtio-net without ROM, as scenario B; not Secure Boot): the BMC
#         adopted with uefi true, so Anvil's boot overrides carry options=efiboot (checked in the ipmitool command
#         lines anvild ran); the local boot ends at iPXE's "booting from the local disk" (OVMF cannot boot the
#         stand-in installer's MBR boot sector). Not in `all` either.
#   IPv6 router advertisements (E2E_RA): by default Anvil sends them itself (its `ra` service, radvd supervised by
#   anvild, M and O on) and answers iPXE's DHCPv6; the script checks that the `ra` service runs, that it started
#   no radvd of its own, and that iPXE's DHCPv6 exchange got Anvil's replies (capture and counters).
# Exit: 0 = every scenario passed, 1 = a failure (serial and anvild log tails are printed), 3 = scenario I on a
#       partial tree (E2E_DEBIAN_PARTIAL=1) got as far as such a tree allows, and no further (no pass),
#       77 = skipped (not root, no network namespaces, no qemu): printed loudly, never a silent pass.
#
# Debian packages (installed with apt-get when missing; .ci/run may preinstall them):
#   qemu-system-x86 ipxe-qemu ovmf seabios iproute2 radvd busybox-static ipxe pxelinux syslinux-common
#   curl bind9-dnsutils jq cpio gzip tcpdump shim-signed grub-efi-amd64-signed
# The Sledgehammer kernel is the linux-image .deb that linux-image-amd64 depends on (apt-get download,
# cached in $E2E_WORK/cache, never installed).
#
# Environment:
#   ANVIL_DIST   the anvild distribution (bin/anvild, lib/)       default: <repo>/target/anvil
#   E2E_WORK     scratch: cache (kernel, images), run/ (logs)      default: /tmp/anvil-e2e
#   E2E_SMP / E2E_MEM   VM CPUs / MiB                               default: 2 / 512
#   E2E_V6_ROUTER=1  scenario E with ra.router: true (router lifetime > 0: a default route for OVMF's PXE)
#   E2E_NO_APT=1 never run apt-get (missing packages then fail or skip)
#   E2E_RA       anvil (default): Anvil's own RAs and DHCPv6. radvd (or 1): the harness's own radvd (M and O off,
#                SLAAC on), Anvil's ra and dhcp6 off, as before issue 18. off (or 0): no RAs at all (iPXE then
#                waits ~15 s for IPv6 autoconfiguration per boot)
set -uo pipefail
export LC_ALL=C
# Descriptors inherited from the caller (a flock(1) lock, a CI runner's pipes) must not live on in the daemons this
# script starts with setsid: an anvild left behind by an interrupted run then held `flock`'s lock for half an hour
# (2026-12-06). Close everything but stdin/out/err and bash's own descriptor for this script (255).
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  case $fd in 0|1|2|255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
MODE=${1:-all}
case "$MODE" in bios|uefi|ab|all|httpboot|secureboot|v6|ipmi|ipmi-uefi|arm64|arm64-http|debian|debian-secboot) ;; -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;; *) echo "usage: $0 [bios|uefi|ab|all|httpboot|secureboot|v6|ipmi|ipmi-uefi|arm64|arm64-http|debian|debian-secboot]" >&2; exit 2 ;; esac
RA_MODE=${E2E_RA:-anvil}
case "$RA_MODE" in anvil) ;; radvd|1) RA_MODE=radvd ;; off|0) RA_MODE=off ;;
  *) echo "E2E_RA must be anvil, radvd or off (got $RA_MODE)" >&2; exit 2 ;; esac
[ "$MODE" = v6 ] && [ "$RA_MODE" != anvil ] && { echo "mode v6 needs E2E_RA=anvil (Anvil's DHCPv6)" >&2; exit 2; }

ANVIL_DIST=${ANVIL_DIST:-$REPO/target/anvil}
WORK=${E2E_WORK:-/tmp/anvil-e2e}
CACHE=$WORK/cache
RUN=$WORK/run
SMP=${E2E_SMP:-2}
MEM=${E2E_MEM:-512}
# debian-installer's own low-memory mode starts below ~780 MiB (it then asks questions a preseed does not answer)
case "$MODE" in debian*) MEM=${E2E_MEM:-1024} ;; esac
NS=anvil-e2e
BR=e2ebr0
TAP=e2etap0
SERVER=10.215.0.1
V6NET=fd00:215:0:1
API=http://127.0.0.1:8079/api/v1   # the admin API: loopback inside the namespace, bearer token
DOMAIN=cluster.test
MAC_BIOS=52:54:00:e2:e0:01
MAC_UEFI=52:54:00:e2:e0:02
MAC_SB=52:54:00:e2:e0:03
MAC_V6=52:54:00:e2:e0:04
MAC_HTTP=52:54:00:e2:e0:0f   # scenario F
MAC_IPMI=52:54:00:e2:e0:07
MAC_DEB=52:54:00:e2:e0:0d    # scenario I (debian, debian-secboot)
DEBIAN_TREE=${E2E_DEBIAN_TREE:-}   # scenario I: an install tree made by pxe/debian-mirror.sh (default: built in the cache)
# shim-signed, grub-efi-amd64-signed: the Secure Boot chain (shim signed by Microsoft, GRUB signed by Debian)
PACKAGES="qemu-system-x86 ipxe-qemu ovmf seabios iproute2 radvd busybox-static ipxe pxelinux syslinux-common
  curl bind9-dnsutils jq cpio gzip tcpdump shim-signed grub-efi-amd64-signed openipmi ipmitool"
# qemu-system-arm, qemu-efi-aarch64: scenario H (arm64 UEFI, AAVMF), a long run outside `all`
[ "$MODE" = arm64 ] && PACKAGES="$PACKAGES qemu-system-arm qemu-efi-aarch64"
# scenario J (arm64 UEFI HTTP boot) also needs grub-mkimage (grub-common) for grubhttpaa64.efi
[ "$MODE" = arm64-http ] && PACKAGES="$PACKAGES qemu-system-arm qemu-efi-aarch64 grub-common"
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# Secure Boot enforced: the SMM build of OVMF and a variable store with Microsoft's keys enrolled, SB on
OVMF_SB_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
OVMF_SB_VARS=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
SECURE_BOOT=0   # 1: anvild runs with dhcp.secureBoot (scenario C)
V6=0            # 1: scenario E: the bridge has no IPv4 address; TFTP, HTTP and DNS listen on [::]
[ "$MODE" = v6 ] && V6=1

T_START=$(date +%s.%N)
log() { echo "[e2e $(awk -v a="$T_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%6.1f", b-a}')] $*" >&2; }
skip() {
  {
    echo
    echo "######################################################################"
    echo "##  E2E SKIPPED (exit 77): $*"
    echo "##  The QEMU end-to-end test did NOT run. It needs root, ip netns and"
    echo "##  qemu-system-x86_64 (Debian: $(echo $PACKAGES))."
    echo "######################################################################"
    echo
  } >&2
  exit 77
}
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ preconditions + packages
[ "$(id -u)" = 0 ] || skip "not root (network namespaces, taps and ports 53/67/69 need root)"
# One run at a time on a machine: the namespace name, the scratch folder and the CPUs are shared.
exec 9>>/tmp/anvil-e2e.lock
if ! flock -n 9; then
  log "another e2e run holds /tmp/anvil-e2e.lock: waiting for it (at most 300 s)"
  flock -w 300 9 || die "another e2e run still holds /tmp/anvil-e2e.lock after 300 s"
fi
missing_pkgs() {
  local p
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
  done
}
miss=$(missing_pkgs | tr '\n' ' ')
if [ -n "${miss// /}" ] && [ "${E2E_NO_APT:-0}" != 1 ] && command -v apt-get >/dev/null; then
  log "installing Debian packages: $miss"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  timeout 600 apt-get install -y --no-install-recommends $miss >"$WORK.apt.log" 2>&1 \
    || { timeout 300 apt-get update >>"$WORK.apt.log" 2>&1; timeout 600 apt-get install -y --no-install-recommends $miss >>"$WORK.apt.log" 2>&1; } \
    || log "apt-get install failed (see $WORK.apt.log)"
  miss=$(missing_pkgs | tr '\n' ' ')
fi
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64 (Debian package qemu-system-x86)"
command -v ip >/dev/null || skip "no ip (Debian package iproute2)"
probe="anvil-e2e-probe$$"
if ! ip netns add "$probe" 2>/dev/null; then skip "cannot create network namespaces (ip netns add failed)"; fi
ip netns del "$probe"
[ -z "${miss// /}" ] || die "Debian packages still missing: $miss"
[ -x "$ANVIL_DIST/bin/anvild" ] || die "no anvild at $ANVIL_DIST/bin/anvild (build the dist, or set ANVIL_DIST)"

# ------------------------------------------------------------------ helpers
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
in_ns() { ip netns exec "$NS" "$@"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
ANVIL_PID="" RADVD_PID="" QEMU_PID="" TCPDUMP_PID=""
SERIAL="" QEMU_OUT=""
stop_pid() { # PID: TERM its process group, then KILL after 5 s
  local p=$1 i
  alive "$p" || return 0
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
  for i in $(seq 1 50); do alive "$p" || break; sleep 0.1; done
  alive "$p" && { kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; }
  wait "$p" 2>/dev/null
  return 0
}
cleanup() {
  stop_pid "$QEMU_PID"; stop_pid "$TCPDUMP_PID"; stop_pid "$RADVD_PID"; stop_pid "$ANVIL_PID"; ipmi_stop_sim
  ip netns del "$NS" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

show_tails() {
  if [ -n "$SERIAL" ] && [ -f "$SERIAL" ]; then
    echo "----- serial console, last 40 lines ($SERIAL) -----" >&2
    tail -n 40 "$SERIAL" | tr -d '\r' | sed 's/^/  | /' >&2
  fi
  if [ -n "$QEMU_OUT" ] && [ -s "$QEMU_OUT" ]; then
    echo "----- qemu output ($QEMU_OUT) -----" >&2
    tail -n 10 "$QEMU_OUT" | sed 's/^/  | /' >&2
  fi
  echo "----- anvild log, last 40 lines ($RUN/anvild.log) -----" >&2
  tail -n 40 "$RUN/anvild.log" 2>/dev/null | sed 's/^/  | /' >&2
}

# api METHOD PATH [JSON]: sets API_BODY and HTTP_STATUS (not in a subshell: call it plainly, then read them);
# returns 0 on 2xx.
HTTP_STATUS="" API_BODY=""
api() {
  local out; local -a data=()
  [ $# -ge 3 ] && data=(-H 'Content-Type: application/json' --data "$3")
  out=$(in_ns curl -sS -m 15 -X "$1" -H 'Accept: application/json' -H "Authorization: Bearer $(cat "$RUN/state/admin-token")" \
    "${data[@]}" -w '\n%{http_code}' "$API$2" 2>&1)
  HTTP_STATUS=${out##*$'\n'}
  API_BODY=${out%$'\n'*}
  [[ "$HTTP_STATUS" =~ ^2 ]]
}

# wait_serial NAME REGEX TIMEOUT: polls the serial log every 0.2 s until REGEX (grep -E) appears.
# Fails at once when qemu died or a fatal line shows up. Records the time since the VM started.
declare -A MS=()
MS_ORDER=()
FATAL_RE='INSTALLER: FAILED|Kernel panic|end Kernel panic'
wait_serial() {
  local name=$1 re=$2 limit=$3 t0 i
  t0=$(now)
  for ((i = 0; i < limit * 5; i++)); do
    if grep -qaE "$re" "$SERIAL" 2>/dev/null; then
      MS[$SCEN.$name]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.$name")
      log "$SCEN: $name after ${MS[$SCEN.$name]} s (VM time)"
      return 0
    fi
    if grep -qaE "$FATAL_RE" "$SERIAL" 2>/dev/null; then
      log "$SCEN: fatal line on the serial console: $(grep -aE "$FATAL_RE" "$SERIAL" | head -n1 | tr -d '\r')"
      return 1
    fi
    alive "$QEMU_PID" || { log "$SCEN: qemu exited while waiting for $name"; return 1; }
    sleep 0.2
  done
  log "$SCEN: timed out after ${limit} s waiting for $name (/$re/)"
  return 1
}

# ------------------------------------------------------------------ build: Sledgehammer + stand-in installer
prepare_images() {
  mkdir -p "$CACHE"
  local sh="$CACHE/sledgehammer" stamp
  # rebuilt when its sources change (build.sh gives the outputs a fixed mtime, so compare contents)
  stamp=$(cat "$REPO"/pxe/sledgehammer/{build.sh,init,lib.sh,udhcpc.script} | sha256sum | cut -c1-16)
  if [ ! -s "$sh/vmlinuz" ] || [ ! -s "$sh/initrd.img" ] || [ "$(cat "$sh/.e2e-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "building Sledgehammer (pxe/sledgehammer/build.sh -o $sh)"
    SLEDGEHAMMER_NO_INSTALL=1 timeout 600 "$REPO/pxe/sledgehammer/build.sh" -o "$sh" -c "$CACHE/sledgehammer-cache" \
      >"$CACHE/sledgehammer.log" 2>&1 || { tail -n 20 "$CACHE/sledgehammer.log" >&2; die "Sledgehammer build failed"; }
    echo "$stamp" > "$sh/.e2e-stamp"
  fi
  log "building the stand-in installer"
  "$HERE/installer/build.sh" "$sh" "$CACHE/installer" 2>"$CACHE/installer.log" \
    || { cat "$CACHE/installer.log" >&2; die "installer build failed"; }
}

# ------------------------------------------------------------------ network namespace, bridge, tap
setup_net() {
  ip netns del "$NS" 2>/dev/null   # a stale one from an interrupted run
  ip netns add "$NS" || die "ip netns add $NS failed"
  in_ns ip link set lo up
  in_ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.forwarding=1 || true
  in_ns ip link add "$BR" type bridge stp_state 0 forward_delay 0 || die "bridge"
  # scenario E: no IPv4 address on the bridge, so Anvil's DHCPv4 finds no network there and answers nothing
  [ "$V6" = 1 ] || in_ns ip addr add "$SERVER/24" dev "$BR"
  in_ns ip -6 addr add "$V6NET::1/64" dev "$BR" nodad
  in_ns ip link set "$BR" up
  in_ns ip tuntap add dev "$TAP" mode tap || die "tap"
  in_ns ip link set "$TAP" master "$BR" up
  # no default route, no uplink: nothing the VM sends leaves the namespace
}

# ------------------------------------------------------------------ anvild + radvd
write_config() {
  cat > "$RUN/anvil.yaml" <<EOF
# generated by src/test/e2e/e2e.sh
stateDir: $RUN/state
api: {listen: "127.0.0.1:8079"}
http: {listen: "$([ "$V6" = 1 ] && echo "[::]" || echo "$SERVER"):8080"}
dhcp: {listen: "0.0.0.0:67", interfaces: [$BR], localBoot: loader$([ "$SECURE_BOOT" = 1 ] && echo ", secureBoot: true")}
tftp: {listen: "$([ "$V6" = 1 ] && echo "[::]" || echo "$SERVER"):69", root: $RUN/tftp}
dns: {listen: "$([ "$V6" = 1 ] && echo "[::]" || echo "$SERVER"):53"}
$(ra_config)
$([ "$V6" = 1 ] && echo "ra: {interfaces: {admin: $BR}$([ "${E2E_V6_ROUTER:-0}" = 1 ] && echo ", router: true")}   # scenario E: no IPv4 address to find the bridge by")
adminNetwork: admin
networks:
  - {name: admin, id: 1, cidr: 10.215.0.0/24, staticRange: 10.215.0.10-10.215.0.99,
     dhcpPool: 10.215.0.100-10.215.0.199, domain: $DOMAIN, serverAddress: $SERVER, router: $SERVER,
     v6prefix: "$V6NET::/64"}
bootEnvironments:
  # the "OS" e2e-os: its installer is the stand-in from src/test/e2e/installer
  - {name: e2e-os-install, description: "e2e stand-in installer", os: e2e-os, osFamily: redhat,
     kernel: vmlinuz, initrd: initrd.img,
     kernelArgs: "console=ttyS0,115200 anvil.api={{ api }} anvil.node={{ node.name }} anvil.install={{ installUrl }} anvil.post={{ nodeUrl }}/post-install.sh",
     installTemplate: kickstart/kickstart.ks.mustache}
EOF
}

start_anvil() {
  rm -rf "$RUN/state" "$RUN/tftp"
  mkdir -p "$RUN/tftp/sledgehammer"
  sh "$REPO/pxe/install-loaders.sh" "$RUN/tftp" >"$RUN/install-loaders.log" 2>&1 || die "install-loaders.sh failed"
  [ -s "$RUN/tftp/snponly.efi" ] || die "no snponly.efi in the TFTP root (Debian package ipxe)"
  if [ "$SECURE_BOOT" = 1 ]; then
    [ -s "$RUN/tftp/shimx64.efi" ] && [ -s "$RUN/tftp/grubx64.efi" ] \
      || die "no shimx64.efi or grubx64.efi in the TFTP root (Debian packages shim-signed, grub-efi-amd64-signed)"
  fi
  cp -f "$CACHE/sledgehammer/vmlinuz" "$CACHE/sledgehammer/initrd.img" "$RUN/tftp/sledgehammer/"
  write_config
  timeout 60 "$ANVIL_DIST/bin/anvild" --check-config "$RUN/anvil.yaml" >"$RUN/check-config.log" 2>&1 \
    || { cat "$RUN/check-config.log" >&2; die "anvild rejects the e2e configuration"; }
  timeout 120 "$ANVIL_DIST/bin/anvild" import e2e-os "$CACHE/installer" --config "$RUN/anvil.yaml" >"$RUN/import.log" 2>&1 \
    || { cat "$RUN/import.log" >&2; die "anvild import e2e-os failed"; }
  log "imported the stand-in installer as OS e2e-os: $(tail -n1 "$RUN/import.log")"
  if [ -n "$DEBIAN_TREE" ]; then
    local t0; t0=$(now)
    timeout 600 "$ANVIL_DIST/bin/anvild" import debian-12 "$DEBIAN_TREE" --config "$RUN/anvil.yaml" >"$RUN/import-debian.log" 2>&1 \
      || { cat "$RUN/import-debian.log" >&2; die "anvild import debian-12 failed"; }
    log "imported $DEBIAN_TREE as OS debian-12 in $(since "$t0") s: $(tail -n1 "$RUN/import-debian.log")"
  fi
  launch_anvil
}

# launch_anvil: runs anvild on $RUN/anvil.yaml (its state kept) and waits until it is ready
launch_anvil() {
  local t0; t0=$(now)
  rm -f "$RUN/anvild.out" "$RUN/anvild.log"
  local path=$PATH
  case "$MODE" in ipmi*) ipmi_tool_wrapper || die "no ipmitool (Debian package ipmitool)"; path="$RUN/ipmi-bin:$PATH" ;; esac
  setsid env PATH="$path" ip netns exec "$NS" "$ANVIL_DIST/bin/anvild" --config "$RUN/anvil.yaml" \
    </dev/null 9>&- >"$RUN/anvild.out" 2>"$RUN/anvild.log" &
  ANVIL_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do            # 60 s
    grep -q 'ready: API at' "$RUN/anvild.out" 2>/dev/null && break
    alive "$ANVIL_PID" || { cat "$RUN/anvild.out" >&2; show_tails; die "anvild exited at start-up"; }
    sleep 0.1
  done
  grep -q 'ready: API at' "$RUN/anvild.out" || { show_tails; die "anvild not ready within 60 s"; }
  log "anvild ready in $(since "$t0") s: $(grep 'ready: API at' "$RUN/anvild.out")"
}

# restart_anvil: stops anvild and starts it again on a config written anew (state, TFTP root and leases kept)
restart_anvil() {
  stop_pid "$ANVIL_PID"; ANVIL_PID=""
  mv -f "$RUN/anvild.log" "$RUN/anvild-before-restart.log" 2>/dev/null
  write_config
  timeout 60 "$ANVIL_DIST/bin/anvild" --check-config "$RUN/anvil.yaml" >"$RUN/check-config.log" 2>&1 \
    || { cat "$RUN/check-config.log" >&2; die "anvild rejects the e2e configuration"; }
  launch_anvil
}

# ra_config: the ra/dhcp6 lines of anvil.yaml for E2E_RA
ra_config() {
  case "$RA_MODE" in
    anvil) echo "# E2E_RA=anvil: Anvil's own RAs (ra, M and O on) and DHCPv6 (dhcp6), both on by their default rule"
           echo "# (dhcp.interfaces set, a network with a v6prefix); the bridge holds $V6NET::1 in the /64." ;;
    radvd) echo "# E2E_RA=radvd: the harness runs its own radvd (M and O off), as before issue 18; Anvil's RAs and"
           echo "# DHCPv6 are off so radvd is the only RA sender."
           echo "ra: {enabled: false}"; echo "dhcp6: {enabled: false}" ;;
    off)   echo "# E2E_RA=off: no router advertisements on the segment at all"
           echo "ra: {enabled: false}"; echo "dhcp6: {enabled: false}" ;;
  esac
}

# check_ra_source: Anvil's ra service runs its radvd and the script started none (E2E_RA=anvil), or the reverse
check_ra_source() {
  local SCEN=setup st mine
  api GET /status; st=$API_BODY
  mine=$(ps -eo pid=,args= | grep -F "radvd" | grep -F -- "$RUN/state/radvd/radvd.conf" | grep -v grep | awk '{print $1}' | tr '\n' ' ')
  log "setup: ra service $(jqv '.services.ra.state // "absent"' "$st"), dhcp6 service $(jqv '.services.dhcp6.state // "absent"' "$st");"\
" anvild's radvd pid(s): ${mine:-none}; the script's radvd pid: ${RADVD_PID:-none}"
  if [ "$RA_MODE" = anvil ]; then
    check "the ra service runs (GET /api/v1/status: services.ra.state = running)" \
      test "$(jqv .services.ra.state "$st")" = running || return 1
    check "the dhcp6 service runs" test "$(jqv .services.dhcp6.state "$st")" = running || return 1
    check "a radvd runs on anvild's config ($RUN/state/radvd/radvd.conf)" test -n "$mine" || return 1
    check "the script started no radvd of its own" test -z "$RADVD_PID" || return 1
    grep -q 'AdvManagedFlag on' "$RUN/state/radvd/radvd.conf" 2>/dev/null && cp -f "$RUN/state/radvd/radvd.conf" "$RUN/anvil-radvd.conf"
  else
    check "Anvil sends no RAs (services.ra is not running)" test "$(jqv '.services.ra.state // "absent"' "$st")" != running || return 1
    check "no radvd on anvild's config" test -z "$mine" || return 1
  fi
  return 0
}

# dhcp6_sent: anvild's DHCPv6 replies so far (sent.advertise + sent.reply), 0 when the service is off
dhcp6_sent() {
  api GET /status
  jqv '(.services.dhcp6.metrics // {}) | ((.["sent.advertise"] // 0) + (.["sent.reply"] // 0))' "$API_BODY"
}

# check_dhcp6 MAC SENT-BEFORE: iPXE's (or the firmware's) DHCPv6 exchange in the capture, and Anvil's counters
check_dhcp6() {
  local mac=$1 before=$2 ll solicits replies after pk
  ll=$(mac_to_ll "$mac")
  pk=$(tcpdump -r "$RUN/dhcp-$SCEN.pcap" -n -vv 'udp port 546 or udp port 547' 2>/dev/null | dhcp_packets /dev/stdin)
  solicits=$(grep -F "$ll.546 > ff02::1:2.547" <<<"$pk" | grep -c 'dhcp6 solicit')
  replies=$(grep -F "> $ll.546" <<<"$pk" | grep -cE 'dhcp6 (advertise|reply)')
  after=$(dhcp6_sent)
  log "$SCEN: DHCPv6 in the capture: $solicits SOLICIT(s) from $ll, $replies ADVERTISE/REPLY to it;"\
" anvild's dhcp6 sent.advertise+sent.reply ${before:-0} -> ${after:-0}"
  grep -E "$ll|> $ll" <<<"$pk" | sed 's/^/    /' | cut -c1-400 | head -n 8 >&2
  if [ "$RA_MODE" = anvil ]; then
    check "the VM sent DHCPv6 SOLICITs (the RAs' M flag)" test "${solicits:-0}" -ge 1
    check "Anvil answered them (ADVERTISE/REPLY to $ll in the capture)" test "${replies:-0}" -ge 1
    check "anvild's dhcp6 counters grew with the exchange" test "${after:-0}" -gt "${before:-0}"
  else
    check "no DHCPv6 answers (E2E_RA=$RA_MODE: dhcp6 off)" test "${replies:-0}" = 0
  fi
}

# mac_to_ll MAC: the EUI-64 link-local address (fe80::5054:ff:fee2:e001 for 52:54:00:e2:e0:01)
mac_to_ll() {
  local IFS=: b
  read -ra b <<<"$1"
  printf 'fe80::%x:%x:%x:%x' $(( (0x${b[0]} ^ 2) << 8 | 0x${b[1]} )) $(( 0x${b[2]} << 8 | 0xff )) \
    $(( 0xfe << 8 | 0x${b[3]} )) $(( 0x${b[4]} << 8 | 0x${b[5]} ))
}

start_radvd() {
  if [ "$RA_MODE" = radvd ]; then
    # IPv6 router advertisements, router lifetime 0 (not a default router): iPXE's IPv6 autoconfiguration
    # finishes at once instead of waiting ~15 s for an RA that never comes.
    cat > "$RUN/radvd.conf" <<EOF
interface $BR {
  AdvSendAdvert on;
  AdvDefaultLifetime 0;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 10;
  prefix $V6NET::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
    setsid ip netns exec "$NS" radvd -n -m stderr -d 1 -C "$RUN/radvd.conf" -p "$RUN/radvd.pid" \
      </dev/null 9>&- >"$RUN/radvd.log" 2>&1 &
    RADVD_PID=$!
    sleep 0.5
    alive "$RADVD_PID" || { cat "$RUN/radvd.log" >&2; die "radvd exited"; }
  fi
}

# ------------------------------------------------------------------ VM
start_vm() { # SCENARIO
  local scen=$1 mac machine nic
  local -a fw=() disk=()
  SERIAL="$RUN/serial-$scen.log"; QEMU_OUT="$RUN/qemu-$scen.out"
  : > "$SERIAL"
  if [ "$scen" = bios ]; then
    mac=$MAC_BIOS; machine=pc
    nic="e1000,netdev=n0,mac=$mac,bootindex=1"             # QEMU's iPXE ROM (ipxe-qemu efi-e1000.rom)
    # SeaBIOS's serial console (etc/sercon-port = 0x3f8, a little-endian integer): SeaBIOS and the iPXE
    # ROM print on the VGA console only; this copies their text to the serial log too.
    printf '\xf8\x03' > "$RUN/sercon-port.bin"
    fw=(-fw_cfg "name=etc/sercon-port,file=$RUN/sercon-port.bin")
  elif [ "$scen" = debian ]; then
    mac=$MAC_DEB; machine=pc
    nic="e1000,netdev=n0,mac=$mac,bootindex=1"
    printf '\xf8\x03' > "$RUN/sercon-port.bin"
    fw=(-fw_cfg "name=etc/sercon-port,file=$RUN/sercon-port.bin")
  elif [ "$scen" = uefi ] || [ "$scen" = v6 ] || [ "$scen" = httpboot ]; then
    mac=$MAC_UEFI; machine=q35
    nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1,romfile="   # no ROM: OVMF's own PXE
    cp -f "$OVMF_VARS" "$RUN/OVMF_VARS-$scen.fd"
    fw=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
        -drive "if=pflash,format=raw,unit=1,file=$RUN/OVMF_VARS-$scen.fd")
    if [ "$scen" = v6 ]; then
      # scenario E: OVMF's PXE over IPv6 only (its PcdIPv4PXESupport/PcdIPv6PXESupport, read from fw_cfg)
      mac=$MAC_V6; nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1,romfile="
      fw+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=y)
    fi
    [ "$scen" = httpboot ] && httpboot_vm_args
  else
    # Secure Boot enforced (scenarios C and D: the same VM, the same variable store): the SMM build of OVMF
    # needs q35 with SMM and its flash writable from SMM only (secure=on); S3 off, as OVMF's SMM build wants.
    mac=$MAC_SB; machine=q35,smm=on
    [ "$scen" = debian_secboot ] && mac=$MAC_DEB
    nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1,romfile="   # no ROM: OVMF's own PXE
    [ -s "$RUN/OVMF_VARS-secureboot.fd" ] || cp -f "$OVMF_SB_VARS" "$RUN/OVMF_VARS-secureboot.fd"
    # shellcheck disable=SC2054  # the commas belong to QEMU's option values
    fw=(-global driver=cfi.pflash01,property=secure,value=on -global ICH9-LPC.disable_s3=1
        -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_SB_CODE"
        -drive "if=pflash,format=raw,unit=1,file=$RUN/OVMF_VARS-secureboot.fd")
  fi
  rm -f "$RUN/disk-$scen.img"; truncate -s "$([ "$mac" = "$MAC_DEB" ] && echo 4G || echo 64M)" "$RUN/disk-$scen.img"
  disk=(-drive "file=$RUN/disk-$scen.img,format=raw,if=ide,index=0,media=disk")
  # DHCP capture on the bridge (what the firmware sent and what Anvil answered), for checks and diagnosis;
  # with the TFTP requests (port 69: the names the loaders ask for) in the Secure Boot scenarios
  # plus DHCPv6 (546/547) and router solicitations and advertisements (ICMPv6 133/134)
  local filter="udp port 67 or udp port 68 or udp port 546 or udp port 547 or (icmp6 and (ip6[40] == 133 or ip6[40] == 134))"
  [ "$mac" = "$MAC_SB" ] || [ "$mac" = "$MAC_V6" ] || [ "$mac" = "$MAC_DEB" ] && filter="$filter or udp port 69"
  [ "$mac" = "$MAC_V6" ] && filter="$filter or tcp port 8080"
  [ "$mac" = "$MAC_HTTP" ] && filter="$filter or udp port 69 or tcp port 8080"
  DHCP6_BEFORE=$(dhcp6_sent)
  setsid ip netns exec "$NS" tcpdump -i "$BR" -n -s 0 -U -w "$RUN/dhcp-$scen.pcap" "$filter" \
    </dev/null 9>&- >"$RUN/tcpdump-$scen.log" 2>&1 &
  TCPDUMP_PID=$!
  for i in $(seq 1 30); do grep -q 'listening on' "$RUN/tcpdump-$scen.log" 2>/dev/null && break; sleep 0.1; done
  VM_T0=$(now)
  setsid ip netns exec "$NS" qemu-system-x86_64 -name "anvil-e2e-$scen" -machine "$machine" -accel tcg \
    -m "$MEM" -smp "$SMP" "${fw[@]}" "${disk[@]}" \
    -display none -monitor none -parallel none -serial "file:$SERIAL" \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" -device "$nic" -boot order=n \
    </dev/null 9>&- >"$QEMU_OUT" 2>&1 &
  QEMU_PID=$!
  log "$scen: VM started (pid $QEMU_PID, $machine, mac $mac, -m $MEM -smp $SMP, TCG), serial $SERIAL"
}
stop_vm() {
  stop_pid "$QEMU_PID"; QEMU_PID=""
  if [ -n "$TCPDUMP_PID" ]; then
    stop_pid "$TCPDUMP_PID"; TCPDUMP_PID=""
    tcpdump -r "$RUN/dhcp-$SCEN.pcap" -n -vv >"$RUN/dhcp-$SCEN.txt" 2>/dev/null
  fi
}
# dhcp_packets FILE: one line per packet of a `tcpdump -vv` dump, fields joined by " | "
dhcp_packets() {
  awk '/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\./ { if (p != "") print p; p = $0; next } { gsub(/^[ \t]+/, ""); p = p " | " $0 }
       END { if (p != "") print p }' "$1" 2>/dev/null
}

# ------------------------------------------------------------------ checks
FAILS=0
check() { # DESCRIPTION CONDITION-COMMAND...
  local what=$1; shift
  if "$@"; then log "$SCEN: ok   $what"; else log "$SCEN: FAIL $what"; FAILS=$((FAILS + 1)); return 1; fi
}
jqv() { jq -r "$1" 2>/dev/null <<<"$2"; }

# registered NODE-MAC: the node Sledgehammer registered, with the VM's MAC and inventory
check_registered() {
  local mac=$1 node inv name mem cpus memmin memmax
  name=$(grep -aoE 'SLEDGEHAMMER: registered [^ ]+' "$SERIAL" | head -n1 | awk '{print $3}' | tr -d '\r')
  NODE_NAME="d${mac//:/-}.$DOMAIN"
  check "Sledgehammer registered as $NODE_NAME (serial says '$name')" test "$name" = "$NODE_NAME"
  api GET "/nodes/$mac"; node=$API_BODY ; log "$SCEN: GET /nodes/$mac -> $HTTP_STATUS $node"
  check "GET /api/v1/nodes/$mac answers 200" test "$HTTP_STATUS" = 200
  check "node name is $NODE_NAME" test "$(jqv .name "$node")" = "$NODE_NAME"
  check "node macs hold $mac" test "$(jqv "[.macs[]? | ascii_downcase] | index(\"$mac\") != null" "$node")" = true
  NODE_STATE0=$(jqv .state "$node")
  check "node state is discovered (got $NODE_STATE0)" test "$NODE_STATE0" = discovered
  api GET "/nodes/$NODE_NAME/inventory"; inv=$API_BODY; log "$SCEN: inventory -> $HTTP_STATUS $inv"
  check "GET /api/v1/nodes/$NODE_NAME/inventory answers 200" test "$HTTP_STATUS" = 200
  mem=$(jqv '.memoryBytes // .inventory.memoryBytes // 0' "$inv")
  cpus=$(jqv '.cpu.count // .inventory.cpu.count // 0' "$inv")
  memmax=$((MEM * 1024 * 1024)); memmin=$((memmax * 80 / 100))
  check "inventory memory $mem bytes is 80..100 % of -m $MEM MiB" test "${mem:-0}" -ge $memmin -a "${mem:-0}" -le $memmax
  check "inventory cpu count $cpus = -smp $SMP" test "$cpus" = "$SMP"
}

# ------------------------------------------------------------------ scenario A: BIOS
scenario_bios() {
  SCEN=bios
  log "===== scenario A (BIOS): discovery -> install -> local boot ====="
  start_vm bios
  wait_serial ipxe 'iPXE initialising' 60 || return 1
  wait_serial boot_ipxe 'boot\.ipxe' 60 || return 1
  wait_serial kernel 'Linux version' 120 || return 1
  wait_serial registered 'SLEDGEHAMMER: registered' 150 || return 1
  check_registered "$MAC_BIOS"
  local r
  api POST "/nodes/$NODE_NAME/actions/install" '{"os":"e2e-os"}'; r=$API_BODY; log "$SCEN: POST actions/install -> $HTTP_STATUS $r"
  check "POST /api/v1/nodes/$NODE_NAME/actions/install answers 2xx" test "${HTTP_STATUS:0:1}" = 2 || return 1
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  check "state install-pending, bootEnv e2e-os-install (got $(jqv .state "$r"), $(jqv .bootEnv "$r"))" \
    test "$(jqv .state "$r") $(jqv .bootEnv "$r")" = "install-pending e2e-os-install"
  MS[bios.install_posted]=$(since "$VM_T0"); MS_ORDER+=(bios.install_posted)
  wait_serial plan_reboot 'SLEDGEHAMMER: plan reboot' 60 || return 1
  wait_serial installer 'INSTALLER: start' 120 || return 1
  wait_serial answer_file 'INSTALLER: answer file ok' 60 || return 1
  wait_serial callback 'INSTALLER: callback ok' 60 || return 1
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  check "state installed, bootEnv local (got $(jqv .state "$r"), $(jqv .bootEnv "$r"))" \
    test "$(jqv .state "$r") $(jqv .bootEnv "$r")" = "installed local"
  wait_serial local_answer 'booting from the local disk' 120 || return 1
  wait_serial local_disk 'E2E-LOCAL-DISK-OK' 60 || return 1
  stop_vm
  check_dhcp6 "$MAC_BIOS" "$DHCP6_BEFORE"
  # state history
  local hist states
  api GET "/nodes/$NODE_NAME/history"; hist=$API_BODY; log "$SCEN: history -> $HTTP_STATUS $hist"
  states=$(jqv '(if type == "array" then . else (.history // .items // []) end)
                | ((.[0].from // empty), (.[] | .to)) | select(. != null)' "$hist" | tr '\n' ' ')
  log "$SCEN: state history: $states"
  check "history answers 200" test "$HTTP_STATUS" = 200
  # issue 8's chain, in order and nothing in between (a node created by POST /discover starts at discovering)
  check "history is discovering -> discovered -> install-pending -> installing -> installed" \
    grep -qE '^discovering discovered install-pending installing installed $' <<<"$states"
  # DNS, inside the namespace
  local a aaaa want4 want6 iid
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  a=$(in_ns dig +short +time=2 +tries=2 @"$SERVER" "$NODE_NAME" A | tr '\n' ' ' | sed 's/ $//')
  aaaa=$(in_ns dig +short +time=2 +tries=2 @"$SERVER" "$NODE_NAME" AAAA | tr '\n' ' ' | sed 's/ $//')
  log "$SCEN: dig $NODE_NAME A -> '$a'  AAAA -> '$aaaa'"
  want4=$(jqv '[.. | strings | select(test("^10\\.215\\.0\\.[0-9]+$"))] | first // ""' "$r")
  # IPv6 (doc/configuration.md): the network's /64 + last 64 bits of md5(FQDN)
  iid=$(printf '%s' "$NODE_NAME" | md5sum | cut -c17-32)
  want6=$(printf '%s:%x:%x:%x:%x' "$V6NET" "0x${iid:0:4}" "0x${iid:4:4}" "0x${iid:8:4}" "0x${iid:12:4}")
  check "DNS A of $NODE_NAME is the node's address ($want4)" test -n "$a" -a "$a" = "$want4"
  check "DNS AAAA of $NODE_NAME is $want6" test "$aaaa" = "$want6"
  return 0
}

# ------------------------------------------------------------------ scenario B: UEFI
scenario_uefi() {
  SCEN=uefi
  log "===== scenario B (UEFI/OVMF): discovery + registration ====="
  [ -r "$OVMF_CODE" ] || { log "no $OVMF_CODE (Debian package ovmf)"; return 1; }
  start_vm uefi
  wait_serial pxe 'Start PXE over IPv4|>>Start PXE' 120 || return 1
  wait_serial ipxe 'iPXE' 120 || return 1
  wait_serial kernel 'Linux version' 180 || return 1
  wait_serial registered 'SLEDGEHAMMER: registered' 180 || return 1
  check_registered "$MAC_UEFI"
  stop_vm
  check_dhcp6 "$MAC_UEFI" "$DHCP6_BEFORE"
  # DHCP saw client architecture 7 (x64 UEFI): the DISCOVER on the wire carried option 93 = 7 and Anvil's
  # OFFER named dhcp.bootFiles.efi-x64 (snponly.efi), which it gives only to arch 7/9; plus anvild's own
  # log line for that client when it logs DHCP decisions.
  local pk sent offered logged
  pk=$(dhcp_packets "$RUN/dhcp-uefi.txt")
  sent=$(grep -i "$MAC_UEFI" <<<"$pk" | grep 'DHCP-Message (53), length 1: Discover' | grep -c 'ARCH (93), length 2: 7')
  offered=$(grep -i "$MAC_UEFI" <<<"$pk" | grep 'DHCP-Message (53), length 1: Offer' | grep -F "| $SERVER.67 >" \
            | grep -o 'file "[^"]*"' | sort | uniq -c | tr '\n' ';')
  log "$SCEN: capture: $sent DISCOVER(s) with ARCH 7 from $MAC_UEFI; Anvil's OFFER boot files: $offered"
  check "the firmware's DISCOVER carried client architecture 7 (option 93)" test "${sent:-0}" -ge 1
  check "Anvil's OFFER to the arch-7 client named snponly.efi (efi-x64)" grep -q 'file "snponly.efi"' <<<"$offered"
  logged=$(grep -iE "${MAC_UEFI}|${MAC_UEFI//:/-}|${MAC_UEFI//:/}" "$RUN/anvild.log" | grep -iE 'arch' | head -n 3)
  if [ -n "$logged" ]; then log "$SCEN: anvild's log shows the architecture:"; sed 's/^/    /' <<<"$logged" >&2
  else log "$SCEN: note: anvild's log has no DHCP line naming $MAC_UEFI with its architecture"; fi
  local leases; api GET /leases; leases=$API_BODY
  check "GET /api/v1/leases lists $MAC_UEFI" grep -qi "$MAC_UEFI" <<<"$leases"
  return 0
}

# ------------------------------------------------------------------ scenario F: native UEFI HTTP boot
# httpboot_vm_args: start_vm's extras for scenario F (called inside start_vm: sets its mac, nic and fw).
# OVMF's PXE is off in both families (its PcdIPv4PXESupport / PcdIPv6PXESupport, read from fw_cfg), so the NIC's
# first boot option is "UEFI HTTPv4": HttpBootDxe's DHCP with vendor class HTTPClient and client arch 16.
httpboot_vm_args() {
  mac=$MAC_HTTP; nic="virtio-net-pci,netdev=n0,mac=$mac,bootindex=1,romfile="
  fw+=(-fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n)
}
scenario_httpboot() {
  SCEN=httpboot
  log "===== scenario F (native UEFI HTTP boot, OVMF's PXE off): HTTPClient -> http:// loader -> registered ====="
  [ -r "$OVMF_CODE" ] || { log "no $OVMF_CODE (Debian package ovmf)"; return 1; }
  start_vm httpboot
  local FATAL_RE="$FATAL_RE|Could not boot image"
  # OVMF: ">>Start HTTP Boot over IPv4....", "URI: http://...", "Downloading...100%", then BdsDxe starts the loader
  wait_serial http_boot 'Start HTTP Boot over IPv4' 120 && wait_serial uri 'URI: http' 60 \
    && wait_serial nbp 'Downloading\.\.\.100%' 60 && wait_serial ipxe 'iPXE initialising' 60 \
    && wait_serial kernel 'Linux version' 180 && wait_serial registered 'SLEDGEHAMMER: registered' 180 || return 1
  check_registered "$MAC_HTTP"
  sleep 0.5   # the registration's packets into the capture
  stop_vm
  check "the firmware never tried PXE (no 'Start PXE' on the serial console)" bash -c "! grep -qa 'Start PXE' '$SERIAL'"
  log "$SCEN: the firmware's lines: $(tr -d '\r' <"$SERIAL" | grep -aoE 'URI: [^ ]+|BdsDxe: starting Boot[0-9]+ "[^"]*"' | tr '\n' ' ')"
  check "OVMF's boot manager started its 'UEFI HTTPv4' boot option" grep -qa 'BdsDxe: starting Boot[0-9]* "UEFI HTTPv4' "$SERIAL"
  local pk disc offered names gets
  httpclient_exchange "$MAC_HTTP" 16 "x64 UEFI HTTP boot"; offered=$HTTP_OFFERED
  check "Anvil's OFFER echoed HTTPClient in option 60 and named an http:// loader on $SERVER:8080" \
    grep -q "file \"http://$SERVER:8080/boot/" <<<"$offered"
  names=$(tftp_requests "$RUN/dhcp-httpboot.pcap" | tr '\n' ' ')
  gets=$(tcpdump -r "$RUN/dhcp-httpboot.pcap" -n -A "tcp dst port 8080" 2>/dev/null | grep -aoE '(GET|POST) /[^ ]+' | tr '\n' ' ')
  log "$SCEN: HTTP requests: $gets"
  check "no TFTP at all (read requests seen: ${names:-none})" test -z "$names"
  local want=${offered#*file \"http://$SERVER:8080}; want=${want%%\"*}
  check "the firmware fetched the loader $want over HTTP (the first HTTP request)" test "${gets%% *}" = "GET" -a "$(awk '{print $2}' <<<"$gets")" = "$want"
  check "iPXE then fetched the node's boot.ipxe over HTTP" grep -qF "GET /nodes/${MAC_HTTP//:/-}/boot.ipxe" <<<"$gets"
  return 0
}

# ------------------------------------------------------------------ scenario C: Secure Boot, the signed chain
# tftp_requests FILE: the names of the TFTP read requests in a capture, in order ("RRQ \"name\"")
tftp_requests() {
  tcpdump -r "$1" -n 'udp dst port 69' 2>/dev/null | grep -o 'RRQ "[^"]*"' | sed 's/^RRQ "//; s/"$//'
}
# check_chain NAMES WANT: the names of WANT appear in NAMES (TFTP read requests), in WANT's order; others are ignored
check_chain() {
  local got; got=$(tr ' ' '\n' <<<"$1" | grep -xF -f <(tr ' ' '\n' <<<"$2") | tr '\n' ' ')
  check "TFTP names of the chain, in order: $2" test "$(echo $got)" = "$2"
}
scenario_secureboot() {
  SCEN=secureboot
  log "===== scenario C (UEFI Secure Boot enforced): shim -> signed GRUB -> signed kernel -> registered ====="
  [ -r "$OVMF_SB_CODE" ] && [ -r "$OVMF_SB_VARS" ] || { log "no $OVMF_SB_CODE or $OVMF_SB_VARS (Debian package ovmf)"; return 1; }
  [ -s "$RUN/tftp/shimx64.efi" ] && [ -s "$RUN/tftp/grubx64.efi" ] \
    || { log "no shimx64.efi or grubx64.efi in the TFTP root (Debian packages shim-signed, grub-efi-amd64-signed)"; return 1; }
  if [ "$SECURE_BOOT" != 1 ]; then SECURE_BOOT=1; restart_anvil; fi   # in `all`, after A and B
  start_vm secureboot
  wait_serial pxe 'Start PXE over IPv4|>>Start PXE' 120 || return 1
  wait_serial grub_cfg 'Anvil: GRUB config for' 120 || return 1
  wait_serial grub_linux 'Anvil: loading ' 60 || return 1
  wait_serial kernel 'Linux version' 180 || return 1
  wait_serial registered 'SLEDGEHAMMER: registered' 180 || return 1
  check_registered "$MAC_SB"
  # the firmware really enforced Secure Boot: the kernel says so (and locks itself down)
  check "the kernel booted with Secure Boot enabled ('secureboot: Secure boot enabled')" \
    grep -qa 'Secure boot enabled' "$SERIAL"
  stop_vm
  local pk offered names
  pk=$(dhcp_packets "$RUN/dhcp-secureboot.txt")
  offered=$(grep -i "$MAC_SB" <<<"$pk" | grep 'DHCP-Message (53), length 1: Offer' | grep -F "| $SERVER.67 >" \
            | grep -o 'file "[^"]*"' | sort -u | tr '\n' ' ')
  log "$SCEN: Anvil's OFFER boot files: $offered"
  check "Anvil's OFFER to the arch-7 client named shimx64.efi (dhcp.secureBoot)" grep -q 'file "shimx64.efi"' <<<"$offered"
  # What shim and Debian's signed GRUB asked for, in order (each name once: OVMF asks twice, size first). Seen
  # 2026-12-06 (shim 16.1, GRUB 2.06-13+deb12u2): shimx64.efi revocations_sku.efi revocations_sbat.efi
  # shim_certificate_0.efi grubx64.efi /grub/x86_64-efi/{command,fs,crypto,terminal}.lst /grub/grub.cfg
  # /sledgehammer/vmlinuz /sledgehammer/initrd.img; shim's and GRUB's optional files are not found, and checked here
  # only as far as the chain needs: the loaders, the config, kernel, initrd. grub/grub.cfg is rendered for the client
  # by its address (its lease), so GRUB needs no grub.cfg-01-<mac> (before 2026-12-06 it chained there).
  names=$(tftp_requests "$RUN/dhcp-secureboot.pcap" | sed 's|^/||' | awk '!seen[$0]++' | tr '\n' ' ')
  log "$SCEN: TFTP read requests: $names"
  check "grub/grub.cfg was rendered for this client by its address ('Anvil: GRUB config for ${MAC_SB//:/-} by its address')" \
    grep -qa "Anvil: GRUB config for ${MAC_SB//:/-} by its address" "$SERIAL"
  check_chain "$names" "shimx64.efi grubx64.efi grub/grub.cfg sledgehammer/vmlinuz sledgehammer/initrd.img"
  return 0
}

# ------------------------------------------------------------------ scenario D: Secure Boot, an unsigned loader
scenario_unsigned() {
  SCEN=unsigned
  log "===== scenario D (the same VM, Secure Boot enforced): anvild without dhcp.secureBoot hands it snponly.efi ====="
  SECURE_BOOT=0
  restart_anvil
  local since_restart; since_restart=$(date -u +%Y-%m-%dT%H:%M:%S)
  start_vm unsigned
  wait_serial pxe 'Start PXE over IPv4|>>Start PXE' 120 || return 1
  # OVMF's boot manager: "BdsDxe: failed to load Boot0001 "UEFI PXEv4 (MAC:...)" from ...: Access Denied"
  wait_serial refused 'Access Denied|Security Violation' 120 || return 1
  log "$SCEN: the firmware's line: $(grep -aE 'Access Denied|Security Violation' "$SERIAL" | head -n1 | tr -d '\r')"
  sleep 5   # time for anything that would follow a loader that ran (it did not)
  stop_vm
  check "the firmware refused the loader ('Access Denied' or 'Security Violation' on the serial console)" \
    grep -qaE 'Access Denied|Security Violation' "$SERIAL"
  check "iPXE never ran (no 'iPXE' banner on the serial console)" bash -c "! grep -qa 'iPXE' '$SERIAL'"
  check "nothing registered (no 'SLEDGEHAMMER' line on the serial console)" bash -c "! grep -qa 'SLEDGEHAMMER' '$SERIAL'"
  local tl events
  api GET "/nodes/$MAC_SB/timeline?limit=1000"; tl=$API_BODY
  check "GET /api/v1/nodes/$MAC_SB/timeline answers 200" test "$HTTP_STATUS" = 200
  events=$(jq -r --arg t "$since_restart" '.events[] | select(.at >= $t) | "\(.source) \(.event) \(.detail)"' <<<"$tl" 2>/dev/null)
  log "$SCEN: the node's timeline since the restart:"; sed 's/^/    /' <<<"$events" >&2
  check "the timeline shows the offer of snponly.efi" grep -q '^dhcp .*file=snponly.efi' <<<"$events"
  check "the timeline shows snponly.efi sent whole over TFTP" grep -q '^tftp read completed file=snponly.efi' <<<"$events"
  check "the timeline shows no discovery registration and no boot.ipxe fetch after it" \
    bash -c "! grep -qE '^discovery |boot\\.ipxe' <<<\"\$1\"" _ "$events"
  api GET "/nodes/$MAC_SB"
  check "the node is still discovered (got $(jqv .state "$API_BODY"))" test "$(jqv .state "$API_BODY")" = discovered
  return 0
}

# ------------------------------------------------------------------ scenario E: UEFI PXE over IPv6 only
# v6_stage NAME REGEX TIMEOUT: wait_serial, and on success remember NAME as the furthest stage reached
V6_REACHED=none
v6_stage() { wait_serial "$@" && V6_REACHED=$1; }
# norm6 ADDR: an IPv6 address as 8 groups, lower case, without leading zeros (OVMF prints "FD00:215:0:1:BDE8:...",
# Anvil and Linux RFC 5952 text), so that the two compare as strings
norm6() {
  local a=${1,,} i g; local -a h=() t=() all=() out=()
  if [[ $a == *::* ]]; then
    IFS=: read -ra h <<<"${a%%::*}"; IFS=: read -ra t <<<"${a#*::}"
    all=("${h[@]}"); for ((i = ${#h[@]} + ${#t[@]}; i < 8; i++)); do all+=(0); done; all+=("${t[@]}")
  else
    IFS=: read -ra all <<<"$a"
  fi
  for g in "${all[@]}"; do out+=("$(printf '%x' "0x${g:-0}")"); done
  (IFS=:; echo "${out[*]}")
}
scenario_v6() {
  SCEN=v6
  log "===== scenario E (UEFI PXE over IPv6 only; the bridge has no IPv4 address) ====="
  [ "$RA_MODE" = anvil ] || { log "$SCEN: needs E2E_RA=anvil (Anvil's RAs and DHCPv6)"; return 1; }
  if [ "$V6" != 1 ]; then
    # in `all`, after A to D: the segment becomes v6-only (the bridge's IPv4 address goes, so Anvil's DHCPv4 finds no
    # network there) and anvild is restarted with TFTP, HTTP and DNS on [::] (state kept)
    V6=1
    in_ns ip addr del "$SERVER/24" dev "$BR" || return 1
    restart_anvil
    check_ra_source || return 1
  fi
  start_vm v6
  local ok=0
  # iPXE giving up ends the scenario at once (OVMF would go on to HTTP boot and iPXE again, never a kernel)
  local FATAL_RE="$FATAL_RE|Could not boot image"
  # OVMF: "Start PXE over IPv6." then "Station IP address is FD00:..." once DHCPv6 bound it
  v6_stage pxe6 'Start PXE over IPv6' 120 \
    && v6_stage station 'Station IP address is' 120 \
    && v6_stage nbp 'NBP filesize|Downloading NBP' 60 \
    && v6_stage ipxe 'iPXE initialising|iPXE [0-9]' 120 \
    && v6_stage boot_ipxe 'boot\.ipxe' 120 \
    && v6_stage kernel 'Linux version' 180 \
    && v6_stage ipv6_ok 'SLEDGEHAMMER: ipv6 ok' 60 \
    && v6_stage registered 'SLEDGEHAMMER: registered' 120 \
    && v6_stage ipv6_derived 'SLEDGEHAMMER: ipv6 derived' 30 \
    && v6_stage plan_wait 'SLEDGEHAMMER: plan wait' 30 && ok=1
  # while the discovery image runs: the node answers on its derived address (from the host side of the bridge)
  local want6="" iid pinged=1 booted derived
  if [ "$ok" = 1 ]; then
    NODE_NAME="d${MAC_V6//:/-}.$DOMAIN"
    iid=$(printf '%s' "$NODE_NAME" | md5sum | cut -c17-32)
    want6=$(printf '%s:%x:%x:%x:%x' "$V6NET" "0x${iid:0:4}" "0x${iid:4:4}" "0x${iid:8:4}" "0x${iid:12:4}")
    in_ns ping -6 -c 2 -i 0.3 -W 3 "$want6" >"$RUN/ping-v6.log" 2>&1; pinged=$?
  fi
  sleep 1   # the last packets of the stage that stopped, into the capture
  stop_vm
  log "$SCEN: furthest stage reached: $V6_REACHED"
  log "$SCEN: serial console lines about the network boot:"
  tr -d '\r' <"$SERIAL" | grep -aE 'PXE|Station|IPv6|iPXE|net0|http|tftp|ok|Connection|No such|Operation|boot\.ipxe|SLEDGEHAMMER' \
    | grep -v 'SLEDGEHAMMER: inventory' | head -n 40 | sed 's/^/    /' >&2
  local pk names
  pk=$(tcpdump -r "$RUN/dhcp-v6.pcap" -n -vv 'udp port 546 or udp port 547' 2>/dev/null | dhcp_packets /dev/stdin)
  log "$SCEN: DHCPv6 exchange (capture):"; cut -c1-300 <<<"$pk" | head -n 12 | sed 's/^/    /' >&2
  names=$(tftp_requests "$RUN/dhcp-v6.pcap" | awk '!seen[$0]++' | tr '\n' ' ')
  log "$SCEN: TFTP read requests: ${names:-none}"
  log "$SCEN: HTTP requests over IPv6: $(tcpdump -r "$RUN/dhcp-v6.pcap" -n -A 'tcp dst port 8080' 2>/dev/null \
    | grep -aoE '(GET|POST) [^ ]+' | tr '\n' ' ')"
  log "$SCEN: DHCPv4 packets in the capture: $(tcpdump -r "$RUN/dhcp-v6.pcap" -n 'udp port 67 or udp port 68' 2>/dev/null \
    | awk '{print $3 ">" $5}' | sort | uniq -c | tr '\n' ';' | tr -s ' ')"
  check "DHCPv6: Anvil answered the firmware (ADVERTISE/REPLY in the capture)" grep -qE 'dhcp6 (advertise|reply)' <<<"$pk"
  check "OVMF fetched its boot-file URL's snponly.efi over TFTP on IPv6 (the first TFTP read request)" \
    test "${names%% *}" = snponly.efi
  check "the VM got as far as the discovery registration and a plan poll (reached: $V6_REACHED)" test "$ok" = 1 || return 1
  check_registered "$MAC_V6"
  # the kernel line carried the address iPXE held (anvil.ip6): the image took it and found no DHCPv4
  booted=$(tr -d '\r' <"$SERIAL" | sed -n 's/^SLEDGEHAMMER: ipv6 ok [^ ]* \([^ ]*\).*/\1/p' | head -n1)
  derived=$(tr -d '\r' <"$SERIAL" | sed -n 's/^SLEDGEHAMMER: ipv6 derived [^ ]* \([^ ]*\).*/\1/p' | head -n1)
  log "$SCEN: the image booted with $booted (anvil.ip6), took $derived after registering; derived address: $want6"
  check "the image took anvil.ip6=$booted, an address of $V6NET::/64" test "${booted%%:*}" = "${V6NET%%:*}" -a "${booted#*/}" = 64
  check "the image found no DHCPv4 ('dhcp none ... IPv6 only')" grep -qa 'SLEDGEHAMMER: dhcp none on .*IPv6 only' "$SERIAL"
  check "registration answered the node's derived address, and the image took it ($want6/64)" \
    test "$derived" = "$want6/64"
  check "ping -6 $want6 from the bridge's side answers (the VM holds its derived address)" test "$pinged" = 0
  local polls
  polls=$(tcpdump -r "$RUN/dhcp-v6.pcap" -n -A "ip6 src $want6 and tcp dst port 8080" 2>/dev/null | grep -ac 'GET /api/v1/nodes/.*/plan')
  check "the plan polls came from the derived address ($polls GET .../plan from $want6 in the capture)" test "${polls:-0}" -ge 1
  # the next DHCPv6 exchange of the (now known) node: exactly its derived address. The same VM boots again, up to
  # OVMF's DHCPv6 (its "Station IP address is ..." line); the first boot's serial log and capture are kept.
  cp -f "$SERIAL" "$RUN/serial-v6-first.log"; cp -f "$RUN/dhcp-v6.pcap" "$RUN/dhcp-v6-first.pcap"
  start_vm v6
  wait_serial station_again 'Station IP address is' 120 || return 1
  sleep 1
  stop_vm
  local station
  station=$(tr -d '\r' <"$SERIAL" | sed -n 's/.*Station IP address is \([0-9A-Fa-f:]*\).*/\1/p' | head -n1)
  log "$SCEN: second boot: OVMF's DHCPv6 gave it $station"
  check "the second boot's DHCPv6 gave exactly the derived address (OVMF: $station)" \
    test "$(norm6 "$station")" = "$(norm6 "$want6")"
  # the node's boot timeline: the second boot's DHCPv6 exchange with that address, and OVMF's TFTP download of
  # snponly.efi from it (the firmware prints the station line once the NBP is loaded)
  local tl events
  api GET "/nodes/$MAC_V6/timeline?limit=1000"; tl=$API_BODY
  events=$(jq -r '.events[] | "\(.source) \(.event) \(.detail)"' <<<"$tl" 2>/dev/null)
  log "$SCEN: the node's timeline:"; grep -vE '^lifecycle ' <<<"$events" | cut -c1-200 | tail -n 12 | sed 's/^/    /' >&2
  check "the timeline has a DHCPv6 exchange giving address=$want6" grep -qE "^dhcp6 .*address=$want6( |\$)" <<<"$events"
  check "the timeline has the TFTP download of snponly.efi from $want6 (transfers to IPv6 clients)" \
    grep -qE "^tftp read completed file=snponly.efi .*from=$want6\$" <<<"$events"
  return 0
}

# ------------------------------------------------------------------ scenario H: arm64 UEFI PXE (AAVMF, TCG)
MAC_ARM64=52:54:00:e2:e0:11
AAVMF_CODE=/usr/share/AAVMF/AAVMF_CODE.fd
AAVMF_VARS=/usr/share/AAVMF/AAVMF_VARS.fd
# arm64_prepare: Debian's grubnetaa64.efi and the arm64 discovery image into the TFTP root (arm64 .debs fetched with
# apt-get download and cached in $CACHE, never installed; needs `dpkg --add-architecture arm64` and apt-get update)
arm64_prepare() {
  local sh="$CACHE/sledgehammer-arm64" stamp
  command -v qemu-system-aarch64 >/dev/null || { log "no qemu-system-aarch64 (Debian package qemu-system-arm)"; return 1; }
  [ -r "$AAVMF_CODE" ] && [ -r "$AAVMF_VARS" ] || { log "no $AAVMF_CODE (Debian package qemu-efi-aarch64)"; return 1; }
  if ! dpkg --print-foreign-architectures | grep -qx arm64 && [ "${E2E_NO_APT:-0}" != 1 ]; then
    # lets apt see (and apt-get download) arm64 packages; nothing arm64 is installed
    log "$SCEN: dpkg --add-architecture arm64 && apt-get update (for apt-get download of arm64 .debs)"
    dpkg --add-architecture arm64 && timeout 300 apt-get update >"$WORK.apt-arm64.log" 2>&1
  fi
  dpkg --print-foreign-architectures | grep -qx arm64 \
    || { log "apt cannot see arm64 packages: dpkg --add-architecture arm64 && apt-get update"; return 1; }
  stamp=$(cat "$REPO"/pxe/sledgehammer/{build.sh,init,lib.sh,udhcpc.script} | sha256sum | cut -c1-16)
  if [ ! -s "$sh/vmlinuz" ] || [ ! -s "$sh/initrd.img" ] || [ "$(cat "$sh/.e2e-stamp" 2>/dev/null)" != "$stamp" ]; then
    log "$SCEN: building the arm64 Sledgehammer (pxe/sledgehammer/build.sh -a arm64 -o $sh)"
    SLEDGEHAMMER_NO_INSTALL=1 timeout 600 "$REPO/pxe/sledgehammer/build.sh" -a arm64 -o "$sh" -c "$CACHE/sledgehammer-arm64-cache" \
      >"$CACHE/sledgehammer-arm64.log" 2>&1 || { tail -n 20 "$CACHE/sledgehammer-arm64.log" >&2; return 1; }
    echo "$stamp" > "$sh/.e2e-stamp"
  fi
  mkdir -p "$RUN/tftp/sledgehammer/arm64"
  cp -f "$sh/vmlinuz" "$sh/initrd.img" "$RUN/tftp/sledgehammer/arm64/"
  ANVIL_ARM64_DEBS="$CACHE/arm64-debs" ANVIL_HTTP_PORT=8080 sh "$REPO/pxe/install-loaders.sh" "$RUN/tftp" >"$RUN/install-loaders-arm64.log" 2>&1
  [ -s "$RUN/tftp/grubnetaa64.efi" ] || { cat "$RUN/install-loaders-arm64.log" >&2; log "no grubnetaa64.efi (grub-efi-arm64-signed)"; return 1; }
}
# arm64_start_vm [MAC [FILTER [QEMU-ARGS...]]]: the arm64 VM (virt, cortex-a57, AAVMF on pflash, virtio-net without
# ROM: AAVMF's own PXE), files named after $SCEN; scenario J passes its MAC, capture filter and fw_cfg items
arm64_start_vm() {
  local mac=${1:-$MAC_ARM64} filter=${2:-udp port 67 or udp port 68 or udp port 69}
  shift $(($# < 2 ? $# : 2))
  SERIAL="$RUN/serial-$SCEN.log"; QEMU_OUT="$RUN/qemu-$SCEN.out"
  : > "$SERIAL"
  cp -f "$AAVMF_VARS" "$RUN/AAVMF_VARS-$SCEN.fd"
  setsid ip netns exec "$NS" tcpdump -i "$BR" -n -s 0 -U -w "$RUN/dhcp-$SCEN.pcap" "$filter" \
    </dev/null 9>&- >"$RUN/tcpdump-$SCEN.log" 2>&1 &
  TCPDUMP_PID=$!
  for i in $(seq 1 30); do grep -q 'listening on' "$RUN/tcpdump-$SCEN.log" 2>/dev/null && break; sleep 0.1; done
  VM_T0=$(now)
  setsid ip netns exec "$NS" qemu-system-aarch64 -name "anvil-e2e-$SCEN" -machine virt -cpu cortex-a57 -accel tcg \
    -m "$MEM" -smp "$SMP" \
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$AAVMF_CODE" \
    -drive "if=pflash,format=raw,unit=1,file=$RUN/AAVMF_VARS-$SCEN.fd" \
    -display none -monitor none -parallel none -serial "file:$SERIAL" \
    -netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no" \
    -device "virtio-net-pci,netdev=n0,mac=$mac,bootindex=1,romfile=" "$@" \
    </dev/null 9>&- >"$QEMU_OUT" 2>&1 &
  QEMU_PID=$!
  log "$SCEN: VM started (pid $QEMU_PID, aarch64 virt cortex-a57, mac $mac, -m $MEM -smp $SMP, TCG), serial $SERIAL"
}
scenario_arm64() {
  SCEN=arm64
  log "===== scenario H (arm64 UEFI PXE: AAVMF -> grubnetaa64.efi -> arm64 Sledgehammer -> registered) ====="
  arm64_prepare || return 1
  arm64_start_vm
  wait_serial pxe 'Start PXE over IPv4|>>Start PXE' 120 || return 1
  wait_serial grub_cfg 'Anvil: GRUB config for' 120 || return 1
  wait_serial grub_linux 'Anvil: loading .*\(arm64\)' 60 || return 1
  wait_serial kernel 'Linux version' 180 || return 1
  wait_serial registered 'SLEDGEHAMMER: registered' 240 || return 1
  check_registered "$MAC_ARM64"
  check "the kernel is the arm64 one (Linux version ...-arm64)" grep -qaE 'Linux version [^ ]+-arm64' "$SERIAL"
  check_platform aarch64 uefi
  stop_vm
  local pk offered names
  pk=$(dhcp_packets "$RUN/dhcp-arm64.txt")
  check "the firmware's DISCOVER carried client architecture 11 (arm64 UEFI, option 93)" \
    bash -c 'grep -i "$1" <<<"$2" | grep "Discover" | grep -q "ARCH (93), length 2: 11"' _ "$MAC_ARM64" "$pk"
  offered=$(grep -i "$MAC_ARM64" <<<"$pk" | grep 'DHCP-Message (53), length 1: Offer' | grep -F "| $SERVER.67 >" \
            | grep -o 'file "[^"]*"' | sort -u | tr '\n' ' ')
  log "$SCEN: Anvil's OFFER boot files: $offered"
  check "Anvil's OFFER to the arch-11 client named grubnetaa64.efi (dhcp.bootFiles.efi-arm64)" grep -q 'file "grubnetaa64.efi"' <<<"$offered"
  names=$(tftp_requests "$RUN/dhcp-arm64.pcap" | sed 's|^/||' | awk '!seen[$0]++' | tr '\n' ' ')
  log "$SCEN: TFTP read requests: $names"
  check_chain "$names" "grubnetaa64.efi grub/grub.cfg sledgehammer/arm64/vmlinuz sledgehammer/arm64/initrd.img"
  return 0
}

# check_platform ARCH FIRMWARE: the node's inventory (GET .../inventory, after check_registered) names the machine's
# architecture (uname -m in the discovery image) and firmware
check_platform() {
  local inv
  api GET "/nodes/$NODE_NAME/inventory"; inv=$API_BODY
  check "inventory architecture is $1 (got $(jqv .architecture "$inv"))" test "$(jqv .architecture "$inv")" = "$1"
  check "inventory firmware is $2 (got $(jqv .firmware "$inv"))" test "$(jqv .firmware "$inv")" = "$2"
}

# httpclient_exchange MAC ARCH WHAT: the firmware's first DISCOVER in $RUN/dhcp-$SCEN.txt carried vendor class HTTPClient
# (60) and client architecture ARCH (93); sets HTTP_OFFERED to the boot files of Anvil's OFFERs that echoed HTTPClient
HTTP_OFFERED=""
httpclient_exchange() {
  local pk disc
  pk=$(dhcp_packets "$RUN/dhcp-$SCEN.txt")
  disc=$(grep -i "$1" <<<"$pk" | grep 'DHCP-Message (53), length 1: Discover' | grep -v 'iPXE' | head -n1)
  log "$SCEN: the firmware's DISCOVER: $(cut -c1-400 <<<"$disc")"
  check "the firmware's DISCOVER carried vendor class HTTPClient (option 60)" grep -q 'Vendor-Class (60), length [0-9]*: "HTTPClient' <<<"$disc"
  check "the firmware's DISCOVER carried client architecture $2 ($3, option 93)" grep -qE "ARCH \(93\), length 2: $2( |\$)" <<<"$disc"
  HTTP_OFFERED=$(grep -i "$1" <<<"$pk" | grep 'DHCP-Message (53), length 1: Offer' | grep -F "| $SERVER.67 >" \
            | grep 'Vendor-Class (60), length 10: "HTTPClient"' | grep -o 'file "[^"]*"' | sort -u | tr '\n' ' ')
  log "$SCEN: Anvil's OFFER to the HTTPClient: $HTTP_OFFERED"
}

# ------------------------------------------------------------------ scenario J: arm64 UEFI HTTP boot (AAVMF, TCG)
MAC_ARM64_HTTP=52:54:00:e2:e0:13
# the HTTP requests of the chain, in order (others, such as the firmware's size probe, are ignored)
ARM64_HTTP_CHAIN="/boot/grubhttpaa64.efi /boot/grub/arm64-efi/command.lst /boot/grub/grub.cfg /boot/sledgehammer/arm64/vmlinuz /boot/sledgehammer/arm64/initrd.img"
scenario_arm64_http() {
  SCEN=arm64_http
  log "===== scenario J (arm64 UEFI HTTP boot: AAVMF HTTPClient -> grubhttpaa64.efi -> arm64 Sledgehammer over HTTP) ====="
  arm64_prepare || return 1
  [ -s "$RUN/tftp/grubhttpaa64.efi" ] && [ -s "$RUN/tftp/grub/arm64-efi/command.lst" ] \
    || { cat "$RUN/install-loaders-arm64.log" >&2; log "no grubhttpaa64.efi (grub-efi-arm64-bin, grub-mkimage)"; return 1; }
  # AAVMF's PXE off in both families (its PcdIPv4PXESupport / PcdIPv6PXESupport, from fw_cfg): "UEFI HTTPv4" runs
  arm64_start_vm "$MAC_ARM64_HTTP" "udp port 67 or udp port 68 or udp port 69 or tcp port 8080" \
    -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n
  local FATAL_RE="$FATAL_RE|Could not boot image|GRUB got no DHCP answer naming"
  wait_serial http_boot 'Start HTTP Boot over IPv4' 120 && wait_serial uri 'URI: http' 60 \
    && wait_serial grub_dhcp 'Anvil: GRUB for UEFI HTTP boot' 120 && wait_serial grub_prefix 'Anvil: GRUB over HTTP, prefix' 60 \
    && wait_serial grub_cfg 'Anvil: GRUB config for' 120 && wait_serial grub_linux 'Anvil: loading .*\(arm64\)' 60 \
    && wait_serial kernel 'Linux version' 240 && wait_serial registered 'SLEDGEHAMMER: registered' 240 || return 1
  check_registered "$MAC_ARM64_HTTP"
  check "the kernel is the arm64 one (Linux version ...-arm64)" grep -qaE 'Linux version [^ ]+-arm64' "$SERIAL"
  check_platform aarch64 uefi
  sleep 0.5   # the registration's packets into the capture
  stop_vm
  check "the firmware never tried PXE (no 'Start PXE' on the serial console)" bash -c "! grep -qa 'Start PXE' '$SERIAL'"
  log "$SCEN: the firmware's and GRUB's lines: $(tr -d '\r' <"$SERIAL" | grep -aoE 'URI: [^ ]+|BdsDxe: starting Boot[0-9]+ "[^"]*"|Anvil: [^"]*$' | tr '\n' ' ')"
  check "AAVMF's boot manager started its 'UEFI HTTPv4' boot option" grep -qa 'BdsDxe: starting Boot[0-9]* "UEFI HTTPv4' "$SERIAL"
  # GRUB's own DHCP answer names no boot file (it sends no client architecture): the server identifier, written in hex
  local hexsrv; hexsrv=$(printf '0x%02x.0x%02x.0x%02x.0x%02x' ${SERVER//./ })
  check "GRUB's prefix is Anvil's boot tree over HTTP, on the DHCP server's address" \
    grep -qaF "Anvil: GRUB over HTTP, prefix (http,$hexsrv:8080)/boot/grub" "$SERIAL"
  local names gets
  httpclient_exchange "$MAC_ARM64_HTTP" 19 "arm64 UEFI HTTP boot"
  check "Anvil's OFFER echoed HTTPClient and named http://$SERVER:8080/boot/grubhttpaa64.efi (dhcp.bootFiles.http-arm64)" \
    grep -qF "file \"http://$SERVER:8080/boot/grubhttpaa64.efi\"" <<<"$HTTP_OFFERED"
  names=$(tftp_requests "$RUN/dhcp-$SCEN.pcap" | tr '\n' ' ')
  check "no TFTP at all (read requests seen: ${names:-none})" test -z "$names"
  gets=$(tcpdump -r "$RUN/dhcp-$SCEN.pcap" -n -A "tcp dst port 8080" 2>/dev/null | grep -aoE '(GET|HEAD|POST) /[^ ]+' | awk '{print $2}' | tr '\n' ' ')
  log "$SCEN: HTTP requests: $gets"
  local got; got=$(tr ' ' '\n' <<<"$gets" | grep -xF -f <(tr ' ' '\n' <<<"$ARM64_HTTP_CHAIN") | awk '!seen[$0]++' | tr '\n' ' ')
  check "HTTP requests of the chain, in order: $ARM64_HTTP_CHAIN" test "$(echo $got)" = "$ARM64_HTTP_CHAIN"
  # GRUB's lists are served: an HTTP 404 costs GRUB about 34 s each
  local missing; missing=$(tcpdump -r "$RUN/dhcp-$SCEN.pcap" -n -A "tcp src port 8080" 2>/dev/null | grep -ac 'HTTP/1.1 404')
  check "no HTTP 404 in the whole boot (got $missing)" test "$missing" = 0
  return 0
}

# ------------------------------------------------------------------ main
# ------------------------------------------------------------------ scenario G: the lifecycle through IPMI
# OpenIPMI's ipmi_sim is the VM's BMC: its LAN side (RMCP+, user and password) on an address of the bridge, its
# system side the VM's KCS interface (QEMU ipmi-bmc-extern over a socket, ipmi_sim's VM codec); its chassis
# program powers the VM on (QEMU started with the boot order the BMC was told) and off (the QEMU process ended).
# Nothing reboots the VM over SSH.
IPMI_ADDR=10.215.0.250
IPMI_USER=anvil
IPMI_PASSWORD_E2E=e2e-Ipmi.pw1
IPMI_KCS_PORT=9002
IPMI_SIM_PID=""
ipmi_tool() { IPMI_PASSWORD=$IPMI_PASSWORD_E2E in_ns ipmitool -I lanplus -H "$IPMI_ADDR" -U "$IPMI_USER" -E -C 3 -N 2 -R 2 "$@"; }
ipmi_vm_pid() { local p; p=$(cat "$RUN/ipmi/qemu.pid" 2>/dev/null); alive "$p" && echo "$p"; }
# ipmi_tool_wrapper: $RUN/ipmi-bin/ipmitool, first in anvild's PATH in the ipmi modes: it appends the arguments
# anvild gives ipmitool to $RUN/ipmitool-args.log (the password is in IPMI_PASSWORD, never in them), then runs
# the real ipmitool; so the checks can read the boot overrides Anvil sent (options=efiboot or not).
ipmi_tool_wrapper() {
  local real; real=$(command -v ipmitool) || return 1
  mkdir -p "$RUN/ipmi-bin"; : > "$RUN/ipmitool-args.log"
  cat > "$RUN/ipmi-bin/ipmitool" <<W
#!/bin/sh
echo "\$*" >> "$RUN/ipmitool-args.log"
exec "$real" "\$@"
W
  chmod 755 "$RUN/ipmi-bin/ipmitool"
}
ipmi_start_sim() { # FIRMWARE: bios (SeaBIOS, e1000 with QEMU's iPXE ROM) or uefi (OVMF, virtio-net without ROM)
  local kind=$1 d="$RUN/ipmi" i
  [ -n "$RUN" ] || return 1
  rm -rf "$d"; mkdir -p "$d/state"
  in_ns ip addr add "$IPMI_ADDR/24" dev "$BR" 2>/dev/null
  : > "$SERIAL"
  printf '\xf8\x03' > "$RUN/sercon-port.bin"
  rm -f "$RUN/disk-ipmi.img"; truncate -s 64M "$RUN/disk-ipmi.img"
  # the firmware and the devices of vm.sh, where $1 is the boot order the chassis program passes: n (the BMC
  # said pxe: the network first) or cn (the disk first). BIOS: SeaBIOS with its serial console, e1000 with QEMU's
  # iPXE ROM, -boot order=$1. UEFI (as scenario B, not Secure Boot): OVMF with one variable store for the
  # machine's life (copied here, kept across power cycles), q35, virtio-net without ROM (OVMF's own PXE), the
  # order as bootindex properties (OVMF follows QEMU's bootorder file, which -boot order does not write).
  local firmware devices
  if [ "$kind" = uefi ]; then
    cp -f "$OVMF_VARS" "$d/OVMF_VARS.fd"
    firmware="-machine q35 -drive if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
    firmware="$firmware -drive if=pflash,format=raw,unit=1,file=$d/OVMF_VARS.fd"
    # shellcheck disable=SC2016  # $1, $disk and $nic are vm.sh's
    devices='-drive file='"$RUN"'/disk-ipmi.img,format=raw,if=none,id=d0 -device ide-hd,drive=d0,bus=ide.0,bootindex=$disk \
  -netdev tap,id=n0,ifname='"$TAP"',script=no,downscript=no -device virtio-net-pci,netdev=n0,mac='"$MAC_IPMI"',romfile=,bootindex=$nic'
  else
    firmware="-machine pc -fw_cfg name=etc/sercon-port,file=$RUN/sercon-port.bin"
    # shellcheck disable=SC2016  # $1 is vm.sh's
    devices='-drive file='"$RUN"'/disk-ipmi.img,format=raw,if=ide,index=0,media=disk \
  -netdev tap,id=n0,ifname='"$TAP"',script=no,downscript=no -device e1000,netdev=n0,mac='"$MAC_IPMI"' -boot order=$1'
  fi
  # the VM: its serial appended across power cycles (the whole lifecycle in one log), a pid file for the harness.
  # Started by the chassis program below with the boot order the BMC was told: pxe (once) -> n, otherwise cn.
  cat > "$d/vm.sh" <<VM
#!/bin/sh
nic=1 disk=2; [ "\$1" = n ] || { nic=2; disk=1; }
exec qemu-system-x86_64 -name anvil-e2e-$SCEN $firmware -accel tcg -m $MEM -smp $SMP \\
  $devices \\
  -display none -monitor none -parallel none -chardev file,id=s0,path=$SERIAL,append=on -serial chardev:s0 \\
  -chardev socket,id=ipmi0,host=127.0.0.1,port=$IPMI_KCS_PORT,reconnect=10 \\
  -device ipmi-bmc-extern,id=bmc0,chardev=ipmi0 -device isa-ipmi-kcs,bmc=bmc0 \\
  -pidfile $d/qemu.pid </dev/null >>$RUN/qemu-ipmi.out 2>&1
VM
  # ipmi_sim's chassis_control program: "get power boot" prints name:value lines, "set power 1" / "set boot pxe"
  # act. Power on starts the VM (boot order from the boot device, a pxe override used once), off ends it.
  cat > "$d/chassis.sh" <<CH
#!/bin/sh
d=$d
vm() { p=\$(cat "\$d/qemu.pid" 2>/dev/null); [ -n "\$p" ] && kill -0 "\$p" 2>/dev/null && echo "\$p"; }
echo "\$(date +%s.%N) \$*" >> "\$d/chassis.log"
op=\$1; shift
if [ "\$op" = get ]; then
  for n in "\$@"; do
    case "\$n" in
      power) if [ -n "\$(vm)" ]; then echo power:1; else echo power:0; fi ;;
      *) echo "\$n:\$(cat "\$d/\$n" 2>/dev/null || echo 0)" ;;
    esac
  done
  exit 0
fi
while [ \$# -ge 2 ]; do
  case "\$1:\$2" in
    power:1|shutdown:0) if [ -z "\$(vm)" ]; then
        order=cn; [ "\$(cat "\$d/boot" 2>/dev/null)" = pxe ] && { order=n; echo default > "\$d/boot"; }
        echo "\$(date +%s.%N) start -boot order=\$order" >> "\$d/chassis.log"
        rm -f "\$d/qemu.pid"; setsid "\$d/vm.sh" "\$order" </dev/null >/dev/null 2>&1 &
        i=0; while [ ! -s "\$d/qemu.pid" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
      fi ;;
    power:0|shutdown:1) p=\$(vm); if [ -n "\$p" ]; then
        kill "\$p"; i=0; while kill -0 "\$p" 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
        kill -9 "\$p" 2>/dev/null; echo "\$(date +%s.%N) stopped" >> "\$d/chassis.log"
      fi ;;
    *) echo "\$2" > "\$d/\$1" ;;
  esac
  shift 2
done
CH
  # what "lan print" over the KCS interface reports: the BMC's own LAN address (the inventory's bmc.ip)
  cat > "$d/lancfg.sh" <<LAN
#!/bin/sh
shift
for n in "\$@"; do
  case "\$n" in
    ip_addr_src) echo "ip_addr_src:static" ;;
    ip_addr) echo "ip_addr:$IPMI_ADDR" ;;
    mac_addr) echo "mac_addr:52:54:00:e2:e0:fe" ;;
    subnet_mask) echo "subnet_mask:255.255.255.0" ;;
    *_ip_addr) echo "\$n:0.0.0.0" ;;
    *) echo "\$n:00:00:00:00:00:00" ;;
  esac
done
LAN
  chmod 755 "$d/vm.sh" "$d/lancfg.sh" "$d/chassis.sh"
  printf '%s\n' 'mc_setbmc 0x20' 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr' \
    'sel_enable 0x20 1000 0x0a' 'mc_enable 0x20' > "$d/sim.emu"
  cat > "$d/lan.conf" <<CONF
name "anvile2e"
set_working_mc 0x20
  startlan 1
    addr $IPMI_ADDR 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
    lan_config_program "$d/lancfg.sh"
  endlan
  serial kcs 127.0.0.1 $IPMI_KCS_PORT codec VM
  chassis_control "$d/chassis.sh"
  user 2 true "$IPMI_USER" "$IPMI_PASSWORD_E2E" admin 10 none md2 md5 straight
CONF
  setsid ip netns exec "$NS" ipmi_sim -c "$d/lan.conf" -f "$d/sim.emu" -s "$d/state" -n \
    </dev/null 9>&- >"$d/sim.log" 2>&1 &
  IPMI_SIM_PID=$!
  QEMU_PID=$IPMI_SIM_PID   # for stop_vm and cleanup: the BMC (the VM is ended by ipmi_stop_sim)
  for i in $(seq 1 50); do ipmi_tool chassis power status >/dev/null 2>&1 && break; sleep 0.2; done
  ipmi_tool chassis power status >/dev/null 2>&1 || { cat "$d/sim.log" >&2; return 1; }
  log "$SCEN: ipmi_sim up (pid $IPMI_SIM_PID) at $IPMI_ADDR:623, KCS socket 127.0.0.1:$IPMI_KCS_PORT"
}
ipmi_stop_sim() {
  local p; p=$(ipmi_vm_pid)
  [ -n "$IPMI_SIM_PID" ] && stop_pid "$IPMI_SIM_PID"
  IPMI_SIM_PID=""
  [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
  return 0
}
# ipmi_wait_count NAME REGEX COUNT TIMEOUT: the COUNT-th serial line matching REGEX (the log spans the VM's boots)
ipmi_wait_count() {
  local name=$1 re=$2 want=$3 limit=$4 i
  for ((i = 0; i < limit * 5; i++)); do
    if [ "$(grep -caE "$re" "$SERIAL" 2>/dev/null)" -ge "$want" ]; then
      MS[$SCEN.$name]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.$name"); log "$SCEN: $name after ${MS[$SCEN.$name]} s"
      return 0
    fi
    grep -qaE "$FATAL_RE" "$SERIAL" 2>/dev/null && { log "$SCEN: fatal line on the serial console"; return 1; }
    sleep 0.2
  done
  log "$SCEN: timed out after ${limit} s waiting for $name (/$re/ x$want)"; return 1
}
# ipmi_task NODE: waits (30 s) for the node's newest task to end; sets TASK (its JSON)
TASK=""
ipmi_task() {
  local i st
  for i in $(seq 1 150); do
    api GET "/nodes/$1/tasks"; TASK=$(jqv '.[0]' "$API_BODY"); st=$(jqv .state "$TASK")
    if [ "$st" = done ] || [ "$st" = failed ]; then
      log "$SCEN: task $(jqv .kind "$TASK") $st: $(jqv .log "$TASK" | tail -n1)"; return 0
    fi
    sleep 0.2
  done
  log "$SCEN: the task on $1 did not end: $TASK"; return 1
}
scenario_ipmi() { SCEN=ipmi; ipmi_lifecycle bios; }
scenario_ipmi_uefi() { SCEN=ipmi_uefi; ipmi_lifecycle uefi; }
# ipmi_lifecycle FIRMWARE (bios or uefi): scenario G on a VM with that firmware, as $SCEN
ipmi_lifecycle() {
  local firmware=$1 uefi=false
  [ "$firmware" = uefi ] && uefi=true
  log "===== scenario G ($firmware, power through IPMI): power on -> discovery -> adopt -> install -> local boot -> off -> redeploy ====="
  SERIAL="$RUN/serial-$SCEN.log"; QEMU_OUT="$RUN/qemu-ipmi.out"; : > "$QEMU_OUT"
  ipmi_start_sim "$firmware" || return 1
  local r inv sshtasks i
  check "the VM is off at first" test -z "$(ipmi_vm_pid)"
  # the operator presses the power button, through the BMC
  VM_T0=$(now)
  ipmi_tool chassis bootdev pxe >/dev/null 2>&1; ipmi_tool chassis power on >/dev/null 2>&1
  ipmi_wait_count registered 'SLEDGEHAMMER: registered' 1 150 || return 1
  NODE_NAME="d${MAC_IPMI//:/-}.$DOMAIN"
  api GET "/nodes/$NODE_NAME/inventory"; inv=$API_BODY; log "$SCEN: inventory's bmc: $(jqv ".bmc|tostring" "$inv")"
  check "the discovery image reported the BMC's LAN address (ipmitool lan print over KCS: $IPMI_ADDR)" \
    test "$(jqv .bmc.ip "$inv")" = "$IPMI_ADDR" || return 1
  # adoption: one call, the address taken from the inventory
  api PUT "/nodes/$NODE_NAME/bmc" "{\"user\":\"$IPMI_USER\",\"password\":\"$IPMI_PASSWORD_E2E\",\"uefi\":$uefi}"; r=$API_BODY
  log "$SCEN: PUT .../bmc -> $HTTP_STATUS $r"
  check "PUT .../bmc without address adopts $IPMI_ADDR (got $HTTP_STATUS $(jqv .address "$r"))" \
    test "$(jqv .address "$r")" = "$IPMI_ADDR" || return 1
  check "the BMC settings say uefi $uefi (got $(jqv .uefi "$r"))" test "$(jqv .uefi "$r")" = "$uefi"
  api POST "/nodes/$NODE_NAME/actions/install" '{"os":"e2e-os"}'; log "$SCEN: install -> $HTTP_STATUS"
  MS[$SCEN.install_posted]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.install_posted")
  ipmi_task "$NODE_NAME" || return 1
  check "install restarted the VM through the BMC (netboot: $(jqv .log "$TASK" | grep -o 'next boot.*' | tail -n1))" \
    test "$(jqv .kind "$TASK") $(jqv .state "$TASK")" = "netboot done" || return 1
  # the boot override anvild sent the BMC: options=efiboot exactly when the BMC settings say uefi (ipmi_sim's
  # chassis program is told "set boot pxe" either way: it does not pass the EFI bit on)
  local overrides efi
  overrides=$(grep -o 'chassis bootdev .*' "$RUN/ipmitool-args.log"); efi=$(grep -c 'efiboot' <<<"$overrides")
  log "$SCEN: the boot overrides anvild sent through ipmitool: $(sort <<<"$overrides" | uniq -c | tr -s ' ' | tr '\n' ';')"
  if [ "$uefi" = true ]; then
    check "the netboot's override was 'chassis bootdev pxe options=efiboot'" \
      grep -qx 'chassis bootdev pxe options=efiboot' <<<"$overrides"
    check "every override said efiboot ($efi of $(grep -c . <<<"$overrides"))" test "$efi" = "$(grep -c . <<<"$overrides")"
  else
    check "the netboot's override was 'chassis bootdev pxe'" grep -qx 'chassis bootdev pxe' <<<"$overrides"
    check "no override said efiboot ($efi)" test "$efi" = 0
  fi
  ipmi_wait_count installer 'INSTALLER: start' 1 150 || return 1
  ipmi_wait_count callback 'INSTALLER: callback ok' 1 60 || return 1
  if [ "$firmware" = uefi ]; then
    # OVMF has no CSM: the stand-in installer's MBR boot sector cannot boot under UEFI. The local boot is
    # Anvil's answer to the network boot after the install: iPXE's local-boot script (sanboot || exit).
    ipmi_wait_count local_answer 'Anvil: booting from the local disk' 1 120 || return 1
  else
    ipmi_wait_count local_disk 'E2E-LOCAL-DISK-OK' 1 120 || return 1
  fi
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  check "state installed, bootEnv local (got $(jqv .state "$r"), $(jqv .bootEnv "$r"))" \
    test "$(jqv .state "$r") $(jqv .bootEnv "$r")" = "installed local"
  api GET "/nodes/$NODE_NAME/tasks"; sshtasks=$(jqv '[.[] | select(.kind == "reboot")] | length' "$API_BODY")
  check "no reboot went over SSH (reboot tasks: $sshtasks)" test "$sshtasks" = 0
  # power-off through the BMC: the VM process ends
  api POST "/nodes/$NODE_NAME/actions/power-off" "{}"; log "$SCEN: power-off -> $HTTP_STATUS"; ipmi_task "$NODE_NAME" || return 1
  for i in $(seq 1 75); do [ -z "$(ipmi_vm_pid)" ] && break; sleep 0.2; done
  MS[$SCEN.off]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.off")
  check "power-off ended the VM (task $(jqv .state "$TASK"); qemu pid now: $(ipmi_vm_pid || echo none))" test -z "$(ipmi_vm_pid)"
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  check "the node shows power off ($(jqv ".power|tostring" "$r"))" test "$(jqv .power.state "$r")" = off
  # redeploy: the BMC powers it on, into discovery
  api POST "/nodes/$NODE_NAME/actions/redeploy" "{}"; log "$SCEN: redeploy -> $HTTP_STATUS"; ipmi_task "$NODE_NAME" || return 1
  check "redeploy powered the VM on through the BMC ($(jqv .log "$TASK" | grep -o 'next boot.*' | tail -n1))" \
    grep -q 'was off: on' <<<"$(jqv .log "$TASK")"
  ipmi_wait_count registered_again 'SLEDGEHAMMER: registered' 2 150 || return 1
  api GET "/nodes/$NODE_NAME"; r=$API_BODY
  check "state discovered after the redeploy (got $(jqv .state "$r"))" test "$(jqv .state "$r")" = discovered
  ipmi_stop_sim
  return 0
}

# ------------------------------------------------------------------ scenario I: Debian 12's own installer
# prepare_debian_tree: DEBIAN_TREE, built by pxe/debian-mirror.sh into the cache when not given (kept between runs;
# rebuilt when the script changes)
prepare_debian_tree() {
  [ -n "$DEBIAN_TREE" ] && { [ -s "$DEBIAN_TREE/install.amd/vmlinuz" ] || die "E2E_DEBIAN_TREE=$DEBIAN_TREE has no install.amd/vmlinuz"; return 0; }
  DEBIAN_TREE=$CACHE/debian-tree
  local stamp t0; stamp="$(sha256sum < "$REPO/pxe/debian-mirror.sh" | cut -c1-16) partial=${E2E_DEBIAN_PARTIAL:-0}"
  [ "$(cat "$DEBIAN_TREE/.e2e-stamp" 2>/dev/null)" = "$stamp" ] && return 0
  t0=$(now)
  log "building the Debian install tree (pxe/debian-mirror.sh -> $DEBIAN_TREE)"
  ANVIL_MIRROR_ALLOW_MISSING=${E2E_DEBIAN_PARTIAL:-0} timeout 1800 "$REPO/pxe/debian-mirror.sh" -c "$CACHE/debian-mirror" \
    "$DEBIAN_TREE" >"$CACHE/debian-mirror.log" 2>&1 || { tail -n 20 "$CACHE/debian-mirror.log" >&2; die "pxe/debian-mirror.sh failed"; }
  echo "$stamp" > "$DEBIAN_TREE/.e2e-stamp"
  log "Debian install tree built in $(since "$t0") s: $(tail -n1 "$CACHE/debian-mirror.log")"
}
# debian_http_log: what the node fetched over HTTP and TFTP, from its boot timeline (one line per event)
debian_timeline() {
  api GET "/nodes/$NODE_NAME/timeline?limit=1000"
  jq -r '.events[] | "\(.at) \(.source) \(.event) \(.detail)"' <<<"$API_BODY" 2>/dev/null
}
# debian_phases: the installer's progress titles seen on the serial console so far, each timed once (polled)
DEBIAN_PHASES=("mirror:Checking the Debian archive mirror" "components:Loading additional components"
  "partitioner:Starting up the partitioner" "base_system:Installing the base system" "apt:Configuring apt"
  "software:Running tasksel" "grub:Installing GRUB"
  "finishing:Finishing the installation" "main_menu:Debian installer main menu")
debian_phases() {
  local p name re
  for p in "${DEBIAN_PHASES[@]}"; do
    name=${p%%:*}; re=${p#*:}
    [ -n "${MS[$SCEN.$name]:-}" ] && continue
    grep -qaE "$re" "$SERIAL" 2>/dev/null || continue
    MS[$SCEN.$name]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.$name"); log "$SCEN: installer phase '$re' by ${MS[$SCEN.$name]} s"
  done
}
scenario_debian() { SCEN=debian; debian_install bios; }
scenario_debian_secboot() { SCEN=debian_secboot; debian_install secboot; }
debian_install() { # FIRMWARE: bios | secboot
  local fw=$1 r state t_deadline partial=0 last=""
  [ -s "$DEBIAN_TREE/.anvil-missing-udebs" ] && partial=1
  log "===== scenario I ($fw): Debian 12's installer from Anvil's tree and preseed$([ $partial = 1 ] && echo " (PARTIAL tree: $(wc -l < "$DEBIAN_TREE/.anvil-missing-udebs") components missing)") ====="
  start_vm "$([ "$fw" = bios ] && echo debian || echo debian_secboot)"
  wait_serial registered 'SLEDGEHAMMER: registered' 240 || return 1
  check_registered "$MAC_DEB"
  api POST "/nodes/$NODE_NAME/actions/install" '{"os":"debian-12"}'; log "$SCEN: POST actions/install -> $HTTP_STATUS $API_BODY"
  check "install debian-12 accepted" test "${HTTP_STATUS:0:1}" = 2 || return 1
  MS[$SCEN.install_posted]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.install_posted")
  wait_serial plan_reboot 'SLEDGEHAMMER: plan reboot' 60 || return 1
  # debian-installer's kernel (Debian's signed one: under Secure Boot the firmware and shim check it)
  # (the second kernel on this console: the first was Sledgehammer's)
  ipmi_wait_count di_kernel 'Linux version [^ ]+-amd64 ' 2 240 || return 1
  # the installer fetched Anvil's preseed and ran its early_command: POST installing (install-pending -> installing)
  for ((i = 0; i < 600; i++)); do
    api GET "/nodes/$NODE_NAME"; state=$(jqv .state "$API_BODY")
    [ "$state" = installing ] && break
    alive "$QEMU_PID" || break
    sleep 1
  done
  MS[$SCEN.installing]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.installing")
  check "the preseed's early_command reported installing (state $state)" test "$state" = installing || return 1
  # then the install itself: until install-complete (state installed) or, with a partial tree, until the installer
  # stops fetching from Anvil for 5 minutes
  t_deadline=$(( $(date +%s) + ${E2E_DEBIAN_TIMEOUT:-5400} ))
  local quiet_since; quiet_since=$(date +%s)
  while [ "$(date +%s)" -lt "$t_deadline" ]; do
    api GET "/nodes/$NODE_NAME"; state=$(jqv .state "$API_BODY")
    [ "$state" = installed ] || [ "$state" = ready ] || [ "$state" = failed ] && break
    alive "$QEMU_PID" || { log "$SCEN: qemu exited"; break; }
    debian_phases
    local now_tl; now_tl=$(debian_timeline | tail -n 1)
    if [ "$now_tl" != "$last" ]; then last=$now_tl; quiet_since=$(date +%s); log "$SCEN: timeline: $now_tl"; fi
    # a partial tree: the installer ends at its main menu (a step it has no component for), or goes quiet
    if [ $partial = 1 ] && [ -n "${MS[$SCEN.main_menu]:-}" ]; then log "$SCEN: the installer is back at its main menu"; break; fi
    if [ $partial = 1 ] && [ $(( $(date +%s) - quiet_since )) -ge 300 ]; then log "$SCEN: nothing fetched for 300 s"; break; fi
    sleep 10
  done
  debian_phases
  MS[$SCEN.end]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.end")
  debian_timeline > "$RUN/timeline-$SCEN.txt"
  log "$SCEN: the node's timeline ($(wc -l < "$RUN/timeline-$SCEN.txt") events) in $RUN/timeline-$SCEN.txt; last ones:"
  tail -n 15 "$RUN/timeline-$SCEN.txt" | sed 's/^/    /' >&2
  # the installer's screen at the end (its newt frontend draws on the serial console): the last readable lines
  log "$SCEN: the installer's last screen text:"
  tr -d '\r' < "$SERIAL" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][0-9A-Za-z]//g' | tr -cd '[:print:]\n' \
    | grep -vE '^[[:space:]]*$' | tail -n 12 | sed 's/^/    /' >&2
  if [ "$fw" = secboot ]; then
    # the chain under Secure Boot: shim -> Debian's signed GRUB -> the node's own GRUB config (by its reserved address,
    # now that it is a node being installed) -> debian-installer's signed kernel and initrd over TFTP (no http module)
    local names; names=$(tftp_requests "$RUN/dhcp-$SCEN.pcap" | sed 's|^/||' | awk '!seen[$0]++' | tr '\n' ' ')
    log "$SCEN: TFTP read requests: $names"
    check_chain "$names" "shimx64.efi grubx64.efi grub/grub.cfg sledgehammer/vmlinuz sledgehammer/initrd.img install/debian-12/install.amd/vmlinuz install/debian-12/install.amd/initrd.gz"
    check "GRUB's config for the installer was the node's own ('Anvil: GRUB config for ${MAC_DEB//:/-} by its address 10.215.0.')" \
      grep -qaE "Anvil: GRUB config for ${MAC_DEB//:/-} by its address 10\.215\.0\.[1-9][0-9]?\b" "$SERIAL"
    check "both kernels (Sledgehammer's, the installer's) booted with Secure Boot enabled ($(grep -ac 'Secure boot enabled' "$SERIAL") times)" \
      test "$(grep -ac 'Secure boot enabled' "$SERIAL")" -ge 2
  fi
  check "the installer fetched the Release file of Anvil's tree" grep -q 'dists/bookworm/Release' "$RUN/timeline-$SCEN.txt"
  check "the installer retrieved its components (udebs) from Anvil's tree" grep -q '\.udeb' "$RUN/timeline-$SCEN.txt"
  if [ $partial = 1 ]; then
    log "$SCEN: PARTIAL tree: the install cannot complete (doc/e2e.md); state $state"
    PARTIAL=1
    return 0
  fi
  check "the install completed (state $state)" test "$state" = installed -o "$state" = ready || return 1
  MS[$SCEN.installed]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.installed")
  # local boot from the installed disk, then the aliveness check (ping, SSH with the pinned host key) -> ready
  for ((i = 0; i < 180; i++)); do
    api GET "/nodes/$NODE_NAME"; state=$(jqv .state "$API_BODY"); [ "$state" = ready ] && break; sleep 5
  done
  MS[$SCEN.ready]=$(since "$VM_T0"); MS_ORDER+=("$SCEN.ready")
  check "the node is ready: booted from its disk, answers ping and SSH (state $state)" test "$state" = ready
}

mkdir -p "$WORK" "$RUN"
rm -f "$RUN"/serial-*.log "$RUN"/qemu-*.out "$RUN"/anvild.* "$RUN"/anvild-*.log "$RUN"/radvd.* "$RUN"/OVMF_VARS-*.fd
prepare_images
setup_net
[ "$MODE" = secureboot ] || [ "$MODE" = debian-secboot ] && SECURE_BOOT=1
case "$MODE" in debian*) prepare_debian_tree ;; esac
start_anvil
start_radvd
SCEN=setup FAILS=0
check_ra_source || { show_tails; die "the IPv6 router advertisements are not what E2E_RA=$RA_MODE asks for"; }
declare -A RESULT=() DURATION=()
SCENARIOS=()
case "$MODE" in bios) SCENARIOS=(bios) ;; uefi) SCENARIOS=(uefi) ;; ab) SCENARIOS=(bios uefi) ;;
  all) SCENARIOS=(bios uefi httpboot secureboot unsigned) ;; debian) SCENARIOS=(debian) ;; debian-secboot) SCENARIOS=(debian_secboot) ;; httpboot) SCENARIOS=(httpboot) ;; arm64) SCENARIOS=(arm64) ;; arm64-http) SCENARIOS=(arm64_http) ;; secureboot) SCENARIOS=(secureboot unsigned) ;; v6) SCENARIOS=(v6) ;; ipmi) SCENARIOS=(ipmi) ;; ipmi-uefi) SCENARIOS=(ipmi_uefi) ;; esac
for s in "${SCENARIOS[@]}"; do
  FAILS=0; t0=$(now)
  PARTIAL=0
  if "scenario_$s" && [ $FAILS = 0 ]; then RESULT[$s]=PASS; else RESULT[$s]=FAIL; show_tails; fi
  # scenario I on a tree without all of the installer's components: what it checked held, but it is no pass
  [ "${RESULT[$s]}" = PASS ] && [ "$PARTIAL" = 1 ] && RESULT[$s]=PARTIAL
  stop_vm
  DURATION[$s]=$(since "$t0")
done

echo >&2
echo "===== Anvil e2e summary (TCG, -m $MEM -smp $SMP, RAs $RA_MODE) =====" >&2
rc=0
for s in "${SCENARIOS[@]}"; do
  line="ra=$RA_MODE $s: ${RESULT[$s]} in ${DURATION[$s]} s |"
  for k in "${MS_ORDER[@]}"; do [ "${k%%.*}" = "$s" ] && line="$line ${k#*.}=${MS[$k]}"; done
  echo "$line" | tee -a "$WORK/timings.log" >&2
  case "${RESULT[$s]}" in PASS) ;; PARTIAL) [ $rc = 0 ] && rc=3 ;; *) rc=1 ;; esac
done
echo "total: $(since "$T_START") s (logs: $RUN)" >&2
case $rc in 0) echo "E2E PASSED" ;; 3) echo "E2E PARTIAL (a partial install tree: the install cannot complete; doc/e2e.md)" ;; *) echo "E2E FAILED" ;; esac
exit $rc
