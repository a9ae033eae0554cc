// What a SOURCE argument names: an unpacked source tree (its debian/control), a .dsc, or a
// source package name looked up in the repositories in use.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Paragraph } from '../lib/deb822.js';
import { parseDeb822 } from '../lib/deb822.js';
import { InputError } from '../lib/errors.js';
import type { Universe } from '../lib/universe.js';
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
}

/** The first line of debian/changelog: 'hello (2.10-3) unstable; urgency=medium'. */
export function changelogVersion(text: string, file: string): { name: string; version: string } {
  const first = text.split('\n').find((l) => l.trim() !== '');
  const m = first && /^(\S+) \(([^()\s]+)\)/.exec(first);
  if (!m)
    throw new InputError("cannot read the package name and version from the first line (expected 'name (version) …')", { file, line: 1 });
  return { name: m[1]!, version: m[2]! };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { file });
  }
}

function fromTree(dir: string): SourceInput {
  const control = join(dir, 'debian', 'control');
  if (!existsSync(control)) throw new InputError('not a source tree: no debian/control', { file: dir });
  const paras = parseDeb822(readText(control), { file: control });
  const src = paras[0];
  if (!src || !src.has('Source')) throw new InputError("the first stanza has no 'Source' field", { file: control, line: src?.line ?? 1 });
  const changelog = join(dir, 'debian', 'changelog');
  const version = existsSync(changelog) ? changelogVersion(readText(changelog), changelog).version : '';
  return { name: src.get('Source')!, version, paragraph: src, file: control, kind: 'tree', path: resolve(dir), binaries: paras.slice(1) };
}

function fromDsc(file: string): SourceInput {
  const paras = parseDeb822(readText(file), { file });
  const p = paras[0];
  if (!p || !p.has('Source')) throw new InputError("not a .dsc: no 'Source' field", { file, line: p?.line ?? 1 });
  if (!p.has('Version')) throw new InputError("no 'Version' field", { file, line: p.line });
  return { name: p.get('Source')!, version: p.get('Version')!, paragraph: p, file, kind: 'dsc', path: resolve(file) };
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** Read a SOURCE argument; a name needs the universe (its source indexes). */
export function readSourceArg(arg: string, universe?: Universe): SourceInput {
  if (existsSync(arg)) {
    const st = statSync(arg);
    if (st.isDirectory()) return fromTree(arg);
    if (arg.endsWith('.dsc')) return fromDsc(arg);
    if (basename(arg) === 'control') return fromTree(resolve(arg, '..', '..'));
    throw new InputError('expected a source tree, a .dsc file or a source package name', { file: arg });
  }
  if (arg.endsWith('.dsc') || arg.includes('/')) throw new InputError('no such file or directory', { file: arg });
  const [name, wantVersion] = arg.split('=', 2) as [string, string | undefined];
  if (!SOURCE_NAME.test(name)) throw new InputError(`'${arg}' is neither a file nor a valid source package name`);
  const found = (universe?.sourcesNamed(name) ?? []).filter((s) => wantVersion === undefined || s.version === wantVersion);
  if (found.length === 0) {
    const hint =
      universe && universe.sources.length === 0
        ? " (no source index is in use: add 'deb-src' lines to apt's sources and run apt-get update, or give --repo with a Sources file)"
        : '';
    throw new InputError(`unknown source package '${arg}'${hint}`);
  }
  const best = found.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
  return {
    name: best.name,
    version: best.version,
    paragraph: best.paragraph,
    file: best.file,
    kind: 'index',
    base: universe!.origins[best.origin]?.base,
  };
}
