// A package index (Packages, Sources) as one binary file that is read by name, the way apt reads
// its pkgcache.bin: records by ordinal, and hash tables from a name to the ordinals that carry it
// (as a package name, in Provides, as a source name), plus the Essential
// packages. A reader touches only the bytes a question needs, through a ByteSource (a file read
// in blocks, or a Buffer). The trailer's SHA-1 covers every byte before it.

import { createHash } from 'node:crypto';
import type { BinaryRecord, SourceRecord } from './universe.js';

/** Bump when the layout or the records change. */
export const INDEX_FORMAT = 2;

const MAGIC = 'XDEBIDX2';
const END = 'XDEBEND2';
/** Bytes a table lookup reads at once: the key, its count and a short list. */
const ENTRY_READ = 128;
/** The header's offset and length (u32 each), its SHA-1 (20 bytes) and END (8 bytes). */
export const TRAILER_BYTES = 36;

/** Bytes at an offset: a file read in blocks, or a Buffer. */
export interface ByteSource {
  readonly size: number;
  read(pos: number, len: number): Buffer;
  /** A pass over everything follows: read it all at once, if that is cheaper. */
  preload?(): void;
}

/** The file is not a well-formed index, or a part of it read does not match its checksum. */
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

/** FNV-1a over bytes: each record and table entry carries one, checked when it is read. */
function fnv(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= b[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

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

  /** Start a checksummed piece: room for its FNV-1a, filled in by endSummed. */
  startSummed(): number {
    this.u32(0);
    return this.pos;
  }

  endSummed(start: number): void {
    this.u32At(start - 4, fnv(this.buf, start, this.pos));
  }

  sha1Of(start: number): string {
    return sha1(this.buf.subarray(start, this.pos));
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
  /** SHA-1 of each table read whole (offsets, buckets, the Essential list), by its offset. */
  sums: Record<string, string>;
}

/** Entries (checksum, key, count, ordinals), then the buckets: each the offset of an entry, 0 for none. */
function writeTable(w: ByteWriter, map: Map<string, number[]>, sums: Record<string, string>): TableInfo {
  let buckets = 2;
  while (buckets < map.size * 2) buckets *= 2;
  const slots = new Uint32Array(buckets);
  const mask = buckets - 1;
  for (const [key, list] of map) {
    let h = hashOf(key) & mask;
    while (slots[h] !== 0) h = (h + 1) & mask;
    const start = w.startSummed();
    slots[h] = start;
    const k = Buffer.from(key, 'utf8');
    w.u16(k.length);
    w.raw(k);
    w.u32(list.length);
    for (const o of list) w.u32(o);
    w.endSummed(start);
  }
  const at = w.pos;
  for (let i = 0; i < buckets; i++) w.u32(slots[i]!);
  sums[at] = w.sha1Of(at);
  return { at, buckets };
}

/** The index of a file's records, ready to be written (or read from memory). */
export function buildPackageIndex(binaries: readonly BinaryRecord[], sources: readonly SourceRecord[], stamp: string): Buffer {
  const w = new ByteWriter();
  w.raw(Buffer.from(MAGIC));
  const names = new Map<string, number[]>();
  const provides = new Map<string, number[]>();
  const sourceNames = new Map<string, number[]>();
  const essential: number[] = [];
  const archCounts: Record<string, number> = {};
  const sums: Record<string, string> = {};

  const binaryAt: number[] = [];
  binaries.forEach((r, i) => {
    const start = w.startSummed();
    binaryAt.push(start);
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
    w.endSummed(start);
    addTo(names, r.name, i);
    for (const n of relationNames(r.provides)) addTo(provides, n, i);
    if (r.essential) essential.push(i);
    archCounts[r.arch] = (archCounts[r.arch] ?? 0) + 1;
  });
  const binaryOffsets = writeOffsets(w, binaryAt, sums);

  const sourceAt: number[] = [];
  sources.forEach((r, i) => {
    const start = w.startSummed();
    sourceAt.push(start);
    w.u32(r.line);
    w.u16(r.names.length);
    for (let k = 0; k < r.names.length; k++) {
      w.str(r.names[k]!);
      w.str(r.values[k]!);
      w.u32(r.lines[k]!);
    }
    w.endSummed(start);
    const pi = r.names.indexOf('Package');
    const name = pi >= 0 ? r.values[pi]! : r.values[r.names.indexOf('Source')]!;
    addTo(sourceNames, name, i);
  });
  const sourceOffsets = writeOffsets(w, sourceAt, sums);

  const tables = {
    names: writeTable(w, names, sums),
    provides: writeTable(w, provides, sums),
    sourceNames: writeTable(w, sourceNames, sums),
  };
  const essentialAt = w.pos;
  for (const o of essential) w.u32(o);
  sums[essentialAt] = w.sha1Of(essentialAt);

  const header: Header = {
    format: INDEX_FORMAT,
    stamp,
    binaries: { count: binaries.length, offsets: binaryOffsets },
    sources: { count: sources.length, offsets: sourceOffsets },
    archCounts,
    tables,
    essential: { at: essentialAt, count: essential.length },
    sums,
  };
  const headerAt = w.pos;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  w.raw(json);
  w.u32(headerAt);
  w.u32(json.length);
  w.raw(createHash('sha1').update(json).digest());
  w.raw(Buffer.from(END));
  return Buffer.from(w.done());
}

/** Where each record starts, and where the last one ends: read whole, with its SHA-1 in the header. */
function writeOffsets(w: ByteWriter, starts: number[], sums: Record<string, string>): number {
  const at = w.pos;
  for (const o of starts) w.u32(o);
  // The record after the last one would start past its checksum field.
  w.u32(at + 4);
  sums[at] = w.sha1Of(at);
  return at;
}

/** Reads a record's fields in turn: strings as ByteWriter.str wrote them, and u32s. */
class Cursor {
  constructor(
    private readonly b: Buffer,
    private p: number,
  ) {}

  u32(): number {
    const n = this.b.readUInt32LE(this.p);
    this.p += 4;
    return n;
  }

  str(): string {
    const n = this.u32();
    const s = this.b.toString('utf8', this.p, this.p + n);
    this.p += n;
    return s;
  }
}

function parseHeader(src: ByteSource): Header {
  if (src.size < MAGIC.length + TRAILER_BYTES || src.read(0, MAGIC.length).toString('latin1') !== MAGIC)
    throw new CorruptIndexError('not an xdeb package index (or another format)');
  const tail = src.read(src.size - TRAILER_BYTES, TRAILER_BYTES);
  if (tail.toString('latin1', 28) !== END) throw new CorruptIndexError('its end is missing: truncated');
  const at = tail.readUInt32LE(0);
  const len = tail.readUInt32LE(4);
  if (at + len > src.size - TRAILER_BYTES) throw new CorruptIndexError('its header lies outside it');
  const json = src.read(at, len);
  if (!createHash('sha1').update(json).digest().equals(tail.subarray(8, 28)))
    throw new CorruptIndexError('its header does not match its checksum');
  const header = JSON.parse(json.toString('utf8')) as Header;
  if (header.format !== INDEX_FORMAT) throw new CorruptIndexError(`format ${header.format}, not ${INDEX_FORMAT}`);
  return header;
}

/**
 * Reads an index built by buildPackageIndex, touching only what each question needs, and
 * checking each piece it reads (records and table entries by FNV-1a, whole tables by SHA-1).
 * When a piece is damaged, `recover` gives the same index rebuilt (records keep their ordinals)
 * and the question goes on from it; without `recover`, CorruptIndexError.
 */
export class PackageIndexReader {
  readonly binaryCount: number;
  readonly sourceCount: number;
  readonly archCounts: Readonly<Record<string, number>>;
  readonly stamp: string;
  private header: Header;
  /** Tables read whole on first use (offsets, hash buckets: a few hundred KiB), so that a lookup or a record costs one read. */
  private readonly tablesRead = new Map<number, Buffer>();

  constructor(
    private src: ByteSource,
    private recover?: (why: string) => ByteSource,
  ) {
    this.header = parseHeader(src);
    this.binaryCount = this.header.binaries.count;
    this.sourceCount = this.header.sources.count;
    this.archCounts = this.header.archCounts;
    this.stamp = this.header.stamp;
  }

  /** Run a read; when it meets damage, once, rebuild and run it again. */
  private guarded<T>(read: () => T): T {
    try {
      return read();
    } catch (e) {
      if (!(e instanceof CorruptIndexError) || !this.recover) throw e;
      const recover = this.recover;
      this.recover = undefined;
      this.src = recover(e.message);
      this.tablesRead.clear();
      const header = parseHeader(this.src);
      if (header.stamp !== this.stamp || header.binaries.count !== this.binaryCount || header.sources.count !== this.sourceCount)
        throw new CorruptIndexError('the rebuilt index is not the one in use');
      this.header = header;
      return read();
    }
  }

  private table(at: number, entries: number): Buffer {
    let t = this.tablesRead.get(at);
    if (t) return t;
    t = this.src.read(at, 4 * entries);
    if (sha1(t) !== this.header.sums[at]) throw new CorruptIndexError(`the table at ${at} does not match its checksum`);
    this.tablesRead.set(at, t);
    return t;
  }

  /** A record's bytes after its checksum, checked. */
  private range(offsets: number, count: number, i: number): Buffer {
    if (!(i >= 0 && i < count)) throw new RangeError(`no record ${i} (of ${count})`);
    const table = this.table(offsets, count + 1);
    const start = table.readUInt32LE(4 * i);
    const end = table.readUInt32LE(4 * i + 4) - 4;
    if (end < start) throw new CorruptIndexError(`record ${i} ends before it starts`);
    const b = this.src.read(start - 4, end - start + 4);
    if (fnv(b, 4, b.length) !== b.readUInt32LE(0)) throw new CorruptIndexError(`record ${i} does not match its checksum`);
    return b.subarray(4);
  }

  /** The binary record at an ordinal (its order in the index file). */
  binary(i: number): BinaryRecord {
    return this.guarded(() => this.decodeBinary(i));
  }

  private decodeBinary(i: number): BinaryRecord {
    const b = this.range(this.header.binaries.offsets, this.binaryCount, i);
    const line = b.readUInt32LE(0);
    const mask = b.readUInt16LE(4);
    const essential = b[6] === 1;
    const c = new Cursor(b, 7);
    const name = c.str();
    const v: (string | undefined)[] = [];
    for (let bit = 0; bit < BINARY_FIELDS.length; bit++) v.push(mask & (1 << bit) ? c.str() : undefined);
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
    return this.guarded(() => {
      const b = this.range(this.header.binaries.offsets, this.binaryCount, i);
      const n = b.readUInt32LE(7);
      return b.toString('utf8', 11, 11 + n);
    });
  }

  source(i: number): SourceRecord {
    return this.guarded(() => {
      const b = this.range(this.header.sources.offsets, this.sourceCount, i);
      const r: SourceRecord = { line: b.readUInt32LE(0), names: [], values: [], lines: [] };
      const count = b.readUInt16LE(4);
      const c = new Cursor(b, 6);
      for (let k = 0; k < count; k++) {
        r.names.push(c.str());
        r.values.push(c.str());
        r.lines.push(c.u32());
      }
      return r;
    });
  }

  private lookup(t: TableInfo, key: string): number[] {
    return this.guarded(() => {
      const mask = t.buckets - 1;
      const buckets = this.table(t.at, t.buckets);
      let h = hashOf(key) & mask;
      for (let probes = 0; probes < t.buckets; probes++, h = (h + 1) & mask) {
        const at = buckets.readUInt32LE(4 * h);
        if (at === 0) return [];
        // One read for the checksum, key, count and (mostly) list: an entry is rarely longer.
        let e = this.src.read(at - 4, Math.min(ENTRY_READ, t.at - at + 4));
        const len = e.readUInt16LE(4);
        const count = e.length >= 10 + len ? e.readUInt32LE(6 + len) : -1;
        const size = 10 + len + 4 * count;
        if (count < 0 || e.length < size) {
          e = this.src.read(at - 4, 10 + len);
          e = this.src.read(at - 4, 10 + len + 4 * e.readUInt32LE(6 + len));
        }
        const n = e.readUInt32LE(6 + len);
        const end = 10 + len + 4 * n;
        if (fnv(e, 4, end) !== e.readUInt32LE(0)) throw new CorruptIndexError(`the table entry at ${at} does not match its checksum`);
        if (e.toString('utf8', 6, 6 + len) !== key) continue;
        const out: number[] = new Array(n);
        for (let k = 0; k < n; k++) out[k] = e.readUInt32LE(10 + len + 4 * k);
        return out;
      }
      return [];
    });
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
    return this.guarded(() => {
      const { at, count } = this.header.essential;
      const b = this.table(at, count);
      const out: number[] = new Array(count);
      for (let k = 0; k < count; k++) out[k] = b.readUInt32LE(4 * k);
      return out;
    });
  }
}
