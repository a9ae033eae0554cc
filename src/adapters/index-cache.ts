// The package indexes xdeb reads (Packages, Sources), each kept as a binary index that is read
// by name (lib/package-index.ts), as apt keeps pkgcache.bin. A cache file is keyed by what apt's
// own cache checks of an index file: its path, size and mtime (and inode), so a changed index is
// read again. It is checked whole (SHA-1) before use; a damaged one is rebuilt, with a warning,
// never read. $XDEB_NO_CACHE=1 builds the index in memory every time.

import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvironmentError, InputError } from '../lib/errors.js';
import {
  buildPackageIndex,
  bufferSource,
  CorruptIndexError,
  INDEX_FORMAT,
  PackageIndexReader,
  TRAILER_BYTES,
  trailerOf,
  type ByteSource,
} from '../lib/package-index.js';
import { binaryRecord, sourceRecord, type BinaryRecord, type SourceRecord } from '../lib/universe.js';
import { readParagraphs } from './deb822-files.js';

export type IndexKind = 'Packages' | 'Sources' | 'auto' | 'status';

export interface IndexRecords {
  binaries: BinaryRecord[];
  sources: SourceRecord[];
  /** For 'status': whether each binary is installed. */
  installed?: boolean[];
}

/** Cache files beyond these are removed, least recently used first (each test's repository makes one). */
const KEEP_FILES = 64;
const KEEP_BYTES = 2 * 1024 ** 3;

export function indexCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XDEB_NO_CACHE === '1') return undefined;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'xdeb', 'indexes');
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 20);

/** Does a paragraph come from a Sources index (or a .dsc) rather than a Packages one? */
function isSourceStanza(p: { has(n: string): boolean }): boolean {
  return p.has('Binary') || p.has('Package-List') || ((p.has('Files') || p.has('Checksums-Sha256')) && !p.has('Filename'));
}

/** Every record of an index file, parsed (dpkg's status is read this way each time). */
export async function parseIndex(file: string, kind: IndexKind): Promise<IndexRecords> {
  const out: IndexRecords = { binaries: [], sources: [] };
  if (kind === 'status') out.installed = [];
  for await (const p of readParagraphs(file)) {
    if (kind === 'Sources' || (kind === 'auto' && isSourceStanza(p))) {
      if (p.get('Extra-Source-Only') === 'yes') continue;
      if (!(p.get('Package') ?? p.get('Source')) || !p.get('Version'))
        throw new InputError('source stanza without Package or Version', { file, line: p.line });
      out.sources.push(sourceRecord(p));
      continue;
    }
    out.binaries.push(binaryRecord(p, file));
    if (out.installed) out.installed.push(/ installed$/.test(p.get('Status') ?? ''));
  }
  return out;
}

/** A cache file read where a question needs it (pread): a lookup touches a few hundred bytes, not the file. */
class FileBytes implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly path: string,
  ) {}

  /** The whole file, once a pass over every record asked for it. */
  private whole: Buffer | undefined;

  preload(): void {
    if (this.whole) return;
    const b = Buffer.allocUnsafe(this.size);
    for (let at = 0; at < this.size;) {
      const n = readSync(this.fd, b, at, this.size - at, at);
      if (n <= 0) throw new EnvironmentError(`index cache ${this.path} changed while in use`);
      at += n;
    }
    this.whole = b;
  }

  read(pos: number, len: number): Buffer {
    if (pos < 0 || len < 0 || pos + len > this.size)
      throw new CorruptIndexError(`read of ${len} bytes at ${pos} past the end (${this.size})`);
    if (this.whole) return this.whole.subarray(pos, pos + len);
    const b = Buffer.allocUnsafe(len);
    if (len && readSync(this.fd, b, 0, len, pos) !== len) throw new EnvironmentError(`index cache ${this.path} changed while in use`);
    return b;
  }
}

