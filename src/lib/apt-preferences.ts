// apt_preferences(5), read and applied the way apt 2.6 applies them (policy.cc, versionmatch.cc),
// so that xdeb's resolver picks the version apt's policy would pick (docs/repositories.md).
//
// - A record whose Package is `*` is a *general* pin: it gives a priority to an index file (its
//   Release: `Pin: release o=…, a=…, n=…, v=…, c=…, l=…, b=…` or `Pin: origin HOST`). For each
//   index the FIRST matching general record wins; without one: 500, 1 for NotAutomatic, 100 for
//   NotAutomatic + ButAutomaticUpgrades, 100 for dpkg's status.
// - Any other Package field makes a *specific* pin (names, globs, /regexes/, src:NAME, with :ARCH or
//   :any; without an architecture only the native one and `all` match). The FIRST specific record
//   that matches a package version (its version, or one of the index files it comes from) decides.
// - Otherwise a version's priority is the highest of the index files it comes from.
// Values in conditions are globs (fnmatch) or /regexes/, as apt's ExpressionMatches.

import { parseDeb822, type Paragraph } from './deb822.js';
import { InputError } from './errors.js';

/** What a Release file (and where it was fetched from) says, as pins match it. */
export interface ReleaseInfo {
  /** o= */
  origin?: string;
  /** l= */
  label?: string;
  /** a= (Suite, also called Archive) */
  suite?: string;
  /** n= */
  codename?: string;
  /** v= */
  version?: string;
  /** c= (of the index, not of the Release) */
  component?: string;
  /** b= (of the index) */
  architecture?: string;
  /** `Pin: origin` compares this: the host name of the repository's URI, '' for file: and cdrom: repositories. */
  site: string;
  notAutomatic?: boolean;
  butAutomaticUpgrades?: boolean;
}

export type PinCondition =
  | { kind: 'release'; all: boolean; conditions: Partial<Record<'o' | 'l' | 'a' | 'n' | 'v' | 'c' | 'b' | 'release', string>> }
  | { kind: 'origin'; site: string }
  | { kind: 'version'; pattern: string };

export interface PinRecord {
  /** null for `Package: *` (a general pin). */
  packages: PackagePattern[] | null;
  pin: PinCondition;
  priority: number;
  file: string;
  line: number;
  /** The Pin line as written, for messages. */
  text: string;
}

export interface PackagePattern {
  /** Matches the source package's name (src:NAME). */
  source: boolean;
  /** Name glob or regex (compiled). */
  name: RegExp;
  /** Exact name when the pattern is a plain name (for an index lookup). */
  plain?: string;
  /** undefined: the native architecture (and all); 'any': every one; else that one. */
  arch?: string;
}

/** A glob (fnmatch: * ? [..]) or a /regex/ as a RegExp matching a whole string. */
export function expressionRegExp(pattern: string): RegExp {
  if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
    try {
      return new RegExp(pattern.slice(1, -1));
    } catch {
      return /(?!)/;
    }
  }
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, close);
        if (set.startsWith('!')) set = '^' + set.slice(1);
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  return expressionRegExp(pattern).test(value);
}

const RELEASE_KEYS = new Set(['o', 'l', 'a', 'n', 'v', 'c', 'b']);

