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
# Missing packages are reported and skipped; the script never downloads anything else.
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
echo "$copied loaders installed in $root, $missing missing"
