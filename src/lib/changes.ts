// Upload descriptions: a .changes (deb-changes(5)) or a .dsc (deb-src-control(5)) read into the
// files it lists with their sizes and checksums. Every listed name must be a plain file name:
// one that stays in the directory of the .changes, so `../../etc/passwd` or `/x.deb` never
// reaches the file system. Errors name the file and the line of the offending entry.

import type { Paragraph } from './deb822.js';
import { InputError } from './errors.js';
import { parseVersion } from './version.js';

export type ChecksumName = 'md5' | 'sha1' | 'sha256';

export interface ListedFile {
  name: string;
  size: number;
  /** Hex digests as listed; absent when the field does not list the file. */
  md5?: string;
  sha1?: string;
  sha256?: string;
  /** From a .changes Files line. */
  section?: string;
  priority?: string;
  /** Line of the file's entry (in Files when present there), for messages. */
  line: number;
}

export interface UploadDescription {
  kind: 'changes' | 'dsc';
  /** The file it was read from, for messages. */
  file: string;
  source: string;
  /** The Version field: the binaries' version in a .changes (a binNMU's has +bN). */
  version: string;
  /** The source version: `Source: foo (1.2-1)` in a binNMU's .changes, else Version. */
  sourceVersion: string;
  /** Architecture field, split (`source arm64`, `any` in a .dsc). */
  architectures: string[];
  /** Binary package names (Binary field). */
  binaries: string[];
  /** Built-For-Profiles of a .changes (dpkg-genchanges writes the build's profiles there). */
  profiles: string[];
  /** A flavoured build's Xdeb-Flavour and Xdeb-Toolchain (xdeb-runbuild --toolchain writes them). */
  flavour?: string;
  toolchain?: string;
  distribution?: string;
  files: ListedFile[];
}

const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** The characters Debian puts in file names: package names, versions without epoch, arch, suffix. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;
const HEX = { md5: /^[0-9a-f]{32}$/, sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ } as const;

/** Why `name` is not a plain file name, or undefined when it is one. */
export function plainNameProblem(name: string): string | undefined {
  if (name === '') return 'the file name is empty';
  if (name.includes('/')) return `'${name}' is not a plain file name: it contains '/'`;
  if (name === '.' || name === '..') return `'${name}' is not a plain file name`;
  if (name.includes('\0')) return 'the file name contains a NUL byte';
  if (name.length > 255) return `'${name.slice(0, 40)}…' is not a plain file name: longer than 255 bytes`;
  if (!PLAIN_NAME.test(name)) return `'${name}' is not a plain file name: only letters, digits and . _ + ~ - are allowed, not first`;
  return undefined;
}

export function isPlainName(name: string): boolean {
  return plainNameProblem(name) === undefined;
}

function lineAt(p: Paragraph, field: string, index: number): number {
  // Continuation lines follow the field's first line (whose value is empty for these fields).
  const start = p.lineOf(field);
  return start === 0 ? 0 : start + index;
}

/** The entry lines of a multi-line field, each with its line number. */
function entries(p: Paragraph, field: string): { text: string; line: number }[] {
  const value = p.get(field);
  if (value === undefined) return [];
  const out: { text: string; line: number }[] = [];
  value.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text !== '') out.push({ text, line: lineAt(p, field, i) });
  });
  return out;
}

function parseSize(text: string, loc: { file: string; line: number }): number {
  if (!/^\d+$/.test(text)) throw new InputError(`'${text}' is not a file size`, loc);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new InputError(`file size ${text} is too large`, loc);
  return n;
}

function required(p: Paragraph, field: string, file: string): string {
  const v = p.get(field);
  if (v === undefined || v.trim() === '') throw new InputError(`missing field '${field}'`, { file, line: p.line || undefined });
  return v.trim();
}

/**
 * The files a .changes or .dsc lists, merged from Files and Checksums-Sha1/-Sha256: the same
 * names with the same sizes everywhere, each name plain, no name twice.
 */