/** Does the file's trailer name the SHA-1 of everything before it? */
function checksumMatches(fd: number, size: number): boolean {
  if (size < TRAILER_BYTES) return false;
  const end = size - TRAILER_BYTES;
  const tail = Buffer.alloc(TRAILER_BYTES);
  if (readSync(fd, tail, 0, TRAILER_BYTES, end) !== TRAILER_BYTES) return false;
  const want = trailerOf(tail);
  if (!want) return false;
  const hash = createHash('sha1');
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let pos = 0; pos < end;) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (n <= 0) return false;
    hash.update(chunk.subarray(0, n));
    pos += n;
  }
  return want.equals(hash.digest());
}

/** The cache file, if it is whole and made from this version of the index; else why not. */
function openCached(path: string, stamp: string): PackageIndexReader | string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let why: string;
  try {
    const size = fstatSync(fd).size;
    if (!checksumMatches(fd, size)) why = 'its checksum does not match: truncated or overwritten';
    else {
      const r = new PackageIndexReader(new FileBytes(fd, size, path));
      if (r.stamp === stamp) return r;
      why = 'it was made from another version of the index';
    }
  } catch (e) {
    if (!(e instanceof CorruptIndexError)) throw e;
    why = e.message;
  }
  closeSync(fd);
  return why;
}

/** Remove other versions of this index's cache, the previous format's files, and the least recently used beyond the limits. */
function prune(dir: string, prefix: string, keep: string): void {
  const files: { path: string; size: number; used: number }[] = [];
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (path === keep) continue;
    try {
      if (f.startsWith(prefix + '-') || f.endsWith('.v8')) {
        unlinkSync(path);
        continue;
      }
      const st = statSync(path);
      files.push({ path, size: st.size, used: st.mtimeMs });
    } catch {
      // gone already (another xdeb pruning)
    }
  }
  files.sort((a, b) => b.used - a.used);
  let bytes = 0;
  files.forEach((f, i) => {
    bytes += f.size;
    if (i + 1 >= KEEP_FILES || bytes > KEEP_BYTES) {
      try {
        unlinkSync(f.path);
      } catch {
        // gone already
      }
    }
  });
}

export interface OpenIndexOptions {
  env?: NodeJS.ProcessEnv;
  /** Told when a damaged cache file is rebuilt. */
  warn?: (msg: string) => void;
}

/** A Packages or Sources index (or an 'auto' file of either), read by name: from the cache when it is current and whole. */
export async function openPackageIndex(
  file: string,
  kind: Exclude<IndexKind, 'status'>,
  opts: OpenIndexOptions = {},
): Promise<{ index: PackageIndexReader; fromCache: boolean }> {
  const dir = indexCacheDir(opts.env ?? process.env);
  const abs = resolve(file);
  const key = sha(abs);
  let stamp = `${abs}:-:${kind}:${INDEX_FORMAT}`;
  let path: string | undefined;
  if (dir) {
    try {
      const st = statSync(abs);
      stamp = `${abs}:${st.size}:${st.mtimeMs}:${st.ino}:${kind}:${INDEX_FORMAT}`;
      path = join(dir, `${key}-${sha(stamp)}.idx`);
    } catch {
      // unreadable: parsing it says why
    }
  }
  if (path) {
    const cached = openCached(path, stamp);
    if (cached instanceof PackageIndexReader) {
      try {
        const now = new Date();
        utimesSync(path, now, now);
      } catch {
        // read-only cache: it still serves
      }
      return { index: cached, fromCache: true };
    }
    if (cached !== undefined) opts.warn?.(`index cache ${path} is damaged (${cached}): rebuilding it from ${file}`);
  }
  const records = await parseIndex(file, kind);
  const built = buildPackageIndex(records.binaries, records.sources, stamp);
  if (path && dir) {
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, built);
      renameSync(tmp, path);
      prune(dir, key, path);
    } catch {
      // A cache that cannot be written is no error: the next run parses again.
    }
  }
  return { index: new PackageIndexReader(bufferSource(built)), fromCache: false };
}

/** Every binary record of an index (for archive-wide passes over another release's Packages). */
export function binaryRecords(index: PackageIndexReader): BinaryRecord[] {
  const out: BinaryRecord[] = [];
  for (let i = 0; i < index.binaryCount; i++) out.push(index.binary(i));
  return out;
}
