#!/bin/sh
# Makes packages/inventory/src/updates/apt/testdata/: real `apt list --upgradable` and
# `apt-get -s upgrade` output, from the real apt of the machine, in a sandbox root (a directory
# apt and dpkg treat as `/`; see ../src/updates/apt/readme.md). Needs root, dpkg-deb,
# dpkg-scanpackages and apt; touches nothing outside a temporary directory.
#
# Two local repositories stand for a Debian release and its security archive: their Release
# files carry Debian's own Origin/Label/Suite/Codename/Version words, so apt prints origins
# exactly as on a real host (`Debian:12.8/stable`, `Debian-Security:12/stable-security`).
# Packages: upgrades from the main archive only, from the security archive only, from both
# (a point release that includes a security fix), an epoch, a tilde, a multi-arch library
# and a package kept back because its new version needs a package not yet installed.
set -eu
out=$(cd "$(dirname "$0")/../src/updates/apt/testdata" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
R=$work/root

mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" \
  "$R/etc/apt/sources.list.d" "$R/etc/apt/preferences.d" "$R/etc/apt/apt.conf.d" \
  "$R/etc/apt/trusted.gpg.d" "$R/var/lib/apt/lists/partial" \
  "$R/var/cache/apt/archives/partial" "$R/var/log/apt"
: > "$R/var/lib/dpkg/status"

# deb <dir> <package> <version> <arch> [Depends]
deb() {
  d=$work/build/$2_$3_$4
  mkdir -p "$d/DEBIAN"
  {
    echo "Package: $2"
    echo "Version: $3"
    echo "Architecture: $4"
    echo "Maintainer: Patchgate samples <samples@patchgate.invalid>"
    [ -n "${5:-}" ] && echo "Depends: $5"
    echo "Description: sample package $2"
  } > "$d/DEBIAN/control"
  mkdir -p "$1"
  dpkg-deb --build --root-owner-group "$d" "$1/$2_$(echo "$3" | tr : %)_$4.deb" >/dev/null
}

arch=$(dpkg --print-architecture)
base=$work/base
main=$work/main
security=$work/security

# What the host has installed.
deb "$base" base-files 12.4+deb12u7 "$arch"
deb "$base" openssl 3.0.14-1~deb12u2 "$arch"
deb "$base" libssl3 3.0.14-1~deb12u2 "$arch"
deb "$base" curl 7.88.1-10+deb12u7 "$arch"
deb "$base" tzdata 2024a-0+deb12u1 all
deb "$base" libc6 2.36-9+deb12u7 "$arch"
deb "$base" vim-common 2:9.0.1378-2 all
deb "$base" postgresql-15 15.8-0+deb12u1 "$arch"
deb "$base" jq 1.6-2.1 "$arch"

# The release's archive (a point release): base-files and tzdata only here; libc6 here and,
# the same version, in the security archive; postgresql-15's new version needs a new package.
deb "$main" base-files 12.4+deb12u8 "$arch"
deb "$main" tzdata 2024b-0+deb12u1 all
deb "$main" libc6 2.36-9+deb12u9 "$arch"
deb "$main" postgresql-15 15.10-0+deb12u1 "$arch" "postgresql-common-dev"
deb "$main" postgresql-common-dev 262 all
deb "$main" jq 1.6-2.1 "$arch"

# The security archive: openssl and libssl3 (one source), curl, an epoch, libc6 again.
deb "$security" openssl 3.0.15-1~deb12u1 "$arch"
deb "$security" libssl3 3.0.15-1~deb12u1 "$arch"
deb "$security" curl 7.88.1-10+deb12u8 "$arch"
deb "$security" vim-common 2:9.0.1378-2+deb12u1 all
deb "$security" libc6 2.36-9+deb12u9 "$arch"

# release <dir> <Origin> <Label> <Suite> <Codename> <Version>
release() {
  (cd "$1" && dpkg-scanpackages -m . /dev/null > Packages 2>/dev/null)
  {
    echo "Origin: $2"
    echo "Label: $3"
    echo "Suite: $4"
    echo "Codename: $5"
    echo "Version: $6"
    echo "Date: Sat, 09 Nov 2024 10:00:00 UTC"
    echo "Architectures: $arch all"
    echo "Components: main"
    echo "SHA256:"
    echo " $(sha256sum "$1/Packages" | cut -d' ' -f1) $(stat -c %s "$1/Packages") Packages"
  } > "$1/Release"
}
release "$base" Patchgate Patchgate-base base base 1
release "$main" Debian Debian stable bookworm 12.8
release "$security" Debian Debian-Security stable-security bookworm-security 12

set -- -o Dir="$R" -o Dir::State::status="$R/var/lib/dpkg/status" -o Dir::Etc="$R/etc/apt" \
  -o Dir::Cache="$R/var/cache/apt" -o Dir::State="$R/var/lib/apt" -o Dir::Log="$R/var/log/apt" \
  -o DPkg::Options::=--root="$R" -o DPkg::Options::=--force-script-chrootless \
  -o DPkg::Options::=--force-not-root -o DPkg::Chroot-Directory=/ -o APT::Sandbox::User=root \
  -o Debug::NoLocking=1 -o APT::Architecture="$arch"

echo "deb [trusted=yes] file:$base ./" > "$R/etc/apt/sources.list"
apt-get "$@" update >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get "$@" install -y base-files openssl libssl3 curl tzdata \
  libc6 vim-common postgresql-15 jq >/dev/null

{
  echo "deb [trusted=yes] file:$main ./"
  echo "deb [trusted=yes] file:$security ./"
} > "$R/etc/apt/sources.list"
apt-get "$@" update >/dev/null

# What a user runs, with apt's own words (LANG=C), the temporary paths replaced.
LANG=C apt "$@" list --upgradable 2>/dev/null | sed "s#$work#/tmp/sandbox#g" > "$out/apt-list-upgradable.txt"
LANG=C apt-get "$@" -s upgrade | sed "s#$work#/tmp/sandbox#g" > "$out/apt-get-s-upgrade.txt"
LANG=C apt-get "$@" -s dist-upgrade | sed "s#$work#/tmp/sandbox#g" > "$out/apt-get-s-dist-upgrade.txt"
apt --version > "$out/apt-version.txt"
echo "wrote $out"
