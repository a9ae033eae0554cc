// Multi-Arch fixes a later release made, applied to this one: a package that a later release's
// Packages index marks Multi-Arch: foreign is counted as foreign here too (xdeb-sequence
// --assume-foreign-from; docs/bootstrap-from-scratch.md). Each use is returned, so that it is printed.

import type { BinaryPackage, MultiArch } from './universe.js';
import { compareVersions } from './version.js';

/** What a later release's Packages index says of one package (a BinaryRecord of lib/universe fits). */
export interface LaterPackage {
  name: string;
  version: string;
  arch: string;
  multiArch: string | undefined;
}

/** The stanza of the later index that says a name is Multi-Arch: foreign. */
export interface ForeignEvidence {
  version: string;
  arch: string;
  /** Which index says so, as a person reads it ("trixie's Packages_amd64.xz"). */
  from: string;
}

/** Name → the evidence that it is foreign there, or null when some stanza of that name is not foreign. */
export type LaterMultiArch = Map<string, ForeignEvidence | null>;

/**
 * Read a later index into `into` (several indexes merge): a name counts as foreign when every
 * stanza of it, in every index read, says Multi-Arch: foreign; the highest version is the evidence.
 */
export function laterMultiArch(packages: Iterable<LaterPackage>, from: string, into: LaterMultiArch = new Map()): LaterMultiArch {
  for (const p of packages) {
    const known = into.get(p.name);
    if (known === null) continue;
    if (p.multiArch !== 'foreign') into.set(p.name, null);
    else if (known === undefined || compareVersions(p.version, known.version) > 0)
      into.set(p.name, { version: p.version, arch: p.arch, from });
  }
  return into;
}

/** The names a later index (or several) marks Multi-Arch: foreign. */
export function foreignThere(later: LaterMultiArch): string[] {
  return [...later].filter(([, e]) => e !== null).map(([n]) => n);
}

/** One package of this release that changed: not foreign here, foreign there. */
export interface AssumedForeign {
  name: string;
  version: string;
  arch: string;
  /** Its Multi-Arch here. */
  was: MultiArch;
  there: ForeignEvidence;
}

export interface AssumeForeignResult {
  /** Now counted as Multi-Arch: foreign. */
  assumed: AssumedForeign[];
  /** Foreign there but left as they are, with why. */
  kept: (AssumedForeign & { reason: string })[];
}

/** Why a package that is foreign there keeps its Multi-Arch here. */
export const KEPT: Readonly<Record<'same' | 'allowed', string>> = {
  same: 'Multi-Arch: same here: each architecture has its own content (linux-libc-dev became foreign by shipping every architecture in one package)',
  allowed: "Multi-Arch: allowed here: as foreign it would no longer satisfy this release's ':any' dependencies on it",
};

/**
 * Count the packages as Multi-Arch: foreign where the later release says they are. Only
 * Multi-Arch: no becomes foreign; same and allowed are kept, each with its reason (KEPT).
 */
export function assumeForeign(packages: Iterable<BinaryPackage>, later: ReadonlyMap<string, ForeignEvidence | null>): AssumeForeignResult {
  const out: AssumeForeignResult = { assumed: [], kept: [] };
  for (const p of packages) {
    if (p.multiArch === 'foreign' || p.crossConverted) continue;
    const there = later.get(p.name);
    if (!there) continue;
    const change: AssumedForeign = { name: p.name, version: p.version, arch: p.arch, was: p.multiArch, there };
    if (p.multiArch === 'same' || p.multiArch === 'allowed') {
      out.kept.push({ ...change, reason: KEPT[p.multiArch] });
      continue;
    }
    p.assumeForeign();
    out.assumed.push(change);
  }
  return out;
}

/**
 * A later index's name as a person reads it: "trixie's Packages_amd64.xz" from
 * …/dists/trixie/main/binary-amd64/Packages.xz, apt's …_dists_trixie_main_binary-amd64_Packages,
 * or …/trixie/Packages_amd64.xz (the folder's name).
 */
export function indexLabel(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const base = parts[parts.length - 1] ?? path;
  const dists = parts.indexOf('dists');
  if (dists >= 0 && parts[dists + 1]) return `${parts[dists + 1]}'s ${parts.slice(dists + 2).join('/')}`;
  const apt = /_dists_([^_]+)_(.+)$/.exec(base);
  if (apt) return `${apt[1]}'s ${apt[2]}`;
  const dir = parts[parts.length - 2];
  return dir ? `${dir}'s ${base}` : base;
}

/** "assuming python3-x:all 1.0-1 Multi-Arch: foreign (trixie's Packages_amd64.xz says so of 1.2-1)". */
export function formatAssumed(a: AssumedForeign): string {
  return `assuming ${a.name}:${a.arch} ${a.version} Multi-Arch: foreign (${a.there.from} says so of ${a.there.version})`;
}

/** "not assuming linux-libc-dev:amd64 6.1.1-1 Multi-Arch: foreign (trixie's … says so of 6.12-1): Multi-Arch: same here: …". */
export function formatKept(k: AssumedForeign & { reason: string }): string {
  return `not assuming ${k.name}:${k.arch} ${k.version} Multi-Arch: foreign (${k.there.from} says so of ${k.there.version}): ${k.reason}`;
}

/** One line: how many packages (and names) changed, as which indexes say, and how many were kept. */
export function summarizeAssumed(r: AssumeForeignResult, indexes: readonly string[]): string {
  const names = new Set(r.assumed.map((a) => a.name)).size;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const by = indexes.length === 1 ? `${indexes[0]} says` : `${indexes.slice(0, -1).join(', ')} and ${indexes[indexes.length - 1]} say`;
  const kept = r.kept.length
    ? `; ${n(r.kept.length, 'Multi-Arch: same or allowed package')} kept as ${r.kept.length === 1 ? 'it is' : 'they are'}`
    : '';
  return `assumed ${n(r.assumed.length, 'package')} (${n(names, 'name')}) Multi-Arch: foreign, as ${by}${kept}`;
}
