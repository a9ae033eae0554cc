// A push reader of tar streams (POSIX ustar, GNU long names, pax headers): feed it chunks of
// any size and it returns each member's name, type, size and first bytes, without keeping the
// rest. Enough to look at every file of a .deb's data.tar (dpkg-deb --fsys-tarfile) in one pass.

import { InputError } from './errors.js';

export type TarType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

export interface TarMember {
  path: string;
  type: TarType;
  size: number;
  /** The first `headBytes` bytes of a regular file's content (fewer if it is shorter). */
  head: Uint8Array;
}

const BLOCK = 512;

function octal(buf: Uint8Array, off: number, len: number): number {
  // GNU base-256 for large values: high bit of the first byte set.
  if (buf[off]! & 0x80) {
    let n = buf[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + buf[off + i]!;
    return n;
  }
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = buf[i]!;
    if (c === 0 || c === 0x20) {
      if (s) break;
      continue;
    }
    s += String.fromCharCode(c);
  }
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new InputError(`malformed tar header: '${s}' is not an octal number`);
  return parseInt(s, 8);
}

function text(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return new TextDecoder().decode(buf.subarray(off, end));
}

function typeOf(flag: number): TarType {
  switch (flag) {
    case 0:
    case 0x30: // '0'
    case 0x37: // '7' contiguous
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x35:
      return 'directory';
    default:
      return 'other';
  }
}

/** pax extended header records: "LEN key=value\n"… */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const s = new TextDecoder().decode(data);
  let pos = 0;
  while (pos < s.length) {
    const sp = s.indexOf(' ', pos);
    if (sp < 0) break;
    const len = Number(s.slice(pos, sp));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = s.slice(sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

export class TarReader {
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Bytes of the current member's content still to come, then its padding. */
  private remaining = 0;
  private padding = 0;
  private current:
    { path: string; type: TarType; size: number; flag: number; head: Uint8Array; headFill: number; keepAll: boolean } | undefined;
  private longName: string | undefined;
  private pax: Map<string, string> | undefined;
  private zeroBlocks = 0;
  done = false;

  constructor(private readonly headBytes = 64) {}

  feed(chunk: Uint8Array): TarMember[] {
    const out: TarMember[] = [];
    let pos = 0;
    while (pos < chunk.length && !this.done) {
      if (this.current) {
        const n = Math.min(this.remaining, chunk.length - pos);
        const c = this.current;
        const want = c.head.length - c.headFill;
        if (want > 0) {
          const take = Math.min(want, n);
          c.head.set(chunk.subarray(pos, pos + take), c.headFill);
          c.headFill += take;
        }
        pos += n;
        this.remaining -= n;
        if (this.remaining === 0) this.endMember(out);
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - pos);
        pos += n;
        this.padding -= n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerFill, chunk.length - pos);
      this.header.set(chunk.subarray(pos, pos + n), this.headerFill);
      this.headerFill += n;
      pos += n;
      if (this.headerFill === BLOCK) {
        this.headerFill = 0;
        this.startMember(out);
      }
    }
    return out;
  }

  /** Call at the end of the stream: a truncated archive is an error. */
  end(): void {
    if (this.current || this.headerFill > 0) throw new InputError('truncated tar archive');
  }

  private startMember(out: TarMember[]): void {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks >= 2) this.done = true;
      return;
    }
    this.zeroBlocks = 0;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== octal(h, 148, 8)) throw new InputError('malformed tar header: bad checksum');
    const flag = h[156]!;
    const size = octal(h, 124, 12);
    let path = text(h, 0, 100);
    if (text(h, 257, 6) === 'ustar') {
      const prefix = text(h, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    // GNU 'L' (long name) and pax 'x' members describe the next member: keep their whole content.
    const meta = flag === 0x4c || flag === 0x78 || flag === 0x67;
    if (!meta) {
      if (this.longName !== undefined) path = this.longName;
      const paxPath = this.pax?.get('path');
      if (paxPath !== undefined) path = paxPath;
      this.longName = undefined;
      this.pax = undefined;
    }
    const type = typeOf(flag);
    const headLen = meta ? size : type === 'file' ? Math.min(size, this.headBytes) : 0;
    this.current = { path, type, size, flag, head: new Uint8Array(headLen), headFill: 0, keepAll: meta };
    this.remaining = size;
    if (size === 0) this.endMember(out);
  }

  private endMember(out: TarMember[]): void {
    const c = this.current!;
    this.current = undefined;
    this.padding = (BLOCK - (c.size % BLOCK)) % BLOCK;
    if (c.flag === 0x4c) {
      this.longName = text(c.head, 0, c.head.length);
      return;
    }
    if (c.flag === 0x78) {
      this.pax = paxRecords(c.head);
      return;
    }
    if (c.flag === 0x67) return; // pax global header
    out.push({ path: c.path, type: c.type, size: c.size, head: c.head });
  }
}
