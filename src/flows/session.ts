// The one typed view of "how this command runs", built once from the command's flags, the
// configuration files and the environment: architectures, profiles, repositories, chroot,
// toolchain, signing key. Workflows read it; none of them reads flags or configuration keys.

import { archTable } from '../lib/arch.js';
import { defaultProfiles } from '../lib/build-deps.js';
import type { Config, ConfigValue } from '../lib/config.js';
import type { ResolverMode } from '../lib/multiarch.js';
import type { Toolchain } from '../lib/toolchain.js';
import type { Output } from '../ui/output.js';
import { defaultChrootDir, defaultLocalRepo, loadConfig } from '../adapters/config.js';
import { buildArch as machineBuildArch } from '../adapters/dpkg.js';
import { toolchainOf } from '../adapters/toolchain.js';

/** The flags every command may share, typed. Absent means "not given on the command line". */
export interface SessionFlags {
  hostArch?: string;
  profiles?: string;
  localRepo?: string;
  /** --use-local-repo (true), --disable-local-repo (false). */
  useLocalRepo?: boolean;
  /** --use-remote-repo (true), --disable-remote-repo (false). */
  useRemoteRepo?: boolean;
  localConfig?: string;
  chroot?: string;
  rootCmd?: string;
  signKey?: string;
  jobs?: number;
  suite?: string;
  mirror?: string;
  toolchain?: string;
  mode?: ResolverMode;
}

/** The local repository: where results land and later builds find them. */
export interface LocalRepo {
  readonly dir: string;
  /** Its packages satisfy build-dependencies (use-local-repo). */
  readonly use: boolean;
}

export interface Session {
  readonly out: Output;
  /** The layered configuration, for its sections ([repository], [toolchain]) and for saying where a value came from. */
  readonly cfg: Config;
  readonly flags: Readonly<SessionFlags>;
  readonly buildArch: string;
  readonly hostArch: string;
  /** The host architecture was chosen (-a or configuration), not defaulted to the build architecture. */
  readonly hostArchGiven: boolean;
  readonly profiles: string[];
  /** The profiles were chosen (-P, configuration), not the defaults for buildArch → hostArch. */
  readonly profilesGiven: boolean;
  readonly mode: ResolverMode;
  readonly localRepo: LocalRepo;
  readonly useRemoteRepo: boolean;
  /** --local-config FILE: its repositories and preferences replace apt's. */
  readonly localConfigFile: string | undefined;
  /** Build in this xdeb chroot. */
  readonly chroot: string | undefined;
  readonly chrootDir: string;
  readonly rootCmd: string | undefined;
  readonly signKey: string | undefined;
  readonly buildLogDir: string | undefined;
  readonly jobs: number;
  /** The Debian suite and mirror for new chroots. */
  readonly suite: string;
  readonly mirror: string;
  /** The configured toolchain (--toolchain, configuration); an unknown name is an InputError naming where it was set. */
  toolchain(): Toolchain | undefined;
}

/** Flags and the configuration keys they set, with the flag's name for `xdeb config`. */
const FLAG_KEYS = [
  ['hostArch', 'host-arch', '--host-arch'],
  ['profiles', 'profiles', '--profiles'],
  ['localRepo', 'local-repo', '--local-repo'],
  ['chroot', 'chroot', '--chroot'],
  ['rootCmd', 'root-cmd', '--root-cmd'],
  ['signKey', 'sign-key', '--sign-key'],
  ['jobs', 'jobs', '--jobs'],
  ['suite', 'suite', '--suite'],
  ['mirror', 'mirror', '--mirror'],
  ['toolchain', 'toolchain', '--toolchain'],
] as const satisfies readonly (readonly [keyof SessionFlags, string, string])[];

/** The configuration a command runs with: files, environment, then its flags. */
export function configFromFlags(flags: Readonly<SessionFlags>, env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = loadConfig({ localConfig: flags.localConfig, env });
  for (const [name, key, flag] of FLAG_KEYS) {
    const value: ConfigValue | undefined = flags[name];
    cfg.applyFlag(key, value, flag);
  }
  if (flags.useLocalRepo !== undefined)
    cfg.applyFlag('use-local-repo', flags.useLocalRepo, flags.useLocalRepo ? '--use-local-repo' : '--disable-local-repo');
  if (flags.useRemoteRepo !== undefined)
    cfg.applyFlag('use-remote-repo', flags.useRemoteRepo, flags.useRemoteRepo ? '--use-remote-repo' : '--disable-remote-repo');
  return cfg;
}

/** Build the session: configuration files, XDEB_* variables, then the flags. */
export function openSession(flags: Readonly<SessionFlags>, out: Output, env: NodeJS.ProcessEnv = process.env): Session {
  const cfg = configFromFlags(flags, env);
  const buildArch = machineBuildArch();
  const hostArchSetting = cfg.string('host-arch');
  const hostArch = archTable().checkArch(hostArchSetting ?? buildArch);
  const profilesEntry = cfg.entry('profiles');
  // The configured default profiles ('cross nocheck') are for cross builds only.
  const profilesGiven = !!profilesEntry && profilesEntry.source.kind !== 'default';
  const jobs = Number(cfg.get('jobs') ?? 1);
  let toolchain: { value: Toolchain | undefined } | undefined;
  return {
    out,
    cfg,
    flags,
    buildArch,
    hostArch,
    hostArchGiven: hostArchSetting !== undefined,
    profiles: profilesGiven ? cfg.list('profiles') : defaultProfiles(buildArch, hostArch),
    profilesGiven,
    mode: flags.mode ?? 'apt',
    localRepo: { dir: cfg.string('local-repo') ?? defaultLocalRepo(env), use: cfg.bool('use-local-repo') },
    useRemoteRepo: cfg.bool('use-remote-repo'),
    localConfigFile: cfg.localConfigFile,
    chroot: cfg.string('chroot'),
    chrootDir: cfg.string('chroot-dir') ?? defaultChrootDir(env),
    rootCmd: cfg.string('root-cmd'),
    signKey: cfg.string('sign-key'),
    buildLogDir: cfg.string('build-log-dir'),
    jobs: Number.isFinite(jobs) && jobs > 0 ? jobs : 1,
    suite: cfg.string('suite') ?? 'bookworm',
    mirror: cfg.string('mirror') ?? 'http://deb.debian.org/debian',
    toolchain() {
      toolchain ??= { value: toolchainOf(cfg) };
      return toolchain.value;
    },
  };
}

/** The same command line with some flags replaced (xdeb-sequence --resume: the plan's architecture, repository and toolchain). */
export function reopenSession(session: Session, replaced: Readonly<SessionFlags>): Session {
  return openSession({ ...session.flags, ...replaced }, session.out);
}
