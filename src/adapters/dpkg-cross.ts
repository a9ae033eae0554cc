// Converting host-arch packages with the real dpkg-cross (the fallback for libraries that are
// not Multi-Arch ready): fetch the .deb, convert it to NAME-ARCH-cross, hand it to apt.

import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from '../lib/errors.js';
import type { BinaryPackage, Universe } from '../lib/universe.js';
import { runTool } from './run-tool.js';

/** The .deb of a package: from a repository on this machine, else downloaded by apt. */
async function fetchDeb(universe: Universe, p: BinaryPackage, dir: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const origin = universe.origins[p.origin]!;
  if (origin.base && p.filename && existsSync(join(origin.base, p.filename))) return join(origin.base, p.filename);
  const r = await runTool('apt-get', ['download', `${p.name}:${p.arch}=${p.version}`], { cwd: dir, env });
  if (r.code !== 0)
    throw new EnvironmentError(`cannot download ${p.name}:${p.arch} ${p.version} for dpkg-cross: ${r.stderr.trim().split('\n').pop()}`);
  const deb = readdirSync(dir).find((f) => f.startsWith(`${p.name}_`) && f.endsWith(`_${p.arch}.deb`));
  if (!deb) throw new EnvironmentError(`apt-get download left no .deb for ${p.name}:${p.arch}`);
  return join(dir, deb);
}

/** Convert each package; returns the -cross .debs, ready for apt-get install. */
export async function convertWithDpkgCross(
  universe: Universe,
  packages: readonly BinaryPackage[],
  exclude: ReadonlyMap<number, readonly string[]>,
  hostArch: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ pkg: BinaryPackage; deb: string }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-dpkg-cross-'));
  const out: { pkg: BinaryPackage; deb: string }[] = [];
  for (const p of packages) {
    const deb = await fetchDeb(universe, p, dir, env);
    // -X: dependencies that real host packages satisfy must not become NAME-ARCH-cross ones.
    const args = ['-a', hostArch, '-A', '-M', '-b', ...(exclude.get(p.id) ?? []).flatMap((n) => ['-X', n]), deb];
    const r = await runTool('dpkg-cross', args, { cwd: dir, env });
    if (r.code !== 0)
      throw new EnvironmentError(`dpkg-cross failed on ${p.name}:${p.arch}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const made = readdirSync(dir).find((f) => f.startsWith(`${p.crossName()}_`) && f.endsWith('_all.deb'));
    if (!made) throw new EnvironmentError(`dpkg-cross made no ${p.crossName()} package from ${deb}`);
    out.push({ pkg: p, deb: join(dir, made) });
  }
  return out;
}

/** The spec's warning: a leftover NAME-ARCH-cross package beside NAME:ARCH of another version. */
export function leftoverCrossPackages(universe: Universe, hostArch: string): string[] {
  const out: string[] = [];
  const suffix = `-${hostArch}-cross`;
  for (const p of universe.installed()) {
    if (!p.name.endsWith(suffix)) continue;
    const base = p.name.slice(0, -suffix.length);
    for (const id of universe.named(base)) {
      const q = universe.get(id);
      // Debian's cross toolchain ships its own NAME-ARCH-cross (Source: cross-toolchain-base…): that is
      // the normal state. A conversion of the same source at another version is the trap.
      if (q.installed && q.arch === hostArch && q.version !== p.version && q.source === p.source) {
        out.push(
          `${p.name} ${p.version} (dpkg-cross) is installed beside ${q.name}:${q.arch} ${q.version} (multiarch): a build may mix headers and libraries of the two versions (/usr/<triplet> and /usr/lib/<triplet>); remove one`,
        );
      }
    }
  }
  return out;
}