function listedFiles(p: Paragraph, file: string, kind: 'changes' | 'dsc'): ListedFile[] {
  const byName = new Map<string, ListedFile>();
  const order: ListedFile[] = [];
  const fields: [string, ChecksumName][] = [
    ['Files', 'md5'],
    ['Checksums-Sha256', 'sha256'],
    ['Checksums-Sha1', 'sha1'],
  ];
  if (!p.has('Files') && !p.has('Checksums-Sha256'))
    throw new InputError("no 'Files' nor 'Checksums-Sha256' field: the upload lists no files", { file, line: p.line || undefined });
  for (const [field, algo] of fields) {
    const seen = new Set<string>();
    for (const { text, line } of entries(p, field)) {
      const loc = { file, line };
      const cols = text.split(/\s+/);
      const withSection = field === 'Files' && kind === 'changes';
      const want = withSection ? 5 : 3;
      if (cols.length !== want) {
        const shape = withSection ? 'MD5 SIZE SECTION PRIORITY NAME' : field === 'Files' ? 'MD5 SIZE NAME' : 'CHECKSUM SIZE NAME';
        throw new InputError(`malformed '${field}' entry: expected '${shape}', found '${text}'`, loc);
      }
      const digest = cols[0]!.toLowerCase();
      const size = parseSize(cols[1]!, loc);
      const name = cols[want - 1]!;
      const problem = plainNameProblem(name);
      if (problem) throw new InputError(`${problem} (in '${field}')`, loc);
      if (!HEX[algo].test(digest)) throw new InputError(`'${cols[0]}' is not a ${algo.toUpperCase()} checksum (in '${field}')`, loc);
      if (seen.has(name)) throw new InputError(`'${name}' is listed twice in '${field}'`, loc);
      seen.add(name);
      let f = byName.get(name);
      if (!f) {
        if (field !== 'Files' && p.has('Files')) throw new InputError(`'${name}' is in '${field}' but not in 'Files'`, loc);
        f = { name, size, line };
        byName.set(name, f);
        order.push(f);
      } else if (f.size !== size) {
        throw new InputError(`'${name}' has size ${size} in '${field}' but ${f.size} on line ${f.line}`, loc);
      }
      f[algo] = digest;
      if (withSection) {
        f.section = cols[2];
        f.priority = cols[3];
      }
    }
    if (field !== 'Files' && p.has(field) && p.has('Files')) {
      for (const f of order) {
        if (!seen.has(f.name)) throw new InputError(`'${f.name}' is in 'Files' but not in '${field}'`, { file, line: p.lineOf(field) });
      }
    }
  }
  return order;
}

/** Read a .changes paragraph. */
export function parseChanges(p: Paragraph, file: string): UploadDescription {
  const srcField = required(p, 'Source', file);
  const m = /^(\S+)(?:\s+\((\S+)\))?$/.exec(srcField);
  const loc = { file, line: p.lineOf('Source') };
  if (!m || !SOURCE_NAME.test(m[1]!)) throw new InputError(`'${srcField}' is not a source package name`, loc);
  const version = required(p, 'Version', file);
  parseVersion(version, { loc: { file, line: p.lineOf('Version') }, allowWarnings: true });
  const sourceVersion = m[2] ?? version;
  if (m[2]) parseVersion(m[2], { loc, allowWarnings: true });
  const architectures = required(p, 'Architecture', file).split(/\s+/);
  return {
    kind: 'changes',
    file,
    source: m[1]!,
    version,
    sourceVersion,
    architectures,
    binaries: (p.get('Binary') ?? '').split(/\s+/).filter(Boolean),
    profiles: (p.get('Built-For-Profiles') ?? '').split(/\s+/).filter(Boolean),
    ...(p.get('Xdeb-Flavour') ? { flavour: p.get('Xdeb-Flavour')!.trim() } : {}),
    ...(p.get('Xdeb-Toolchain') ? { toolchain: p.get('Xdeb-Toolchain')!.trim() } : {}),
    distribution: p.get('Distribution')?.trim(),
    files: listedFiles(p, file, 'changes'),
  };
}

/** Read a .dsc paragraph. */
export function parseDsc(p: Paragraph, file: string): UploadDescription {
  const source = required(p, 'Source', file);
  if (!SOURCE_NAME.test(source)) throw new InputError(`'${source}' is not a source package name`, { file, line: p.lineOf('Source') });
  const version = required(p, 'Version', file);
  parseVersion(version, { loc: { file, line: p.lineOf('Version') }, allowWarnings: true });
  return {
    kind: 'dsc',
    file,
    source,
    version,
    sourceVersion: version,
    architectures: (p.get('Architecture') ?? '').split(/\s+/).filter(Boolean),
    binaries: (p.get('Binary') ?? '').split(/[\s,]+/).filter(Boolean),
    profiles: [],
    files: listedFiles(p, file, 'dsc'),
  };
}

export type ResultFileKind = 'deb' | 'udeb' | 'dsc' | 'buildinfo' | 'changes' | 'source';

/** What a result file is, by its name. */
export function resultFileKind(name: string): ResultFileKind {
  if (name.endsWith('.deb')) return 'deb';
  if (name.endsWith('.udeb')) return 'udeb';
  if (name.endsWith('.dsc')) return 'dsc';
  if (name.endsWith('.buildinfo')) return 'buildinfo';
  if (name.endsWith('.changes')) return 'changes';
  return 'source';
}

/** `name_version_arch.deb` → its parts (version without epoch), or undefined for another shape. */
export function splitDebName(name: string): { package: string; version: string; arch: string } | undefined {
  const m = /^([a-z0-9][a-z0-9+.-]*)_([^_]+)_([a-z0-9-]+)\.u?deb$/.exec(name);
  return m ? { package: m[1]!, version: m[2]!, arch: m[3]! } : undefined;
}

/** A mismatch between a listed checksum and the file's, as a sentence; undefined when all agree. */
export function checksumMismatch(
  listed: ListedFile,
  actual: { size: number; md5: string; sha1: string; sha256: string },
): string | undefined {
  if (listed.size !== actual.size) return `size is ${actual.size}, the upload says ${listed.size}`;
  for (const algo of ['sha256', 'sha1', 'md5'] as const) {
    const want = listed[algo];
    if (want !== undefined && want !== actual[algo]) return `${algo.toUpperCase()} is ${actual[algo]}, the upload says ${want}`;
  }
  return undefined;
}
