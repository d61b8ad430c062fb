#!/bin/bash
# debian-mirror.sh - builds a Debian 12 install tree that Anvil serves to debian-installer: the netboot kernel and
# initrd, and a mirror subset (the installer's own components and the packages of a minimal install) made from
# Debian's packages only, so the machines being installed need no route out.
#
# Usage: pxe/debian-mirror.sh [-m MIRROR] [-s SUITE] [-c CACHE] OUT
#   OUT      the tree to write (created; an earlier tree there is replaced). Import it as the OS the shipped boot
#            environment `debian-12-install` installs: `anvild import debian-12 OUT`.
#   -m URL   the Debian mirror to download from          default: http://deb.debian.org/debian
#   -s NAME  the release                                  default: bookworm
#   -c DIR   download cache (kept between runs)           default: /var/cache/anvil/debian-mirror
#   ANVIL_MIRROR_EXTRA="pkg ..."  more packages (with their dependencies) in the tree
#
# What OUT holds (doc/answer-files.md, "A Debian install tree"):
#   install.amd/vmlinuz, install.amd/initrd.gz   debian-installer's netboot kernel and initrd, from the package
#                                                debian-installer-12-netboot-amd64 (the kernel is Debian's signed one)
#   dists/SUITE/main/debian-installer/binary-amd64/Packages{,.gz,.xz}, pool/...udeb
#                                                every installer component (udeb) of the release whose kernel modules
#                                                match that kernel, with the archive's own Packages stanzas
#   dists/SUITE/main/binary-amd64/Packages{,.gz,.xz}, pool/main/*.deb
#                                                the packages of Priority required, important and standard, the kernel,
#                                                both boot loaders (grub-pc; grub-efi-amd64 with the signed GRUB and
#                                                shim), openssh-server, curl and what the installer adds, with their
#                                                dependencies and recommends (apt-get download, apt-ftparchive with the
#                                                archive's priorities and sections as overrides)
#   dists/SUITE/Release                          made by apt-ftparchive, UNSIGNED: the preseed for this tree must say
#                                                debian-installer/allow_unauthenticated (Anvil's preseed does when the
#                                                OS is imported from a tree that has the file .anvil-unsigned, which
#                                                this script writes; see doc/answer-files.md)
#
# Everything is downloaded with apt through a private configuration (its own sources, lists and an empty dpkg
# status: the host's apt state is never touched), checked against the archive's signed Release by apt (debs) or
# by SHA256 from the signed Packages index (udebs). Needs: apt, apt-utils (apt-ftparchive), curl, xz-utils,
# cpio, gzip. Run as root (apt's download directory) or as a user with write access to CACHE.
set -euo pipefail
export LC_ALL=C

MIRROR=http://deb.debian.org/debian
SUITE=bookworm
CACHE=/var/cache/anvil/debian-mirror
while getopts m:s:c: opt; do
  case "$opt" in m) MIRROR=$OPTARG ;; s) SUITE=$OPTARG ;; c) CACHE=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-m MIRROR] [-s SUITE] [-c CACHE] OUT" >&2; exit 2; }
OUT=$1
ARCH=amd64
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
for tool in apt-get apt-ftparchive curl xz gzip cpio sha256sum; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing (Debian packages apt, apt-utils, curl, xz-utils, gzip, cpio)" >&2; exit 1; }
done
[ -r "$KEYRING" ] || { echo "$0: no $KEYRING (Debian package debian-archive-keyring)" >&2; exit 1; }
log() { echo "debian-mirror: $*" >&2; }

