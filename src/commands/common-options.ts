// Options that several commands share, declared once.
import type { SessionFlags } from '../flows/session.js';
import type { ImplicitMode } from '../lib/build-deps.js';
import type { ResolverMode } from '../lib/multiarch.js';
import type { Flags } from '../ui/flags.js';
import type { OptionSpec } from '../ui/spec.js';

export const RESOLVER_MODES = ['apt', 'dose', 'dpkg'] as const satisfies readonly ResolverMode[];
export const IMPLICIT_SETS = ['sbuild', 'dose', 'build-essential', 'none'] as const satisfies readonly ImplicitMode[];

export const HOST_ARCH: OptionSpec = {
  flags: '-a, --host-arch <arch>',
  description: 'the architecture to build for (default: configuration, else the build architecture)',
  complete: 'arch',
};
export const PROFILES: OptionSpec = {
  flags: '-P, --profiles <list>',
  description: 'build profiles, comma-separated (default for a cross build: cross,nocheck)',
  complete: 'profile',
};
export const LOCAL_REPO: OptionSpec = {
  flags: '--local-repo <dir>',
  description: 'the local repository (default: configuration, else ~/.local/share/xdeb/repo)',
  complete: 'dir',
};
export const USE_LOCAL_REPO: OptionSpec = { flags: '--use-local-repo', description: "use the local repository's packages (the default)" };
export const DISABLE_LOCAL_REPO: OptionSpec = { flags: '--disable-local-repo', description: "do not use the local repository's packages" };
export const USE_REMOTE_REPO: OptionSpec = { flags: '--use-remote-repo', description: "use apt's configured repositories (the default)" };
export const DISABLE_REMOTE_REPO: OptionSpec = { flags: '--disable-remote-repo', description: "do not use apt's configured repositories" };
export const LOCAL_CONFIG: OptionSpec = {
  flags: '--local-config <file>',
  description:
    "read only this configuration file (not /etc/xdeb/xdeb.cfg nor ~/.config/xdeb/xdeb.cfg), and its repositories instead of apt's",
  complete: 'file',
};
export const ROOT_CMD: OptionSpec = { flags: '--root-cmd <cmd>', description: 'gain root with this command (e.g. sudo) for apt and dpkg' };
export const CHROOT: OptionSpec = {
  flags: '--chroot <name>',
  description: 'work inside this xdeb chroot (see xdeb-chroot list)',
  complete: 'chroot',
};

/** Building in a chroot (xdeb-build, xdeb-sequence): docs/xdeb-chroot.md, docs/emulation.md. */
export const CHROOT_BUILD: OptionSpec[] = [
  CHROOT,
  {
    flags: '--native <chroot>',
    description: 'in an emulated chroot, run the compilers natively from this cross chroot',
    complete: 'chroot',
  },
  { flags: '--no-native', description: 'do not use the native compilers an emulated chroot names' },
  {
    flags: '--distcc [hosts]',
    description: 'in a chroot, send compile jobs to these distcc helpers (default: 127.0.0.1), each probed first',
  },
  {
    flags: '--icecream <scheduler>',
    description:
      "in a cross chroot, send compile jobs through this icecream scheduler (HOST[:PORT]) and this machine's iceccd, each daemon probed first",
  },
  { flags: '--no-icecream', description: 'compile here even if configuration names an icecream scheduler' },
  {
    flags: '--icecream-env <file>',
    description: 'with --icecream: send this icecc-create-env bundle instead of one made from the chroot cross compiler',
    complete: 'file',
  },
  {
    flags: '--host-binaries [tools]',
    description:
      "in an emulated chroot with native compilers, also run these tools natively (comma-separated; without a list: xdeb's default list, docs/emulation.md)",
  },
  { flags: '--no-host-binaries', description: 'run every tool emulated, even if the emulated chroot names host binaries' },
];

export const REPO_SELECTION: OptionSpec[] = [
  LOCAL_REPO,
  USE_LOCAL_REPO,
  DISABLE_LOCAL_REPO,
  USE_REMOTE_REPO,
  DISABLE_REMOTE_REPO,
  LOCAL_CONFIG,
];

/** The shared flags a command was given, typed for its session (src/flows/session.ts). */
export function sessionFlags(flags: Flags): SessionFlags {
  // Both given: off wins, as it always has.
  const pick = (on: string, off: string): boolean | undefined => (flags.boolean(off) ? false : flags.boolean(on) ? true : undefined);
  const out: SessionFlags = {
    hostArch: flags.string('hostArch'),
    profiles: flags.string('profiles'),
    localRepo: flags.string('localRepo'),
    useLocalRepo: pick('useLocalRepo', 'disableLocalRepo'),
    useRemoteRepo: pick('useRemoteRepo', 'disableRemoteRepo'),
    localConfig: flags.string('localConfig'),
    chroot: flags.string('chroot'),
    rootCmd: flags.string('rootCmd'),
    signKey: flags.string('signKey'),
    jobs: flags.integer('jobs'),
    suite: flags.string('suite'),
    mirror: flags.string('mirror'),
    toolchain: flags.string('toolchain'),
    mode: flags.choice('mode', RESOLVER_MODES),
  };
  return out;
}