/** The Pin field: `release …`, `origin …`, `version …`. */
export function parsePin(text: string, loc: { file: string; line: number }): PinCondition {
  const m = /^(\S+)\s*(.*)$/.exec(text.trim());
  const type = m?.[1];
  const data = (m?.[2] ?? '').trim();
  if (type === 'version') {
    if (!data) throw new InputError("'Pin: version' needs a version (or a pattern such as 1.2*)", loc);
    return { kind: 'version', pattern: data };
  }
  if (type === 'origin') return { kind: 'origin', site: data.replace(/^"(.*)"$/, '$1') };
  if (type !== 'release') throw new InputError(`unknown pin type '${type ?? ''}' (release, origin or version)`, loc);
  if (data === '*' || data === '') return { kind: 'release', all: data === '*', conditions: {} };
  const conditions: Partial<Record<'o' | 'l' | 'a' | 'n' | 'v' | 'c' | 'b' | 'release', string>> = {};
  if (!data.includes('=')) {
    // A bare word: a version when it starts with a digit, else a suite or codename.
    if (/^\d/.test(data)) conditions.v = data;
    else conditions.release = data;
    return { kind: 'release', all: false, conditions };
  }
  // "For any type of condition (such as two a conditions), only the last such condition is checked."
  for (const part of data.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq).trim() : '';
    if (!RELEASE_KEYS.has(key)) throw new InputError(`'${p}' is not a release condition (o=, l=, a=, n=, v=, c=, b=)`, loc);
    conditions[key as 'o'] = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { kind: 'release', all: false, conditions };
}

function parsePackages(text: string, loc: { file: string; line: number }): PackagePattern[] | null {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new InputError("'Package:' is empty", loc);
  if (words.length === 1 && words[0] === '*') return null;
  return words.map((w) => {
    let source = false;
    let word = w;
    if (word.startsWith('src:')) {
      source = true;
      word = word.slice(4);
    }
    let arch: string | undefined;
    // A regex may hold ':' itself: the architecture follows its closing slash.
    const colon = word.startsWith('/')
      ? word.lastIndexOf('/') > 0
        ? word.indexOf(':', word.lastIndexOf('/'))
        : -1
      : word.lastIndexOf(':');
    if (colon > 0) {
      arch = word.slice(colon + 1);
      word = word.slice(0, colon);
    }
    if (!word) throw new InputError(`'${w}' names no package`, loc);
    const plain = /^[a-z0-9][a-z0-9+.-]*$/.test(word) ? word : undefined;
    return { source, name: expressionRegExp(word), plain, arch };
  });
}

/** Parse a preferences file's text; a malformed record is an InputError naming file and line. */
export function parsePreferences(text: string, file: string): PinRecord[] {
  const out: PinRecord[] = [];
  let paragraphs: Paragraph[];
  try {
    paragraphs = parseDeb822(text, { file, comments: true, signed: false });
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError((e as Error).message, { file });
  }
  for (const p of paragraphs) {
    const known = new Set(['package', 'pin', 'pin-priority', 'explanation', 'description']);
    for (let i = 0; i < p.names.length; i++) {
      if (!known.has(p.names[i]!.toLowerCase()))
        throw new InputError(`unknown field '${p.names[i]}' in a preferences record (Package, Pin, Pin-Priority, Explanation)`, {
          file,
          line: p.lines[i],
        });
    }
    const pkg = p.get('Package');
    const pin = p.get('Pin');
    const prio = p.get('Pin-Priority');
    // A record of Explanation lines alone is a comment.
    if (pkg === undefined && pin === undefined && prio === undefined) continue;
    const at = (field: string) => ({ file, line: p.lineOf(field) || p.line });
    if (pkg === undefined) throw new InputError('a preferences record needs a Package field', at('Pin'));
    if (pin === undefined) throw new InputError('a preferences record needs a Pin field', at('Package'));
    if (prio === undefined) throw new InputError('a preferences record needs a Pin-Priority field', at('Package'));
    if (!/^[+-]?\d+$/.test(prio.trim())) throw new InputError(`Pin-Priority '${prio}' is not a whole number`, at('Pin-Priority'));
    const priority = Number(prio.trim());
    if (priority === 0)
      throw new InputError(
        'Pin-Priority 0 has undefined behaviour in apt; use a negative priority to forbid, or a positive one',
        at('Pin-Priority'),
      );
    out.push({
      packages: parsePackages(pkg, at('Package')),
      pin: parsePin(pin, at('Pin')),
      priority,
      file,
      line: p.lineOf('Package') || p.line,
      text: pin.trim(),
    });
  }
  return out;
}

