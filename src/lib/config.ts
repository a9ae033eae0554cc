// xdeb's configuration: the keys, the file syntax, and how layers combine.
// Files: /etc/xdeb/xdeb.cfg < ~/.config/xdeb/xdeb.cfg < XDEB_* variables < command-line flags.
//
//   # a comment
//   host-arch = arm64
//   profiles = cross, nocheck
//
//   [repository ppa]          # named sections, for keys that come in several (issue #8)
//   url = http://…

import { archTable } from './arch.js';
import { CONFIG_KEYS, envName, type ConfigKey } from './config-keys.js';
import { InputError, type InputLocation } from './errors.js';

export { CONFIG_KEYS, envName, type ConfigKey, type ConfigKind } from './config-keys.js';

const KEY_BY_NAME = new Map(CONFIG_KEYS.map((k) => [k.key, k]));

export function configKey(name: string): ConfigKey | undefined {
  return KEY_BY_NAME.get(name);
}

export type ConfigValue = string | boolean | number | string[];

/** Where a value came from, as `xdeb config` shows it. */
export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string; line: number }
  | { kind: 'environment'; variable: string }
  | { kind: 'command-line'; flag: string };

export function describeSource(s: ConfigSource): string {
  switch (s.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `${s.file}:${s.line}`;
    case 'environment':
      return `environment ${s.variable}`;
    case 'command-line':
      return `command line ${s.flag}`;
  }
}

export interface ConfigEntry {
  key: string;
  value: ConfigValue;
  text: string;
  source: ConfigSource;
}

/** A named section: `[repository ppa]` → kind 'repository', name 'ppa'. */
export interface ConfigSection {
  kind: string;
  name: string;
  entries: Map<string, { text: string; line: number }>;
  file: string;
  line: number;
}

export interface ParsedConfigFile {
  entries: ConfigEntry[];
  sections: ConfigSection[];
}

const TRUE = new Set(['yes', 'true', 'on', '1']);
const FALSE = new Set(['no', 'false', 'off', '0']);

/** Check and convert one value of `key`; InputError names where it came from. */
export function parseConfigValue(key: ConfigKey, text: string, loc: InputLocation & { what?: string } = {}): ConfigValue {
  const where = loc.what ? `${loc.what}: ` : '';
  const bad = (why: string): never => {
    throw new InputError(`${where}${key.key}: ${why}`, loc);
  };
  const t = text.trim();
  switch (key.kind) {
    case 'bool': {
      const l = t.toLowerCase();
      if (TRUE.has(l)) return true;
      if (FALSE.has(l)) return false;
      return bad(`'${t}' is not yes or no`);
    }
    case 'int':
      if (!/^\d+$/.test(t)) bad(`'${t}' is not a whole number`);
      return Number(t);
    case 'list':
      return t.split(/[,\s]+/).filter(Boolean);
    case 'arch':
      if (!archTable().isKnown(t)) bad(`'${t}' is not a known Debian architecture`);
      return t;
    case 'path':
      if (t === '') bad('empty path');
      return t;
    case 'string':
      return t;
  }
}

/** Parse one configuration file's text. Unknown keys and bad values are errors naming file and line. */
export function parseConfigFile(text: string, file: string): ParsedConfigFile {
  const entries: ConfigEntry[] = [];
  const sections: ConfigSection[] = [];
  const seen = new Map<string, number>();
  let section: ConfigSection | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const loc = { file, line: lineNo };
    const head = /^\[\s*([a-z][a-z0-9-]*)(?:\s+([^\]\s]+))?\s*\]$/.exec(trimmed);
    if (head) {
      if (!SECTION_KINDS.has(head[1]!))
        throw new InputError(`unknown section '[${head[1]}]' (known: ${[...SECTION_KINDS].join(', ')})`, loc);
      if (!head[2]) throw new InputError(`section '[${head[1]}]' needs a name: [${head[1]} NAME]`, loc);
      section = { kind: head[1]!, name: head[2], entries: new Map(), file, line: lineNo };
      sections.push(section);
      continue;
    }
    if (trimmed.startsWith('[')) throw new InputError(`malformed section header '${trimmed}'`, loc);
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new InputError(`expected 'key = value', found '${trimmed}'`, loc);
    const name = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    if (section) {
      const allowed = SECTION_KINDS.get(section.kind)!;
      if (!allowed.includes(name)) throw new InputError(`unknown key '${name}' in [${section.kind}] (known: ${allowed.join(', ')})`, loc);
      section.entries.set(name, { text: value, line: lineNo });
      continue;
    }
    const key = KEY_BY_NAME.get(name);
    if (!key) throw new InputError(`unknown key '${name}'${suggest(name)}`, loc);
    if (seen.has(name)) throw new InputError(`'${name}' is set twice (also on line ${seen.get(name)})`, loc);
    seen.set(name, lineNo);
    entries.push({ key: name, value: parseConfigValue(key, value, loc), text: value, source: { kind: 'file', file, line: lineNo } });
  }
  return { entries, sections };
}

