#!/bin/sh
# Copies the network boot loaders Anvil hands out from Debian's packages into a TFTP root.
#   usage: [ANVIL_ARM64_DEBS=DIR] [ANVIL_HTTP_PORT=PORT] pxe/install-loaders.sh TFTP_ROOT [--apt]
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
#   grubhttpaa64.efi (arm64 UEFI HTTP boot, arch 19)  made here with grub-mkimage -O arm64-efi (grub-common, any host)
#                                                    from grub-efi-arm64-bin's modules (/usr/lib/grub/arm64-efi, else
#                                                    its arm64 .deb in ANVIL_ARM64_DEBS, as above), default
#                                                    dhcp.bootFiles.http-arm64 ({http}/boot/grubhttpaa64.efi): no
#                                                    Debian arm64 GRUB image has the http module. Its built-in config
#                                                    runs GRUB's own DHCP (net_bootp: GRUB started by the firmware's
#                                                    HTTP boot has no network config). Its prefix is the directory of
#                                                    an http:// boot file in that answer, else
#                                                    (http,<DHCP server>:ANVIL_HTTP_PORT)/boot/grub (Anvil answers
#                                                    GRUB's DHCP, which names no architecture, without a boot file;
#                                                    GRUB cannot learn the port: set ANVIL_HTTP_PORT to http.listen's,
#                                                    default 8081), so it reads Anvil's grub/grub.cfg, rendered for
#                                                    the client, over HTTP. Not signed: Secure Boot refuses it.
#   grub/arm64-efi/{command,fs,crypto,terminal}.lst  from grub-efi-arm64-bin: GRUB's normal mode reads them under its
#                                                    prefix and waits about 34 s on every 404 over HTTP
# Debian's ipxe has no arm64 build: arm64 machines get GRUB, which reads grub/grub.cfg like the x64 one.
# Missing packages are reported and skipped; the script never downloads anything else (but those two .debs).
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
latest_arm64_deb() { # PACKAGE: its last .deb in ANVIL_ARM64_DEBS (sorted by the shell), empty for none
  d=""
  for f in "$ANVIL_ARM64_DEBS/$1"_*_arm64.deb; do [ -f "$f" ] && d=$f; done
  echo "$d"
}
arm64_from_deb() { # PACKAGE PATH: PATH as installed, else inside PACKAGE's arm64 .deb in ANVIL_ARM64_DEBS (fetched
  # with apt-get download when missing, extracted to ANVIL_ARM64_DEBS/PACKAGE); PATH itself when neither
  if [ -e "$2" ] || [ -z "${ANVIL_ARM64_DEBS:-}" ]; then echo "$2"; return; fi
  mkdir -p "$ANVIL_ARM64_DEBS"
  deb=$(latest_arm64_deb "$1")
  if [ -z "$deb" ]; then
    (cd "$ANVIL_ARM64_DEBS" && apt-get download "$1:arm64" >/dev/null 2>&1) \
      || echo "apt-get download $1:arm64 failed (dpkg --add-architecture arm64 && apt-get update?)" >&2
    deb=$(latest_arm64_deb "$1")
  fi
  if [ -n "$deb" ]; then
    rm -rf "${ANVIL_ARM64_DEBS:?}/$1"
    dpkg-deb -x "$deb" "$ANVIL_ARM64_DEBS/$1"
    echo "$ANVIL_ARM64_DEBS/$1$2"
  else
    echo "$2"
  fi
}
aa64=$(arm64_from_deb grub-efi-arm64-signed /usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed)
copy "$aa64" grubnetaa64.efi grub-efi-arm64-signed
# arm64 UEFI HTTP boot: GRUB with the http module, made from grub-efi-arm64-bin's modules (see the header)
mods=$(arm64_from_deb grub-efi-arm64-bin /usr/lib/grub/arm64-efi)
if [ ! -f "$mods/http.mod" ]; then
  echo "missing $mods/http.mod: install the Debian package grub-efi-arm64-bin (or set ANVIL_ARM64_DEBS)" >&2
  missing=$((missing + 1))
