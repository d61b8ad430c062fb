#!/bin/sh
# Copies the network boot loaders Anvil hands out from Debian's packages into a TFTP root.
#   usage: pxe/install-loaders.sh TFTP_ROOT [--apt]
#   --apt  first installs the packages (needs root): ipxe pxelinux syslinux-common syslinux-efi
#          grub-efi-amd64-signed shim-signed
# Layout written (what Anvil's default dhcp.bootFiles and boot configs expect):
#   undionly.kpxe, ipxe.efi, snponly.efi             from ipxe          (/usr/lib/ipxe)
#   pxelinux.0, lpxelinux.0                          from pxelinux      (/usr/lib/PXELINUX)
#   ldlinux.c32 libutil.c32 libcom32.c32 menu.c32    from syslinux-common (/usr/lib/syslinux/modules/bios)
#   efi64/syslinux.efi, efi64/ldlinux.e64            from syslinux-efi  (/usr/lib/SYSLINUX.EFI, modules/efi64)
#   grubnetx64.efi                                   from grub-efi-amd64-signed (Secure Boot signed GRUB)
#   shimx64.efi                                      from shim-signed   (Secure Boot first stage, loads grubx64.efi)
#   grubx64.efi                                      = grubnetx64.efi, the name shim looks for
#   grubnetaa64.efi (arm64 UEFI PXE, arch 11)        from grub-efi-arm64-signed (Debian's signed GRUB for arm64,
#                                                    default dhcp.bootFiles.efi-arm64): installed on an arm64 host,
#                                                    else with ANVIL_ARM64_DEBS=DIR taken from its arm64 .deb, which
#                                                    `apt-get download grub-efi-arm64-signed:arm64` puts in DIR
#                                                    (needs `dpkg --add-architecture arm64 && apt-get update`)
# Debian's ipxe has no arm64 build: arm64 machines get GRUB, which reads grub/grub.cfg like the x64 one.
# Missing packages are reported and skipped; the script never downloads anything else (but that one .deb).
set -eu
root=${1:?usage: install-loaders.sh TFTP_ROOT [--apt]}
if [ "${2:-}" = "--apt" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ipxe pxelinux syslinux-common \
    syslinux-efi grub-efi-amd64-signed shim-signed
fi
mkdir -p "$root/efi64"
copied=0
missing=0
copy() { # SRC DEST PACKAGE
  if [ -f "$1" ]; then
    install -m 0644 "$1" "$root/$2"
    echo "installed $2 (from $3)"
    copied=$((copied + 1))
  else
    echo "missing $1: install the Debian package $3" >&2
    missing=$((missing + 1))
  fi
}
copy /usr/lib/ipxe/undionly.kpxe undionly.kpxe ipxe
copy /usr/lib/ipxe/ipxe.efi ipxe.efi ipxe
copy /usr/lib/ipxe/snponly.efi snponly.efi ipxe
copy /usr/lib/PXELINUX/pxelinux.0 pxelinux.0 pxelinux
copy /usr/lib/PXELINUX/lpxelinux.0 lpxelinux.0 pxelinux
for m in ldlinux.c32 libutil.c32 libcom32.c32 menu.c32; do
  copy /usr/lib/syslinux/modules/bios/$m $m syslinux-common
done
copy /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi efi64/syslinux.efi syslinux-efi
copy /usr/lib/syslinux/modules/efi64/ldlinux.e64 efi64/ldlinux.e64 syslinux-efi
copy /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed grubnetx64.efi grub-efi-amd64-signed
copy /usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed grubx64.efi grub-efi-amd64-signed
copy /usr/lib/shim/shimx64.efi.signed shimx64.efi shim-signed
aa64=/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed
latest_aa64_deb() { # the last grub-efi-arm64-signed .deb in ANVIL_ARM64_DEBS (sorted by the shell), empty for none
  d=""
  for f in "$ANVIL_ARM64_DEBS"/grub-efi-arm64-signed_*_arm64.deb; do [ -f "$f" ] && d=$f; done
  echo "$d"
}
if [ ! -f "$aa64" ] && [ -n "${ANVIL_ARM64_DEBS:-}" ]; then
  mkdir -p "$ANVIL_ARM64_DEBS"
  deb=$(latest_aa64_deb)
  if [ -z "$deb" ]; then
    (cd "$ANVIL_ARM64_DEBS" && apt-get download grub-efi-arm64-signed:arm64 >/dev/null 2>&1) \
      || echo "apt-get download grub-efi-arm64-signed:arm64 failed (dpkg --add-architecture arm64 && apt-get update?)" >&2
    deb=$(latest_aa64_deb)
  fi
  if [ -n "$deb" ]; then
    rm -rf "$ANVIL_ARM64_DEBS/grub-efi-arm64-signed"
    dpkg-deb -x "$deb" "$ANVIL_ARM64_DEBS/grub-efi-arm64-signed"
    aa64="$ANVIL_ARM64_DEBS/grub-efi-arm64-signed$aa64"
  fi
fi
copy "$aa64" grubnetaa64.efi grub-efi-arm64-signed
echo "$copied loaders installed in $root, $missing missing"
