// The package indexes xdeb reads (Packages, Sources), each kept as a binary index that is read
// by name (lib/package-index.ts), as apt keeps pkgcache.bin. A cache file is keyed by what apt's
// own cache checks of an index file: its path, size and mtime (and inode), so a changed index is
// read again. Every piece read is checked against its checksum; a damaged file is rebuilt from
// the index, with a warning — at once when its header shows it, or in the middle of a question,
// synchronously, which then goes on from the rebuilt copy (records keep their ordinals). Damaged
// bytes are never used. $XDEB_NO_CACHE=1 builds the index in memory every time.

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
import { join, resolve } from 'node:path';
import { Deb822Parser, type Paragraph } from '../lib/deb822.js';
import { EnvironmentError, InputError } from '../lib/errors.js';
import {
  buildPackageIndex,
  bufferSource,
  CorruptIndexError,
  INDEX_FORMAT,
  PackageIndexReader,
  type ByteSource,
} from '../lib/package-index.js';
import { binaryRecord, sourceRecord, type BinaryRecord, type SourceRecord } from '../lib/universe.js';
import { readParagraphBatches } from './deb822-files.js';
import { readTextPiecesSync } from './text-stream.js';
import { xdebCacheDir } from './cache-dir.js';

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
  return join(xdebCacheDir(env), 'indexes');
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 20);

/** Does a paragraph come from a Sources index (or a .dsc) rather than a Packages one? */
function isSourceStanza(p: { has(n: string): boolean }): boolean {
  return p.has('Binary') || p.has('Package-List') || ((p.has('Files') || p.has('Checksums-Sha256')) && !p.has('Filename'));
}

/** Collects the records of an index's paragraphs. */
class RecordCollector {
  readonly out: IndexRecords = { binaries: [], sources: [] };

  constructor(
    private readonly file: string,
    private readonly kind: IndexKind,
  ) {
    if (kind === 'status') this.out.installed = [];
  }

  add(p: Paragraph): void {
    const { file, kind, out } = this;
    if (kind === 'Sources' || (kind === 'auto' && isSourceStanza(p))) {
      if (p.get('Extra-Source-Only') === 'yes') return;
      if (!(p.get('Package') ?? p.get('Source')) || !p.get('Version'))
        throw new InputError('source stanza without Package or Version', { file, line: p.line });
      out.sources.push(sourceRecord(p));
      return;
    }
    out.binaries.push(binaryRecord(p, file));
    if (out.installed) out.installed.push(/ installed$/.test(p.get('Status') ?? ''));
  }
}

/** Every record of an index file, parsed (dpkg's status is read this way each time). */
export async function parseIndex(file: string, kind: IndexKind): Promise<IndexRecords> {
  const c = new RecordCollector(file, kind);
  for await (const batch of readParagraphBatches(file)) for (const p of batch) c.add(p);
  return c.out;
}

/** The same, synchronously (a cache rebuilt in the middle of a question). */
function parseIndexSync(file: string, kind: IndexKind): IndexRecords {
  const c = new RecordCollector(file, kind);
  const parser = new Deb822Parser({ file });
  for (const text of readTextPiecesSync(file)) for (const p of parser.feed(text)) c.add(p);
  for (const p of parser.end()) c.add(p);
  return c.out;
}

/** A cache file's descriptor is closed when nothing reads the file any more (a sequence loads a universe per build). */
const closeWhenUnused = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // closed already
  }
});

/** A cache file read where a question needs it (pread): a lookup touches a few hundred bytes, not the file. */
class FileBytes implements ByteSource {
  constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly path: string,
  ) {
    closeWhenUnused.register(this, fd, this);
  }

  /** Close it now (a file found unusable): the registry must then not close the number again, which may be another file's by then. */
  close(): void {
    closeWhenUnused.unregister(this);
    closeSync(this.fd);
  }

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

/** The cache file, if its header is whole and says it was made from this version of the index; else why not. */
function openCached(path: string, stamp: string, recover: (why: string) => ByteSource): PackageIndexReader | string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let why: string;
  const bytes = new FileBytes(fd, fstatSync(fd).size, path);
  try {
    const r = new PackageIndexReader(bytes, recover);
    if (r.stamp === stamp) return r;
    why = 'it was made from another version of the index';
  } catch (e) {
    if (!(e instanceof CorruptIndexError || e instanceof SyntaxError)) {
      bytes.close();
      throw e;
    }
    why = e.message;
  }
  bytes.close();
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

/** The reader of each index file's current cache file, by the index file's key (an older one is left to the garbage collector). */
const readersInUse = new Map<string, { path: string; reader: PackageIndexReader }>();

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
  const stampOf = () => {
    const st = statSync(abs);
    return `${abs}:${st.size}:${st.mtimeMs}:${st.ino}:${kind}:${INDEX_FORMAT}`;
  };
  let stamp = `${abs}:-:${kind}:${INDEX_FORMAT}`;
  let path: string | undefined;
  if (dir) {
    try {
      stamp = stampOf();
      path = join(dir, `${key}-${sha(stamp)}.idx`);
    } catch {
      // unreadable: parsing it says why
    }
  }
  const store = (built: Buffer) => {
    if (!path || !dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, built);
      renameSync(tmp, path);
      prune(dir, key, path);
    } catch {
      // A cache that cannot be written is no error: the next run parses again.
    }
  };
  if (path) {
    const cachePath = path;
    // The same cache file again in this process (the next build of a sequence): the reader already open.
    const open = readersInUse.get(key);
    if (open?.path === cachePath) return { index: open.reader, fromCache: true };
    // Damage met in the middle of a question: the same index, rebuilt now from the same file.
    const recover = (why: string): ByteSource => {
      opts.warn?.(`index cache ${cachePath} is damaged (${why}): rebuilding it from ${file}`);
      if (stampOf() !== stamp) throw new EnvironmentError(`${file} changed while xdeb was reading it: run the command again`);
      const records = parseIndexSync(file, kind);
      const built = buildPackageIndex(records.binaries, records.sources, stamp);
      store(built);
      return bufferSource(built);
    };
    const cached = openCached(cachePath, stamp, recover);
    if (cached instanceof PackageIndexReader) {
      readersInUse.set(key, { path: cachePath, reader: cached });
      try {
        const now = new Date();
        utimesSync(cachePath, now, now);
      } catch {
        // read-only cache: it still serves
      }
      return { index: cached, fromCache: true };
    }
    if (cached !== undefined) opts.warn?.(`index cache ${cachePath} is damaged (${cached}): rebuilding it from ${file}`);
  }
  const records = await parseIndex(file, kind);
  const built = buildPackageIndex(records.binaries, records.sources, stamp);
  store(built);
  return { index: new PackageIndexReader(bufferSource(built)), fromCache: false };
}

/** Every binary record of an index (for archive-wide passes over another release's Packages). */
export function binaryRecords(index: PackageIndexReader): BinaryRecord[] {
  const out: BinaryRecord[] = [];
  for (let i = 0; i < index.binaryCount; i++) out.push(index.binary(i));
  return out;
}