elif ! command -v grub-mkimage >/dev/null; then
  echo "missing grub-mkimage: install the Debian package grub-common" >&2
  missing=$((missing + 1))
else
  work=$(mktemp -d)
  # the port of Anvil's boot listener (http.listen), built into the image: GRUB cannot learn it
  port=${ANVIL_HTTP_PORT:-8081}
  case "$port" in *[!0-9]*|"") echo "ANVIL_HTTP_PORT must be a port number (got $port)" >&2; exit 2 ;; esac
  # The built-in config runs in GRUB's rescue parser (plain commands only): DHCP, then normal mode on a config in
  # the image's memdisk, which finds Anvil's HTTP server in that DHCP answer and reads grub.cfg from it.
  printf '%s\n' 'echo "Anvil: GRUB for UEFI HTTP boot: DHCP (net_bootp)"' net_bootp 'normal (memdisk)/anvil.cfg' \
    >"$work/early.cfg"
  mkdir "$work/memdisk"
  cat >"$work/memdisk/anvil.cfg" <<EOF
# pxe/install-loaders.sh: GRUB started by the firmware's UEFI HTTP boot, after its own DHCP (net_bootp). Anvil's boot
# listener, where Anvil's grub/grub.cfg (rendered for this client) is: the directory of an http:// boot file in that
# DHCP answer, else port $port of the DHCP server (its server identifier, option 54, written 0xAA.0xBB.0xCC.0xDD for
# GRUB), path /boot. Anvil answers GRUB's DHCP (no client architecture in it) without a boot file: the second case.
set anvil_http=""
for anvil_i in 0 1 2 3 4 5 6 7; do
  if [ -z "\$anvil_http" ]; then
    eval "set anvil_file=\\"\\\$net_efinet\${anvil_i}_dhcp_boot_file\\""
    if regexp --set=1:anvil_http --set=2:anvil_dir '^http://([^/]+)(.*)/[^/]*\$' "\$anvil_file"; then
      echo "Anvil: boot file \$anvil_file from the DHCP answer on efinet\$anvil_i"
    elif net_get_dhcp_option anvil_sid "efinet\${anvil_i}:dhcp" 54 hex; then
      if regexp --set=1:a --set=2:b --set=3:c --set=4:d '^(..)(..)(..)(..)\$' "\$anvil_sid"; then
        set anvil_http="0x\$a.0x\$b.0x\$c.0x\$d:$port"
        set anvil_dir=/boot
        echo "Anvil: DHCP server \$anvil_sid on efinet\$anvil_i, boot listener port $port"
      fi
    fi
  fi
done
if [ -n "\$anvil_http" ]; then
  set root="http,\$anvil_http"
  set prefix="(\$root)\$anvil_dir/grub"
  echo "Anvil: GRUB over HTTP, prefix \$prefix"
  source "\$prefix/grub.cfg"
else
  echo "Anvil: GRUB got no DHCP answer naming Anvil's boot listener"
  net_ls_addr
fi
EOF
  (cd "$work/memdisk" && tar -cf "$work/memdisk.tar" anvil.cfg)
  # the modules of Debian's grubnetaa64.efi that a network boot needs, plus http, memdisk and tar
  if grub-mkimage -O arm64-efi -d "$mods" -p /grub -c "$work/early.cfg" -m "$work/memdisk.tar" \
      -o "$work/grubhttpaa64.efi" memdisk tar efinet net http tftp linux normal configfile echo regexp eval test \
      true sleep gzio efi_gop serial terminal minicmd cat ls boot chain fat part_gpt search halt reboot; then
    copy "$work/grubhttpaa64.efi" grubhttpaa64.efi "grub-efi-arm64-bin (grub-mkimage)"
    mkdir -p "$root/grub/arm64-efi"
    for l in command fs crypto terminal; do
      copy "$mods/$l.lst" "grub/arm64-efi/$l.lst" grub-efi-arm64-bin
    done
  else
    echo "grub-mkimage -O arm64-efi failed" >&2
    missing=$((missing + 1))
  fi
  rm -rf "$work"
fi
echo "$copied loaders installed in $root, $missing missing"
