#!/bin/sh
# XinHui's small distro, for real: the sources of bench/distro/set.list cross-built for arm64 in a
# chroot, against each other (--set, --base outside: the rest of Debian is the base), every loop
# broken; then checked (--verify), made into a root filesystem with mmdebstrap, and a program of
# the set run in it under qemu-user. A bench, not a test: it takes about an hour on 2 cores, and
# every phase can be run again (build resumes from the state file).
#
#   bench/distro/run.sh build     the chroot (once), then xdeb-sequence (again: --resume)
#   bench/distro/run.sh verify    xdeb-sequence --verify
#   bench/distro/run.sh rootfs    mmdebstrap from the local repository + the mirror; programs run
#   bench/distro/run.sh result    bench/results/distro-bookworm-arm64-DATE.txt from all of it
#
# Environment: XDEB (the checkout whose bin/ runs; default this one), REPO (the local repository;
# default /work/distro-repo), OUT (logs and the report; default /work/distro-run), CHROOT
# (bookworm-arm64), MIRROR (http://deb.debian.org/debian). Needs root, mmdebstrap, qemu-user-static.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
XDEB=${XDEB:-$(cd "$HERE/../.." && pwd)}
REPO=${REPO:-/work/distro-repo}
OUT=${OUT:-/work/distro-run}
CHROOT=${CHROOT:-bookworm-arm64}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
STATE=$REPO/xdeb/sequence/arm64/state.json
mkdir -p "$OUT"
seq() { node "$XDEB/bin/xdeb-sequence.js" --chroot "$CHROOT" --local-repo "$REPO" "$@"; }

case "${1:-}" in
build)
  node "$XDEB/bin/xdeb-chroot.js" list | cut -f1 | grep -qx "$CHROOT" ||
    node "$XDEB/bin/xdeb-chroot.js" create -a arm64 --include debhelper "$CHROOT"
  n=$(ls "$OUT"/build-*.err 2>/dev/null | wc -l)
  if [ -f "$STATE" ]; then
    set -- --resume
  else
    # --no-droppable: botch's lists drop eight build-dependencies of cyrus-sasl2 at once (libssl-dev, libpam0g-dev, krb5, ldap,
    # sql…), a build without the plugins its binary packages ship; the seed build keeps it whole. hints.deb822 says what failed.
    set -- --set "$HERE/set.list" --base outside --full --bootstrap --no-droppable --hints "$HERE/hints.deb822"
  fi
  echo "$(date -u +%FT%TZ) $XDEB: xdeb-sequence $* -k -j2" >>"$OUT/runs.log"
  seq "$@" -k -j2 --report "$OUT/report" --verbose >"$OUT/build-$n.out" 2>"$OUT/build-$n.err" || true
  tail -3 "$OUT/build-$n.err"
  ;;
verify)
  seq --verify >"$OUT/verify.txt" 2>"$OUT/verify.err" && echo "verify: passed" || echo "verify: FAILED ($(cat "$OUT/verify.err"))"
  ;;
rootfs)
  # The set's programs, from the local repository (pinned above the mirror: the set rebuilds versions the mirror has), listed first: for
  # one version in both with other contents apt takes the first source's file (listed second, it fetched the mirror's and refused
  # its hash: "Sources disagree on hashes"); the rest from the mirror.
  rm -rf "$OUT/rootfs"
  mmdebstrap --variant=essential --architectures=arm64 \
    --include=bash,busybox,dropbear-bin,less,procps,kmod,grep,util-linux,login,passwd,libpam-modules,ifupdown,gzip,xz-utils,bzip2,zstd,lz4,acl,attr \
    --aptopt='APT::Get::allow-downgrades "true"' \
    --setup-hook='mkdir -p "$1/etc/apt/preferences.d" && printf "Package: *\nPin: release o=xdeb\nPin-Priority: 990\n" > "$1/etc/apt/preferences.d/xdeb"' \
    bookworm "$OUT/rootfs" "deb [trusted=yes] copy:$REPO full main" "deb $MIRROR bookworm main" >"$OUT/rootfs.log" 2>&1
  {
    echo "\$ chroot rootfs dpkg --print-architecture; uname -m"
    chroot "$OUT/rootfs" sh -c 'dpkg --print-architecture; uname -m'
    echo "\$ chroot rootfs bash -c 'echo \$BASH_VERSION'"
    chroot "$OUT/rootfs" bash -c 'echo $BASH_VERSION'
    echo "\$ chroot rootfs busybox | head -1"
    chroot "$OUT/rootfs" busybox | head -1
    echo "\$ chroot rootfs dropbear -V"
    chroot "$OUT/rootfs" /usr/sbin/dropbear -V 2>&1 | head -1
    echo "\$ chroot rootfs sh -c 'echo XinHui | xz | xz -d | grep -c XinHui; kmod --version; less --version | head -1'"
    chroot "$OUT/rootfs" sh -c 'echo XinHui | xz | xz -d | grep -c XinHui; kmod --version; less --version | head -1'
  } >"$OUT/rootfs-run.txt" 2>&1
  # Which of the root filesystem's arm64 packages are the set's own builds: their files compared by checksum with the local repository's .debs.
  node "$HERE/rootfs-check.mjs" "$OUT/rootfs" "$REPO" >"$OUT/rootfs-check.txt"
  cat "$OUT/rootfs-run.txt" "$OUT/rootfs-check.txt" | tail -12
  ;;
result)
  node "$HERE/result.mjs" "$STATE" "$OUT" "$XDEB" "$HERE/../results/distro-bookworm-arm64-$(date -u +%F).txt"
  ;;
*)
  sed -n '2,17p' "$0"
  exit 2
  ;;
esac
