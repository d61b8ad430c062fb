#!/bin/bash
# build.sh - the e2e stand-in installer: the Sledgehammer initramfs (static busybox, NIC and disk modules,
# udhcpc hook) with its /init replaced by ./init, plus /mbr.bin, a 512-byte boot sector that prints
# "E2E-LOCAL-DISK-OK" on COM1 and halts (what "installed" means in the e2e test).
# Usage: build.sh SLEDGEHAMMER_DIR OUTDIR
#   SLEDGEHAMMER_DIR holds vmlinuz + initrd.img from pxe/sledgehammer/build.sh
#   OUTDIR gets vmlinuz (the Sledgehammer kernel, unchanged) + initrd.img
# Needs: cpio, gzip (and busybox-static, already inside the Sledgehammer initramfs).
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=${1:?usage: build.sh SLEDGEHAMMER_DIR OUTDIR}
OUT=${2:?usage: build.sh SLEDGEHAMMER_DIR OUTDIR}
[ -s "$SRC/vmlinuz" ] && [ -s "$SRC/initrd.img" ] || { echo "build.sh: no vmlinuz/initrd.img in $SRC" >&2; exit 1; }
mkdir -p "$OUT"
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/e2e-installer.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
(cd "$ROOT" && gzip -dc "$SRC/initrd.img" | cpio -id --quiet)
install -m 755 "$HERE/init" "$ROOT/init"
"$ROOT/bin/busybox" sh -n "$ROOT/init"
# Boot sector (16-bit real mode, loaded at 0x7c00):
#   cli; xor ax,ax; mov ds,ax; mov si,msg; mov dx,0x3f8
#   l: lodsb; test al,al; jz d; out dx,al; jmp l
#   d: hlt; jmp d
#   msg: "\r\nE2E-LOCAL-DISK-OK\r\n", 0         ... 0x55 0xaa at offset 510
{
  printf '\xfa\x31\xc0\x8e\xd8\xbe\x16\x7c\xba\xf8\x03\xac\x84\xc0\x74\x03\xee\xeb\xf8\xf4\xeb\xfd'
  printf '\r\nE2E-LOCAL-DISK-OK\r\n\0'
} > "$ROOT/mbr.bin"
size=$(stat -c %s "$ROOT/mbr.bin")
head -c $((510 - size)) /dev/zero >> "$ROOT/mbr.bin"
printf '\x55\xaa' >> "$ROOT/mbr.bin"
[ "$(stat -c %s "$ROOT/mbr.bin")" = 512 ] || { echo "build.sh: boot sector is not 512 bytes" >&2; exit 1; }
(cd "$ROOT" && find . -print0 | sort -z | cpio --null --create --quiet -H newc -R 0:0) | gzip -n > "$OUT/initrd.img.tmp"
mv -f "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp -f "$SRC/vmlinuz" "$OUT/vmlinuz"
echo "installer: $OUT/vmlinuz $OUT/initrd.img ($(stat -c %s "$OUT/initrd.img") bytes)" >&2