# ---- a private apt: its own sources (the deb and the installer component), lists, cache and an empty status
APTDIR=$CACHE/apt
mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$APTDIR/cache" "$APTDIR/parts" "$CACHE/udeb"
: > "$APTDIR/status"
cat > "$APTDIR/sources.list" <<EOF
deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $SUITE main
deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $SUITE main/debian-installer
EOF
APT=(apt-get -q -o "Dir::Etc::SourceList=$APTDIR/sources.list" -o "Dir::Etc::SourceParts=$APTDIR/parts"
  -o "Dir::Etc::Preferences=$APTDIR/none" -o "Dir::Etc::PreferencesParts=$APTDIR/parts"
  -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::State::Status=$APTDIR/status" -o "Dir::Cache=$APTDIR/cache"
  -o "Dir::Cache::Archives=$APTDIR/archives" -o "APT::Architecture=$ARCH" -o "APT::Architectures::=$ARCH"
  -o "APT::Install-Recommends=true" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
log "apt-get update ($MIRROR $SUITE main, main/debian-installer)"
"${APT[@]}" update >"$CACHE/apt-update.log" 2>&1 || { cat "$CACHE/apt-update.log" >&2; exit 1; }
list() { # COMPONENT-PATH ("main/binary-amd64"): a plain copy of apt's list file (apt may store it compressed)
  local f out="$CACHE/${1//\//_}.Packages"
  f=$(ls "$APTDIR"/lists/*"_dists_${SUITE}_${1//\//_}_Packages"* 2>/dev/null | head -n1)
  [ -n "$f" ] || { echo "$0: apt fetched no Packages for $SUITE $1" >&2; exit 1; }
  /usr/lib/apt/apt-helper cat-file "$f" > "$out"
  echo "$out"
}
DEBS_INDEX=$(list main/binary-$ARCH)
UDEBS_INDEX=$(list main/debian-installer/binary-$ARCH)

# ---- the netboot kernel and initrd
log "debian-installer-12-netboot-$ARCH"
rm -f "$APTDIR"/archives/debian-installer-*-netboot-*.deb
"${APT[@]}" install -y -d --no-install-recommends "debian-installer-12-netboot-$ARCH" >"$CACHE/apt-netboot.log" 2>&1 \
  || { cat "$CACHE/apt-netboot.log" >&2; exit 1; }
NETBOOT_DEB=$(ls "$APTDIR"/archives/debian-installer-12-netboot-"$ARCH"_*.deb | tail -n1)
rm -rf "$CACHE/netboot" && mkdir -p "$CACHE/netboot"
dpkg-deb -x "$NETBOOT_DEB" "$CACHE/netboot"
DI=$CACHE/netboot/usr/lib/debian-installer/images/12/$ARCH/text/debian-installer/$ARCH
[ -s "$DI/linux" ] && [ -s "$DI/initrd.gz" ] || { echo "$0: no linux/initrd.gz in $NETBOOT_DEB" >&2; exit 1; }
# the initrd's kernel modules name its ABI; the installer loads the udebs of exactly that ABI from the mirror
KABI=$(zcat "$DI/initrd.gz" | cpio -it 2>/dev/null | sed -n 's|^lib/modules/\([^/]*\)$|\1|p' | head -n1)
[ -n "$KABI" ] || { echo "$0: no lib/modules/<version> in the netboot initrd" >&2; exit 1; }
grep -q "^Package: .*-modules-$KABI-di$" "$UDEBS_INDEX" \
  || { echo "$0: the netboot initrd is for kernel $KABI, but $SUITE's installer components have no modules for it (a point release in between? try again later or another mirror)" >&2; exit 1; }
log "netboot $(basename "$NETBOOT_DEB"), kernel $KABI"

# ---- the installer's components: every udeb except kernel modules of another ABI, checked by SHA256
log "installer components (udebs)"
UDEB_STANZAS=$CACHE/udeb.Packages
awk -v kabi="$KABI" 'BEGIN { RS = ""; ORS = "\n\n" }
  { name = $0; sub(/^Package: /, "", name); sub(/\n.*/, "", name)
    if (name ~ /-[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-[a-z0-9]+-di$/ && name !~ ("-" kabi "-di$")) next
    print }' "$UDEBS_INDEX" > "$UDEB_STANZAS"
n=0
rm -f "$CACHE/udeb-missing" "$CACHE/udeb-missing.log"
while read -r file sha; do
  dest="$CACHE/udeb/$file"
  if [ ! -s "$dest" ] || [ "$(sha256sum < "$dest" | cut -d' ' -f1)" != "$sha" ]; then
    mkdir -p "$(dirname "$dest")"
    if ! curl -fsS --retry 3 -o "$dest.part" "$MIRROR/$file" 2>>"$CACHE/udeb-missing.log"; then
      rm -f "$dest.part"
      [ "${ANVIL_MIRROR_ALLOW_MISSING:-0}" = 1 ] || { echo "$0: download of $MIRROR/$file failed" >&2; exit 1; }
      echo "$file" >> "$CACHE/udeb-missing"; continue
    fi
    [ "$(sha256sum < "$dest.part" | cut -d' ' -f1)" = "$sha" ] || { echo "$0: $file: SHA256 mismatch" >&2; exit 1; }
    mv "$dest.part" "$dest"
  fi
  n=$((n + 1))
done < <(awk '/^Filename: /{f=$2} /^SHA256: /{print f, $2}' "$UDEB_STANZAS")
if [ -s "$CACHE/udeb-missing" ]; then
  # ANVIL_MIRROR_ALLOW_MISSING=1: a partial tree, for diagnosis only (the installer stops at the first component it
  # cannot load); the missing ones are listed in OUT/.anvil-missing-udebs and left out of the Packages index
  log "WARNING: $(wc -l < "$CACHE/udeb-missing") of $((n + $(wc -l < "$CACHE/udeb-missing"))) udebs could not be downloaded (listed in .anvil-missing-udebs):" \
    "this tree cannot complete an install"
  awk -v list="$CACHE/udeb-missing" 'BEGIN { while ((getline f < list) > 0) miss[f] = 1; RS = ""; ORS = "\n\n" }
    { f = $0; sub(/.*\nFilename: /, "", f); sub(/\n.*/, "", f); if (!(f in miss)) print }' "$UDEB_STANZAS" > "$UDEB_STANZAS.have"
  mv "$UDEB_STANZAS.have" "$UDEB_STANZAS"
fi
log "$n udebs"

# ---- the packages of the installed system, with dependencies and recommends. Each set is resolved on its own
# (an empty dpkg status, so all dependencies are downloaded): the two boot loaders conflict with each other.
PRIO=$(awk 'BEGIN { RS = "" } /\nPriority: (required|important|standard)\n/ && /\nArchitecture: (amd64|all)\n/ {
         n = $0; sub(/^Package: /, "", n); sub(/\n.*/, "", n); print n }' "$DEBS_INDEX" | sort -u | tr '\n' ' ')
BASE="linux-image-$ARCH initramfs-tools busybox openssh-server curl wget ca-certificates tasksel tasksel-data
  task-ssh-server popularity-contest locales console-setup keyboard-configuration kbd discover laptop-detect eject
  installation-report usbutils pciutils sudo lvm2 dmsetup os-prober isc-dhcp-client ifupdown e2fsprogs dosfstools
  fdisk efibootmgr mokutil xfsprogs btrfs-progs cryptsetup-initramfs firmware-linux-free ${ANVIL_MIRROR_EXTRA:-}"
download() { # SET-NAME PACKAGES...
  local name=$1; shift
  # shellcheck disable=SC2068  # word splitting wanted: package lists
  "${APT[@]}" install -y -d $@ >"$CACHE/apt-$name.log" 2>&1 || { tail -n 30 "$CACHE/apt-$name.log" >&2; exit 1; }
  log "$name: $(grep -oE '^[0-9]+ newly installed' "$CACHE/apt-$name.log" | cut -d' ' -f1) packages in the set, $(grep -c '^Get:' "$CACHE/apt-$name.log" || true) downloaded now"
}
log "packages: Priority required, important, standard ($(wc -w <<<"$PRIO")), the kernel and the installer's additions"
download base $PRIO $BASE
download grub-pc grub-pc
download grub-efi grub-efi-amd64 grub-efi-amd64-signed shim-signed

# ---- the tree
log "writing $OUT"
rm -rf "$OUT.new"
mkdir -p "$OUT.new/install.amd" "$OUT.new/pool/main" "$OUT.new/dists/$SUITE/main/binary-$ARCH" \
  "$OUT.new/dists/$SUITE/main/debian-installer/binary-$ARCH"
cp "$DI/linux" "$OUT.new/install.amd/vmlinuz"
cp "$DI/initrd.gz" "$OUT.new/install.amd/initrd.gz"
cp -al "$CACHE/udeb/pool" "$OUT.new/" 2>/dev/null || cp -a "$CACHE/udeb/pool" "$OUT.new/"
# the newest version of each downloaded package (the cache may hold older ones from earlier runs)
for deb in $(ls "$APTDIR"/archives/*.deb | grep -v '/debian-installer-[0-9]*-netboot-' \
             | awk -F/ '{ n = $NF; split(n, p, "_"); last[p[1]] = $0 } END { for (k in last) print last[k] }'); do
  ln "$deb" "$OUT.new/pool/main/" 2>/dev/null || cp "$deb" "$OUT.new/pool/main/"
done
# the archive's priorities and sections (debootstrap installs by Priority: a .deb's own control field may differ)
awk 'BEGIN { RS = "" } { n = $0; sub(/^Package: /, "", n); sub(/\n.*/, "", n)
       p = $0; if (!sub(/.*\nPriority: /, "", p)) p = "optional"; sub(/\n.*/, "", p)
       s = $0; if (!sub(/.*\nSection: /, "", s)) s = "misc"; sub(/\n.*/, "", s)
       print n, p, s }' "$DEBS_INDEX" > "$CACHE/override"
(cd "$OUT.new" && apt-ftparchive packages pool/main "$CACHE/override" 2>"$CACHE/ftparchive.log") \
  > "$OUT.new/dists/$SUITE/main/binary-$ARCH/Packages"
cp "$UDEB_STANZAS" "$OUT.new/dists/$SUITE/main/debian-installer/binary-$ARCH/Packages"
for p in "$OUT.new/dists/$SUITE/main/binary-$ARCH/Packages" "$OUT.new/dists/$SUITE/main/debian-installer/binary-$ARCH/Packages"; do
  gzip -9nk "$p"; xz -k "$p"
done
# the per-architecture Release files: choose-mirror fetches dists/SUITE/main/binary-ARCH/Release to decide whether the
# mirror carries the installer's architecture ("Architecture not supported" without it)
for d in "main/binary-$ARCH" "main/debian-installer/binary-$ARCH"; do
  printf 'Archive: %s\nOrigin: Anvil\nLabel: Anvil install tree\nComponent: main\nArchitecture: %s\n' "$SUITE" "$ARCH" \
    > "$OUT.new/dists/$SUITE/$d/Release"
done
(cd "$OUT.new/dists/$SUITE" && apt-ftparchive \
  -o APT::FTPArchive::Release::Origin="Anvil" -o APT::FTPArchive::Release::Label="Anvil install tree" \
  -o APT::FTPArchive::Release::Suite="$SUITE" -o APT::FTPArchive::Release::Codename="$SUITE" \
  -o APT::FTPArchive::Release::Architectures="$ARCH" -o APT::FTPArchive::Release::Components="main" \
  -o APT::FTPArchive::Release::Description="Debian $SUITE subset for Anvil installs (unsigned)" \
  release . > ../Release.tmp && mv ../Release.tmp Release)
echo "unsigned: dists/$SUITE/Release is made by apt-ftparchive and has no signature" > "$OUT.new/.anvil-unsigned"
[ ! -s "$CACHE/udeb-missing" ] || cp "$CACHE/udeb-missing" "$OUT.new/.anvil-missing-udebs"
rm -rf "$OUT" && mv "$OUT.new" "$OUT"
log "done: $OUT ($(du -sh "$OUT" | cut -f1), $(grep -c '^Package:' "$OUT/dists/$SUITE/main/binary-$ARCH/Packages") debs, $n udebs, kernel $KABI)"