/** Does a release/origin condition match an index file? (apt's pkgVersionMatch::FileMatch) */
export function pinMatchesRelease(pin: PinCondition, r: ReleaseInfo | undefined): boolean {
  if (!r) return false;
  if (pin.kind === 'origin') return matches(pin.site, r.site);
  if (pin.kind !== 'release') return false;
  if (pin.all) return true;
  const c = pin.conditions;
  if (Object.keys(c).length === 0) return false;
  if (c.v !== undefined && !matches(c.v, r.version)) return false;
  if (c.o !== undefined && !matches(c.o, r.origin)) return false;
  if (c.a !== undefined && !matches(c.a, r.suite)) return false;
  if (c.n !== undefined && !matches(c.n, r.codename)) return false;
  if (c.release !== undefined && !matches(c.release, r.suite) && !matches(c.release, r.codename)) return false;
  if (c.l !== undefined && !matches(c.l, r.label)) return false;
  if (c.c !== undefined && !matches(c.c, r.component)) return false;
  if (c.b !== undefined && !matches(c.b, r.architecture)) return false;
  return true;
}

/** The default priority of an index file, before any pin. */
export function defaultPriority(r: ReleaseInfo | undefined, status = false): number {
  if (status) return 100;
  if (r?.notAutomatic) return r.butAutomaticUpgrades ? 100 : 1;
  return 500;
}

/** An index file's priority: the first general record that matches it, else its default. */
export function indexPriority(
  records: readonly PinRecord[],
  r: ReleaseInfo | undefined,
  fallback = defaultPriority(r),
): { priority: number; record?: PinRecord } {
  for (const rec of records) if (rec.packages === null && pinMatchesRelease(rec.pin, r)) return { priority: rec.priority, record: rec };
  return { priority: fallback };
}

export interface PinnedVersion {
  name: string;
  /** The package's architecture ('all' or a real one). */
  arch: string;
  source: string;
  version: string;
  /** The Release of each index file it comes from. */
  releases: readonly (ReleaseInfo | undefined)[];
}

function packageMatches(p: PackagePattern, v: PinnedVersion, nativeArch: string): boolean {
  if (p.arch === undefined) {
    if (v.arch !== nativeArch && v.arch !== 'all') return false;
  } else if (p.arch !== 'any' && p.arch !== v.arch) return false;
  return p.name.test(p.source ? v.source : v.name);
}

/** The first specific record that matches a package version, if any (apt's VerPins). */
export function specificPin(records: readonly PinRecord[], v: PinnedVersion, nativeArch: string): PinRecord | undefined {
  for (const rec of records) {
    if (rec.packages === null) continue;
    if (!rec.packages.some((p) => packageMatches(p, v, nativeArch))) continue;
    const pin = rec.pin;
    if (pin.kind === 'version' ? matches(pin.pattern, v.version) : v.releases.some((r) => pinMatchesRelease(pin, r))) return rec;
  }
  return undefined;
}

/** Plain names that specific records name (the rest — globs, regexes, src: — must be tried on every package). */
export function specificNames(records: readonly PinRecord[]): { names: Set<string>; everyPackage: boolean } {
  const names = new Set<string>();
  let everyPackage = false;
  for (const rec of records) {
    for (const p of rec.packages ?? []) {
      if (p.plain && !p.source) names.add(p.plain);
      else everyPackage = true;
    }
  }
  return { names, everyPackage };
}

/** xdeb's own general record for its local repository: after the user's, so that theirs decide (docs/repositories.md). */
export function localRepositoryPin(priority = 990): PinRecord {
  return {
    packages: null,
    pin: { kind: 'release', all: false, conditions: { o: 'xdeb', l: 'xdeb local repository' } },
    priority,
    file: '(xdeb built-in)',
    line: 0,
    text: 'release o=xdeb, l=xdeb local repository',
  };
}
