// Where the pins come from: apt's own preferences (the files apt-config names: the machine's, or a
// chroot's or private apt's through APT_CONFIG, and APT::Default-Release), or, with --local-config,
// the file the configuration's `preferences` key names. Also the Release fields of apt's lists.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parsePreferences, parsePin, type PinRecord, type ReleaseInfo } from '../lib/apt-preferences.js';
import type { Config } from '../lib/config.js';
import { parseDeb822 } from '../lib/deb822.js';
import { EnvironmentError, InputError } from '../lib/errors.js';
import { runTool } from './run-tool.js';

function readText(file: string, required: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the preferences file: ${(e as Error).message}`, { file });
  }
}

/** apt reads preferences.d files with no extension or .pref, of these characters only, in order. */
function preferencePartNames(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /^[A-Za-z0-9_.-]+$/.test(n) && (!n.includes('.') || n.endsWith('.pref'))).sort();
}

/** The records apt itself reads, in its order: APT::Default-Release's pin, the preferences file, then preferences.d. */
export async function readAptPreferences(aptEnv?: NodeJS.ProcessEnv): Promise<PinRecord[]> {
  const r = await runTool(
    'apt-config',
    ['shell', 'P', 'Dir::Etc::preferences/f', 'PP', 'Dir::Etc::preferencesparts/d', 'DR', 'APT::Default-Release'],
    { env: aptEnv },
  );
  if (r.code !== 0) throw new EnvironmentError(`apt-config failed: ${r.stderr.trim()}`);
  const vars: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^(\w+)='((?:[^']|'\\'')*)'$/gm)) vars[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  const out: PinRecord[] = [];
  if (vars.DR)
    out.push({
      packages: null,
      pin: parsePin(`release ${vars.DR}`, { file: 'APT::Default-Release', line: 0 }),
      priority: 990,
      file: 'APT::Default-Release',
      line: 0,
      text: `release ${vars.DR}`,
    });
  if (vars.P) {
    const text = readText(vars.P, false);
    if (text !== undefined) out.push(...parsePreferences(text, vars.P));
  }
  if (vars.PP) {
    for (const n of preferencePartNames(vars.PP)) {
      const file = join(vars.PP, n);
      if (!statSync(file).isFile()) continue;
      out.push(...parsePreferences(readText(file, true)!, file));
    }
  }
  return out;
}

/** With --local-config: the `preferences` file of that configuration (relative to it), if it names one. */
export function readConfiguredPreferences(cfg: Config): PinRecord[] {
  const e = cfg.entry('preferences');
  if (!e || typeof e.value !== 'string') return [];
  const base = e.source.kind === 'file' ? dirname(e.source.file) : process.cwd();
  const file = isAbsolute(e.value) ? e.value : resolve(base, e.value);
  const text = readText(file, true)!;
  return parsePreferences(text, file);
}

/** The Release beside an index of apt's lists: its file name minus the index part (METAKEY) is the Release's prefix. */
export function listsReleaseFile(indexFile: string, metaKey: string): string | undefined {
  const plain = indexFile.replace(/\.(lz4|gz|xz|zst|bz2|lzma)$/, '');
  const tail = metaKey.replace(/\//g, '_');
  if (!plain.endsWith(tail)) return undefined;
  const prefix = plain.slice(0, -tail.length);
  for (const name of ['InRelease', 'Release']) {
    try {
      statSync(prefix + name);
      return prefix + name;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/** The fields of a Release (or InRelease) file that pins and defaults use. */
export function readReleaseFile(file: string): Omit<ReleaseInfo, 'site' | 'component' | 'architecture'> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const p = parseDeb822(text, { file, signed: true })[0];
  if (!p) return {};
  const yes = (f: string) => p.get(f)?.trim().toLowerCase() === 'yes';
  return {
    origin: p.get('Origin')?.trim(),
    label: p.get('Label')?.trim(),
    suite: (p.get('Suite') ?? p.get('Archive'))?.trim(),
    codename: p.get('Codename')?.trim(),
    version: p.get('Version')?.trim(),
    notAutomatic: yes('NotAutomatic'),
    butAutomaticUpgrades: yes('ButAutomaticUpgrades'),
  };
}
