// What a SOURCE argument names: an unpacked source tree (its debian/control), a .dsc, or a
// source package name looked up in the repositories in use.

import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Paragraph } from '../lib/deb822.js';
import { parseDeb822 } from '../lib/deb822.js';
import { InputError } from '../lib/errors.js';
import { readTextFile } from './text-stream.js';
import type { SourcePackage, Universe } from '../lib/universe.js';
import { compareVersions } from '../lib/version.js';

export interface SourceInput {
  name: string;
  version: string;
  /** The source stanza (Build-Depends…). */
  paragraph: Paragraph;
  /** The file the stanza was read from, for messages. */
  file: string;
  kind: 'tree' | 'dsc' | 'index';
  /** The tree's directory (kind 'tree'), or the .dsc's path. */
  path?: string;
  /** Binary stanzas of debian/control (kind 'tree'). */
  binaries?: Paragraph[];
  /** For kind 'index': the root of the repository it came from, when that is on this machine. */
  base?: string;
  /** For kind 'index': the suite (or repository) it comes from, for messages. */
  from?: string;
  /** For kind 'index': the other versions the repositories have, to name when this one cannot be fetched. */
  others?: { version: string; from: string }[];
}

/** The first line of debian/changelog: 'hello (2.10-3) unstable; urgency=medium'. */
export function changelogVersion(text: string, file: string): { name: string; version: string } {
  const first = text.split('\n').find((l) => l.trim() !== '');
  const m = first && /^(\S+) \(([^()\s]+)\)/.exec(first);
  if (!m)
    throw new InputError("cannot read the package name and version from the first line (expected 'name (version) …')", { file, line: 1 });
  return { name: m[1]!, version: m[2]! };
}

function fromTree(dir: string): SourceInput {
  const control = join(dir, 'debian', 'control');
  if (!existsSync(control)) throw new InputError('not a source tree: no debian/control', { file: dir });
  const paras = parseDeb822(readTextFile(control), { file: control });
  const src = paras[0];
  if (!src || !src.has('Source')) throw new InputError("the first stanza has no 'Source' field", { file: control, line: src?.line ?? 1 });
  const changelog = join(dir, 'debian', 'changelog');
  const version = existsSync(changelog) ? changelogVersion(readTextFile(changelog), changelog).version : '';
  return { name: src.get('Source')!, version, paragraph: src, file: control, kind: 'tree', path: resolve(dir), binaries: paras.slice(1) };
}

function fromDsc(file: string): SourceInput {
  const paras = parseDeb822(readTextFile(file), { file });
  const p = paras[0];
  if (!p || !p.has('Source')) throw new InputError("not a .dsc: no 'Source' field", { file, line: p?.line ?? 1 });
  if (!p.has('Version')) throw new InputError("no 'Version' field", { file, line: p.line });
  return { name: p.get('Source')!, version: p.get('Version')!, paragraph: p, file, kind: 'dsc', path: resolve(file) };
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_-]*$/;

/** A source named as apt-get source names it: NAME, NAME=VERSION or NAME/SUITE (a suite or codename). */
export interface SourceName {
  name: string;
  version?: string;
  suite?: string;
}

/** NAME, NAME=VERSION or NAME/SUITE; undefined when `arg` is none of them (a path, say). */
export function parseSourceName(arg: string): SourceName | undefined {
  const eq = arg.indexOf('=');
  if (eq > 0) {
    const name = arg.slice(0, eq);
    const version = arg.slice(eq + 1);
    return SOURCE_NAME.test(name) && version !== '' && !version.includes('/') ? { name, version } : undefined;
  }
  const slash = arg.indexOf('/');
  if (slash > 0) {
    const name = arg.slice(0, slash);
    const suite = arg.slice(slash + 1);
    return SOURCE_NAME.test(name) && SUITE_NAME.test(suite) ? { name, suite } : undefined;
  }
  return SOURCE_NAME.test(arg) ? { name: arg } : undefined;
}

/** Where a source record comes from, for messages: its suite (and codename), else its repository's label. */
export function sourceOrigin(universe: Universe, s: SourcePackage): string {
  const o = universe.origins[s.origin];
  const r = o?.release;
  if (r?.suite && r.codename && r.codename !== r.suite) return `${r.suite} (${r.codename})`;
  return r?.suite ?? r?.codename ?? o?.label ?? s.file;
}

function inSuite(universe: Universe, s: SourcePackage, suite: string): boolean {
  const r = universe.origins[s.origin]?.release;
  return r?.suite === suite || r?.codename === suite;
}

/** Every version of a source the repositories in use have, newest first, with where each comes from. */
export function sourceVersions(universe: Universe, name: string): { version: string; from: string }[] {
  const seen = new Set<string>();
  const out: { version: string; from: string }[] = [];
  for (const s of [...universe.sourcesNamed(name)].sort((a, b) => compareVersions(b.version, a.version))) {
    const from = sourceOrigin(universe, s);
    if (seen.has(`${s.version}\0${from}`)) continue;
    seen.add(`${s.version}\0${from}`);
    out.push({ version: s.version, from });
  }
  return out;
}

/**
 * The source a name stands for in the repositories in use: the newest version, or the one asked for (=VERSION), or the newest in a suite
 * (/SUITE). An InputError says what is there instead.
 */
export function findSource(universe: Universe, arg: string, named: SourceName): SourcePackage {
  const all = universe.sourcesNamed(named.name);
  const found = all.filter(
    (s) => (named.version === undefined || s.version === named.version) && (named.suite === undefined || inSuite(universe, s, named.suite)),
  );
  if (found.length === 0) {
    if (all.length) {
      const there = sourceVersions(universe, named.name).map((v) => `${v.version} (${v.from})`);
      throw new InputError(`no source '${arg}' in the repositories in use; ${named.name} is there as ${there.join(', ')}`);
    }
    const hint =
      universe.sourceCount === 0
        ? " (no source index is in use: add 'deb-src' lines to apt's sources and run apt-get update — for a chroot made without them, xdeb-chroot update NAME adds them — or give --repo with a Sources file)"
        : '';
    throw new InputError(`unknown source package '${arg}'${hint}`);
  }
  return found.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
}

/** Read a SOURCE argument; a name needs the universe (its source indexes). */
export function readSourceArg(arg: string, universe?: Universe): SourceInput {
  if (existsSync(arg)) {
    const st = statSync(arg);
    if (st.isDirectory()) return fromTree(arg);
    if (arg.endsWith('.dsc')) return fromDsc(arg);
    if (basename(arg) === 'control') return fromTree(resolve(arg, '..', '..'));
    throw new InputError('expected a source tree, a .dsc file or a source package name', { file: arg });
  }
  const named = arg.endsWith('.dsc') ? undefined : parseSourceName(arg);
  if (!named) {
    if (arg.endsWith('.dsc') || arg.includes('/')) throw new InputError('no such file or directory', { file: arg });
    throw new InputError(`'${arg}' is neither a file nor a valid source package name`);
  }
  if (!universe) throw new InputError(`unknown source package '${arg}'`);
  const best = findSource(universe, arg, named);
  return {
    name: best.name,
    version: best.version,
    paragraph: best.paragraph,
    file: best.file,
    kind: 'index',
    base: universe.origins[best.origin]?.base,
    from: sourceOrigin(universe, best),
    others: sourceVersions(universe, best.name).filter((v) => v.version !== best.version),
  };
}
