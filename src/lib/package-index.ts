// A package index (Packages, Sources) as one binary file that is read by name, the way apt reads
// its pkgcache.bin: records by ordinal, and hash tables from a name to the ordinals that carry it
// (as a package name, in Provides, as a source name), plus the Essential
// packages. A reader touches only the bytes a question needs, through a ByteSource (a file read
// in blocks, or a Buffer). The trailer's SHA-1 covers every byte before it.

import { createHash } from 'node:crypto';
import type { BinaryRecord, SourceRecord } from './universe.js';

/** Bump when the layout or the records change. */
export const INDEX_FORMAT = 1;

const MAGIC = 'XDEBIDX1';
const END = 'XDEBEND1';
/** Bytes a table lookup reads at once: the key, its count and a short list. */
const ENTRY_READ = 128;
/** SHA-1 (20 bytes) and END (8 bytes). */
export const TRAILER_BYTES = 28;

/** Bytes at an offset: a file read in blocks, or a Buffer. */
export interface ByteSource {
  readonly size: number;
  read(pos: number, len: number): Buffer;
  /** A pass over everything follows: read it all at once, if that is cheaper. */
  preload?(): void;
}

/** The file is not a well-formed index (truncated, overwritten, another format). */
export class CorruptIndexError extends Error {}

export function bufferSource(buf: Buffer): ByteSource {
  return {
    size: buf.length,
    read(pos, len) {
      if (pos < 0 || len < 0 || pos + len > buf.length)
        throw new CorruptIndexError(`read of ${len} bytes at ${pos} past the end (${buf.length})`);
      return buf.subarray(pos, pos + len);
    },
  };
}

/** The optional string fields of a binary record, in their order on disk. */
const BINARY_FIELDS = [
  'version',
  'arch',
  'multiArch',
  'source',
  'sourceVersion',
  'depends',
  'preDepends',
  'conflicts',
  'breaks',
  'provides',
  'filename',
] as const satisfies readonly (keyof BinaryRecord)[];

class ByteWriter {
  private buf = Buffer.allocUnsafe(1 << 20);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(n: number): void {
    this.room(1);
    this.buf[this.pos++] = n;
  }

  u16(n: number): void {
    this.room(2);
    this.buf.writeUInt16LE(n, this.pos);
    this.pos += 2;
  }

  u32(n: number): void {
    this.room(4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4;
  }

  /** A string: its UTF-8 length (u32) and bytes. */
  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.room(4 + n);
    this.buf.writeUInt32LE(n, this.pos);
    this.buf.write(s, this.pos + 4, 'utf8');
    this.pos += 4 + n;
  }

