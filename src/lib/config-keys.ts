// The configuration keys, apart from the parser so that command definitions can list them
// (completion, help) without loading the architecture tables.

export type ConfigKind = 'string' | 'bool' | 'list' | 'arch' | 'path' | 'int';

export interface ConfigKey {
  key: string;
  kind: ConfigKind;
  description: string;
  /** The default, as text in the file syntax; absent when there is none. */
  default?: string;
}

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { key: 'host-arch', kind: 'arch', description: 'the architecture to build for (DEB_HOST_ARCH); default: the build architecture' },
  { key: 'profiles', kind: 'list', description: 'build profiles for cross builds', default: 'cross, nocheck' },
  { key: 'local-repo', kind: 'path', description: 'the local apt repository where results land and later builds find them' },
  { key: 'use-local-repo', kind: 'bool', description: 'use the local repository to satisfy build-dependencies', default: 'yes' },
  { key: 'use-remote-repo', kind: 'bool', description: "use apt's configured repositories to satisfy build-dependencies", default: 'yes' },
  { key: 'chroot', kind: 'string', description: 'build inside this xdeb chroot (xdeb-chroot list)' },
  {
    key: 'icecream',
    kind: 'string',
    description: "builds in a cross chroot send compile jobs through this icecream scheduler (HOST[:PORT]) and the machine's iceccd",
  },
  { key: 'chroot-dir', kind: 'path', description: 'where xdeb-chroot keeps its chroots' },
  { key: 'suite', kind: 'string', description: 'the Debian suite for new chroots', default: 'bookworm' },
  { key: 'mirror', kind: 'string', description: 'the Debian mirror for new chroots', default: 'http://deb.debian.org/debian' },
  { key: 'root-cmd', kind: 'string', description: 'command that gains root for apt and dpkg (e.g. sudo) when not root' },
  { key: 'sign-key', kind: 'string', description: 'gpg key (id or fingerprint) that signs the local repository' },
  { key: 'jobs', kind: 'int', description: 'builds run in parallel by xdeb-sequence', default: '1' },
  {
    key: 'toolchain',
    kind: 'string',
    description: 'the toolchain of builds: gcc, gcc-N, clang, clang-N or a [toolchain NAME] section (docs/toolchains.md)',
  },
  {
    key: 'preferences',
    kind: 'path',
    description: "with --local-config: an apt_preferences(5) file that pins the configured repositories instead of apt's preferences",
  },
  { key: 'build-log-dir', kind: 'path', description: 'where build logs are kept' },
];

/** XDEB_HOST_ARCH for host-arch. */
export function envName(key: string): string {
  return 'XDEB_' + key.toUpperCase().replace(/-/g, '_');
}
