// Build results from disk: a .changes (with the files it lists), a .dsc (with its source files),
// or loose .debs, read and verified. Every listed file must sit beside the .changes or .dsc, have a
// plain name, and match every size and checksum listed; a mismatch is a NegativeAnswer (exit 1:
// the result is not what its .changes says), a malformed or incomplete upload an InputError.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  checksumMismatch,
  parseChanges,
  parseDsc,
  plainNameProblem,
  resultFileKind,
  type ResultFileKind,
  type UploadDescription,
} from '../lib/changes.js';
import { parseSingleParagraph } from '../lib/deb822.js';
import { InputError, NegativeAnswer } from '../lib/errors.js';
import { flavourNameProblem, parseProfileList } from '../lib/local-repo-layout.js';
import { runTool } from './run-tool.js';

export interface FileDigests {
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
}

/** Size and checksums of a file, in one pass. */
export function hashFile(path: string): Promise<FileDigests> {
  return new Promise((res, rej) => {
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    let size = 0;
    createReadStream(path)
      .on('data', (b) => {
        const buf = b as Buffer;
        size += buf.length;
        md5.update(buf);
        sha1.update(buf);
        sha256.update(buf);
      })
      .on('error', rej)
      .on('end', () => res({ size, md5: md5.digest('hex'), sha1: sha1.digest('hex'), sha256: sha256.digest('hex') }));
  });
}

export interface ResultFile {
  name: string;
  /** Absolute path of the file to publish. */
  path: string;
  size: number;
  sha256: string;
  kind: ResultFileKind;
  package?: string;
  architecture?: string;
}

/** One unit of publishing: one record in the repository. */
export interface ResultSet {
  /** The .changes, .dsc or first .deb it came from (absolute path). */
  from: string;
  source: string;
  version: string;
  sourceVersion: string;
  architectures: string[];
  binaries: string[];
  /** The build's profiles as its .changes says (Built-For-Profiles); undefined when unknown. */
  profiles: string[] | undefined;
  /** A flavoured build's flavour and toolchain, as its .changes says (Xdeb-Flavour, Xdeb-Toolchain). */
  flavour?: string;
  toolchain?: string;
  files: ResultFile[];
}

function errnoWhy(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : (e as Error).message;
}

async function readUpload(path: string, kind: 'changes' | 'dsc'): Promise<UploadDescription> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(errnoWhy(e), { file: path });
  }
  const p = parseSingleParagraph(text, { file: path });
  return kind === 'changes' ? parseChanges(p, path) : parseDsc(p, path);
}

/** Check the files an upload lists against the disk; returns them with their sha256. */
async function verifyListed(up: UploadDescription): Promise<ResultFile[]> {
  const dir = dirname(up.file);
  const out: ResultFile[] = [];
  const mismatches: string[] = [];
  for (const f of up.files) {
    const path = join(dir, f.name);
    let digests: FileDigests;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      digests = await hashFile(path);
    } catch (e) {
      throw new InputError(`'${f.name}' is listed but cannot be read in ${dir}: ${errnoWhy(e)}`, { file: up.file, line: f.line });
    }
    const bad = checksumMismatch(f, digests);
    if (bad) mismatches.push(`${up.file}:${f.line}: ${f.name}: ${bad}`);
    out.push({ name: f.name, path, size: digests.size, sha256: digests.sha256, kind: resultFileKind(f.name) });
  }
  if (mismatches.length) {
    throw new NegativeAnswer(
      `${up.file}: ${mismatches.length === 1 ? 'a file does not match its checksum' : `${mismatches.length} files do not match their checksums`}; nothing was published`,
      mismatches,
    );
  }
  return out;
}

interface DebControl {
  package: string;
  version: string;
  architecture: string;
  source: string;
  sourceVersion: string;
}

/** The control fields of a .deb that place it: package, version, architecture, source. */
export async function debControl(path: string): Promise<DebControl> {
  const r = await runTool('dpkg-deb', ['--field', path, 'Package', 'Version', 'Architecture', 'Source']);
  if (r.code !== 0) throw new InputError(`not a Debian binary package: ${r.stderr.trim().split('\n')[0] ?? ''}`, { file: path });
  const p = parseSingleParagraph(r.stdout, { file: `${path} (control)` });
  const pkg = p.get('Package');
  const version = p.get('Version');
  const architecture = p.get('Architecture');
  if (!pkg || !version || !architecture) throw new InputError('its control file lacks Package, Version or Architecture', { file: path });
  const src = /^(\S+)(?:\s+\((\S+)\))?$/.exec(p.get('Source')?.trim() ?? '');
  return { package: pkg, version, architecture, source: src?.[1] ?? pkg, sourceVersion: src?.[2] ?? version };
}