  raw(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  u32At(pos: number, n: number): void {
    this.buf.writeUInt32LE(n, pos);
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** FNV-1a over the UTF-16 code units: the same function builds and reads the tables. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The package names a relation field mentions (a superset is harmless: readers check each hit). */
export function relationNames(text: string | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const part of text.split(/[,|]/)) {
    const m = /^\s*([^\s:(\[<]+)/.exec(part);
    if (m) out.push(m[1]!);
  }
  return out;
}

function addTo(map: Map<string, number[]>, key: string, ordinal: number): void {
  const l = map.get(key);
  if (!l) map.set(key, [ordinal]);
  else if (l[l.length - 1] !== ordinal) l.push(ordinal);
}

interface TableInfo {
  at: number;
  buckets: number;
}

interface Header {
  format: number;
  /** What the index file was when this was built (path, size, mtime, inode). */
  stamp: string;
  binaries: { count: number; offsets: number };
  sources: { count: number; offsets: number };
  archCounts: Record<string, number>;
  tables: { names: TableInfo; provides: TableInfo; sourceNames: TableInfo };
  essential: { at: number; count: number };
}

function writeTable(w: ByteWriter, map: Map<string, number[]>): TableInfo {
  let buckets = 2;
  while (buckets < map.size * 2) buckets *= 2;
  const slots = new Uint32Array(buckets);
  const mask = buckets - 1;
  for (const [key, list] of map) {
    let h = hashOf(key) & mask;
    while (slots[h] !== 0) h = (h + 1) & mask;
    slots[h] = w.pos;
    const k = Buffer.from(key, 'utf8');
    w.u16(k.length);
    w.raw(k);
    w.u32(list.length);
    for (const o of list) w.u32(o);
  }
  const at = w.pos;
  for (let i = 0; i < buckets; i++) w.u32(slots[i]!);
  return { at, buckets };
}

/** The index of a file's records, ready to be written (or read from memory). */
export function buildPackageIndex(binaries: readonly BinaryRecord[], sources: readonly SourceRecord[], stamp: string): Buffer {
  const w = new ByteWriter();
  w.raw(Buffer.from(MAGIC));
  const headerLenAt = w.pos;
  w.u32(0);
  // The header is written last, at the end: its offset goes here.
  const names = new Map<string, number[]>();
  const provides = new Map<string, number[]>();
  const sourceNames = new Map<string, number[]>();
  const essential: number[] = [];
  const archCounts: Record<string, number> = {};

  const binaryAt: number[] = [];
  binaries.forEach((r, i) => {
    binaryAt.push(w.pos);
    w.u32(r.line);
    let mask = 0;
    BINARY_FIELDS.forEach((f, bit) => {
      if (r[f] !== undefined) mask |= 1 << bit;
    });
    w.u16(mask);
    w.u8(r.essential ? 1 : 0);
    w.str(r.name);
    for (const f of BINARY_FIELDS) {
      const v = r[f];
      if (v !== undefined) w.str(v);
    }
    addTo(names, r.name, i);
    for (const n of relationNames(r.provides)) addTo(provides, n, i);
    if (r.essential) essential.push(i);
    archCounts[r.arch] = (archCounts[r.arch] ?? 0) + 1;
  });
  binaryAt.push(w.pos);
  const binaryOffsets = w.pos;
  for (const o of binaryAt) w.u32(o);

  const sourceAt: number[] = [];
  sources.forEach((r, i) => {
    sourceAt.push(w.pos);
    w.u32(r.line);
    w.u16(r.names.length);
    for (let k = 0; k < r.names.length; k++) {
      w.str(r.names[k]!);
      w.str(r.values[k]!);
      w.u32(r.lines[k]!);
    }
    const pi = r.names.indexOf('Package');
    const name = pi >= 0 ? r.values[pi]! : r.values[r.names.indexOf('Source')]!;
    addTo(sourceNames, name, i);
  });
  sourceAt.push(w.pos);
  const sourceOffsets = w.pos;
  for (const o of sourceAt) w.u32(o);

  const tables = {
    names: writeTable(w, names),
    provides: writeTable(w, provides),
    sourceNames: writeTable(w, sourceNames),
  };
  const essentialAt = w.pos;
  for (const o of essential) w.u32(o);

  const header: Header = {
    format: INDEX_FORMAT,
    stamp,
    binaries: { count: binaries.length, offsets: binaryOffsets },
    sources: { count: sources.length, offsets: sourceOffsets },
    archCounts,
    tables,
    essential: { at: essentialAt, count: essential.length },
  };
  const headerAt = w.pos;
  w.str(JSON.stringify(header));
  w.u32At(headerLenAt, headerAt);
  const body = w.done();
  const sum = createHash('sha1').update(body).digest();
  return Buffer.concat([body, sum, Buffer.from(END)]);
}

/** Does the trailer end the file, and what SHA-1 does it name? (The caller hashes the rest.) */
export function trailerOf(tail: Buffer): Buffer | undefined {
  if (tail.length !== TRAILER_BYTES || tail.toString('latin1', 20) !== END) return undefined;
  return tail.subarray(0, 20);
}

/** Reads an index built by buildPackageIndex, touching only what each question needs. */
export class PackageIndexReader {
  readonly binaryCount: number;
  readonly sourceCount: number;
  readonly archCounts: Readonly<Record<string, number>>;
  readonly stamp: string;
  private readonly header: Header;

  constructor(private readonly src: ByteSource) {
    if (src.size < MAGIC.length + 4 + TRAILER_BYTES || src.read(0, MAGIC.length).toString('latin1') !== MAGIC)
      throw new CorruptIndexError('not an xdeb package index');
    const at = this.u32(MAGIC.length);
    let header: Header;
    try {
      header = JSON.parse(this.str(at)[0]) as Header;
    } catch (e) {
      if (e instanceof CorruptIndexError) throw e;
      throw new CorruptIndexError('unreadable header');
    }
    if (header.format !== INDEX_FORMAT) throw new CorruptIndexError(`format ${header.format}, not ${INDEX_FORMAT}`);
    this.header = header;
    this.binaryCount = header.binaries.count;
    this.sourceCount = header.sources.count;
    this.archCounts = header.archCounts;
    this.stamp = header.stamp;
  }

  private u32(pos: number): number {
    return this.src.read(pos, 4).readUInt32LE(0);
  }

  /** A string at pos, and the position after it. */
  private str(pos: number): [string, number] {
    const n = this.u32(pos);
    return [this.src.read(pos + 4, n).toString('utf8'), pos + 4 + n];
  }

  private range(offsets: number, count: number, i: number): Buffer {
    if (!(i >= 0 && i < count)) throw new RangeError(`no record ${i} (of ${count})`);
    const b = this.src.read(offsets + 4 * i, 8);
    const start = b.readUInt32LE(0);
    const end = b.readUInt32LE(4);
    if (end < start) throw new CorruptIndexError(`record ${i} ends before it starts`);
    return this.src.read(start, end - start);
  }

  /** The binary record at an ordinal (its order in the index file). */
  binary(i: number): BinaryRecord {
    const b = this.range(this.header.binaries.offsets, this.binaryCount, i);
    const line = b.readUInt32LE(0);
    const mask = b.readUInt16LE(4);
    const essential = b[6] === 1;
    let p = 7;
    const next = (): string => {
      const n = b.readUInt32LE(p);
      const s = b.toString('utf8', p + 4, p + 4 + n);
      p += 4 + n;
      return s;
    };
    const name = next();
    const v: (string | undefined)[] = [];
    for (let bit = 0; bit < BINARY_FIELDS.length; bit++) v.push(mask & (1 << bit) ? next() : undefined);
    if (v[0] === undefined || v[1] === undefined) throw new CorruptIndexError(`record ${i} without version or architecture`);
    return {
      name,
      version: v[0],
      arch: v[1],
      multiArch: v[2],
      essential,
      source: v[3],
      sourceVersion: v[4],
      depends: v[5],
      preDepends: v[6],
      conflicts: v[7],
      breaks: v[8],
      provides: v[9],
      filename: v[10],
      line,
    };
  }

  /** Just the package name of a binary record. */
  binaryName(i: number): string {
    const b = this.range(this.header.binaries.offsets, this.binaryCount, i);
    const n = b.readUInt32LE(7);
    return b.toString('utf8', 11, 11 + n);
  }

  source(i: number): SourceRecord {
    const b = this.range(this.header.sources.offsets, this.sourceCount, i);
    const r: SourceRecord = { line: b.readUInt32LE(0), names: [], values: [], lines: [] };
    const count = b.readUInt16LE(4);
    let p = 6;
    const next = (): string => {
      const n = b.readUInt32LE(p);
      const s = b.toString('utf8', p + 4, p + 4 + n);
      p += 4 + n;
      return s;
    };
    for (let k = 0; k < count; k++) {
      r.names.push(next());
      r.values.push(next());
      r.lines.push(b.readUInt32LE(p));
      p += 4;
    }
    return r;
  }

  private lookup(t: TableInfo, key: string): number[] {
    const mask = t.buckets - 1;
    let h = hashOf(key) & mask;
    for (let probes = 0; probes < t.buckets; probes++, h = (h + 1) & mask) {
      const at = this.u32(t.at + 4 * h);
      if (at === 0) return [];
      // One read for the key, its count and (mostly) its list: an entry is rarely longer.
      let head = this.src.read(at, Math.min(ENTRY_READ, t.at - at));
      const len = head.readUInt16LE(0);
      if (head.length < 6 + len) head = this.src.read(at, 6 + len);
      if (head.toString('utf8', 2, 2 + len) !== key) continue;
      const count = head.readUInt32LE(2 + len);
      const list =
        6 + len + 4 * count <= head.length ? head.subarray(6 + len, 6 + len + 4 * count) : this.src.read(at + 6 + len, 4 * count);
      const out: number[] = new Array(count);
      for (let k = 0; k < count; k++) out[k] = list.readUInt32LE(4 * k);
      return out;
    }
    return [];
  }

  /** Every record is about to be read. */
  preload(): void {
    this.src.preload?.();
  }

  /** Ordinals of the binary records of a package name. */
  named(name: string): number[] {
    return this.lookup(this.header.tables.names, name);
  }

  /** Ordinals of binary records whose Provides may name `name`. */
  providing(name: string): number[] {
    return this.lookup(this.header.tables.provides, name);
  }

  /** Ordinals of the source records of a source name. */
  sourcesNamed(name: string): number[] {
    return this.lookup(this.header.tables.sourceNames, name);
  }

  /** Ordinals of the Essential: yes binary records. */
  essential(): number[] {
    const { at, count } = this.header.essential;
    const b = this.src.read(at, 4 * count);
    const out: number[] = new Array(count);
    for (let k = 0; k < count; k++) out[k] = b.readUInt32LE(4 * k);
    return out;
  }
}
