// dpkg's own architecture tables (/usr/share/dpkg/{cputable,ostable,tupletable,abitable}):
// when dpkg is installed they win over xdeb's built-in copy, so that a newer dpkg's
// architectures are known without a new xdeb.

import { readFileSync } from 'node:fs';
import { ArchTable, archTable, useArchTable, type DpkgTableTexts } from '../lib/arch.js';

export const DPKG_DATADIR = '/usr/share/dpkg';

/** The table loaded from `dir`, or undefined when one of the four files cannot be read. */
export function loadDpkgArchTable(dir = DPKG_DATADIR): ArchTable | undefined {
  const texts: Partial<DpkgTableTexts> = {};
  for (const name of ['cputable', 'ostable', 'tupletable', 'abitable'] as const) {
    try {
      texts[name] = readFileSync(`${dir}/${name}`, 'utf8');
    } catch {
      return undefined;
    }
  }
  return new ArchTable(texts as DpkgTableTexts);
}

let installed = false;

/**
 * Make dpkg's tables the ones in use (archTable()) when they are installed; otherwise the
 * built-in copy stays. Returns the table in use. Reads the files once per process.
 */
export function useSystemArchTable(): ArchTable {
  if (!installed) {
    const table = loadDpkgArchTable();
    if (table) useArchTable(table);
    installed = true;
  }
  return archTable();
}
