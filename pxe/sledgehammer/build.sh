#!/bin/bash
# build.sh - build the Sledgehammer discovery image (vmlinuz + initrd.img) from Debian packages only.
#
# Usage: pxe/sledgehammer/build.sh [-o OUTDIR] [-c CACHEDIR] [-m "extra modules"] [-a ARCH] [-h]
#   -o OUTDIR    where vmlinuz and initrd.img go          default: <repo>/target/sledgehammer
#   -c CACHEDIR  downloaded .deb files + extracted trees  default: OUTDIR/.cache
#   -m MODULES   extra kernel modules to pack (deps are resolved), added to the default set
#   -a ARCH      Debian architecture of the image: amd64 (default) or arm64. Another architecture than the host's
#                downloads linux-image-ARCH's kernel and busybox-static:ARCH with apt-get download (never installed;
#                needs `dpkg --add-architecture ARCH && apt-get update` once, which only lets apt see those packages)
# Environment:
#   SOURCE_DATE_EPOCH          mtime of every file in the initramfs   default: 1704067200 (2024-01-01)
#   SLEDGEHAMMER_KERNEL_PKG    linux-image package                    default: what linux-image-ARCH depends on
#   SLEDGEHAMMER_KERNEL_DEB    use this linux-image .deb instead of apt-get download
#   SLEDGEHAMMER_BUSYBOX       static busybox binary                  default: /bin/busybox if static
#   SLEDGEHAMMER_NO_INSTALL=1  never apt-get install busybox-static; apt-get download + extract it instead
#
# Inputs: the Debian kernel .deb (apt-get download, not installed) and busybox-static (installed
# with apt-get if the system busybox is not static). Nothing else is downloaded.
# The output is reproducible: same packages + same init => byte-identical initrd.img
# (sorted file list, fixed mtimes, owner 0:0, cpio --reproducible, gzip -n).
set -euo pipefail
umask 022
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUTDIR="$REPO/target/sledgehammer"
CACHE=""
EXTRA_MODULES=""
# NICs (QEMU e1000/virtio, common Intel e1000e) and disk controllers for the inventory
# (virtio-blk, IDE on i440FX, AHCI on q35 and real boxes, NVMe). sd_mod: SCSI/SATA disks.
MODULES="e1000 e1000e virtio_pci virtio_net virtio_blk ata_piix ahci sd_mod nvme ipmi_si ipmi_devintf"
ARCH=amd64
while getopts "o:c:m:a:h" opt; do
  case "$opt" in
    o) OUTDIR=$OPTARG ;;
    c) CACHE=$OPTARG ;;
    m) EXTRA_MODULES=$OPTARG ;;
    a) ARCH=$OPTARG ;;
    h) sed -n '2,23p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
case "$ARCH" in
  amd64) ;;
  # arm64 (QEMU virt, servers): no legacy IDE (ata_piix) or e1000 on arm64 boards; virtio, AHCI, NVMe, e1000e
  arm64) MODULES="e1000e virtio_pci virtio_net virtio_blk ahci sd_mod nvme" ;;
  *) echo "build.sh: -a must be amd64 or arm64 (got $ARCH)" >&2; exit 2 ;;
esac
# a foreign architecture: its packages are named PKG:ARCH for apt (apt-get download only)
HOST_ARCH=$(dpkg --print-architecture)
APT_ARCH=""; [ "$ARCH" != "$HOST_ARCH" ] && APT_ARCH=":$ARCH"
MODULES="$MODULES $EXTRA_MODULES"
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
CACHE=${CACHE:-$OUTDIR/.cache}
mkdir -p "$CACHE/debs"
CACHE=$(cd "$CACHE" && pwd)
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1704067200}"
T0=$(date +%s)

log() { echo "[sledgehammer] $*" >&2; }
# last_of / first_of GLOB...: the last / first existing path a glob matched (sorted: LC_ALL=C), empty for none
last_of() { local f l=""; for f in "$@"; do [ -e "$f" ] && l=$f; done; echo "$l"; }
first_of() { local f; for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; echo ""; }
die() { log "ERROR: $*"; exit 1; }
# apt-get download into the cache, retried (apt may be busy, e.g. a parallel apt-get update)
fetch_deb() {
  local i
  for i in 1 2 3; do
    (cd "$CACHE/debs" && apt-get download "$1" >"$CACHE/apt.log" 2>&1) && return 0
    log "apt-get download $1 failed (try $i): $(tail -n1 "$CACHE/apt.log")"; sleep 3
  done
  return 1
}
resolve_kernel_pkg() {
  local i p
  for i in 1 2 3; do
    p=$(apt-cache depends "linux-image-$ARCH$APT_ARCH" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub(/:.*/, "", $2); print $2; exit}')
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 3
  done
  return 1
}
for c in apt-get apt-cache dpkg-deb cpio gzip readelf find sort touch ldd; do
  command -v "$c" >/dev/null || die "missing $c"
