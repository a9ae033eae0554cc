// What xdeb-runbuild runs, decided from the architectures and the user's choices:
// dpkg-buildpackage's arguments, the environment, and the head of the build log.
//
// A cross build (host != build) is arch-only (--build=any) with the profiles `cross,nocheck`
// unless told otherwise, and DEB_BUILD_OPTIONS gets `nocheck` to match (BuildProfileSpec: the
// nocheck and nodoc profiles go with the build options of the same name). A native build has no
// profiles and builds every binary package (--build=binary), as `dpkg-buildpackage -b` does.

import { InputError } from './errors.js';

export const BUILD_TYPES = ['any', 'all', 'binary', 'source', 'full', 'source,any', 'source,all', 'any,all'] as const;
export const DEFAULT_CROSS_PROFILES: readonly string[] = ['cross', 'nocheck'];

export interface BuildPlanInput {
  buildArch: string;
  hostArch: string;
  /** Profiles asked for; undefined means the default for the kind of build. */
  profiles?: readonly string[];
  /** dpkg-buildpackage --build= value; undefined means the default. */
  buildType?: string;
  rootCommand?: string;
  /** Skip dpkg's own build-dependency check (-d). */
  noCheckBuilddeps?: boolean;
  /** DEB_BUILD_OPTIONS from the environment. */
  buildOptions?: string;
}

export interface BuildPlan {
  cross: boolean;
  profiles: string[];
  buildType: string;
  /** Arguments of dpkg-buildpackage. */
  args: string[];
  /** Arguments of dpkg-checkbuilddeps for the same build. */
  checkArgs: string[];
  /** Variables to set in the build's environment. */
  env: Record<string, string>;
}

/** DEB_BUILD_OPTIONS with options added (kept once, in order). */
export function mergeBuildOptions(existing: string | undefined, add: readonly string[]): string {
  const words = (existing ?? '').split(/\s+/).filter(Boolean);
  const names = new Set(words.map((w) => w.split('=')[0]));
  for (const a of add) if (!names.has(a)) words.push(a);
  return words.join(' ');
}

export function planBuild(input: BuildPlanInput): BuildPlan {
  const cross = input.buildArch !== input.hostArch;
  const profiles = [...(input.profiles ?? (cross ? DEFAULT_CROSS_PROFILES : []))];
  const buildType = input.buildType ?? (cross ? 'any' : 'binary');
  if (!(BUILD_TYPES as readonly string[]).includes(buildType)) {
    throw new InputError(`'${buildType}' is not a build type (one of: ${BUILD_TYPES.join(', ')})`);
  }
  const args = [`--build=${buildType}`, '--no-sign'];
  if (cross) args.push(`--host-arch=${input.hostArch}`);
  if (profiles.length) args.push(`--build-profiles=${profiles.join(',')}`);
  if (input.rootCommand) args.push(`--root-command=${input.rootCommand}`);
  if (input.noCheckBuilddeps) args.push('--no-check-builddeps');

  const checkArgs: string[] = [];
  if (cross) checkArgs.push('-a', input.hostArch);
  if (profiles.length) checkArgs.push('-P', profiles.join(','));
  const types = new Set(buildType.split(','));
  const any = types.has('any') || types.has('binary') || types.has('full');
  const all = types.has('all') || types.has('binary') || types.has('full');
  if (any && !all) checkArgs.push('-B');
  if (all && !any) checkArgs.push('-A');

  const options = profiles.filter((p) => p === 'nocheck' || p === 'nodoc');
  const env: Record<string, string> = {};
  const merged = mergeBuildOptions(input.buildOptions, options);
  if (merged) env.DEB_BUILD_OPTIONS = merged;
  return { cross, profiles, buildType, args, checkArgs, env };
}

/** Does this build produce binary packages (and so .debs to check)? */
export function buildsBinaries(buildType: string): boolean {
  return buildType.split(',').some((t) => t !== 'source');
}

/** The .changes name dpkg-genchanges gives: source_version(no epoch)_arch.changes. */
export function changesFileName(source: string, version: string, buildType: string, hostArch: string): string {
  const v = version.replace(/^\d+:/, '');
  const types = new Set(buildType.split(','));
  const arch = types.has('any') || types.has('binary') || types.has('full') ? hostArch : types.has('all') ? 'all' : 'source';
  return `${source}_${v}_${arch}.changes`;
}

/** The default log name, as sbuild names it: source_version(no epoch)_hostarch.build. */
export function logFileName(source: string, version: string, hostArch: string): string {
  return `${source}_${version.replace(/^\d+:/, '')}_${hostArch}.build`;
}

export interface LogHead {
  program: string;
  source: string;
  version: string;
  buildArch: string;
  hostArch: string;
  profiles: readonly string[];
  buildType: string;
  buildOptions: string | undefined;
  command: readonly string[];
  directory: string;
  time: Date;
  /** Further 'Name: value' lines (a flavoured toolchain's). */
  extra?: readonly (readonly [string, string])[];
}

/** The head of the build log, as sbuild writes it: what was built, for which architecture, how. */
export function formatLogHead(h: LogHead): string {
  const title = ` ${h.source} ${h.version} (${h.hostArch}) `;
  const stamp = ` ${h.time.toUTCString()} `;
  const width = 78;
  const pad = Math.max(1, width - title.length - stamp.length);
  const rule = '+' + '='.repeat(width) + '+';
  return (
    `${rule}\n|${title}${' '.repeat(pad)}${stamp}|\n${rule}\n\n` +
    `Package: ${h.source}\n` +
    `Version: ${h.version}\n` +
    `Build Architecture: ${h.buildArch}\n` +
    `Host Architecture: ${h.hostArch}\n` +
    `Build Type: ${h.buildType}\n` +
    `Build Profiles: ${h.profiles.join(' ')}\n` +
    `DEB_BUILD_OPTIONS: ${h.buildOptions ?? ''}\n` +
    `Build Directory: ${h.directory}\n` +
    (h.extra ?? []).map(([k, v]) => `${k}: ${v}\n`).join('') +
    `Command: ${h.command.join(' ')}\n` +
    `Started: ${h.time.toISOString()}\n` +
    `Built by: ${h.program}\n\n`
  );
}

/** The tail of the log: the verdict and the time taken, as a parsable line block. */
export function formatLogTail(status: 'successful' | 'failed' | 'attempted', seconds: number, time: Date, reason?: string): string {
  return (
    `\nFinished: ${time.toISOString()}\nBuild-Time: ${Math.round(seconds)}\n` +
    (reason ? `Fail-Reason: ${reason}\n` : '') +
    `Status: ${status}\n`
  );
}