/** Sections and the keys each takes. */
export const SECTION_KINDS = new Map<string, string[]>([
  ['repository', ['url', 'suite', 'components', 'upload', 'upload-suites', 'signed-by', 'priority', 'type']],
  ['toolchain', ['compiler', 'cflags', 'ldflags', 'flavour', 'isa']],
]);

/** The known key nearest to a misspelt one, when one is close enough. */
export function suggestKey(name: string): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of KEY_BY_NAME.keys()) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function suggest(name: string): string {
  const best = suggestKey(name);
  return best ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The effective configuration: every layer applied in order, each value with its source. */
export class Config {
  private readonly values = new Map<string, ConfigEntry>();
  readonly sections: ConfigSection[] = [];
  /** The files that were read, in order. */
  readonly files: string[] = [];
  /** --local-config FILE: its repositories and preferences replace apt's (docs/repositories.md). */
  localConfigFile: string | undefined;

  constructor() {
    for (const k of CONFIG_KEYS) {
      if (k.default !== undefined)
        this.values.set(k.key, { key: k.key, value: parseConfigValue(k, k.default), text: k.default, source: { kind: 'default' } });
    }
  }

  /** A default that depends on the machine (a path under $HOME): shown as 'default', like the built-in ones. */
  applyDefault(key: string, text: string): void {
    const k = KEY_BY_NAME.get(key);
    if (!k) throw new Error(`no configuration key ${key}`);
    this.values.set(key, { key, value: parseConfigValue(k, text), text, source: { kind: 'default' } });
  }

  applyFile(parsed: ParsedConfigFile, file: string): void {
    this.files.push(file);
    for (const e of parsed.entries) this.values.set(e.key, e);
    for (const s of parsed.sections) {
      const i = this.sections.findIndex((x) => x.kind === s.kind && x.name === s.name);
      if (i >= 0) this.sections.splice(i, 1);
      this.sections.push(s);
    }
  }

  /** XDEB_* variables; a bad value is an error naming the variable. */
  applyEnvironment(env: Record<string, string | undefined>): void {
    for (const k of CONFIG_KEYS) {
      const variable = envName(k.key);
      const text = env[variable];
      if (text === undefined || text === '') continue;
      this.values.set(k.key, {
        key: k.key,
        value: parseConfigValue(k, text, { what: `environment ${variable}` }),
        text,
        source: { kind: 'environment', variable },
      });
    }
  }

  /** A command-line flag, already parsed by the command. */
  applyFlag(key: string, value: ConfigValue | undefined, flag: string): void {
    if (value === undefined) return;
    const k = KEY_BY_NAME.get(key);
    if (!k) throw new Error(`no configuration key ${key}`);
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    const checked = typeof value === 'string' ? parseConfigValue(k, value, { what: flag }) : value;
    this.values.set(key, { key, value: checked, text, source: { kind: 'command-line', flag } });
  }

  entry(key: string): ConfigEntry | undefined {
    return this.values.get(key);
  }

  get(key: string): ConfigValue | undefined {
    return this.values.get(key)?.value;
  }

  string(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : String(v);
  }

  bool(key: string): boolean {
    return this.get(key) === true;
  }

  list(key: string): string[] {
    const v = this.get(key);
    return Array.isArray(v) ? v : v === undefined ? [] : [String(v)];
  }

  entries(): ConfigEntry[] {
    return CONFIG_KEYS.map((k) => this.values.get(k.key)).filter((e): e is ConfigEntry => e !== undefined);
  }
}
