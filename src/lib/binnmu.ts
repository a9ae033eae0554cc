// A binNMU: a binary-only rebuild of a source, its version the source's with `+bN`. xdeb makes
// one when a distro rebuilds a source whose archive binaries are a binNMU: a Multi-Arch: same
// package must have the version of its copy for the build architecture, which a chroot has from
// the archive (libbz2-1.0:amd64 1.0.8-5+b1 beside the set's libbz2-1.0:arm64).

/** The version of binNMU `n` of a source version. */
export function binNmuVersion(version: string, n: number): string {
  return `${version}+b${n}`;
}

/** The binNMU number of a binary's version of a source version: 1.0-1+b3 of 1.0-1 → 3; undefined when it is not one. */
export function binNmuOf(binaryVersion: string, sourceVersion: string): number | undefined {
  if (!binaryVersion.startsWith(`${sourceVersion}+b`)) return undefined;
  const n = binaryVersion.slice(sourceVersion.length + 2);
  return /^[1-9][0-9]*$/.test(n) ? Number(n) : undefined;
}

/**
 * The changelog entry that makes a build binNMU `n` (what sbuild --binNMU writes): binary-only=yes, so that dpkg-genchanges keeps the
 * source's version for Source and dh_installchangelogs puts the entry into changelog.Debian.ARCH.gz, not the shared changelog.
 */
export function binNmuEntry(o: { source: string; version: string; n: number; distribution: string; arch: string; date: Date }): string {
  const day = o.date.toUTCString().replace(/ GMT$/, ' +0000');
  return (
    `${o.source} (${binNmuVersion(o.version, o.n)}) ${o.distribution}; urgency=low, binary-only=yes\n\n` +
    `  * Binary-only non-maintainer upload for ${o.arch}; no source changes.\n` +
    `  * Rebuilt by xdeb at the archive's binNMU version, so that Multi-Arch: same copies match.\n\n` +
    ` -- xdeb <xdeb@localhost>  ${day}\n\n`
  );
}
