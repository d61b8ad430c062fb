#!/usr/bin/env bash
# build-deb.sh: builds the Debian package of Anvil from the assembled distribution (target/anvil/).
#   usage: src/deb/build-deb.sh BASEDIR TARGET_DIR MAVEN_VERSION
# Maven runs it in the package phase (pom.xml, exec execution "deb"; -Danvil.deb.skip skips it), after the
# assembly and the CDS archive. It writes TARGET_DIR/anvil_<version>-1_amd64.deb, <version> being the Maven
# version with "-" as "~" (0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT, which sorts before 0.1.0), with dpkg-deb alone: no
# debhelper, no fakeroot (--root-owner-group makes every file root's). Layout and maintainer scripts:
# doc/operator-guide.md ("Install the Debian package").
set -euo pipefail

basedir=${1:?usage: build-deb.sh BASEDIR TARGET_DIR MAVEN_VERSION}
target=${2:?usage: build-deb.sh BASEDIR TARGET_DIR MAVEN_VERSION}
mvn_version=${3:?usage: build-deb.sh BASEDIR TARGET_DIR MAVEN_VERSION}
src=$basedir/src/deb
dist=$target/anvil
version="${mvn_version//-/\~}-1"
arch=amd64
deb=$target/anvil_${version}_${arch}.deb

die() { echo "build-deb.sh: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian package dpkg); -Danvil.deb.skip skips the .deb"
[ -x "$dist/bin/anvild" ] || die "$dist/bin/anvild missing: the assembly (execution dist) must run first"

# Every bundled jar must be named in the copyright file, so a new dependency cannot ship without its license.
mapfile -t patterns < <(sed -n 's/^Files: //p' "$src/copyright" | grep -v '^\*$')
for jar in "$dist"/lib/*.jar; do
  path=usr/share/anvil/lib/$(basename "$jar")
  [[ $path == usr/share/anvil/lib/anvil-$mvn_version.jar ]] && continue
  covered=
  for pattern in "${patterns[@]}"; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    [[ $path == $pattern ]] && covered=1
  done
  [ -n "$covered" ] || die "$path has no Files: stanza in src/deb/copyright (add one with its license)"
done

root=$target/deb-root
rm -rf "$root" "$deb"
mkdir -p "$root/DEBIAN"

# /usr/share/anvil: the distribution without its systemd/ directory (installed below where systemd looks) and
# without lib/anvil.jsa and lib/anvil-cli.jsa: a class-data-sharing archive only matches the path and the
# directory order it was made with, so the ones made in target/ would never be used; anvild-cds-archive makes
# them in place.
mkdir -p "$root/usr/share/anvil"
cp -R "$dist/bin" "$dist/lib" "$dist/share" "$root/usr/share/anvil/"
rm -f "$root"/usr/share/anvil/lib/anvil.jsa* "$root"/usr/share/anvil/lib/anvil-cli.jsa*

# /usr/bin: wrappers, not symbolic links (the launchers find lib/ beside their own directory, from $0).
mkdir -p "$root/usr/bin"
for cmd in anvild anvil; do
  printf '#!/bin/sh\n# %s, installed by the anvil package: the launcher in /usr/share/anvil/bin.\nexec %s "$@"\n' \
    "$cmd" "/usr/share/anvil/bin/$cmd" >"$root/usr/bin/$cmd"
done

# Man pages: each command's --help, verbatim (so they cannot drift from it), pointing at the full docs.
man_page() { # NAME SECTION SUMMARY DOC
  local help
  help=$("$dist/bin/$1" --help 2>/dev/null) || die "$1 --help failed (is java 17 on PATH or JAVA_HOME?)"
  mkdir -p "$root/usr/share/man/man$2"
  {
    printf '.TH %s %s "" "anvil %s" "Anvil"\n.SH NAME\n%s \\- %s\n.SH SYNOPSIS\n.nf\n' \
      "${1^^}" "$2" "$version" "$1" "$3"
    # roff: a backslash is \e, a minus \-, a line may not start with . or '
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^[.']/\\\\\&&/" <<<"$help"
    printf '.fi\n.SH SEE ALSO\n/usr/share/doc/anvil/%s\n' "$4"
  } | gzip -9n >"$root/usr/share/man/man$2/$1.$2.gz"
}
man_page anvild 8 "the Anvil network-boot daemon" operator-guide.md
man_page anvil 1 "the command-line client of anvild's admin API" cli.md
mkdir -p "$root/usr/share/bash-completion/completions"
# Sourced by bash-completion, not run: without picocli's "#!" line.
"$dist/bin/anvil" generate-completion | sed '1{/^#!/d}' >"$root/usr/share/bash-completion/completions/anvil" \
  || die "anvil generate-completion failed"

install -D -m 0644 "$basedir/systemd/anvild.service" "$root/lib/systemd/system/anvild.service"
install -D -m 0644 "$basedir/systemd/anvil.sysusers.conf" "$root/usr/lib/sysusers.d/anvil.conf"
install -D -m 0644 "$src/anvil.yaml" "$root/etc/anvil/anvil.yaml"
install -D -m 0644 "$src/lintian-overrides" "$root/usr/share/lintian/overrides/anvil"

doc=$root/usr/share/doc/anvil
mkdir -p "$doc"
install -m 0644 "$src/copyright" "$doc/copyright"
install -m 0644 "$basedir/README.md" "$doc/README.md"
cp -R "$basedir/doc/." "$doc/"
# The changelog's date: SOURCE_DATE_EPOCH (reproducible builds), else the last commit's, else now.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$basedir" log -1 --format=%ct 2>/dev/null || date +%s)}
{
  printf 'anvil (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the Anvil sources, Maven version %s.\n\n' "$mvn_version"
  printf ' -- %s  %s\n' "$(sed -n 's/^Maintainer: //p' "$src/control")" "$(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -9n >"$doc/changelog.Debian.gz"

# Modes whatever umask built the tree: directories 0755, executables 0755, other files 0644.
chmod 0755 "$root"/usr/bin/*
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -perm /u+x -exec chmod 0755 {} +
find "$root" -type f ! -perm /u+x -exec chmod 0644 {} +

for script in postinst prerm postrm; do
  install -m 0755 "$src/$script" "$root/DEBIAN/$script"
done
echo /etc/anvil/anvil.yaml >"$root/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
  "$src/control" >"$root/DEBIAN/control"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

# gzip, not the default xz: the jars are compressed already, so xz makes the same 15 MB in 10 s instead of 1 s.
dpkg-deb --root-owner-group -Zgzip -z9 --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "build-deb.sh: $deb ($(du -h "$deb" | cut -f1), installed $installed_size KiB)"
