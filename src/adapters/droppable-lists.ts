// botch's lists of build-dependencies that a first build of a source can do without (package botch:
// /usr/share/botch/droppable/*.list), read for xdeb-sequence --bootstrap.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDroppableList, type DroppableEntry, type SkippedLine } from '../lib/bootstrap-hints.js';
import { InputError } from '../lib/errors.js';

export const DEFAULT_DROPPABLE_DIR = '/usr/share/botch/droppable';

/** Every `*.list` of `dir`, in the order of their names; a directory that is not there has none. */
export function readDroppableLists(dir: string): { entries: DroppableEntry[]; skipped: SkippedLine[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { entries: [], skipped: [] };
    if (code === 'ENOTDIR') throw new InputError('not a directory of droppable lists (*.list)', { file: dir });
    throw e;
  }
  const entries: DroppableEntry[] = [];
  const skipped: SkippedLine[] = [];
  for (const name of names.filter((n) => n.endsWith('.list')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const file = join(dir, name);
    const r = parseDroppableList(readFileSync(file, 'utf8'), file);
    entries.push(...r.entries);
    skipped.push(...r.skipped);
  }
  return { entries, skipped };
}