async function describeDebs(files: ResultFile[]): Promise<void> {
  for (const f of files) {
    if (f.kind !== 'deb' && f.kind !== 'udeb') continue;
    const c = await debControl(f.path);
    f.package = c.package;
    f.architecture = c.architecture;
  }
}

async function fromChanges(path: string): Promise<ResultSet> {
  const up = await readUpload(path, 'changes');
  const files = await verifyListed(up);
  // A .dsc brings its own files (an orig tarball may be absent from a -sd .changes).
  for (const f of [...files]) {
    if (f.kind !== 'dsc') continue;
    for (const g of await verifyListed(await readUpload(f.path, 'dsc'))) if (!files.some((x) => x.name === g.name)) files.push(g);
  }
  await describeDebs(files);
  const self = await hashFile(path);
  files.push({ name: basename(path), path, size: self.size, sha256: self.sha256, kind: 'changes' });
  return {
    from: path,
    source: up.source,
    version: up.version,
    sourceVersion: up.sourceVersion,
    architectures: up.architectures,
    binaries: up.binaries,
    profiles: parseProfileList(up.profiles, { file: path }),
    ...(up.flavour ? { flavour: checkedFlavour(up.flavour, path) } : {}),
    ...(up.toolchain ? { toolchain: up.toolchain } : {}),
    files,
  };
}

function checkedFlavour(name: string, file: string): string {
  const problem = flavourNameProblem(name);
  if (problem) throw new InputError(`Xdeb-Flavour: ${problem}`, { file });
  return name;
}

async function fromDsc(path: string): Promise<ResultSet> {
  const up = await readUpload(path, 'dsc');
  const files = await verifyListed(up);
  const self = await hashFile(path);
  files.unshift({ name: basename(path), path, size: self.size, sha256: self.sha256, kind: 'dsc' });
  return {
    from: path,
    source: up.source,
    version: up.version,
    sourceVersion: up.version,
    architectures: ['source'],
    binaries: up.binaries,
    profiles: undefined,
    files,
  };
}

/** Loose .debs, grouped by source and version: one result per group. */
async function fromDebs(paths: string[]): Promise<ResultSet[]> {
  const groups = new Map<string, ResultSet>();
  for (const path of paths) {
    const name = basename(path);
    const problem = plainNameProblem(name);
    if (problem) throw new InputError(problem, { file: path });
    const c = await debControl(path);
    const d = await hashFile(path);
    const key = `${c.source}\0${c.version}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        from: path,
        source: c.source,
        version: c.version,
        sourceVersion: c.sourceVersion,
        architectures: [],
        binaries: [],
        profiles: undefined,
        files: [],
      };
      groups.set(key, g);
    }
    if (g.files.some((f) => f.name === name)) throw new InputError(`'${name}' is given twice`, { file: path });
    if (!g.architectures.includes(c.architecture)) g.architectures.push(c.architecture);
    if (!g.binaries.includes(c.package)) g.binaries.push(c.package);
    g.files.push({
      name,
      path,
      size: d.size,
      sha256: d.sha256,
      kind: resultFileKind(name),
      package: c.package,
      architecture: c.architecture,
    });
  }
  return [...groups.values()];
}

/** Read and verify the results named on a command line: .changes, .dsc, .deb, .udeb. */
export async function readResults(paths: readonly string[]): Promise<ResultSet[]> {
  const out: ResultSet[] = [];
  const debs: string[] = [];
  for (const raw of paths) {
    const path = resolve(raw);
    try {
      if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
    } catch (e) {
      throw new InputError(errnoWhy(e), { file: raw });
    }
    const kind = resultFileKind(path);
    if (kind === 'changes') out.push(await fromChanges(path));
    else if (kind === 'dsc') out.push(await fromDsc(path));
    else if (kind === 'deb' || kind === 'udeb') debs.push(path);
    else throw new InputError('not a build result: expected a .changes, .dsc, .deb or .udeb file', { file: raw });
  }
  out.push(...(await fromDebs(debs)));
  return out;
}
