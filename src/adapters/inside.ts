// What the build steps need to work inside a chroot session instead of on the machine itself.
// The steps stay the same code: they give their commands to `wrap`, read apt and dpkg state
// through `aptEnv` and `status`, and `expose` the directories the Debian tools inside must see.

import type { IcecreamJobCounts } from '../lib/icecream.js';

/**
 * Turns a command into the one that runs it inside (e.g. `chroot ROOT env -i -C CWD VAR=… cmd …`).
 * `env` are the variables the caller sets for that command; the rest of the environment inside is
 * the session's, not this process's.
 */
export type CommandWrap = (argv: readonly string[], opts?: { cwd?: string; env?: Readonly<Record<string, string>> }) => string[];
export interface InsideHooks {
  /** The unpacked chroot, seen from outside. */
  root: string;
  /** APT_CONFIG (and friends) for apt run outside that reads the chroot's configuration and lists. */
  aptEnv: NodeJS.ProcessEnv;
  /** The chroot's dpkg status file, seen from outside. */
  status: string;
  wrap: CommandWrap;
  /** Show these directories of the machine at the same path inside (bind mounts, undone at the end). */
  expose(paths: readonly string[], readOnly?: boolean): Promise<void>;
  /** What the build log's head says of the session (which tools run natively). */
  logFields?: readonly (readonly [string, string])[];
  /** Called once the build-dependencies are installed, before the build, with the source's Build-Depends (all three fields). */
  beforeBuild?: (buildDepends: string) => Promise<void>;
  /** Where the build's compile jobs ran, when they were sent away (icecream). */
  compileJobs?: () => IcecreamJobCounts;
}
