// A distro's set of sources and its base, as XinHui writes them: one source a line (a name, NAME=VERSION,
// NAME/SUITE, a .dsc or a source tree), `#` comments, blank lines. The set is built from source against
// itself; the base is taken as given (its binaries come from the repositories, nothing of it is rebuilt).

import { InputError } from './errors.js';

export interface SetEntry {
  /** As written: what xdeb-sequence is given for it. */
  arg: string;
  file: string;
  line: number;
}

const NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** The entries of a set or base file; a line that is no source names file and line. */
export function parseSourceList(text: string, file: string): SetEntry[] {
  const out: SetEntry[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/#.*$/, '').trim();
    if (t === '') return;
    if (/\s/.test(t)) throw new InputError(`one source a line, found '${t}'`, { file, line });
    if (!isSourceWord(t))
      throw new InputError(`'${t}' is not a source (NAME, NAME=VERSION, NAME/SUITE, a .dsc or a directory)`, { file, line });
    const again = seen.get(t);
    if (again !== undefined) throw new InputError(`'${t}' is listed twice (also on line ${again})`, { file, line });
    seen.set(t, line);
    out.push({ arg: t, file, line });
  });
  return out;
}

/** A name, NAME=VERSION, NAME/SUITE, or a path (a .dsc, a directory: anything with a slash or a dot-slash). */
function isSourceWord(t: string): boolean {
  if (t.endsWith('.dsc') || t.startsWith('/') || t.startsWith('./') || t.startsWith('../')) return true;
  const name = t.split(/[=/]/, 1)[0]!;
  return NAME.test(name) && !/[=/]$/.test(t);
}

/** The source name an entry names, when it is a name (not a path): 'giflib' for giflib, giflib=5.2.1-2.5 and giflib/bookworm. */
export function entryName(arg: string): string | undefined {
  if (arg.endsWith('.dsc') || arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const name = arg.split(/[=/]/, 1)[0]!;
  return NAME.test(name) ? name : undefined;
}

/**
 * The base: 'outside' (every source outside the set: what the repositories have of them is taken as given), or the source names of a
 * list (a file's entries, or a comma-separated list on the command line).
 */
export type Base = { kind: 'outside' } | { kind: 'sources'; names: Map<string, { file: string; line?: number }> };

export function baseFromEntries(entries: readonly SetEntry[]): Base {
  const names = new Map<string, { file: string; line?: number }>();
  for (const e of entries) {
    const n = entryName(e.arg);
    if (!n) throw new InputError(`a base names sources by name, not '${e.arg}'`, { file: e.file, line: e.line });
    names.set(n, { file: e.file, line: e.line });
  }
  return { kind: 'sources', names };
}

/** `--base a,b,c` on the command line. */
export function baseFromList(text: string): Base {
  if (text.trim() === 'outside') return { kind: 'outside' };
  const names = new Map<string, { file: string; line?: number }>();
  for (const n of text.split(/[,\s]+/).filter(Boolean)) {
    if (!NAME.test(n)) throw new InputError(`'${n}' is not a source name`, { file: '--base' });
    names.set(n, { file: '--base' });
  }
  return { kind: 'sources', names };
}