done
cpio --help 2>/dev/null | grep -q -- '--reproducible' || die "cpio lacks --reproducible (need GNU cpio >= 2.12)"

# ---- 1. static busybox (busybox-static) ----
is_static() { [ -x "$1" ] && [ -f "$1" ] && ! readelf -l "$1" 2>/dev/null | grep -q INTERP; }
BUSYBOX=${SLEDGEHAMMER_BUSYBOX:-}
if [ -z "$BUSYBOX" ] && [ -n "$APT_ARCH" ]; then
  # another architecture's busybox: always from its .deb (apt-get download busybox-static:ARCH, never installed)
  if [ ! -x "$CACHE/busybox-static/bin/busybox" ]; then
    log "apt-get download busybox-static$APT_ARCH"
    fetch_deb "busybox-static$APT_ARCH" || die "apt-get download busybox-static$APT_ARCH failed (dpkg --add-architecture $ARCH && apt-get update first)"
    rm -rf "$CACHE/busybox-static"
    dpkg-deb -x "$(last_of "$CACHE"/debs/busybox-static_*_"$ARCH".deb)" "$CACHE/busybox-static"
  fi
  BUSYBOX="$CACHE/busybox-static/bin/busybox"
fi
if [ -z "$BUSYBOX" ]; then
  BUSYBOX=/bin/busybox
  if ! is_static "$BUSYBOX"; then
    if [ "${SLEDGEHAMMER_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ]; then
      log "system busybox is not static: apt-get install busybox-static"
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox-static >&2 \
        || log "apt-get install busybox-static failed, falling back to apt-get download"
    fi
  fi
  if ! is_static "$BUSYBOX"; then
    # not root / not allowed to install: take the binary out of the busybox-static .deb
    if [ ! -x "$CACHE/busybox-static/bin/busybox" ]; then
      log "apt-get download busybox-static"
      fetch_deb busybox-static || die "apt-get download busybox-static failed"
      rm -rf "$CACHE/busybox-static"
      dpkg-deb -x "$(last_of "$CACHE"/debs/busybox-static_*.deb)" "$CACHE/busybox-static"
    fi
    BUSYBOX="$CACHE/busybox-static/bin/busybox"
  fi
fi
is_static "$BUSYBOX" || die "no static busybox at $BUSYBOX"
if [ -z "$APT_ARCH" ]; then
  log "busybox: $BUSYBOX ($("$BUSYBOX" 2>&1 | head -n1 | sed 's/ multi-call.*//'))"
else
  log "busybox: $BUSYBOX ($ARCH, not run here)"
fi

# ---- 2. kernel: the linux-image .deb that linux-image-ARCH depends on ----
DEB=${SLEDGEHAMMER_KERNEL_DEB:-}
if [ -z "$DEB" ]; then
  PKG=${SLEDGEHAMMER_KERNEL_PKG:-$(resolve_kernel_pkg || true)}
  [ -n "$PKG" ] || die "cannot resolve linux-image-$ARCH$APT_ARCH (run apt-get update; another architecture: dpkg --add-architecture $ARCH first)"
  DEB=$(last_of "$CACHE/debs/${PKG}"_*_"$ARCH".deb)
  if [ -z "$DEB" ]; then
    log "apt-get download $PKG$APT_ARCH"
    fetch_deb "$PKG$APT_ARCH" || die "apt-get download $PKG$APT_ARCH failed"
    DEB=$(last_of "$CACHE/debs/${PKG}"_*_"$ARCH".deb)
  fi
fi
[ -f "$DEB" ] || die "no kernel .deb $DEB"
KROOT="$CACHE/kernel"
STAMP="$(basename "$DEB") $(stat -c %s "$DEB")"
if [ "$(cat "$KROOT/.stamp" 2>/dev/null)" != "$STAMP" ]; then
  log "extracting $(basename "$DEB")"
  rm -rf "$KROOT" "$KROOT.tmp"; mkdir -p "$KROOT.tmp"
  dpkg-deb -x "$DEB" "$KROOT.tmp"
  echo "$STAMP" > "$KROOT.tmp/.stamp"
  mv "$KROOT.tmp" "$KROOT"
fi
VMLINUZ=$(first_of "$KROOT"/boot/vmlinuz-*)
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR="$KROOT/lib/modules/$KVER"
[ -d "$MODDIR" ] || die "no module tree $MODDIR"

# ---- 3. modules + dependencies (depends= from .modinfo; no kmod needed), deps first ----
declare -A SEEN=()
ORDER=()
ko_cat() { case "$1" in *.xz) xz -dc "$1" ;; *.zst) zstd -qdc "$1" ;; *) cat "$1" ;; esac; }
find_ko() {
  local a=$1 b; b=$(echo "$1" | tr _ -)
  find "$MODDIR/kernel" \( -name "$a.ko" -o -name "$a.ko.*" -o -name "$b.ko" -o -name "$b.ko.*" \) | sort | head -n1
}
add_mod() {
  local name=${1//-/_} ko deps d
  [ -n "${SEEN[$name]:-}" ] && return 0
  SEEN[$name]=1
  ko=$(find_ko "$name")
  if [ -z "$ko" ]; then
    grep -q "/${name}.ko\$\|/$(echo "$name" | tr _ -).ko\$" "$MODDIR/modules.builtin" 2>/dev/null \
      && { log "module $name is built in"; return 0; }
    die "module $name not found in $KVER"
  fi
  deps=$(ko_cat "$ko" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' ')
  for d in $deps; do add_mod "$d"; done
  ORDER+=("$ko")
}
for m in $MODULES; do add_mod "$m"; done

# ---- 4. assemble the tree ----
ROOT="$CACHE/root"
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
chmod 755 "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"          # the rest of the applets are linked by /init at boot
: > "$ROOT/lib/modules/load.order"
for ko in "${ORDER[@]}"; do
  b=$(basename "$ko"); b=${b%.xz}; b=${b%.zst}
  ko_cat "$ko" > "$ROOT/lib/modules/$b"
  echo "$b" >> "$ROOT/lib/modules/load.order"
done
log "modules ($KVER): $(tr '\n' ' ' < "$ROOT/lib/modules/load.order")"
echo "$KVER" > "$ROOT/etc/kernel-release"
# ipmitool (the BMC's LAN address in the inventory, doc/power.md): the build host's, from Debian's ipmitool package,
# with the shared libraries it needs; without it the image reports no BMC. Only for the host's own architecture:
# an arm64 image built on amd64 carries no ipmitool (the host's binary could not run there).
IPMITOOL=${SLEDGEHAMMER_IPMITOOL:-$(command -v ipmitool || true)}
if [ -n "$APT_ARCH" ]; then
  log "no ipmitool in a $ARCH image built on $HOST_ARCH: the image reports no BMC"
elif [ -n "$IPMITOOL" ] && [ -x "$IPMITOOL" ]; then
  install -m 755 "$IPMITOOL" "$ROOT/usr/bin/ipmitool"
  for lib in $(ldd "$IPMITOOL" | awk '/=> \//{print $3} /^[[:space:]]*\/.*ld-linux/{print $1}'); do
    mkdir -p "$ROOT$(dirname "$lib")"
    cp -L "$lib" "$ROOT$lib"; chmod 755 "$ROOT$lib"
  done
  log "ipmitool: $IPMITOOL ($(ldd "$IPMITOOL" | grep -c '=>') libraries)"
else
  log "no ipmitool on the build host (Debian package ipmitool): the image reports no BMC"
fi
install -m 755 "$HERE/init" "$ROOT/init"
install -m 755 "$HERE/udhcpc.script" "$ROOT/etc/udhcpc.script"
install -m 644 "$HERE/lib.sh" "$ROOT/lib/sledgehammer.sh"
# the syntax check runs the image's busybox; another architecture's cannot run here: the host's static busybox, if any
CHECK_SH=("$BUSYBOX" sh)
if [ -n "$APT_ARCH" ]; then if is_static /bin/busybox; then CHECK_SH=(/bin/busybox sh); else CHECK_SH=(sh); fi; fi
"${CHECK_SH[@]}" -n "$ROOT/init" || die "init: syntax error"
"${CHECK_SH[@]}" -n "$ROOT/lib/sledgehammer.sh" || die "lib.sh: syntax error"
"${CHECK_SH[@]}" -n "$ROOT/etc/udhcpc.script" || die "udhcpc.script: syntax error"
chmod 644 "$ROOT"/lib/modules/* "$ROOT/etc/kernel-release"
chmod 1777 "$ROOT/tmp"
find "$ROOT" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# ---- 5. pack: sorted, fixed mtimes, 0:0, newc, gzip -n ----
(cd "$ROOT" && find . -print0 | sort -z \
   | cpio --null --create --reproducible --quiet -H newc -R 0:0) | gzip -9 -n > "$OUTDIR/initrd.img.tmp"
mv -f "$OUTDIR/initrd.img.tmp" "$OUTDIR/initrd.img"
cp -f "$VMLINUZ" "$OUTDIR/vmlinuz"
touch -d "@$SOURCE_DATE_EPOCH" "$OUTDIR/vmlinuz" "$OUTDIR/initrd.img"
(cd "$OUTDIR" && sha256sum vmlinuz initrd.img > SHA256SUMS)
log "kernel $KVER from $(basename "$DEB")"
log "$OUTDIR/vmlinuz    $(stat -c %s "$OUTDIR/vmlinuz") bytes"
log "$OUTDIR/initrd.img $(stat -c %s "$OUTDIR/initrd.img") bytes"
sed 's/^/[sledgehammer] sha256 /' "$OUTDIR/SHA256SUMS" >&2
log "done in $(( $(date +%s) - T0 )) s"
