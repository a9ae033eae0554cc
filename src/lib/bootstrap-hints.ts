// How to break build-dependency loops that nothing else breaks (xdeb-sequence --bootstrap): a user's hints file, and botch's
// lists of droppable build-dependencies.
//
// A hints file is deb822, one stanza per source:
//
//   Source: libselinux
//   Drop-Build-Depends: swig, python3-all-dev
//   Reason: the python bindings are not needed for the first build
//
// with exactly one of Drop-Build-Depends (binary package names), Profiles (build profile names) and Avoid-Profiles (profiles
// whose builds of the source are broken: the planner does not use them, whatever the metadata offers).
//
// A droppable list (/usr/share/botch/droppable/*.list) has one line per source, `src:NAME PACKAGE…`, or (the weak list) one
// binary package name a line, droppable from any source; `#` starts a comment, as botch reads them.

import { parseDeb822, type Paragraph } from './deb822.js';
import { InputError } from './errors.js';
import { parseProfileList } from './local-repo-layout.js';

export interface BootstrapHint {
  source: string;
  /** Binary packages the source's first build does without (Drop-Build-Depends); empty when `profiles` is not. */
  drop: string[];
  /** Build profiles its first build uses (Profiles); empty when `drop` is not. */
  profiles: string[];
  /** Build profiles not to build the source with (Avoid-Profiles: its builds with them are broken). */
  avoid: string[];
  reason: string;
  file: string;
  /** The stanza's first line. */
  line: number;
}

export interface DroppableEntry {
  /** null: any source (the weak list). */
  source: string | null;
  drop: string[];
  file: string;
  line: number;
}

/** A line of a droppable list that is not read, and why (Debian's data has typos: `srv:gvfs …`). */
export interface SkippedLine {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Source and binary package names (Debian Policy §5.6.1, §5.6.7). */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

const FIELDS = ['Source', 'Drop-Build-Depends', 'Profiles', 'Avoid-Profiles', 'Reason'] as const;
const KINDS = ['Drop-Build-Depends', 'Profiles', 'Avoid-Profiles'] as const;

/** The hints of a hints file; anything wrong is an InputError naming the file and the line of the field at fault. */
export function parseHints(text: string, file: string): BootstrapHint[] {
  return parseDeb822(text, { file, signed: false }).map((p) => hintOf(p, file));
}

function hintOf(p: Paragraph, file: string): BootstrapHint {
  const at = (line: number) => ({ file, line });
  for (let i = 0; i < p.size; i++) {
    const name = p.names[i]!;
    if (FIELDS.some((f) => f.toLowerCase() === name.toLowerCase())) continue;
    const near = nearestField(name);
    throw new InputError(
      `unknown field '${name}'${near ? ` (did you mean '${near}'?)` : ''}; a hint has ${FIELDS.map((f) => `'${f}'`).join(', ')}`,
      at(p.lines[i]!),
    );
  }
  const source = p.get('Source');
  if (source === undefined) throw new InputError("the stanza has no 'Source' field", at(p.line));
  if (!PACKAGE_NAME.test(source)) throw new InputError(`Source: '${source}' is not a source package name`, at(p.lineOf('Source')));

  const given = KINDS.filter((k) => p.get(k) !== undefined);
  if (given.length > 1) {
    const later = [...given].sort((a, b) => p.lineOf(b) - p.lineOf(a))[0]!;
    throw new InputError(
      `a hint has one of ${KINDS.map((k) => `'${k}'`).join(', ')}, not ${given.map((k) => `'${k}'`).join(' and ')} (write a stanza for each way of building ${source})`,
      at(p.lineOf(later)),
    );
  }
  if (given.length === 0) throw new InputError(`the hint for ${source} says none of ${KINDS.map((k) => `'${k}'`).join(', ')}`, at(p.line));

  let drop: string[] = [];
  let profiles: string[] = [];
  let avoid: string[] = [];
  const kind = given[0]!;
  const line = p.lineOf(kind);
  if (kind === 'Drop-Build-Depends') drop = packageNames(p.get(kind)!, kind, at(line));
  else {
    const list = parseProfileList(p.get(kind)!, at(line));
    if (list.length === 0) throw new InputError(`${kind}: no build profile named`, at(line));
    if (kind === 'Profiles') profiles = list;
    else avoid = list;
  }

  const reasonText = p.get('Reason');
  if (reasonText === undefined) throw new InputError(`the hint for ${source} has no 'Reason' field`, at(p.line));
  // A reason over several lines reads as one.
  const reason = reasonText
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  if (reason === '') throw new InputError('Reason: empty', at(p.lineOf('Reason')));
  return { source, drop, profiles, avoid, reason, file, line: p.line };
}

/** Binary package names, comma- or space-separated, each once; a version or an alternative is an error. */
function packageNames(text: string, field: string, loc: { file: string; line: number }): string[] {
  const out: string[] = [];
  for (const name of text.split(/[,\s]+/).filter(Boolean)) {
    if (!PACKAGE_NAME.test(name)) {
      const why = /[(|[<]/.test(name) ? ' (binary package names only: no versions, alternatives, architectures or profiles)' : '';
      throw new InputError(`${field}: '${name}' is not a binary package name${why}`, loc);
    }
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) throw new InputError(`${field}: no package named`, loc);
  return out;
}

/** The field a misspelt name most likely meant: a small edit away, or one name inside the other (Build-Depends). */
function nearestField(name: string): string | undefined {
  const n = name.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of FIELDS) {
    const k = f.toLowerCase();
    const inside = n.length >= 4 && (k.includes(n) || n.includes(k));
    const d = inside ? 0.5 : editDistance(n, k);
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return bestD <= Math.max(2, n.length / 4) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/**
 * The entries of one droppable list. A line whose first word has a prefix other than `src:` is skipped and said why (Debian's
 * thorsten-glaser.list has `srv:gvfs …`); any other line that is neither `src:NAME PACKAGE…` nor one package name is an InputError.
 */
export function parseDroppableList(text: string, file: string): { entries: DroppableEntry[]; skipped: SkippedLine[] } {
  const entries: DroppableEntry[] = [];
  const skipped: SkippedLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/#.*$/, '').trim();
    if (t === '') return;
    const words = t.split(/\s+/);
    const first = words[0]!;
    const prefix = /^([^:\s]*):/.exec(first);
    if (prefix && prefix[1] !== 'src') {
      skipped.push({ file, line, text: t, why: `'${prefix[1]}:' is not 'src:' (a typo in the list?)` });
      return;
    }
    if (prefix) {
      const source = first.slice(4);
      if (!PACKAGE_NAME.test(source)) throw new InputError(`'${first}': '${source}' is not a source package name`, { file, line });
      const drop = listedNames(words.slice(1), { file, line });
      if (drop.length === 0) throw new InputError(`'${first}' names no build-dependency to drop`, { file, line });
      entries.push({ source, drop, file, line });
      return;
    }
    if (words.length > 1) throw new InputError(`expected 'src:SOURCE PACKAGE…' or one package name, found '${t}'`, { file, line });
    entries.push({ source: null, drop: listedNames(words, { file, line }), file, line });
  });
  return { entries, skipped };
}

/** Binary package names of a list line, each once (Debian's lists repeat some). */
function listedNames(words: readonly string[], loc: { file: string; line: number }): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (!PACKAGE_NAME.test(w)) throw new InputError(`'${w}' is not a binary package name`, loc);
    if (!out.includes(w)) out.push(w);
  }
  return out;
}
